// Package ingest is the poll loop of the ingest service: it decides when each
// feed is due, fetches and parses it, skips items already published, fetches
// and extracts each new item's page (falling back to the feed's own content
// or summary), and publishes the article. Network politeness lives in
// package fetch, parsing in feed, keys in dedup, text in extract; this
// package only orders them and decides what a failure costs.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"newsmon/pipeline"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
)

// Publisher stores an article; it returns once the article is stored.
type Publisher interface {
	PublishArticle(ctx context.Context, a *pipeline.Article) error
}

// SeenStore remembers which items were published, across restarts.
type SeenStore interface {
	Seen(ctx context.Context, key string) (bool, error)
	MarkSeen(ctx context.Context, key, articleID string) error
}

// Config is the ingester's settings. Zero values take the defaults.
type Config struct {
	Sources     []feed.Source
	Interval    time.Duration // default poll interval of a feed, default 5m
	MaxInterval time.Duration // the longest a failing feed waits, default 6h
	Workers     int           // feeds polled at once, default 8
	Fetch       *fetch.Client // required
	Extract     *extract.Extractor
	Now         func() time.Time
}

// Ingester polls feeds and publishes their new items.
type Ingester struct {
	cfg  Config
	pub  Publisher
	seen SeenStore
	log  *slog.Logger

	mu    sync.Mutex
	feeds map[string]*feedState // by feed URL
	stats Stats
}

// Stats counts what the ingester did.
type Stats struct {
	Polls      atomic.Int64 // feed fetches attempted
	PollErrors atomic.Int64 // feed fetches or parses that failed
	NotMod     atomic.Int64 // feed fetches answered 304
	Items      atomic.Int64 // feed items read
	Published  atomic.Int64 // articles published
	PageErrors atomic.Int64 // article pages that failed (feed text used instead)
	Skipped    atomic.Int64 // items skipped as bad input (no link)
}

type feedState struct {
	src          feed.Source
	etag         string
	lastModified string
	failures     int
	lastErr      string
	lastOK       time.Time
	next         time.Time
}

