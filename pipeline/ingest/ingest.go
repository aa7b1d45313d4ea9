// Package ingest is the poll loop of the ingest service: it decides when each
// feed is due, fetches and parses it, skips items already published and
// near-duplicates of published texts, fetches and extracts each new item's
// page (falling back to the feed's own content or summary), and publishes
// the articles. Network politeness lives in package fetch, parsing in feed,
// keys and fingerprints in dedup, text in extract; this package orders them,
// decides what a failure costs and when a feed is polled next.
//
// Feed state (validators, next poll, failures) lives in a StateStore and
// polls are handed out as per-host jobs by a JobQueue, so that several
// replicas share one feed list without talking to each other: a host is
// polled by one replica at a time, and a dead replica's hosts come back to
// the others (docs/feeds.md). Without them the ingester keeps its state in
// memory and schedules alone.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"newsmon/pipeline"
	"newsmon/pipeline/article"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
)

// Publisher stores articles; it returns once every one is stored.
type Publisher interface {
	PublishArticles(ctx context.Context, arts []*pipeline.Article) error
}

// SeenStore remembers what became of each item, across restarts and
// replicas: SeenAll returns the value recorded under each key that has
// one. The keys are the items' dedup keys (article.Key), as they are.
type SeenStore interface {
	SeenAll(ctx context.Context, keys []string) (map[string]string, error)
	MarkSeenAll(ctx context.Context, seen map[string]string) error
}

// NearIndex files the SimHash bands of published texts, so that a
// near-identical text under another URL is found by any replica. AddNear
// takes keys "<band>.<member>"; NearCandidates returns the values filed
// under any member of the bands.
type NearIndex interface {
	NearCandidates(ctx context.Context, bands []string) ([]string, error)
	AddNear(ctx context.Context, entries map[string]string) error
}

// StateStore keeps feed states (JSON FeedState) by FeedKey, with revisions:
// SaveState succeeds only over the revision read (0: none yet).
type StateStore interface {
	LoadState(ctx context.Context, key string) ([]byte, uint64, error)
	SaveState(ctx context.Context, key string, data []byte, rev uint64) (uint64, bool, error)
	WatchStates(ctx context.Context, fn func(key string, data []byte, rev uint64)) (stop func(), err error)
}

// JobQueue hands out poll jobs, one per host at a time, across replicas.
type JobQueue interface {
	EnqueuePoll(host, id string) error
	ConsumePolls(ctx context.Context, workers int, handle func(ctx context.Context, host string) error) error
}

// Config is the ingester's settings. Zero values take the defaults.
type Config struct {
	Sources []feed.Source

	Interval      time.Duration // a feed's starting poll interval, default 5m
	MinInterval   time.Duration // fastest adaptive interval, default Interval/5
	MaxInterval   time.Duration // slowest adaptive interval of a quiet feed, default 6×Interval
	MaxBackoff    time.Duration // longest wait of a failing feed or a server's hint, default 6h
	DisableAfter  int           // failures in a row that disable a feed, default 10
	DisabledRetry time.Duration // how often a disabled feed is tried, default 24h

	Workers  int // feeds polled at once by this process, default 8
	PerHost  int // feeds of one host polled at once, default 2
	JobFeeds int // feeds one poll job takes at most, default 100

	// NearMinWords is the shortest text compared for near-duplicates,
	// default 50 words; negative turns the comparison off.
	NearMinWords int
	// PublishDuplicates publishes near-duplicates with duplicate_of set
	// instead of only recording them (docs/feeds.md).
	PublishDuplicates bool

	// PagesPerPoll and PageTime bound the article pages one poll of a feed
	// fetches, default 50 pages and 60s: the new items beyond are left for
	// the next polls, which come at MinInterval, so a feed of thousands of
	// new items does not hold its host for an hour.
	PagesPerPoll int
	PageTime     time.Duration
	// MaxMessage is the largest encoded article, default
	// article.DefaultMaxMessage: texts are cut to fit (docs/feeds.md).
	MaxMessage int
	// HeavyBudget is the memory, in bytes, that parsing the big feeds and
	// pages of this process may take at once, default 96 MiB; see memory.
	HeavyBudget int64
	// FeedDeadline bounds the network time of one feed's poll, document
	// and pages, default 2m: a feed never holds a worker, or its host's
	// job, longer (new items left by it wait for the next poll).
	FeedDeadline time.Duration

	Fetch   *fetch.Client // required
	Extract *extract.Extractor
	State   StateStore // nil: in memory, this process only
	Jobs    JobQueue   // nil: this process schedules every feed itself
	Near    NearIndex  // nil: near-duplicates only within one poll
	Tick    time.Duration
	Now     func() time.Time
}

