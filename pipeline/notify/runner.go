package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"newsmon/pipeline"
)

// Msg is one alert handed over by a sink's consumer. Ack tells the stream
// it is done with; InProgress asks for more time before it is redelivered.
type Msg struct {
	Data       []byte
	Seq        uint64    // stream sequence
	Stored     time.Time // when ALERTS stored it: the start of alert-to-delivery latency
	Ack        func() error
	InProgress func() error
}

// Stream is a sink's durable consumer on ALERTS.
type Stream interface {
	// Consume hands over each message in stream order until ctx ends;
	// handle may block, which holds further messages back.
	Consume(ctx context.Context, handle func(Msg)) error
	// Fetch returns up to n of the messages waiting now; none when
	// nothing waits.
	Fetch(ctx context.Context, n int) ([]Msg, error)
}

// DeadLetters stores deliveries that failed for good on notify.dead.<sink>.
type DeadLetters interface {
	PublishDead(ctx context.Context, sink, id, reason string, data []byte) error
}

// Stats are a sink's counters.
type Stats struct {
	Delivered atomic.Int64 // alerts that reached the receiver (folded ones included)
	Messages  atomic.Int64 // messages the receiver accepted
	Retried   atomic.Int64 // attempts after a failure
	Dead      atomic.Int64 // alerts stored as dead letters
	Folded    atomic.Int64 // alerts folded into a summary or another alert's message
	Skipped   atomic.Int64 // alerts below the sink's minimum severity
	Malformed atomic.Int64 // messages that were not alerts (dead-lettered)
}

// Options are the settings a sink's runner shares with the others.
type Options struct {
	DeskURL string       // base address of the desk, for links in summaries
	Client  *http.Client // nil: one with keep-alive connections per receiver
	// Lanes is how many deliveries a sink makes at once. Alerts of one
	// article always take the same lane, so they arrive in order.
	Lanes int
	// SummaryEvery is how often the alerts a rate limit held back are
	// sent as one summary per subject.
	SummaryEvery time.Duration
	// KeepAlive is how often held messages are reported in progress; it
	// must be well below the consumer's ack wait.
	KeepAlive time.Duration
	Now       func() time.Time
	Log       *slog.Logger
	// Latency observes, for each alert delivered, the time from its storing
	// in ALERTS to the receiver's 2xx.
	Latency func(time.Duration)
}

