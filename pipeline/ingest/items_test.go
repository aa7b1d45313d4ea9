package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

// pageServer serves a feed at /feed.xml and a page for every other path;
// it counts requests by path.
type pageServer struct {
	*httptest.Server
	feed func(base string) string
	page func(path string) string
	mu   sync.Mutex
	hits map[string]int
}

func newPageServer(t *testing.T, feedDoc func(base string) string, page func(path string) string) *pageServer {
	s := &pageServer{feed: feedDoc, page: page, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if r.URL.Path == "/feed.xml" {
			fmt.Fprint(w, s.feed(s.URL))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s.page(r.URL.Path))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pageServer) pageHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if p != "/feed.xml" && p != "/robots.txt" {
			n += c
		}
	}
	return n
}

func storyPage(path string) string {
	return "<html><head><title>" + path + "</title></head><body><article><p>The story at " + path +
		" says that the Commerce Department weighs new rules on cloud providers, officials said.</p></article></body></html>"
}

// An article bigger than a message is cut to fit and published once; the
// feed is ok and a second poll publishes nothing again (issue 9 item 1:
// 12 articles became 24 when one failed).
func TestBigArticlePublishedOnce(t *testing.T) {
	var page strings.Builder
	page.WriteString("<html><body><article>")
	for i := 0; page.Len() < 2_400_000; i++ {
		fmt.Fprintf(&page, "<p>Paragraph %d. %s</p>\n", i, strings.Repeat("Huawei Cloud and the State Department. ", 50))
	}
	page.WriteString("</article></body></html>")
	big := page.String()
	srv := newPageServer(t, func(base string) string {
		var items []string
		for i := range 12 {
			items = append(items, item(fmt.Sprintf("Story %d", i), fmt.Sprintf("%s/s/%d", base, i), fmt.Sprint(i), "summary"))
		}
		return rss(base, items...)
	}, func(path string) string {
		if path == "/s/5" {
			return big
		}
		return storyPage(path)
	})
	if len(big) < 2_300_000 {
		t.Fatalf("big page is %d bytes", len(big))
	}
	rec := newBus(t)
	side := withState(t, rec)
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}}, State: side, NearMinWords: -1,
		Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	pollOne(t, in, srv.URL+"/feed.xml")
	st := in.Feeds()[0]
	if st.State != ingest.StateOK || st.Items != 12 || !strings.Contains(strings.Join(st.Notes, ";"), "articles cut to fit a message: 1") {
		t.Errorf("feed state %s, items %d, notes %q", st.State, st.Items, st.Notes)
	}
	pollOne(t, in, srv.URL+"/feed.xml")
	arts := rec.byURL()
	if len(rec.arts) != 12 || len(arts) != 12 {
		t.Fatalf("%d publications of %d articles, want 12 of 12", len(rec.arts), len(arts))
	}
	a := arts[srv.URL+"/s/5"]
	if a == nil || !a.Truncated || a.TextBytes < 2_000_000 || len(a.Text) >= a.TextBytes {
		t.Fatalf("big article: %+v", a)
	}
	if n := in.Stats().Truncated.Load(); n != 1 {
		t.Errorf("truncated count %d, want 1", n)
	}
}

// refusing stores articles through the real bus but refuses some, as a
// server refuses a message it cannot take, or all (the bus is down).
type refusing struct {
	*recorder
	mu       sync.Mutex
	refuse   func(a *pipeline.Article) bool
	attempts map[string]int
}

func (r *refusing) PublishArticles(ctx context.Context, arts []*pipeline.Article) error {
	r.mu.Lock()
	for _, a := range arts {
		r.attempts[a.URL]++
	}
	for _, a := range arts {
		if r.refuse(a) {
			r.mu.Unlock()
			return errors.New("nats: maximum payload exceeded")
		}
	}
	r.mu.Unlock()
	return r.recorder.PublishArticles(ctx, arts)
}