func (c *Config) fill() error {
	if c.Interval <= 0 {
		c.Interval = 5 * time.Minute
	}
	if c.MinInterval <= 0 {
		c.MinInterval = c.Interval / 5
	}
	if c.MaxInterval <= 0 {
		c.MaxInterval = 6 * c.Interval
	}
	c.MaxInterval = max(c.MaxInterval, c.Interval)
	c.MinInterval = min(c.MinInterval, c.Interval)
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 6 * time.Hour
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = 10
	}
	if c.DisabledRetry <= 0 {
		c.DisabledRetry = 24 * time.Hour
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.PerHost <= 0 {
		c.PerHost = 2
	}
	if c.JobFeeds <= 0 {
		c.JobFeeds = 100
	}
	if c.NearMinWords == 0 {
		c.NearMinWords = 50
	}
	if c.Extract == nil {
		c.Extract = &extract.Extractor{}
	}
	if c.PagesPerPoll <= 0 {
		c.PagesPerPoll = 50
	}
	if c.PageTime <= 0 {
		c.PageTime = time.Minute
	}
	if c.HeavyBudget <= 0 {
		c.HeavyBudget = 96 << 20
	}
	if c.FeedDeadline <= 0 {
		c.FeedDeadline = 2 * time.Minute
	}
	if c.Tick <= 0 {
		c.Tick = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Fetch == nil {
		return errors.New("ingest: no fetch client")
	}
	return nil
}

// Ingester polls feeds and publishes their new items.
type Ingester struct {
	cfg   Config
	pub   Publisher
	seen  SeenStore
	log   *slog.Logger
	slots chan struct{} // Workers

	builder article.Builder
	mem     *memory

	mu     sync.Mutex
	feeds  map[string]*entry   // by FeedKey
	byHost map[string][]*entry // by host token
	queued map[string]queued   // jobs this process asked for, by host
	stats  Stats
}

type queued struct {
	id string
	at time.Time
}

// entry is a listed feed and the latest state this process knows of it.
type entry struct {
	key  string
	src  feed.Source
	host string
	st   FeedState
	rev  uint64
	busy bool // being polled by this process
	// byCommand marks a feed added by `ingest feeds add`: a reload of the
	// list file keeps it.
	byCommand bool
}

// Stats counts what the ingester did.
type Stats struct {
	Polls       atomic.Int64 // feed fetches attempted
	PollErrors  atomic.Int64 // feed fetches or parses that failed
	NotMod      atomic.Int64 // feed fetches answered 304
	Items       atomic.Int64 // feed items read
	Published   atomic.Int64 // articles published
	Duplicates  atomic.Int64 // items recorded as near-duplicates of published articles
	PageErrors  atomic.Int64 // article pages that failed (feed text used instead)
	Skipped     atomic.Int64 // items skipped as bad input (no link)
	Twice       atomic.Int64 // items dropped as listed twice in one document
	Failed      atomic.Int64 // items recorded as failed for good (could not be published)
	Deferred    atomic.Int64 // new items left for a later poll (page budget spent)
	Truncated   atomic.Int64 // articles whose text was cut to fit a message
	Repaired    atomic.Int64 // feed documents read with a repair or a warning (feed.Feed.Warnings)
	ItemsCut    atomic.Int64 // feed documents cut at feed.MaxItems items
	Jobs        atomic.Int64 // poll jobs run (one host each)
	Moved       atomic.Int64 // feeds moved by a permanent redirect
	ListReloads atomic.Int64 // feed list files read again (SIGHUP, or the file changed)
	ListErrors  atomic.Int64 // feed list reloads refused (the file did not read)
}

// dropped counts an item not published, by reason.
func (s *Stats) dropped(reason string) {
	switch reason {
	case article.DropNoLink:
		s.Skipped.Add(1)
	case article.DropDuplicate:
		s.Twice.Add(1)
	case dropFailed:
		s.Failed.Add(1)
	}
}

// New returns an ingester for cfg.Sources.
func New(cfg Config, pub Publisher, seen SeenStore, log *slog.Logger) (*Ingester, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	in := &Ingester{
		cfg: cfg, pub: pub, seen: seen, log: log,
		slots:  make(chan struct{}, cfg.Workers),
		mem:    newMemory(cfg.HeavyBudget),
		feeds:  map[string]*entry{},
		byHost: map[string][]*entry{},
		queued: map[string]queued{},
	}
	in.builder = article.Builder{Pages: cfg.Fetch, Extract: cfg.Extract, MaxMessage: cfg.MaxMessage, Now: cfg.Now, Memory: in.mem}
	now := cfg.Now()
	for _, s := range cfg.Sources {
		key := FeedKey(s.URL)
		if _, dup := in.feeds[key]; dup {
			log.Warn("feed listed twice; polling it once", "feed_url", s.URL)
			continue
		}
		e := &entry{key: key, src: s, st: cfg.NewState(s, now)}
		in.feeds[key] = e
		in.index(e)
	}
	return in, nil
}

// index files e under the host it is fetched from; call with mu held.
func (in *Ingester) index(e *entry) {
	h := hostToken(e.st.fetchURL())
	if h == e.host {
		return
	}
	if e.host != "" {
		list := in.byHost[e.host]
		for i, x := range list {
			if x == e {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(in.byHost, e.host)
		} else {
			in.byHost[e.host] = list
		}
	}
	e.host = h
	in.byHost[h] = append(in.byHost[h], e)
}

// Stats returns the ingester's counters.
func (in *Ingester) Stats() *Stats { return &in.stats }

// Health counts the listed feeds by state, and those overdue by more than
// a minute (polls falling behind).
func (in *Ingester) Health() (byState map[string]int, overdue int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	now := in.cfg.Now()
	byState = map[string]int{StateNew: 0, StateOK: 0, StateFailing: 0, StateDisabled: 0}
	for _, e := range in.feeds {
		byState[e.st.State]++
		if now.Sub(e.st.Next) > time.Minute {
			overdue++
		}
	}
	return byState, overdue
}

// Feeds returns the state of every listed feed as this process knows it.
func (in *Ingester) Feeds() []FeedState {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]FeedState, 0, len(in.feeds))
	for _, e := range in.feeds {
		out = append(out, e.st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

// Run polls every feed when it is due until ctx ends, then waits for the
// polls in flight. With a StateStore it first loads the stored states and
// files a new state for each listed feed that has none.
func (in *Ingester) Run(ctx context.Context) error {
	if in.cfg.State != nil {
		stop, err := in.cfg.State.WatchStates(ctx, in.observe)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped while the states load
			}
			return err
		}
		defer stop()
		if err := in.seed(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting: nothing is lost, the states are filed next start
			}
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	if in.cfg.Jobs != nil {
		g.Go(func() error {
			// A job polls up to PerHost feeds at once: more jobs than
			// Workers/PerHost would only wait for worker slots, holding
			// hosts another replica could be polling.
			jobs := max(1, in.cfg.Workers/in.cfg.PerHost)
			return in.cfg.Jobs.ConsumePolls(gctx, jobs, func(ctx context.Context, host string) error {
				in.stats.Jobs.Add(1)
				return in.pollHost(ctx, host, false)
			})
		})
	}
	g.Go(func() error {
		in.schedule(gctx)
		return nil
	})
	return g.Wait()
}

// observe takes in a state written by any replica or command.
func (in *Ingester) observe(key string, data []byte, rev uint64) {
	if data == nil {
		return
	}
	st, err := DecodeState(data)
	if err != nil {
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if e := in.feeds[key]; e != nil && rev <= e.rev {
		return // older than what this replica knows
	}
	e, ok := in.follow(key, st)
	if !ok || st.URL != e.src.URL {
		return // not on this replica's list
	}
	e.st, e.rev = st, rev
	in.index(e)
}

// seed stores a first state for each listed feed without one, due now.
func (in *Ingester) seed(ctx context.Context) error {
	in.mu.Lock()
	var todo []*entry
	for _, e := range in.feeds {
		if e.rev == 0 {
			todo = append(todo, e)
		}
	}
	in.mu.Unlock()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for _, e := range todo {
		g.Go(func() error {
			in.mu.Lock()
			st := e.st
			in.mu.Unlock()
			data, err := json.Marshal(st)
			if err != nil {
				return err
			}
			rev, ok, err := in.cfg.State.SaveState(gctx, e.key, data, 0)
			if err != nil {
				return err
			}
			if !ok {
				// Filed meanwhile, or kept from before (a feed removed or
				// paused by command): what is stored stands.
				if data, rev, err = in.cfg.State.LoadState(gctx, e.key); err != nil {
					return err
				}
			}
			in.observe(e.key, data, rev)
			return nil
		})
	}
	return g.Wait()
}

// schedule looks for due feeds every tick until ctx ends. With a JobQueue it
// asks for a job per host with due feeds and the queue's consumers poll;
// alone it polls the host itself, one goroutine per host.
func (in *Ingester) schedule(ctx context.Context) {
	tick := time.NewTicker(in.cfg.Tick)
	defer tick.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	running := map[string]bool{}
	var runMu sync.Mutex
	for {
		now := in.cfg.Now()
		for host, id := range in.dueHosts(now) {
			if in.cfg.Jobs != nil {
				if err := in.cfg.Jobs.EnqueuePoll(host, id); err != nil {
					in.log.Warn("enqueue poll", "host", host, "err", err)
				}
				continue
			}
			runMu.Lock()
			if running[host] {
				runMu.Unlock()
				continue
			}
			running[host] = true
			runMu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				in.pollHost(ctx, host, false)
				runMu.Lock()
				delete(running, host)
				runMu.Unlock()
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// dueHosts returns the hosts with feeds due at now, each with a job id made
// of the host, the earliest due time and the number due: replicas that see
// the same states ask for the same job. A host asked for within the last
// ten ticks under the same id is left out.
func (in *Ingester) dueHosts(now time.Time) map[string]string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := map[string]string{}
	for host, list := range in.byHost {
		var first time.Time
		n := 0
		for _, e := range list {
			if e.busy || e.st.Paused || e.st.Next.After(now) {
				continue
			}
			if n == 0 || e.st.Next.Before(first) {
				first = e.st.Next
			}
			n++
		}
		if n == 0 {
			continue
		}
		id := host + ":" + strconv.FormatInt(first.UnixMilli(), 10) + ":" + strconv.Itoa(n)
		if q, ok := in.queued[host]; ok && q.id == id && now.Sub(q.at) < 10*in.cfg.Tick {
			continue
		}
		in.queued[host] = queued{id: id, at: now}
		out[host] = id
	}
	return out
}

// PollAll polls every feed once now, whether due or not, and returns when
// they are done.
func (in *Ingester) PollAll(ctx context.Context) {
	in.mu.Lock()
	hosts := make([]string, 0, len(in.byHost))
	for h := range in.byHost {
		hosts = append(hosts, h)
	}
	in.mu.Unlock()
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Go(func() { in.pollHost(ctx, h, true) })
	}
	wg.Wait()
}

// Poll polls one listed feed now, whether due or not.
func (in *Ingester) Poll(ctx context.Context, feedURL string) error {
	in.mu.Lock()
	e := in.feeds[FeedKey(feedURL)]
	if e != nil && e.busy {
		e = nil
	}
	if e != nil {
		e.busy = true
	}
	in.mu.Unlock()
	if e == nil {
		return fmt.Errorf("poll %s: not listed, or being polled", feedURL)
	}
	in.pollFeed(ctx, e, true, nil)
	in.mu.Lock()
	e.busy = false
	in.mu.Unlock()
	return ctx.Err()
}

// pollHost polls the due feeds of one host (all of them when force), at
// most PerHost at once and JobFeeds in all. It fails only when ctx ended:
// a feed's failure is recorded in its state.
func (in *Ingester) pollHost(ctx context.Context, host string, force bool) error {
	now := in.cfg.Now()
	in.mu.Lock()
	var due []*entry
	for _, e := range in.byHost[host] {
		if !e.busy && !e.st.Paused && (force || !e.st.Next.After(now)) {
			due = append(due, e)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].st.Next.Before(due[j].st.Next) })
	if !force && len(due) > in.cfg.JobFeeds {
		due = due[:in.cfg.JobFeeds]
	}
	for _, e := range due {
		e.busy = true
	}
	in.mu.Unlock()

	perHost := make(chan struct{}, in.cfg.PerHost)
	var wg sync.WaitGroup
	for i, e := range due {
		ok := acquire(ctx, perHost)
		if ok && !acquire(ctx, in.slots) {
			<-perHost
			ok = false
		}
		if !ok {
			in.mu.Lock()
			for _, rest := range due[i:] {
				rest.busy = false
			}
			in.mu.Unlock()
			break
		}
		wg.Go(func() {
			// The host's slot is for reading the feed document: it is
			// given back once that is parsed, so that a feed fetching
			// many article pages does not hold up its neighbours (the
			// pages wait for the host's request slots in package fetch,
			// one at a time).
			var once sync.Once
			docDone := func() { once.Do(func() { <-perHost }) }
			defer func() { docDone(); <-in.slots }()
			in.pollFeed(ctx, e, force, docDone)
			in.mu.Lock()
			e.busy = false
			in.mu.Unlock()
		})
	}
	wg.Wait()
	return ctx.Err()
}

func acquire(ctx context.Context, slots chan struct{}) bool {
	select {
	case slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// pollFeed polls one feed and stores its new state. With a StateStore the
// state is read afresh first, so that a feed another replica has just
// polled is not polled again.
func (in *Ingester) pollFeed(ctx context.Context, e *entry, force bool, docDone func()) {
	in.mu.Lock()
	st, rev := e.st, e.rev
	in.mu.Unlock()
	if in.cfg.State != nil {
		data, r, err := in.cfg.State.LoadState(ctx, e.key)
		if err != nil {
			if ctx.Err() == nil {
				in.log.Warn("load feed state", "feed_url", e.src.URL, "err", err)
			}
			return
		}
		if data != nil {
			if fresh, err := DecodeState(data); err == nil {
				st, rev = fresh, r
			} else {
				in.log.Warn("feed state unreadable; starting afresh", "feed_url", e.src.URL, "err", err)
			}
		}
		if st.Paused || st.Removed || !force && st.Next.After(in.cfg.Now()) {
			in.observe(e.key, data, r)
			return
		}
	}

	o := in.poll(ctx, e.src, &st, rev, docDone)
	if ctx.Err() != nil {
		return // cut short: the feed stays due and is polled again first
	}
	in.cfg.schedule(&st, e.src.Interval, o, in.cfg.Now())
	if o.err != nil && !errors.Is(o.err, fetch.ErrNotModified) {
		in.stats.PollErrors.Add(1)
		in.log.Warn("poll feed", "feed_url", e.src.URL, "state", st.State, "failures", st.Failures,
			"retry_at", st.Next.Format(time.RFC3339), "err", o.err)
	}
	in.save(ctx, e, st, rev)
}

// save stores st over rev, and keeps it as this process's view.
func (in *Ingester) save(ctx context.Context, e *entry, st FeedState, rev uint64) {
	if in.cfg.State != nil {
		data, err := json.Marshal(st)
		if err != nil {
			in.log.Error("encode feed state", "feed_url", e.src.URL, "err", err)
			return
		}
		newRev, ok, err := in.cfg.State.SaveState(context.WithoutCancel(ctx), e.key, data, rev)
		switch {
		case err != nil:
			in.log.Warn("save feed state", "feed_url", e.src.URL, "err", err)
			return
		case !ok:
			// Another replica polled it too (a job handed over while this
			// one was still at work); its state stands, the items were
			// deduplicated by their keys.
			in.log.Info("feed state changed meanwhile; keeping the other", "feed_url", e.src.URL)
			return
		}
		rev = newRev
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cfg.State == nil || rev > e.rev {
		e.st, e.rev = st, rev
		in.index(e)
	}
}

// poll fetches and processes one feed, updating st's validators, address
// and counters; the outcome says what scheduling needs to know. rev is the
// revision st was read at (0: none).
func (in *Ingester) poll(ctx context.Context, src feed.Source, st *FeedState, rev uint64, docDone func()) outcome {
	in.stats.Polls.Add(1)
	o := outcome{ttl: st.TTL, skip: st.SkipHours}
	from := st.fetchURL()
	req, err := article.WithAccess(fetch.Request{URL: from, ETag: st.ETag, LastModified: st.LastModified}, src)
	if err != nil {
		o.err = err
		return o
	}
	// The deadline is the feed's own: the poll's other work (NATS) goes on
	// under ctx.
	fctx, cancel := context.WithTimeout(ctx, in.cfg.FeedDeadline)
	defer cancel()
	resp, err := in.cfg.Fetch.Get(fctx, req)
	if resp != nil {
		st.ETag, st.LastModified = resp.ETag, resp.LastModified
		o.maxAge = resp.MaxAge
		if !resp.Expires.IsZero() {
			o.maxAge = max(o.maxAge, resp.Expires.Sub(in.cfg.Now()))
		}
		if resp.PermanentURL != "" && resp.PermanentURL != from {
			in.stats.Moved.Add(1)
			in.log.Info("feed moved permanently", "feed_url", src.URL, "from", from, "to", resp.PermanentURL)
			st.FetchURL = resp.PermanentURL
		}
	}
	if errors.Is(err, fetch.ErrNotModified) {
		in.stats.NotMod.Add(1)
		o.err = err
		return o
	}
	if err != nil {
		o.err = err
		return o
	}
	release, err := in.mem.Acquire(fctx, feed.ParseCost(resp.Body))
	if err != nil {
		o.err = err
		return o
	}
	parsed, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	release()
	if docDone != nil {
		docDone()
	}
	if err != nil {
		o.err = fmt.Errorf("parse %s: %w", from, err)
		return o
	}
	o.ttl, o.skip = parsed.TTL, parsed.SkipHours
	if len(parsed.Items) == 0 {
		// A tolerant parse of a truncated document can come back empty;
		// the operator should hear of it even though nothing failed.
		in.log.Warn("feed has no items", "feed_url", src.URL, "bytes", len(resp.Body))
	}
	if len(parsed.Warnings) > 0 {
		in.stats.Repaired.Add(1)
	}
	if parsed.ItemsCut {
		in.stats.ItemsCut.Add(1)
	}
	b, err := in.items(ctx, fctx, src, parsed, rev)
	st.Items += int64(b.published + b.recovered)
	st.Duplicates += int64(b.duplicates + b.recoveredDups)
	o.newItems = b.published + b.duplicates + b.recovered + b.recoveredDups
	if err != nil {
		o.err, o.ours = fmt.Errorf("items of %s: %w", src.URL, err), true
		// Validators of a document whose items were not all stored would
		// let a 304 hide them: forget them so the next poll reads it all.
		st.ETag, st.LastModified = "", ""
		return o
	}
	if b.deferred > 0 {
		// The same holds for items left for the next poll, which comes
		// soon.
		st.ETag, st.LastModified = "", ""
		o.more = true
	}
	in.note(src, st, feedNotes(parsed, b))
	if b.published > 0 {
		in.log.Info("feed polled", "feed_url", src.URL, "published", b.published, "duplicates", b.duplicates)
	}
	return o
}

// feedNotes are what a poll found worth the operator's attention besides
// failures: repairs and cuts of the document, its items not published and
// why, items left for later.
func feedNotes(parsed *feed.Feed, b batch) []string {
	notes := append([]string(nil), parsed.Warnings...)
	if s := b.summary(); s != "" {
		notes = append(notes, "items not published: "+s)
	}
	if b.deferred > 0 {
		notes = append(notes, fmt.Sprintf("%d new items left for the next polls: page budget spent", b.deferred))
	}
	if b.truncated > 0 {
		notes = append(notes, fmt.Sprintf("articles cut to fit a message: %d", b.truncated))
	}
	return notes
}

// note keeps a poll's notes in the feed's state, for `ingest feeds status`,
// and logs them when they change in kind, not on every poll: a feed that
// has items without links every poll is said so once, until it changes.
func (in *Ingester) note(src feed.Source, st *FeedState, notes []string) {
	if slices.Equal(noteKinds(st.Notes), noteKinds(notes)) {
		st.Notes = notes // the counts may differ
		return
	}
	if len(notes) == 0 {
		in.log.Info("feed notes cleared", "feed_url", src.URL, "were", strings.Join(st.Notes, "; "))
	} else {
		in.log.Warn("feed notes", "feed_url", src.URL, "notes", strings.Join(notes, "; "))
	}
	st.Notes = notes
}

// noteKinds are notes with their numbers blanked: "kept the first 5000 of
// 7210 items" is the same kind of note on the next poll with 7211.
func noteKinds(notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return r
		}, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