// New returns an ingester for cfg.Sources.
func New(cfg Config, pub Publisher, seen SeenStore, log *slog.Logger) (*Ingester, error) {
	if cfg.Fetch == nil {
		return nil, errors.New("ingest: no fetch client")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Minute
	}
	if cfg.MaxInterval <= 0 {
		cfg.MaxInterval = 6 * time.Hour
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Extract == nil {
		cfg.Extract = &extract.Extractor{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	in := &Ingester{cfg: cfg, pub: pub, seen: seen, log: log, feeds: map[string]*feedState{}}
	for _, s := range cfg.Sources {
		if _, dup := in.feeds[s.URL]; dup {
			log.Warn("feed listed twice; polling it once", "feed_url", s.URL)
			continue
		}
		in.feeds[s.URL] = &feedState{src: s}
	}
	return in, nil
}

// Stats returns the ingester's counters.
func (in *Ingester) Stats() *Stats { return &in.stats }

// Run polls every feed when it is due until ctx ends, then waits for the
// polls in flight.
func (in *Ingester) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		due := in.due(in.cfg.Now())
		if len(due) > 0 {
			in.pollAll(ctx, due)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// PollAll polls every feed once now, whether due or not.
func (in *Ingester) PollAll(ctx context.Context) {
	in.mu.Lock()
	all := make([]*feedState, 0, len(in.feeds))
	for _, f := range in.feeds {
		all = append(all, f)
	}
	in.mu.Unlock()
	in.pollAll(ctx, all)
}

func (in *Ingester) pollAll(ctx context.Context, feeds []*feedState) {
	var g errgroup.Group
	g.SetLimit(in.cfg.Workers)
	for _, f := range feeds {
		g.Go(func() error {
			in.poll(ctx, f)
			return nil
		})
	}
	_ = g.Wait() // poll reports its own failures
}

// due returns the feeds whose next poll time has come, and pushes their
// next poll forward so that a slow poll is not started twice.
func (in *Ingester) due(now time.Time) []*feedState {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []*feedState
	for _, f := range in.feeds {
		if !f.next.After(now) {
			f.next = now.Add(in.cfg.MaxInterval)
			out = append(out, f)
		}
	}
	return out
}

// poll fetches one feed and publishes its new items. Failures cost this
// feed only: they are logged with its URL and the feed backs off.
func (in *Ingester) poll(ctx context.Context, f *feedState) {
	in.mu.Lock()
	src, req := f.src, fetch.Request{URL: f.src.URL, ETag: f.etag, LastModified: f.lastModified}
	in.mu.Unlock()

	in.stats.Polls.Add(1)
	n, resp, err := in.pollFeed(ctx, src, req)
	now := in.cfg.Now()

	in.mu.Lock()
	defer in.mu.Unlock()
	if resp != nil {
		f.etag, f.lastModified = resp.ETag, resp.LastModified
	}
	if err != nil && !errors.Is(err, fetch.ErrNotModified) {
		if ctx.Err() != nil {
			f.next = now // shutting down: poll again first thing next time
			return
		}
		in.stats.PollErrors.Add(1)
		f.failures++
		f.lastErr = err.Error()
		f.next = now.Add(in.backoff(f.failures))
		in.log.Warn("poll feed", "feed_url", src.URL, "failures", f.failures, "retry_at", f.next.Format(time.RFC3339), "err", err)
		return
	}
	if errors.Is(err, fetch.ErrNotModified) {
		in.stats.NotMod.Add(1)
	}
	f.failures, f.lastErr, f.lastOK = 0, "", now
	f.next = now.Add(in.interval(src))
	if n > 0 {
		in.log.Info("feed polled", "feed_url", src.URL, "published", n)
	}
}

func (in *Ingester) interval(src feed.Source) time.Duration {
	if src.Interval > 0 {
		return src.Interval
	}
	return in.cfg.Interval
}

// backoff doubles the wait with each failure, with jitter so that feeds that
// failed together do not retry together.
func (in *Ingester) backoff(failures int) time.Duration {
	d := in.cfg.Interval
	for i := 1; i < failures && d < in.cfg.MaxInterval; i++ {
		d *= 2
	}
	d = min(d, in.cfg.MaxInterval)
	return d/2 + rand.N(d/2+1)
}

func (in *Ingester) pollFeed(ctx context.Context, src feed.Source, req fetch.Request) (int, *fetch.Response, error) {
	resp, err := in.cfg.Fetch.Get(ctx, req)
	if err != nil {
		return 0, resp, err
	}
	parsed, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return 0, resp, fmt.Errorf("parse %s: %w", src.URL, err)
	}
	if len(parsed.Items) == 0 {
		// A tolerant parse of a truncated document can come back empty;
		// the operator should hear of it even though nothing failed.
		in.log.Warn("feed has no items", "feed_url", src.URL, "bytes", len(resp.Body))
	}
	published := 0
	for _, it := range parsed.Items {
		if ctx.Err() != nil {
			return published, resp, ctx.Err()
		}
		in.stats.Items.Add(1)
		ok, err := in.item(ctx, src, parsed, it)
		if err != nil {
			// The item stays unseen and is tried again on the next poll;
			// a later item may still succeed.
			in.log.Warn("feed item", "feed_url", src.URL, "item_url", it.Link, "err", err)
			continue
		}
		if ok {
			published++
		}
	}
	return published, resp, nil
}

// item publishes one feed item unless it was published before. It reports
// whether it published.
func (in *Ingester) item(ctx context.Context, src feed.Source, parsed *feed.Feed, it feed.Item) (bool, error) {
	if it.Link == "" {
		in.stats.Skipped.Add(1)
		in.log.Warn("feed item has no link; skipped", "feed_url", src.URL, "guid", it.GUID, "title", it.Title)
		return false, nil
	}
	key := dedup.Key(src.URL, it.GUID, it.Link)
	seen, err := in.seen.Seen(ctx, key)
	if err != nil {
		return false, err
	}
	if seen {
		return false, nil
	}
	a := in.article(ctx, src, parsed, it)
	a.ID = pipeline.ArticleID(key)
	if err := in.pub.PublishArticle(ctx, a); err != nil {
		return false, err
	}
	in.stats.Published.Add(1)
	// Marked only after the article is stored: a crash in between re-sends
	// it under the same Msg-Id, which the stream's duplicate window absorbs.
	if err := in.seen.MarkSeen(ctx, key, a.ID); err != nil {
		return true, err
	}
	return true, nil
}

// article builds the article for one item: the page's extracted text when
// the page can be had, else the feed's content, else its summary.
func (in *Ingester) article(ctx context.Context, src feed.Source, parsed *feed.Feed, it feed.Item) *pipeline.Article {
	a := &pipeline.Article{
		Schema:    pipeline.SchemaVersion,
		URL:       it.Link,
		FeedURL:   src.URL,
		Source:    SourceName(src),
		Title:     strings.TrimSpace(it.Title),
		Author:    it.Author,
		FetchedAt: in.cfg.Now().UTC(),
		Lang:      firstNonEmpty(src.Lang, parsed.Lang),
		Summary:   FragmentText(it.Summary),
	}
	if !it.Published.IsZero() {
		p := it.Published.UTC()
		a.Published = &p
	}
	if canon, err := dedup.CanonicalURL(it.Link); err == nil {
		a.CanonicalURL = canon
	}
	if src.Pages == nil || *src.Pages {
		doc, err := in.page(ctx, it.Link)
		if err == nil && doc.Text != "" {
			a.Text, a.Extraction = doc.Text, pipeline.ExtractionPage
			a.Title = firstNonEmpty(a.Title, doc.Title)
			a.Author = firstNonEmpty(a.Author, doc.Author)
			a.Lang = firstNonEmpty(doc.Lang, a.Lang)
			a.SiteName = doc.SiteName
			if doc.CanonicalURL != "" {
				a.CanonicalURL = doc.CanonicalURL
			}
			if a.Published == nil && !doc.Published.IsZero() {
				p := doc.Published.UTC()
				a.Published = &p
			}
		} else {
			in.stats.PageErrors.Add(1)
			if err == nil {
				err = errors.New("no text found")
			}
			in.log.Warn("article page unusable; using the feed's text", "feed_url", src.URL, "url", it.Link, "err", err)
		}
	}
	if a.Text == "" {
		if content := FragmentText(it.Content); content != "" {
			a.Text, a.Extraction = content, pipeline.ExtractionFeedContent
		} else {
			a.Text, a.Extraction = a.Summary, pipeline.ExtractionFeedSummary
		}
	}
	a.ContentHash = pipeline.ContentHash(a.Text)
	return a
}

func (in *Ingester) page(ctx context.Context, link string) (extract.Document, error) {
	resp, err := in.cfg.Fetch.GetPage(ctx, fetch.Request{URL: link, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	if err != nil {
		return extract.Document{}, err
	}
	doc, err := in.cfg.Extract.Extract(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return doc, fmt.Errorf("extract %s: %w", link, err)
	}
	return doc, nil
}

// SourceName is the source token of a feed's articles: its configured name,
// else its host without "www.".
func SourceName(src feed.Source) string {
	if src.Name != "" {
		return pipeline.SubjectToken(src.Name)
	}
	u, err := url.Parse(src.URL)
	if err != nil || u.Hostname() == "" {
		return "unknown"
	}
	return pipeline.SubjectToken(strings.TrimPrefix(u.Hostname(), "www."))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
