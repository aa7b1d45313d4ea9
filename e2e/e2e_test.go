package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
	"newsmon/pipeline/rules"
	"newsmon/pipeline/tagger"
)

const feedXML = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Loopback Policy Wire</title><link>%[1]s/</link><description>test feed</description>
<item><title>U.S. weighs curbs on Chinese cloud providers</title><link>%[1]s/a/curbs</link><guid>curbs-1</guid>
<description>Short summary only.</description><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Regulator vote scheduled</title><link>%[1]s/a/vote</link><guid>vote-2</guid>
<description>The FCC will vote on whether Tencent Cloud may keep serving American customers, officials said.</description>
<pubDate>Mon, 02 Nov 2026 11:00:00 GMT</pubDate></item>
<item><title>Drought on the Amazon</title><link>%[1]s/a/river</link><guid>river-3</guid>
<description>Low water on the Amazon river.</description><pubDate>Mon, 02 Nov 2026 12:00:00 GMT</pubDate></item>
</channel></rss>`

const curbsPage = `<!doctype html><html lang="en"><head><title>U.S. weighs curbs on Chinese cloud providers | Wire</title></head>
<body><nav><a href="/">Home</a> <a href="/tech">Tech</a></nav>
<article><h1>U.S. weighs curbs on Chinese cloud providers</h1>
<p>The Commerce Department is weighing new rules that would limit how Huawei Cloud and Alibaba Cloud serve customers in the United States, according to three people familiar with the discussions.</p>
<p>Officials have asked American providers for their views on the proposal, which could be published early next year after an interagency review that has taken several months.</p>
<p>Neither company replied to requests for comment on Monday, and the department declined to comment on the timing of any decision.</p>
</article><footer>Copyright Wire</footer></body></html>`

const riverPage = `<!doctype html><html lang="en"><head><title>Drought on the Amazon</title></head><body><article>
<h1>Drought on the Amazon</h1>
<p>Water levels on the Amazon river fell to their lowest point in a century this week, stranding boats across the rainforest and cutting off villages along the basin.</p>
<p>Scientists said the drought was made worse by warm ocean temperatures, and that the azure sky over the basin had not brought rain for weeks.</p>
</article></body></html>`

// site serves the feed and its pages; the page of the second item fails.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, feedXML, srv.URL)
	})
	mux.HandleFunc("/a/curbs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(curbsPage))
	})
	mux.HandleFunc("/a/vote", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream broke", http.StatusInternalServerError)
	})
	mux.HandleFunc("/a/river", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(riverPage))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// startNATS runs a server with the topology set up, its ack waits short
// so the test sees a crashed tagger's article again.
func startNATS(t *testing.T) *server.Server {
	t.Helper()
	return natstest.StartSetUp(t)
}

func connect(t *testing.T, s *server.Server, name string) *bus.Client {
	t.Helper()
	return natstest.Connect(t, s.ClientURL(), name)
}

// newIngester is an ingester of the one feed with the stores the service
// opens (feed states, poll jobs, near-duplicates, SEEN) and short
// intervals, run by its own scheduler (runIngester) as the service runs it.
func newIngester(t *testing.T, feedURL string, c *bus.Client) *ingest.Ingester {
	t.Helper()
	side := natstest.OpenIngest(t, c)
	in, err := ingest.New(ingest.Config{
		Sources:     []feed.Source{{URL: feedURL}},
		Interval:    time.Second,
		MinInterval: 300 * time.Millisecond,
		MaxInterval: 2 * time.Second,
		Tick:        100 * time.Millisecond,
		Fetch:       fetch.New(fetch.Options{Allow: fetch.Loopback, Timeout: 5 * time.Second}),
		State:       side.States,
		Jobs:        side.Jobs,
		Near:        side.Near,
	}, c, side.Seen, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// runIngester runs in's scheduler until the returned stop is called (or
// the test ends); stop returns once the polls in flight are done.
func runIngester(t *testing.T, in *ingest.Ingester) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("ingest: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitUntil waits for cond, failing the test after a minute (the machine
// may be loaded; a condition met returns at once).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}

func shippedRules(t *testing.T) *rules.Set {
	t.Helper()
	set, err := rules.LoadDir(filepath.Join("..", "rules"))
	if err != nil {
		t.Fatalf("shipped rules: %v", err)
	}
	return set
}

// alertLog collects every alert delivered on alerts.> to a plain
// subscriber, as `nats sub 'alerts.>'` would see them.
type alertLog struct {
	mu     sync.Mutex
	alerts []pipeline.Alert
}

func (l *alertLog) add(t *testing.T, m *nats.Msg) {
	var a pipeline.Alert
	if err := json.Unmarshal(m.Data, &a); err != nil {
		t.Errorf("alert on %s is not JSON: %v", m.Subject, err)
		return
	}
	if a.Subject != m.Subject {
		t.Errorf("alert says subject %q but came on %q", a.Subject, m.Subject)
	}
	l.mu.Lock()
	l.alerts = append(l.alerts, a)
	l.mu.Unlock()
}

func (l *alertLog) snapshot() []pipeline.Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]pipeline.Alert(nil), l.alerts...)
}

// waitFor waits until n alerts have arrived, then a quiet second more so
// that any extra alert shows up.
func (l *alertLog) waitFor(t *testing.T, n int) []pipeline.Alert {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for len(l.snapshot()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	return l.snapshot()
}

func streamMsgs(t *testing.T, c *bus.Client, stream string) uint64 {
	t.Helper()
	js, err := jetstream.New(c.Conn())
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// runTagger consumes articles until the returned stop is called. handle
// wraps the tagger's own handler, so a test can make it crash.
func runTagger(t *testing.T, c *bus.Client, handle func(context.Context, pipeline.Delivery) pipeline.Reply) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.ConsumeArticles(ctx, 2, handle) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("tagger: %v", err)
		}
	}
}

type want struct {
	subject, url, text string
}

func TestFeedToAlerts(t *testing.T) {
	web := site(t)
	feedURL := web.URL + "/feed.xml"
	ns := startNATS(t)
	set := shippedRules(t)

	watcher := connect(t, ns, "analyst")
	var got alertLog
	sub, err := watcher.Conn().Subscribe("alerts.>", func(m *nats.Msg) { got.add(t, m) })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	watcher.Conn().Flush()

	// The first tagger stores the alerts of the first article it sees and
	// then dies before acknowledging it: the restarted tagger gets the
	// article again and must not raise a second alert.
	tagClient := connect(t, ns, "tagger-1")
	tg := tagger.New(set, tagClient, slog.New(slog.DiscardHandler))
	var crashOnce sync.Once
	crashed := make(chan struct{})
	stopTagger := runTagger(t, tagClient, func(ctx context.Context, d pipeline.Delivery) pipeline.Reply {
		r := tg.Reply(ctx, d)
		var first bool
		crashOnce.Do(func() { first = true })
		if first && r.Action == pipeline.Ack {
			close(crashed)
			return pipeline.Reply{Action: pipeline.Retry} // killed before the ack
		}
		return r
	})

	ingClient := connect(t, ns, "ingest-1")
	in := newIngester(t, feedURL, ingClient)
	stopIngest := runIngester(t, in)
	waitUntil(t, "the first poll's articles", func() bool { return in.Stats().Published.Load() >= 3 })
	if n := in.Stats().Published.Load(); n != 3 {
		t.Fatalf("first poll published %d articles, want 3", n)
	}
	if n := in.Stats().PageErrors.Load(); n != 1 {
		t.Errorf("page errors = %d, want 1 (the 500 page)", n)
	}
	select {
	case <-crashed:
	case <-time.After(10 * time.Second):
		t.Fatal("the tagger never handled an article")
	}

	base := web.URL + "/a/"
	wants := []want{
		{"alerts.cloud.huawei", base + "curbs", "Huawei Cloud"},
		{"alerts.cloud.alibaba", base + "curbs", "Alibaba Cloud"},
		{"alerts.policy.us-commerce", base + "curbs", "Commerce Department"},
		{"alerts.watch.china-cloud-us-policy", base + "curbs", ""},
		{"alerts.watch.china-cloud-export-controls", base + "curbs", ""}, // "rules that would limit"
		{"alerts.cloud.tencent", base + "vote", "Tencent Cloud"},
		{"alerts.policy.fcc", base + "vote", "FCC"},
		{"alerts.watch.china-cloud-us-policy", base + "vote", ""},
	}
	alerts := got.waitFor(t, len(wants))
	checkAlerts(t, alerts, wants)

	// The vote article came from the feed summary, since its page failed.
	for _, a := range alerts {
		if a.Article.URL == base+"vote" && len(a.Matches) > 0 && !strings.Contains(a.Matches[0].Snippet, "officials said") {
			t.Errorf("vote alert snippet %q: want the summary's sentence", a.Matches[0].Snippet)
		}
	}

	articles := streamMsgs(t, ingClient, pipeline.ArticlesStream)
	if articles != 3 {
		t.Errorf("ARTICLES holds %d messages, want 3", articles)
	}

	// Later polls and a restarted ingester publish nothing new.
	polls := in.Stats().Polls.Load()
	waitUntil(t, "a later poll", func() bool { return in.Stats().Polls.Load() > polls })
	stopIngest()
	if n := in.Stats().Published.Load(); n != 3 {
		t.Errorf("later polls: published total %d, want still 3", n)
	}
	in2 := newIngester(t, feedURL, connect(t, ns, "ingest-2"))
	stopIngest2 := runIngester(t, in2)
	waitUntil(t, "the restarted ingester's poll", func() bool { return in2.Stats().Polls.Load() > 0 })
	stopIngest2()
	if n := in2.Stats().Published.Load(); n != 0 {
		t.Errorf("restarted ingester published %d articles, want 0", n)
	}
	if n := streamMsgs(t, ingClient, pipeline.ArticlesStream); n != articles {
		t.Errorf("ARTICLES grew from %d to %d after re-polling", articles, n)
	}

	// A restarted tagger on the same durable consumer raises nothing new.
	stopTagger()
	tag2 := connect(t, ns, "tagger-2")
	stop2 := runTagger(t, tag2, tagger.New(set, tag2, slog.New(slog.DiscardHandler)).Reply)
	defer stop2()
	waitUntil(t, "the tagger's consumer to drain", func() bool {
		js, err := jetstream.New(tag2.Conn())
		if err != nil {
			t.Fatal(err)
		}
		cons, err := js.Consumer(context.Background(), pipeline.ArticlesStream, pipeline.TaggerConsumer)
		if err != nil {
			t.Fatal(err)
		}
		info, err := cons.Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.NumRedelivered == 0
	})
	checkAlerts(t, got.snapshot(), wants)
	if n := streamMsgs(t, ingClient, pipeline.AlertsStream); n != uint64(len(wants)) {
		t.Errorf("ALERTS holds %d alerts, want %d", n, len(wants))
	}
}

// checkAlerts asserts that alerts are exactly wants: same subjects for the
// same articles, each once, with the matched text where one is given.
func checkAlerts(t *testing.T, alerts []pipeline.Alert, wants []want) {
	t.Helper()
	key := func(subject, url string) string { return subject + " " + url }
	var gotKeys, wantKeys []string
	bySubject := map[string]pipeline.Alert{}
	for _, a := range alerts {
		k := key(a.Subject, a.Article.URL)
		gotKeys = append(gotKeys, k)
		bySubject[k] = a
	}
	for _, w := range wants {
		wantKeys = append(wantKeys, key(w.subject, w.url))
	}
	sort.Strings(gotKeys)
	sort.Strings(wantKeys)
	if strings.Join(gotKeys, "\n") != strings.Join(wantKeys, "\n") {
		t.Fatalf("alerts:\n%s\nwant:\n%s", strings.Join(gotKeys, "\n"), strings.Join(wantKeys, "\n"))
	}
	for _, w := range wants {
		a := bySubject[key(w.subject, w.url)]
		if len(a.Matches) == 0 {
			t.Errorf("%s: no matches", w.subject)
			continue
		}
		if a.Count != len(a.Matches) {
			t.Errorf("%s: count %d, matches %d", w.subject, a.Count, len(a.Matches))
		}
		if w.text == "" {
			continue
		}
		found := false
		for _, m := range a.Matches {
			if m.Text == w.text && m.Snippet != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s on %s: no match with text %q and a snippet: %+v", w.subject, w.url, w.text, a.Matches)
		}
	}
}
