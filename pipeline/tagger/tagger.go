// Package tagger is the consume loop of the tagger service: it decodes each
// article, matches it against the current rule set, publishes the alerts and
// reports whether the article may be acknowledged. It also keeps the rule
// set current: a reload swaps the whole set at once, so every article is
// matched against exactly one set, and a broken set never replaces a good one.
package tagger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"newsmon/pipeline"
	"newsmon/pipeline/alert"
	"newsmon/pipeline/rules"
)

// Publisher stores alerts and returns once all of them are stored.
type Publisher interface {
	PublishAlerts(ctx context.Context, alerts []pipeline.Alert) error
}

// Tagger matches articles and publishes alerts.
type Tagger struct {
	// RetryDelays are the waits before an article whose alerts could not
	// be stored comes again, by attempt: the first failure waits
	// RetryDelays[0], and so on; the last repeats.
	RetryDelays []time.Duration

	rules atomic.Pointer[rules.Set]
	pub   Publisher
	log   *slog.Logger
	now   func() time.Time
	stats Stats
}

// DefaultRetryDelays are the retry delays of docs/messages.md.
func DefaultRetryDelays() []time.Duration {
	return []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 5 * time.Minute}
}

// Stats counts what the tagger did; read it with Snapshot.
type Stats struct {
	Articles  atomic.Int64 // articles matched
	Alerts    atomic.Int64 // alerts published
	Malformed atomic.Int64 // articles that could not be decoded
	Failed    atomic.Int64 // articles whose alerts could not be stored (retried)
	Copies    atomic.Int64 // near-duplicates of earlier articles (alerted with duplicate_of set)
	Reloads   atomic.Int64 // rule sets swapped in
	Refused   atomic.Int64 // rule sets refused
}

// New returns a tagger using set until SetRules replaces it.
func New(set *rules.Set, pub Publisher, log *slog.Logger) *Tagger {
	t := &Tagger{RetryDelays: DefaultRetryDelays(), pub: pub, log: log, now: time.Now}
	t.rules.Store(set)
	return t
}

// Stats returns the tagger's counters.
func (t *Tagger) Stats() *Stats { return &t.stats }

// Rules returns the rule set in force.
func (t *Tagger) Rules() *rules.Set { return t.rules.Load() }

// SetRules swaps in a new rule set. Articles already being matched finish
// with the set they started with.
func (t *Tagger) SetRules(s *rules.Set) { t.rules.Store(s) }

// Tag returns the alerts the current rule set raises for a.
func (t *Tagger) Tag(a *pipeline.Article) []pipeline.Alert {
	hits := t.rules.Load().Match(rules.Doc{Title: a.Title, Body: a.Text})
	return alert.Build(a, hits, t.now())
}

// Reply handles one delivered article and says what the server should do
// with it: ack it once its alerts are stored, drop a message that can never
// be processed, and have one that failed come again after the retry delay
// of its attempt.
func (t *Tagger) Reply(ctx context.Context, d pipeline.Delivery) pipeline.Reply {
	err := t.Handle(ctx, d.Data)
	switch {
	case err == nil:
		return pipeline.Reply{Action: pipeline.Ack}
	case errors.Is(err, pipeline.ErrMalformed):
		t.log.Error("article dropped", "err", err)
		return pipeline.Reply{Action: pipeline.Drop}
	}
	delay := t.retryDelay(d.Attempt)
	t.log.Warn("article will be retried", "attempt", d.Attempt, "retry_in", delay, "err", err)
	return pipeline.Reply{Action: pipeline.Retry, Delay: delay}
}

func (t *Tagger) retryDelay(attempt int) time.Duration {
	switch b := t.RetryDelays; {
	case len(b) == 0:
		return time.Second
	case attempt >= 1 && attempt <= len(b):
		return b[attempt-1]
	default:
		return b[len(b)-1]
	}
}

// Handle processes one article message. It returns nil once every alert is
// stored, an error wrapping pipeline.ErrMalformed when the message can never
// be processed, and any other error when a retry may succeed.
func (t *Tagger) Handle(ctx context.Context, data []byte) error {
	var a pipeline.Article
	// goccy/go-json decodes a 5 KB article about eight times faster than
	// encoding/json (docs/benchmarks.md), and decoding was the larger
	// part of the tagger's cost per message.
	if err := json.Unmarshal(data, &a); err != nil {
		t.stats.Malformed.Add(1)
		return fmt.Errorf("decode article: %w: %w", pipeline.ErrMalformed, err)
	}
	if err := a.Validate(); err != nil {
		t.stats.Malformed.Add(1)
		return fmt.Errorf("article %q: %w", a.URL, err)
	}
	if a.DuplicateOf != "" {
		// Near-duplicates arrive only when the ingester was asked to
		// publish them (-publish-duplicates). They are alerted like any
		// article: the alerts carry article.duplicate_of, so delivery
		// folds them into the original's message ("also in: ...") and a
		// subscriber can tell them apart.
		t.stats.Copies.Add(1)
	}
	alerts := t.Tag(&a)
	t.stats.Articles.Add(1)
	if len(alerts) == 0 {
		return nil
	}
	if err := t.pub.PublishAlerts(ctx, alerts); err != nil {
		t.stats.Failed.Add(1)
		return fmt.Errorf("article %s: %w", a.ID, err)
	}
	t.stats.Alerts.Add(int64(len(alerts)))
	t.log.Debug("tagged", "article_id", a.ID, "url", a.URL, "alerts", len(alerts))
	return nil
}