func (o *Options) fill() {
	if o.Lanes <= 0 {
		o.Lanes = 8
	}
	if o.SummaryEvery <= 0 {
		o.SummaryEvery = 10 * time.Minute
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Latency == nil {
		o.Latency = func(time.Duration) {}
	}
	if o.Client == nil {
		o.Client = NewHTTPClient(o.Lanes)
	}
}

// NewHTTPClient is a client that keeps conns connections per receiver
// and never follows more than three redirects.
func NewHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(conns, 2)
	t.MaxIdleConns = 0
	return &http.Client{
		Transport: t,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// item is a delivery on its way, with the messages it stands for.
type item struct {
	key    string // article id and rule: copies fold into it until it is sent
	lane   int
	d      *Delivery
	msgs   []Msg
	stored time.Time // the earliest Stored of msgs
	due    time.Time // when a held item may go
}

type summaryBuf struct {
	from time.Time
	ids  []string
	msgs []Msg
}

// Runner delivers one webhook or Slack sink's alerts.
type Runner struct {
	sink   *Sink
	stream Stream
	dead   DeadLetters
	send   sender
	opts   Options
	stats  *Stats
	log    *slog.Logger

	lanes []chan *item

	mu        sync.Mutex
	held      map[uint64]Msg       // every message handed over and not yet acked
	foldable  map[string]*item     // key -> item not yet sent
	sent      map[string]time.Time // key -> when sent, for copies that come late
	holdQueue []*item
	summaries map[string]*summaryBuf
	tokens    float64
	tokensAt  time.Time
	wake      chan struct{}
}

// NewRunner returns the runner of a webhook or Slack sink.
func NewRunner(s *Sink, stream Stream, dead DeadLetters, opts Options) (*Runner, error) {
	opts.fill()
	r := &Runner{
		sink: s, stream: stream, dead: dead, opts: opts, stats: &Stats{},
		log:       opts.Log.With("sink", s.Name),
		held:      map[uint64]Msg{},
		foldable:  map[string]*item{},
		sent:      map[string]time.Time{},
		summaries: map[string]*summaryBuf{},
		tokens:    float64(s.RateLimit),
		wake:      make(chan struct{}, 1),
	}
	var err error
	r.send, err = newSender(s, opts)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func newSender(s *Sink, opts Options) (sender, error) {
	switch {
	case s.Webhook != nil:
		return &webhookSender{cfg: s.Webhook, client: opts.Client, now: opts.Now}, nil
	case s.Slack != nil:
		return &slackSender{cfg: s.Slack, client: opts.Client, now: opts.Now}, nil
	case s.Email != nil:
		return &mailSender{cfg: s.Email, now: opts.Now}, nil
	}
	return nil, fmt.Errorf("sink %s: no webhook, slack or email", s.Name)
}

// Stats are the runner's counters.
func (r *Runner) Stats() *Stats { return r.stats }

// Run delivers until ctx ends. Messages not delivered by then stay
// unacknowledged, and the stream hands them over again on the next start.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	r.lanes = make([]chan *item, r.opts.Lanes)
	for i := range r.lanes {
		r.lanes[i] = make(chan *item, 64)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.lane(ctx, r.lanes[i])
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.timers(ctx)
	}()
	r.log.Info("sink running", "kind", r.sink.Kind(), "subjects", r.sink.Subjects)
	err := r.stream.Consume(ctx, func(m Msg) { r.intake(ctx, m) })
	wg.Wait()
	return err
}

func laneOf(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// intake decides what becomes of one message: skipped, folded into a
// summary or an earlier article's message, held, or queued for its lane.
func (r *Runner) intake(ctx context.Context, m Msg) {
	now := r.opts.Now()
	r.mu.Lock()
	if _, dup := r.held[m.Seq]; dup {
		// Redelivered while still in hand (a keep-alive came too late);
		// the copy in hand will be acknowledged.
		r.mu.Unlock()
		return
	}
	r.held[m.Seq] = m
	var a pipeline.Alert
	if err := json.Unmarshal(m.Data, &a); err != nil || a.ID == "" {
		r.mu.Unlock()
		if err == nil {
			err = fmt.Errorf("no id")
		}
		r.stats.Malformed.Add(1)
		it := &item{d: &Delivery{ID: fmt.Sprintf("seq:%d", m.Seq), Raw: m.Data}, msgs: []Msg{m}, stored: m.Stored}
		r.toDead(ctx, it, "malformed alert: "+err.Error(), 0)
		return
	}
	if r.sink.MinSeverity != "" && severityRank(a.Severity) < severityRank(r.sink.MinSeverity) {
		delete(r.held, m.Seq)
		r.mu.Unlock()
		r.stats.Skipped.Add(1)
		r.ack(m)
		return
	}
	if orig := a.Article.DuplicateOf; orig != "" {
		key := orig + "\x00" + a.Rule
		if it := r.foldable[key]; it != nil {
			it.d.AlsoIn = append(it.d.AlsoIn, a.Article)
			it.msgs = append(it.msgs, m)
			r.mu.Unlock()
			r.stats.Folded.Add(1)
			return
		}
		if _, ok := r.sent[key]; ok {
			// The first article's message is gone already: the copy
			// adds nothing a receiver needs (hold: collects copies).
			delete(r.held, m.Seq)
			r.mu.Unlock()
			r.stats.Folded.Add(1)
			r.ack(m)
			return
		}
	}
	if r.sink.RateLimit > 0 && !r.take(now) {
		sb := r.summaries[a.Subject]
		if sb == nil {
			sb = &summaryBuf{from: now}
			r.summaries[a.Subject] = sb
		}
		sb.ids = append(sb.ids, a.ID)
		sb.msgs = append(sb.msgs, m)
		r.mu.Unlock()
		r.stats.Folded.Add(1)
		return
	}
	key := a.Article.ID + "\x00" + a.Rule
	it := &item{key: key, lane: laneOf(a.Article.ID, len(r.lanes)), d: &Delivery{ID: a.ID, Alert: &a, Raw: m.Data}, msgs: []Msg{m}, stored: m.Stored}
	r.foldable[key] = it
	if r.sink.Hold > 0 {
		it.due = now.Add(r.sink.Hold)
		r.holdQueue = append(r.holdQueue, it)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	r.queue(ctx, it)
}

// take spends one token of the rate limit, refilled RateLimit a minute.
func (r *Runner) take(now time.Time) bool {
	limit := float64(r.sink.RateLimit)
	if !r.tokensAt.IsZero() {
		r.tokens = min(limit, r.tokens+now.Sub(r.tokensAt).Minutes()*limit)
	}
	r.tokensAt = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

func (r *Runner) queue(ctx context.Context, it *item) {
	select {
	case r.lanes[it.lane] <- it:
	case <-ctx.Done():
	}
}

// timers releases held items when due, sends summaries, keeps held
// messages alive and forgets old sent keys.
func (r *Runner) timers(ctx context.Context) {
	tick := time.NewTicker(min(r.opts.KeepAlive, time.Second))
	defer tick.Stop()
	lastKeep, lastSummary := r.opts.Now(), r.opts.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := r.opts.Now()
		r.mu.Lock()
		var due []*item
		for len(r.holdQueue) > 0 && !r.holdQueue[0].due.After(now) {
			due = append(due, r.holdQueue[0])
			r.holdQueue = r.holdQueue[1:]
		}
		var keep []Msg
		if now.Sub(lastKeep) >= r.opts.KeepAlive {
			lastKeep = now
			for _, m := range r.held {
				keep = append(keep, m)
			}
			for k, at := range r.sent {
				if now.Sub(at) > time.Hour {
					delete(r.sent, k)
				}
			}
		}
		var sums []*item
		if now.Sub(lastSummary) >= r.opts.SummaryEvery {
			lastSummary = now
			for subject, sb := range r.summaries {
				sums = append(sums, r.summaryItem(subject, sb, now))
			}
			clear(r.summaries)
		}
		r.mu.Unlock()
		for _, m := range keep {
			if m.InProgress != nil {
				m.InProgress()
			}
		}
		for _, it := range due {
			r.queue(ctx, it)
		}
		for _, it := range sums {
			r.queue(ctx, it)
		}
	}
}

func (r *Runner) summaryItem(subject string, sb *summaryBuf, now time.Time) *item {
	s := &Summary{Kind: "summary", Sink: r.sink.Name, Subject: subject, Count: len(sb.ids),
		From: sb.from.UTC(), To: now.UTC(), AlertIDs: sb.ids}
	s.URL = DeskURL(r.opts.DeskURL, subject, s.From, s.To)
	stored := sb.msgs[0].Stored
	return &item{
		lane: laneOf(subject, len(r.lanes)),
		d:    &Delivery{ID: "summary:" + r.sink.Name + ":" + sb.ids[0], Summary: s},
		msgs: sb.msgs, stored: stored,
	}
}

func (r *Runner) lane(ctx context.Context, in <-chan *item) {
	for {
		select {
		case <-ctx.Done():
			return
		case it := <-in:
			r.deliver(ctx, it)
		}
	}
}

// deliver makes the delivery, retrying with backoff, and then acks its
// messages, or stores it as a dead letter and acks them. When ctx ends
// during a wait it gives up quietly: the messages come back on restart.
func (r *Runner) deliver(ctx context.Context, it *item) {
	r.mu.Lock()
	if it.key != "" {
		delete(r.foldable, it.key)
		r.sent[it.key] = r.opts.Now()
	}
	r.mu.Unlock()
	attempts, err := attempt(ctx, r.send, it.d, r.sink.Retry, r.stats, r.opts.Now, r.log)
	switch {
	case err == nil:
		r.stats.Messages.Add(1)
		r.stats.Delivered.Add(int64(it.d.alerts()))
		r.opts.Latency(r.opts.Now().Sub(it.stored))
		r.ackAll(it.msgs)
	case ctx.Err() != nil:
		r.release(it.msgs)
	default:
		r.toDead(ctx, it, err.Error(), attempts)
	}
}

// attempt tries d until it is delivered, fails for good, the retry
// budget is spent or ctx ends.
func attempt(ctx context.Context, s sender, d *Delivery, retry Retry, stats *Stats, now func() time.Time, log *slog.Logger) (int, error) {
	var err error
	for n := 1; ; n++ {
		// The attempt itself is bounded by the sink's timeout and may
		// finish after ctx ends: a delivery in flight is completed.
		err = s.Send(context.WithoutCancel(ctx), d)
		if err == nil || permanent(err) || n >= retry.Attempts || ctx.Err() != nil {
			return n, err
		}
		wait := backoff(retry, n, retryAfter(err))
		log.Warn("delivery failed; retrying", "id", d.ID, "attempt", n, "retry_in", wait.Round(time.Millisecond), "err", err)
		stats.Retried.Add(1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return n, err
		case <-t.C:
		}
	}
}

// backoff is the wait after the n-th failed attempt: the receiver's
// Retry-After when it gave one, else First doubled n-1 times with equal
// jitter; never more than Max.
func backoff(r Retry, n int, after time.Duration) time.Duration {
	if after > 0 {
		return min(after, r.Max)
	}
	d := r.First
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (r *Runner) toDead(ctx context.Context, it *item, reason string, attempts int) {
	dl := deadLetter(r.sink.Name, it.d, reason, attempts, r.opts.Now())
	data, err := json.Marshal(dl)
	if err == nil {
		err = r.dead.PublishDead(context.WithoutCancel(ctx), r.sink.Name, it.d.ID, reason, data)
	}
	if err != nil {
		// Not stored: leave the messages to be redelivered.
		r.log.Error("dead letter not stored; the alert will be redelivered", "id", it.d.ID, "err", err)
		r.release(it.msgs)
		return
	}
	r.log.Warn("delivery dead-lettered", "id", it.d.ID, "attempts", attempts, "reason", reason)
	r.stats.Dead.Add(int64(it.d.alerts()))
	r.ackAll(it.msgs)
}

func (r *Runner) ack(m Msg) {
	if err := m.Ack(); err != nil {
		r.log.Warn("ack", "seq", m.Seq, "err", err)
	}
}

func (r *Runner) ackAll(msgs []Msg) {
	for _, m := range msgs {
		r.ack(m)
	}
	r.release(msgs)
}

// release forgets messages: acked ones, or ones left for redelivery.
func (r *Runner) release(msgs []Msg) {
	r.mu.Lock()
	for _, m := range msgs {
		delete(r.held, m.Seq)
	}
	r.mu.Unlock()
}

// Send delivers d to sink s with the sink's retries, as the runner would;
// `notify dead replay` uses it.
func Send(ctx context.Context, s *Sink, d *Delivery, opts Options) (attempts int, err error) {
	opts.fill()
	snd, err := newSender(s, opts)
	if err != nil {
		return 0, err
	}
	return attempt(ctx, snd, d, s.Retry, &Stats{}, opts.Now, opts.Log.With("sink", s.Name))
}
