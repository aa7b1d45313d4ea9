package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"newsmon/pipeline"
)

// Follower delivers the messages a stream stored after sequence after, in
// order, one at a time, until ctx ends. pipeline/bus implements it with an
// ordered consumer.
type Follower interface {
	Follow(ctx context.Context, stream string, after uint64, deliver func(seq uint64, subject string, data []byte) error) error
}

// Streams the desk reads.
var Streams = []string{pipeline.ArticlesStream, pipeline.AlertsStream, pipeline.FeedbackStream}

// IndexerStats counts what the indexer did, per stream.
type IndexerStats struct {
	Indexed   map[string]*atomic.Int64 // records new to the index
	Malformed map[string]*atomic.Int64 // messages skipped as undecodable or invalid
	Position  map[string]*atomic.Int64 // last sequence stored
	Batches   atomic.Int64
	Errors    atomic.Int64 // batches the index refused (retried)
}

func newIndexerStats() *IndexerStats {
	s := &IndexerStats{Indexed: map[string]*atomic.Int64{}, Malformed: map[string]*atomic.Int64{}, Position: map[string]*atomic.Int64{}}
	for _, st := range Streams {
		s.Indexed[st], s.Malformed[st], s.Position[st] = new(atomic.Int64), new(atomic.Int64), new(atomic.Int64)
	}
	return s
}

// Indexer keeps an Index up to date with the streams.
type Indexer struct {
	idx  Index
	src  Follower
	log  *slog.Logger
	opts IndexerOptions
	st   *IndexerStats
}

// IndexerOptions tunes the indexer.
type IndexerOptions struct {
	Retention time.Duration // records older than this are not kept (default 30 days)
	BatchSize int           // messages per transaction at most (default 1000)
	BatchWait time.Duration // longest a message waits for its batch (default 50ms)
	// OnAlerts is told of the alerts each batch added that are recent
	// (tagged within the last hour), for live consoles; a rebuild of old
	// alerts is not announced.
	OnAlerts func([]pipeline.Alert)
	Now      func() time.Time
}

