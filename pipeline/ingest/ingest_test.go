package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

// recorder stores articles in the real bus and keeps a copy for the test.
type recorder struct {
	*bus.Client
	*bus.Seen
	mu   sync.Mutex
	arts []*pipeline.Article
}

func (r *recorder) PublishArticles(ctx context.Context, arts []*pipeline.Article) error {
	if err := r.Client.PublishArticles(ctx, arts); err != nil {
		return err
	}
	r.mu.Lock()
	r.arts = append(r.arts, arts...)
	r.mu.Unlock()
	return nil
}

func (r *recorder) byURL() map[string]*pipeline.Article {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]*pipeline.Article{}
	for _, a := range r.arts {
		m[a.URL] = a
	}
	return m
}

func newBus(t *testing.T) *recorder {
	t.Helper()
	s := natstest.StartSetUp(t)
	c := natstest.Connect(t, s.ClientURL(), "ingest")
	return &recorder{Client: c, Seen: bus.NewSeen(c)}
}

// syncLog captures log lines so a test can check what was said about a feed.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func rss(base string, items ...string) string {
	return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>` + base + `/</link>` +
		strings.Join(items, "") + `</channel></rss>`
}

func item(title, link, guid, desc string) string {
	s := "<item><title>" + title + "</title>"
	if link != "" {
		s += "<link>" + link + "</link>"
	}
	if guid != "" {
		s += "<guid>" + guid + "</guid>"
	}
	return s + "<description>" + desc + "</description></item>"
}

const goodPage = `<html><head><title>T</title></head><body><article><p>The State Department said on Tuesday that it would review the export licences of several cloud providers after a months-long inquiry.</p><p>The review is expected to take until the spring, officials said.</p></article></body></html>`

// Each broken feed, page or item costs only itself: it is logged with the
// feed URL and a reason, and the good feed's articles are all published.
func TestBadInputCostsOnlyItself(t *testing.T) {
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/good.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, rss(srv.URL,
			item("Page ok", srv.URL+"/p/ok", "1", "summary one"),
			item("Page is a PDF", srv.URL+"/p/pdf", "2", "The summary of the PDF item."),
			item("No link", "", "3", "an item with no link"),
			item("Page 404", srv.URL+"/p/missing", "4", "<p>Summary <b>four</b> &amp; more.</p>"),
		))
	})
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?>`+"\n<<<< & not xml >>>>")
	})
	mux.HandleFunc("/html.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>This is a web page, not a feed.</p></body></html>")
	})
	mux.HandleFunc("/p/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, goodPage)
	})
	mux.HandleFunc("/p/pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4 binary"))
	})
	srv = httptest.NewServer(mux)
	defer srv.Close()

	rec := newBus(t)
	var logs syncLog
	unreachable := "http://127.0.0.1:1/feed.xml"
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/good.xml", Tags: []string{"policy"}}, {URL: srv.URL + "/broken.xml"}, {URL: srv.URL + "/html.xml"}, {URL: unreachable}},
		Fetch:   fetch.New(fetch.Options{Allow: fetch.Loopback, Timeout: 3 * time.Second}),
	}, rec, rec, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	in.PollAll(context.Background())

	got := rec.byURL()
	if len(got) != 3 {
		t.Fatalf("published %d articles, want 3 (ok, pdf, 404)", len(got))
	}
	for _, tc := range []struct {
		url, extraction, text string
	}{
		{srv.URL + "/p/ok", pipeline.ExtractionPage, "The State Department said on Tuesday"},
		{srv.URL + "/p/pdf", pipeline.ExtractionFeedSummary, "The summary of the PDF item."},
		{srv.URL + "/p/missing", pipeline.ExtractionFeedSummary, "Summary four & more."},
	} {
		a := got[tc.url]
		if a == nil {
			t.Errorf("%s: not published", tc.url)
			continue
		}
		if a.Extraction != tc.extraction || !strings.HasPrefix(a.Text, tc.text) {
			t.Errorf("%s: extraction %q text %q, want %q starting %q", tc.url, a.Extraction, a.Text, tc.extraction, tc.text)
		}
		if len(a.Tags) != 1 || a.Tags[0] != "policy" {
			t.Errorf("%s: tags %q, want the feed's [policy]", tc.url, a.Tags)
		}
		if a.ID == "" || a.Source != "127_0_0_1" || a.ContentHash == "" || a.FeedURL != srv.URL+"/good.xml" {
			t.Errorf("%s: id %q source %q hash %q feed %q", tc.url, a.ID, a.Source, a.ContentHash, a.FeedURL)
		}
	}

	out := logs.String()
	for _, want := range []string{
		"feed_url=" + srv.URL + "/broken.xml",
		"feed_url=" + srv.URL + "/html.xml",
		"feed_url=" + unreachable,
		"no link",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := in.Stats().PollErrors.Load(); n != 3 {
		t.Errorf("poll errors = %d, want 3", n)
	}
	if n := in.Stats().Skipped.Load(); n != 1 {
		t.Errorf("skipped = %d, want 1", n)
	}
}

// A feed that answers 304 costs no parse and publishes nothing; its
// validators are sent back.
func TestConditionalPoll(t *testing.T) {
	var mu sync.Mutex
	var gotINM []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			mu.Lock()
			gotINM = append(gotINM, r.Header.Get("If-None-Match"))
			mu.Unlock()
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			fmt.Fprint(w, rss(srv.URL, item("one", srv.URL+"/p/ok", "1", "s")))
		default:
			fmt.Fprint(w, goodPage)
		}
	}))
	defer srv.Close()
	rec := newBus(t)
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: srv.URL + "/feed.xml"}},
		Fetch:   fetch.New(fetch.Options{Allow: fetch.Loopback}),
	}, rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	in.PollAll(context.Background())
	in.PollAll(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if len(gotINM) != 2 || gotINM[0] != "" || gotINM[1] != `"v1"` {
		t.Errorf("If-None-Match sent: %q, want [\"\" \"v1\"]", gotINM)
	}
	if n := in.Stats().NotMod.Load(); n != 1 {
		t.Errorf("not-modified polls = %d, want 1", n)
	}
	if n := in.Stats().Published.Load(); n != 1 {
		t.Errorf("published = %d, want 1", n)
	}
}
