package ingest

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"newsmon/pipeline/fetch"
)

// outcome is what one poll of a feed found, as far as scheduling goes.
type outcome struct {
	err      error         // nil, fetch.ErrNotModified or the failure
	newItems int           // items not seen before
	maxAge   time.Duration // Cache-Control max-age, or until Expires
	ttl      time.Duration // RSS <ttl> (kept from the last parse on a 304)
	skip     []int         // RSS <skipHours>
	// ours marks an err that is not the feed's fault (NATS unreachable,
	// say): the feed is retried soon and does not move towards disabling.
	ours bool
	// more marks new items left for the next poll (the page budget was
	// spent): it comes after MinInterval.
	more bool
}

// schedule updates st after a poll at now and sets its next poll:
//
//   - success: the interval shrinks by half when the poll found new items and
//     grows by half when it did not, within [MinInterval, MaxInterval] (a
//     feed listed with its own interval keeps it); the next poll is no
//     earlier than the server's max-age or the feed's ttl allow (up to
//     MaxBackoff), and never in one of the feed's skipHours;
//   - new items left for later (the page budget of a poll was spent): the
//     next poll after MinInterval;
//   - a failure of ours (storing the items): retried after MinInterval,
//     the feed's state and failure count unchanged;
//   - failure: exponential backoff from Interval with jitter, capped at
//     MaxBackoff, and no earlier than a 429/503's Retry-After; after
//     DisableAfter failures in a row, or at once on 410 Gone, the feed is
//     disabled and tried once per DisabledRetry.
func (c *Config) schedule(st *FeedState, fixed time.Duration, o outcome, now time.Time) {
	st.LastPoll = now
	st.Polls++
	if st.Interval <= 0 {
		st.Interval = c.baseInterval(fixed)
	}
	if o.err != nil && o.ours {
		st.LastError, st.LastErrorAt = o.err.Error(), now
		st.Next = now.Add(c.MinInterval + rand.N(c.MinInterval/10+1))
		return
	}
	if o.err != nil && !errors.Is(o.err, fetch.ErrNotModified) {
		st.Failures++
		st.LastError, st.LastErrorAt = o.err.Error(), now
		wait := c.backoff(st.Failures)
		var se *fetch.StatusError
		if errors.As(o.err, &se) && se.RetryAfter > wait {
			wait = min(se.RetryAfter, c.MaxBackoff)
		}
		gone := errors.As(o.err, &se) && se.Code == http.StatusGone
		if st.Failures >= c.DisableAfter || gone {
			st.State = StateDisabled
			wait = max(wait, c.DisabledRetry)
		} else {
			st.State = StateFailing
		}
		st.Next = now.Add(wait)
		return
	}
	st.State, st.Failures, st.LastOK = StateOK, 0, now
	st.TTL, st.SkipHours = o.ttl, o.skip // on a 304, those of the last parse
	switch {
	case fixed > 0:
		st.Interval = fixed
	case o.newItems > 0:
		st.Interval = max(c.MinInterval, st.Interval/2)
	default:
		st.Interval = min(c.MaxInterval, st.Interval+st.Interval/2)
	}
	if o.newItems > 0 {
		st.LastChange = now
	}
	wait := st.Interval
	if o.more {
		wait = c.MinInterval
	}
	// The server or the feed may ask for fewer polls; they are honoured up
	// to MaxBackoff, not beyond, so a year-long max-age cannot bury a feed.
	if hint := max(o.maxAge, st.TTL); hint > wait {
		wait = min(hint, max(c.MaxBackoff, wait))
	}
	// Up to a tenth of jitter, so that feeds listed together drift apart.
	wait += rand.N(wait/10 + 1)
	st.Next = skipHours(now.Add(wait), st.SkipHours)
}

// baseInterval is a feed's starting interval.
func (c *Config) baseInterval(fixed time.Duration) time.Duration {
	if fixed > 0 {
		return fixed
	}
	return c.Interval
}

// backoff doubles the wait with each failure, with jitter so that feeds that
// failed together do not retry together.
func (c *Config) backoff(failures int) time.Duration {
	d := c.Interval
	for i := 1; i < failures && d < c.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// skipHours moves t past any hour the feed asked not to be polled in (RSS
// skipHours, hours 0-23 in UTC).
func skipHours(t time.Time, hours []int) time.Time {
	if len(hours) == 0 {
		return t
	}
	skip := [24]bool{}
	for _, h := range hours {
		if h >= 0 && h < 24 {
			skip[h] = true
		}
	}
	for range 24 {
		u := t.UTC()
		if !skip[u.Hour()] {
			return t
		}
		t = u.Truncate(time.Hour).Add(time.Hour)
	}
	return t // every hour skipped: the feed asks the impossible; ignore it
}