// An item that cannot be stored costs only itself: the others are
// published and recorded once, it is retried on the next polls and then
// recorded as failed with the reason, and never tried again.
func TestUnpublishableItemRecordedAsFailed(t *testing.T) {
	srv := newPageServer(t, func(base string) string {
		return rss(base, item("Good 1", base+"/g1", "", "one"), item("Bad", base+"/bad", "", "bad"), item("Good 2", base+"/g2", "", "two"))
	}, storyPage)
	rec := newBus(t)
	pub := &refusing{recorder: rec, attempts: map[string]int{},
		refuse: func(a *pipeline.Article) bool { return strings.HasSuffix(a.URL, "/bad") }}
	var logs syncLog
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}}, State: withState(t, rec), NearMinWords: -1,
		Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, pub, rec, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		pollOne(t, in, srv.URL+"/feed.xml")
	}
	if got := rec.byURL(); len(rec.arts) != 2 || got[srv.URL+"/g1"] == nil || got[srv.URL+"/g2"] == nil {
		t.Errorf("published %d: %v, want each good item once", len(rec.arts), keys(got))
	}
	// Poll 1: the batch, then each alone; polls 2 and 3 retry it alone;
	// then it is recorded as failed and left alone.
	if n := pub.attempts[srv.URL+"/bad"]; n != 4 {
		t.Errorf("the bad item was tried %d times, want 4 (batch and 3 attempts)", n)
	}
	if n := in.Stats().Failed.Load(); n != 1 {
		t.Errorf("failed count %d, want 1", n)
	}
	st := in.Feeds()[0]
	if st.State != ingest.StateOK || st.Failures != 0 {
		t.Errorf("the feed paid for its item: state %s, failures %d", st.State, st.Failures)
	}
	if l := logs.String(); !strings.Contains(l, "failed for good") || !strings.Contains(l, "maximum payload exceeded") {
		t.Errorf("failure not logged with its reason:\n%s", l)
	}
}

// When nothing can be stored (the bus is down), nothing is recorded: the
// next poll publishes every item once.
func TestBusDownRecordsNothing(t *testing.T) {
	srv := newPageServer(t, func(base string) string {
		return rss(base, item("A", base+"/a", "", "a"), item("B", base+"/b", "", "b"))
	}, storyPage)
	rec := newBus(t)
	down := true
	pub := &refusing{recorder: rec, attempts: map[string]int{}, refuse: func(*pipeline.Article) bool { return down }}
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}}, State: withState(t, rec), NearMinWords: -1,
		Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, pub, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	pollOne(t, in, srv.URL+"/feed.xml")
	if st := in.Feeds()[0]; st.LastError == "" || st.Failures != 0 {
		t.Errorf("after the bus failed: last error %q, failures %d", st.LastError, st.Failures)
	}
	pub.mu.Lock()
	down = false
	pub.mu.Unlock()
	pollOne(t, in, srv.URL+"/feed.xml")
	pollOne(t, in, srv.URL+"/feed.xml")
	if len(rec.arts) != 2 {
		t.Errorf("published %d, want 2", len(rec.arts))
	}
}