// NewIndexer returns an indexer of the streams src follows into idx.
func NewIndexer(idx Index, src Follower, o IndexerOptions, log *slog.Logger) *Indexer {
	if o.Retention <= 0 {
		o.Retention = 30 * 24 * time.Hour
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.BatchWait <= 0 {
		o.BatchWait = 50 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Indexer{idx: idx, src: src, log: log, opts: o, st: newIndexerStats()}
}

// Stats are the indexer's counters.
func (x *Indexer) Stats() *IndexerStats { return x.st }

type message struct {
	stream  string
	seq     uint64
	subject string
	data    []byte
}

// Run follows every stream until ctx ends. A stream that cannot be read
// (missing, no permission, NATS away) is retried with backoff and does not
// hold up the others.
func (x *Indexer) Run(ctx context.Context) error {
	msgs := make(chan message, 2*x.opts.BatchSize)
	var wg sync.WaitGroup
	for _, stream := range Streams {
		after, err := x.idx.Position(ctx, stream)
		if err != nil {
			if ctx.Err() != nil {
				break // stopped while starting: the followers already started end with ctx
			}
			return fmt.Errorf("index position %s: %w", stream, err)
		}
		x.st.Position[stream].Store(int64(after))
		wg.Add(1)
		go func() {
			defer wg.Done()
			x.follow(ctx, stream, after, msgs)
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	x.write(ctx, msgs, done)
	return nil
}

// follow reads one stream into msgs, resuming after the last sequence it
// handed over when the follower fails.
func (x *Indexer) follow(ctx context.Context, stream string, after uint64, msgs chan<- message) {
	wait := time.Second
	for ctx.Err() == nil {
		err := x.src.Follow(ctx, stream, after, func(seq uint64, subject string, data []byte) error {
			select {
			case msgs <- message{stream: stream, seq: seq, subject: subject, data: data}:
				after = seq
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if ctx.Err() != nil {
			return
		}
		x.log.Warn("follow stream; retrying", "stream", stream, "after", after, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// write batches messages into the index until ctx ends and the followers
// have stopped.
func (x *Indexer) write(ctx context.Context, msgs <-chan message, done <-chan struct{}) {
	var (
		pending []message
		timer   *time.Timer
		timeout <-chan time.Time
	)
	flush := func() {
		if len(pending) == 0 {
			return
		}
		x.store(ctx, pending)
		pending = pending[:0]
		if timer != nil {
			timer.Stop()
		}
		timeout = nil
	}
	for {
		select {
		case m := <-msgs:
			pending = append(pending, m)
			if len(pending) >= x.opts.BatchSize {
				flush()
			} else if timeout == nil {
				timer = time.NewTimer(x.opts.BatchWait)
				timeout = timer.C
			}
		case <-timeout:
			timeout = nil
			flush()
		case <-done:
			// Followers stopped (ctx ended): store what they handed over.
			for {
				select {
				case m := <-msgs:
					pending = append(pending, m)
				default:
					flush()
					return
				}
			}
		}
	}
}

// store decodes and applies one batch, retrying while the index refuses it
// (a full disk, a locked file); messages that cannot be decoded are counted
// and skipped, their sequence still stored so they are not read again.
func (x *Indexer) store(ctx context.Context, msgs []message) {
	b := &Batch{Positions: map[string]uint64{}}
	cutoff := x.opts.Now().Add(-x.opts.Retention)
	for _, m := range msgs {
		if m.seq > b.Positions[m.stream] {
			b.Positions[m.stream] = m.seq
		}
		if err := x.decode(b, m, cutoff); err != nil {
			x.st.Malformed[m.stream].Add(1)
			x.log.Warn("message skipped", "stream", m.stream, "seq", m.seq, "subject", m.subject, "err", err)
		}
	}
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		// The batch is stored even when ctx has ended: it was read, and
		// storing it now saves reading it again.
		applied, err := x.idx.Apply(context.WithoutCancel(ctx), b)
		if err == nil {
			x.st.Batches.Add(1)
			x.st.Indexed[pipeline.ArticlesStream].Add(int64(applied.Articles))
			x.st.Indexed[pipeline.AlertsStream].Add(int64(applied.Alerts))
			x.st.Indexed[pipeline.FeedbackStream].Add(int64(applied.Feedback))
			for s, seq := range b.Positions {
				x.st.Position[s].Store(int64(seq))
			}
			x.announce(applied.NewAlerts)
			return
		}
		x.st.Errors.Add(1)
		x.log.Error("index batch; retrying", "messages", len(msgs), "retry_in", wait, "err", err)
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

func (x *Indexer) announce(alerts []pipeline.Alert) {
	if x.opts.OnAlerts == nil || len(alerts) == 0 {
		return
	}
	recent := x.opts.Now().Add(-time.Hour)
	var live []pipeline.Alert
	for _, a := range alerts {
		if a.TaggedAt.After(recent) {
			live = append(live, a)
		}
	}
	if len(live) > 0 {
		x.opts.OnAlerts(live)
	}
}

// decode adds one message to the batch, or says why it cannot.
func (x *Indexer) decode(b *Batch, m message, cutoff time.Time) error {
	switch m.stream {
	case pipeline.ArticlesStream:
		var a pipeline.Article
		if err := json.Unmarshal(m.data, &a); err != nil {
			return fmt.Errorf("%w: %v", pipeline.ErrMalformed, err)
		}
		if err := a.Validate(); err != nil {
			return err
		}
		if articleTime(&a).Before(cutoff) && a.FetchedAt.Before(cutoff) {
			return nil // older than the index keeps
		}
		b.Articles = append(b.Articles, a)
	case pipeline.AlertsStream:
		var r AlertRecord
		if err := json.Unmarshal(m.data, &r.Alert); err != nil {
			return fmt.Errorf("%w: %v", pipeline.ErrMalformed, err)
		}
		if err := validateAlert(&r.Alert); err != nil {
			return err
		}
		if r.TaggedAt.Before(cutoff) {
			return nil
		}
		r.Doc = m.data
		b.Alerts = append(b.Alerts, r)
	case pipeline.FeedbackStream:
		var f pipeline.Feedback
		if err := json.Unmarshal(m.data, &f); err != nil {
			return fmt.Errorf("%w: %v", pipeline.ErrMalformed, err)
		}
		if err := f.Validate(); err != nil {
			return err
		}
		b.Feedback = append(b.Feedback, f)
	default:
		return fmt.Errorf("unknown stream %s", m.stream)
	}
	return nil
}

func validateAlert(a *pipeline.Alert) error {
	var errs []error
	if a.ID == "" {
		errs = append(errs, errors.New("no id"))
	}
	if a.Rule == "" || a.Category == "" {
		errs = append(errs, errors.New("no rule or category"))
	}
	if a.Article.ID == "" {
		errs = append(errs, errors.New("no article id"))
	}
	if a.TaggedAt.IsZero() {
		errs = append(errs, errors.New("no tagged_at"))
	}
	if len(errs) > 0 {
		return errors.Join(pipeline.ErrMalformed, errors.Join(errs...))
	}
	return nil
}

// Prune removes what is older than the retention, every interval, until
// ctx ends.
func (x *Indexer) Prune(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := x.idx.Prune(ctx, x.opts.Now().Add(-x.opts.Retention))
		switch {
		case err != nil && ctx.Err() == nil:
			x.log.Warn("prune index", "err", err)
		case n > 0:
			x.log.Info("index pruned", "records", n, "retention", x.opts.Retention.String())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
