package ingest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"newsmon/pipeline/fetch"
)

func testConfig() Config {
	c := Config{Fetch: fetch.New(fetch.Options{}), Interval: 10 * time.Minute, MinInterval: 2 * time.Minute,
		MaxInterval: time.Hour, MaxBackoff: 6 * time.Hour, DisableAfter: 3, DisabledRetry: 24 * time.Hour}
	if err := c.fill(); err != nil {
		panic(err)
	}
	return c
}

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// within reports whether d is in [lo, lo+10%]: the schedule adds up to a
// tenth of jitter.
func within(d, lo time.Duration) bool { return d >= lo && d <= lo+lo/10 }

func TestScheduleAdaptsToChange(t *testing.T) {
	c := testConfig()
	st := FeedState{}
	// A feed with news every poll speeds up to MinInterval...
	for range 5 {
		c.schedule(&st, 0, outcome{newItems: 3}, t0)
	}
	if st.Interval != c.MinInterval || !within(st.Next.Sub(t0), c.MinInterval) {
		t.Errorf("busy feed: interval %s next in %s, want %s", st.Interval, st.Next.Sub(t0), c.MinInterval)
	}
	if st.State != StateOK || st.LastChange != t0 || st.Polls != 5 {
		t.Errorf("state %q last change %s polls %d", st.State, st.LastChange, st.Polls)
	}
	// ...and a quiet one (304s) slows down to MaxInterval.
	for range 20 {
		c.schedule(&st, 0, outcome{err: fetch.ErrNotModified}, t0)
	}
	if st.Interval != c.MaxInterval || !within(st.Next.Sub(t0), c.MaxInterval) {
		t.Errorf("quiet feed: interval %s next in %s, want %s", st.Interval, st.Next.Sub(t0), c.MaxInterval)
	}
	// A feed listed with its own interval keeps it.
	fixed := FeedState{}
	c.schedule(&fixed, 7*time.Minute, outcome{newItems: 9}, t0)
	if fixed.Interval != 7*time.Minute {
		t.Errorf("listed interval: %s, want 7m", fixed.Interval)
	}
}

func TestScheduleHonoursServerHints(t *testing.T) {
	c := testConfig()
	for _, tc := range []struct {
		name string
		o    outcome
		want time.Duration
	}{
		{"max-age beyond the interval", outcome{maxAge: 45 * time.Minute}, 45 * time.Minute},
		{"max-age below the interval", outcome{maxAge: time.Minute}, 15 * time.Minute},
		{"rss ttl", outcome{ttl: 2 * time.Hour}, 2 * time.Hour},
		{"a year of max-age is capped", outcome{maxAge: 365 * 24 * time.Hour}, 6 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := FeedState{Interval: 10 * time.Minute}
			c.schedule(&st, 0, tc.o, t0)
			if d := st.Next.Sub(t0); !within(d, tc.want) {
				t.Errorf("next poll in %s, want %s (+10%%)", d, tc.want)
			}
		})
	}
	// skipHours: a poll due at 10:1x with hours 10 and 11 skipped waits for 12:00.
	st := FeedState{Interval: 10 * time.Minute}
	c.schedule(&st, 0, outcome{skip: []int{10, 11}}, t0)
	if want := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC); !st.Next.Equal(want) {
		t.Errorf("skipHours: next %s, want %s", st.Next, want)
	}
	// A 304 keeps the ttl and skipHours of the last parse.
	if len(st.SkipHours) != 2 {
		t.Errorf("skip hours not kept: %v", st.SkipHours)
	}
}

func TestScheduleBacksOffAndDisables(t *testing.T) {
	c := testConfig()
	st := FeedState{Interval: 10 * time.Minute}
	fail := outcome{err: errors.New("connection refused")}
	var waits []time.Duration
	for range 2 {
		c.schedule(&st, 0, fail, t0)
		waits = append(waits, st.Next.Sub(t0))
	}
	if st.State != StateFailing || st.Failures != 2 || st.LastError != "connection refused" || st.LastErrorAt != t0 {
		t.Errorf("after 2 failures: %+v", st)
	}
	// Backoff with jitter: the second wait is drawn from [10m, 20m], the first from [5m, 10m].
	if waits[0] < 5*time.Minute || waits[0] > 10*time.Minute || waits[1] < 10*time.Minute || waits[1] > 20*time.Minute {
		t.Errorf("backoff waits %v, want in [5m,10m] then [10m,20m]", waits)
	}
	c.schedule(&st, 0, fail, t0)
	if st.State != StateDisabled || st.Next.Sub(t0) < c.DisabledRetry {
		t.Errorf("after %d failures: state %q next in %s, want disabled for %s", st.Failures, st.State, st.Next.Sub(t0), c.DisabledRetry)
	}
	// A success brings it back.
	c.schedule(&st, 0, outcome{}, t0)
	if st.State != StateOK || st.Failures != 0 {
		t.Errorf("after a success: state %q failures %d", st.State, st.Failures)
	}

	// Retry-After longer than the backoff is honoured.
	st = FeedState{Interval: 10 * time.Minute}
	c.schedule(&st, 0, outcome{err: &fetch.StatusError{Code: http.StatusTooManyRequests, RetryAfter: 3 * time.Hour}}, t0)
	if d := st.Next.Sub(t0); d != 3*time.Hour || st.State != StateFailing {
		t.Errorf("429 with Retry-After 3h: next in %s state %q", d, st.State)
	}
	// 410 Gone disables at once.
	st = FeedState{Interval: 10 * time.Minute}
	c.schedule(&st, 0, outcome{err: &fetch.StatusError{Code: http.StatusGone}}, t0)
	if st.State != StateDisabled {
		t.Errorf("410: state %q, want disabled", st.State)
	}
}

func TestHasWords(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want bool
	}{
		{"one two three", 3, true},
		{"one two three", 4, false},
		{"  one\n\ntwo  ", 2, true},
		{"", 1, false},
		{"政府は外国の", 6, true}, // one word a character, as dedup counts them
		{"政府は", 4, false},
		{"AWSと政府", 4, true},
	} {
		if got := hasWords(tc.s, tc.n); got != tc.want {
			t.Errorf("hasWords(%q, %d) = %v", tc.s, tc.n, got)
		}
	}
}

// A failure to store a feed's items is ours, not the feed's: retried soon,
// never counted towards disabling.
func TestScheduleOwnFailures(t *testing.T) {
	c := testConfig()
	st := FeedState{Interval: 10 * time.Minute, State: StateOK}
	for range 20 {
		c.schedule(&st, 0, outcome{err: errors.New("publish: nats: timeout"), ours: true}, t0)
	}
	if st.State != StateOK || st.Failures != 0 || !within(st.Next.Sub(t0), c.MinInterval) || st.LastError == "" {
		t.Errorf("after 20 failures of ours: state %q failures %d next in %s error %q", st.State, st.Failures, st.Next.Sub(t0), st.LastError)
	}
}