// Items that share a link are published apart; an item listed twice and
// one without a link are counted, and the feed's notes are logged once,
// not on every poll (issue 9 items 2 and 9).
func TestDroppedItemsCountedAndNotedOnce(t *testing.T) {
	srv := newPageServer(t, func(base string) string {
		return rss(base,
			item("Live: 09:00", base+"/live", "", "<p>The first update of the live page, with its own words.</p>"),
			item("Live: 10:00", base+"/live", "", "<p>The second update, which says something else.</p>"),
			item("Story", base+"/s#top", "", "s"),
			item("Story", base+"/s#top", "", "s"),
			item("No link", "", "", "n"),
		)
	}, storyPage)
	rec := newBus(t)
	var logs syncLog
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}}, State: withState(t, rec), NearMinWords: -1,
		Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, rec, rec, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		pollOne(t, in, srv.URL+"/feed.xml")
	}
	var live []*pipeline.Article
	for _, a := range rec.arts {
		if strings.HasSuffix(a.URL, "/live") {
			live = append(live, a)
		}
	}
	if len(rec.arts) != 3 || len(live) != 2 || live[0].ID == live[1].ID {
		t.Fatalf("published %d articles, %d of the live page; want 3 and 2 with their own ids", len(rec.arts), len(live))
	}
	if live[0].Extraction != pipeline.ExtractionFeedSummary || !strings.Contains(live[0].Text, "update") {
		t.Errorf("a shared link's page was used: %q via %s", live[0].Text, live[0].Extraction)
	}
	s := in.Stats()
	if s.Twice.Load() != 3 || s.Skipped.Load() != 3 {
		t.Errorf("counted %d listed twice, %d without link over 3 polls; want 3 and 3", s.Twice.Load(), s.Skipped.Load())
	}
	if n := strings.Count(logs.String(), `msg="feed notes"`); n != 1 {
		t.Errorf("notes logged %d times over 3 polls, want once:\n%s", n, logs.String())
	}
	notes := strings.Join(in.Feeds()[0].Notes, "; ")
	if !strings.Contains(notes, "no link: 1") || !strings.Contains(notes, "listed twice in the document: 1") {
		t.Errorf("feed notes %q", notes)
	}
}

// A feed of many new items fetches a bounded number of pages per poll and
// gets through the rest on the next polls, each item once (issue 9 item 8).
func TestPagesSpreadOverPolls(t *testing.T) {
	srv := newPageServer(t, func(base string) string {
		var items []string
		for i := range 120 {
			items = append(items, item(fmt.Sprintf("Story %d", i), fmt.Sprintf("%s/s/%d", base, i), "", "summary"))
		}
		return rss(base, items...)
	}, storyPage)
	rec := newBus(t)
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}}, State: withState(t, rec), NearMinWords: -1,
		PagesPerPoll: 50, Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{50, 100, 120, 120} {
		pollOne(t, in, srv.URL+"/feed.xml")
		if got := srv.pageHits(); got != want {
			t.Errorf("after poll %d: %d pages fetched, want %d", i+1, got, want)
		}
		if i == 0 {
			st := in.Feeds()[0]
			if st.ETag != "" || !strings.Contains(strings.Join(st.Notes, ";"), "70 new items left") {
				t.Errorf("after poll 1: etag %q, notes %q", st.ETag, st.Notes)
			}
		}
	}
	if arts := rec.byURL(); len(rec.arts) != 120 || len(arts) != 120 {
		t.Errorf("%d publications of %d articles, want 120 of 120", len(rec.arts), len(arts))
	}
}

