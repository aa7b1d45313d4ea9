package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"newsmon/cmd/internal/envflag/envflagtest"
	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

const page = `<!doctype html><html lang="en"><head><title>Cloud rules | Wire</title>
<link rel="canonical" href="https://wire.example/cloud-rules"></head><body><nav>Home Tech</nav><article>
<h1>Cloud rules</h1>
<p>The Commerce Department is weighing rules that would limit Chinese cloud providers in the United States, officials said on Monday.</p>
<p>The proposal follows months of review by several agencies and could be published early next year, according to people familiar with it.</p>
</article></body></html>`

func extractArgs(t *testing.T, args ...string) []pipeline.Article {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"extract"}, args...), func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("extract %v: %v\n%s", args, err, errOut.String())
	}
	var arts []pipeline.Article
	dec := json.NewDecoder(&out)
	for dec.More() {
		var a pipeline.Article
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	return arts
}

func TestExtractFileAndURL(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	defer srv.Close()

	arts := extractArgs(t, "-allow-networks", "loopback", "--url", "https://wire.example/cloud-rules?utm_source=x", file, srv.URL+"/p", srv.URL+"/p?utm_source=y")
	if len(arts) != 3 {
		t.Fatalf("got %d articles, want 2", len(arts))
	}
	for _, a := range arts {
		if !strings.HasPrefix(a.Text, "The Commerce Department is weighing") || strings.Contains(a.Text, "Home Tech") {
			t.Errorf("text = %q", a.Text)
		}
		if a.CanonicalURL != "https://wire.example/cloud-rules" || a.Lang != "en" || a.ID == "" {
			t.Errorf("metadata: canonical %q lang %q id %q", a.CanonicalURL, a.Lang, a.ID)
		}
	}
	// The id is that of a feed item linking to the page: its cleaned
	// link's, as the service gives it.
	if arts[0].ID != pipeline.ArticleID("url:https://wire.example/cloud-rules") {
		t.Errorf("saved page id %s", arts[0].ID)
	}
	if arts[1].ID == arts[0].ID || arts[1].ID != arts[2].ID {
		t.Errorf("ids %s %s %s: want the two spellings of one link alike, the other link apart", arts[0].ID, arts[1].ID, arts[2].ID)
	}
}

// recorder keeps the JSON of every article the service publishes.
type recorder struct {
	*bus.Client
	*bus.Seen
	mu   sync.Mutex
	sent [][]byte
}

func (r *recorder) PublishArticles(ctx context.Context, arts []*pipeline.Article) error {
	if err := r.Client.PublishArticles(ctx, arts); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range arts {
		data, err := json.Marshal(a)
		if err != nil {
			return err
		}
		r.sent = append(r.sent, data)
	}
	return nil
}

// What `ingest extract -feed` prints is what the service publishes from
// the same feed, byte for byte but for fetched_at (issue 8 knot 2).
func TestExtractIsWhatTheServicePublishes(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>Wire</title><language>en</language>
<item><title>Cloud rules</title><link>%[1]s/p?utm_source=rss</link><guid>g-1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>No guid</title><link>%[1]s/q</link><description>&lt;p&gt;Summary &lt;b&gt;two&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>Live 1</title><link>%[1]s/live#a</link><description>First update.</description></item>
<item><title>Live 2</title><link>%[1]s/live#b</link><description>Second update.</description></item>
<item><title>Gone</title><link>%[1]s/missing</link><description>Its page is gone.</description></item>
</channel></rss>`, srv.URL)
		case "/p", "/q", "/live":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	feedURL := srv.URL + "/feed.xml"

	ns := natstest.StartSetUp(t)
	c := natstest.Connect(t, ns.ClientURL(), "ingest")
	rec := &recorder{Client: c, Seen: bus.NewSeen(c)}
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: feedURL}},
		Fetch:   fetch.New(fetch.Options{Allow: fetch.Loopback, Robots: true}),
	}, rec, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	in.PollAll(context.Background())

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"extract", "-allow-networks", "loopback", "-feed", feedURL}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("extract -feed: %v\n%s", err, errOut.String())
	}
	printed := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(rec.sent) != 5 || len(printed) != 5 {
		t.Fatalf("service published %d, extract printed %d, want 5 each\n%s", len(rec.sent), len(printed), out.String())
	}
	zeroFetchedAt := regexp.MustCompile(`"fetched_at":"[^"]*"`)
	byID := map[string]string{}
	for _, data := range rec.sent {
		var a pipeline.Article
		json.Unmarshal(data, &a)
		byID[a.ID] = zeroFetchedAt.ReplaceAllString(string(data), `"fetched_at":""`)
	}
	for _, line := range printed {
		var a pipeline.Article
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		want, ok := byID[a.ID]
		if !ok {
			t.Errorf("extract printed %s, which the service did not publish", a.ID)
			continue
		}
		if got := zeroFetchedAt.ReplaceAllString(line, `"fetched_at":""`); got != want {
			t.Errorf("article %s differs:\nservice %s\nextract %s", a.ID, want, got)
		}
	}
	if !strings.Contains(errOut.String(), "/missing: page unusable") {
		t.Errorf("the failed page is not named on stderr:\n%s", errOut.String())
	}
}

func TestExtractRefusesLoopbackByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"extract", srv.URL}, func(string) string { return "" }, &out, &out)
	if err == nil {
		t.Fatal("extract fetched a loopback URL without -allow-networks")
	}
}

func TestServeValidatesConfig(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-feed", "ftp://x", "-interval", "0s"}, func(string) string { return "" }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "ftp://x") || !strings.Contains(err.Error(), "-interval") {
		t.Fatalf("err = %v, want every problem named", err)
	}
}

// Every variable deploy/env/ingest.env sets is one `ingest -h` names.
func TestDeployEnvFile(t *testing.T) {
	var help bytes.Buffer
	run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, &help)
	envflagtest.CheckEnvFile(t, filepath.Join("..", "..", "deploy", "env", "ingest.env"), help.String())
}