// A neighbour feed on the same host is read on time while one feed of the
// host stalls and another fetches hundreds of slow pages (issue 9 item 8:
// neighbours waited 24 to 149 s).
func TestNeighbourNotStarved(t *testing.T) {
	var mu sync.Mutex
	neighbourAt := time.Time{}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/stall.xml":
			select { // never answers; the client's timeout ends it
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		case r.URL.Path == "/huge.xml":
			var items []string
			for i := range 60 {
				items = append(items, item(fmt.Sprintf("Story %d", i), fmt.Sprintf("%s/p/%d", srv.URL, i), "", "summary"))
			}
			fmt.Fprint(w, rss(srv.URL, items...))
		case r.URL.Path == "/neighbour.xml":
			mu.Lock()
			neighbourAt = time.Now()
			mu.Unlock()
			fmt.Fprint(w, rss(srv.URL, item("Neighbour", srv.URL+"/n/1", "", "summary")))
		default:
			time.Sleep(50 * time.Millisecond) // a slow article page
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, storyPage(r.URL.Path))
		}
	}))
	defer srv.Close()
	rec := newBus(t)
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/stall.xml"}, {URL: srv.URL + "/huge.xml"}, {URL: srv.URL + "/neighbour.xml"}},
		PerHost: 2, Workers: 8, NearMinWords: -1, PagesPerPoll: 60,
		Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback, Timeout: 3 * time.Second, PerHost: 2}),
	}, rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	in.PollAll(context.Background())
	mu.Lock()
	waited := neighbourAt.Sub(start)
	mu.Unlock()
	if neighbourAt.IsZero() || waited > 1500*time.Millisecond {
		t.Errorf("the neighbour feed was read %v after the job started; want well within the stalled feed's 3 s timeout", waited)
	}
	if got := rec.byURL()[srv.URL+"/n/1"]; got == nil {
		t.Error("the neighbour's item was not published")
	}
	t.Logf("neighbour read after %v; the job took %v", waited.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// A feed's request settings reach its document and its pages: credentials
// only on the feed's host.
func TestFeedAccess(t *testing.T) {
	t.Setenv("NEWSMON_TEST_COOKIES", "session=abc")
	var mu sync.Mutex
	seen := map[string]http.Header{}
	record := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Host+r.URL.Path] = r.Header.Clone()
		mu.Unlock()
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(w, r)
		fmt.Fprint(w, storyPage(r.URL.Path))
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(w, r)
		if r.URL.Path == "/feed.xml" {
			fmt.Fprint(w, rss(srv.URL, item("Own", srv.URL+"/own", "", "s"), item("Elsewhere", strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/far", "", "s")))
			return
		}
		fmt.Fprint(w, storyPage(r.URL.Path))
	}))
	defer srv.Close()
	src := feed.Source{URL: srv.URL + "/feed.xml", Access: feed.Access{UserAgent: "Mozilla/5.0 (test)", CookiesEnv: "NEWSMON_TEST_COOKIES"}}
	rec := newBus(t)
	in, err := ingest.New(ingest.Config{Sources: []feed.Source{src}, NearMinWords: -1, Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback})},
		rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	pollOne(t, in, src.URL)
	mu.Lock()
	defer mu.Unlock()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, path := range []string{"/feed.xml", "/own"} {
		if h := seen[host+path]; h.Get("Cookie") != "session=abc" || h.Get("User-Agent") != "Mozilla/5.0 (test)" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	far := "localhost:" + strings.Split(other.URL, ":")[2] + "/far"
	if h := seen[far]; h == nil || h.Get("Cookie") != "" || h.Get("User-Agent") != "Mozilla/5.0 (test)" {
		t.Errorf("page on another host: headers %v; want the user agent, not the cookies", h)
	}
}

// A feed's poll ends at its deadline: the items whose pages it did not
// reach wait for the next poll (issue 9 item 8).
func TestFeedDeadline(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			var items []string
			for i := range 20 {
				items = append(items, item(fmt.Sprintf("Story %d", i), fmt.Sprintf("%s/s/%d", srv.URL, i), "", "summary"))
			}
			fmt.Fprint(w, rss(srv.URL, items...))
			return
		}
		time.Sleep(150 * time.Millisecond)
		fmt.Fprint(w, storyPage(r.URL.Path))
	}))
	defer srv.Close()
	rec := newBus(t)
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}}, NearMinWords: -1, FeedDeadline: 500 * time.Millisecond,
		Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pollOne(t, in, srv.URL+"/feed.xml")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the poll took %v, over its 500 ms deadline and a page", took)
	}
	st := in.Feeds()[0]
	if n := len(rec.arts); n == 0 || n >= 20 || !strings.Contains(strings.Join(st.Notes, ";"), "left for the next polls") {
		t.Errorf("after the deadline: %d published, notes %q; want some, the rest left", n, st.Notes)
	}
	for range 10 {
		pollOne(t, in, srv.URL+"/feed.xml")
	}
	if arts := rec.byURL(); len(arts) != 20 || len(rec.arts) != 20 {
		t.Errorf("%d publications of %d articles after more polls, want 20 of 20", len(rec.arts), len(arts))
	}
}
