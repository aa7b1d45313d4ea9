package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsmon/pipeline"
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

	arts := extractArgs(t, "-allow-private-networks", "--url", "https://wire.example/cloud-rules?utm_source=x", file, srv.URL+"/p")
	if len(arts) != 2 {
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
	if arts[0].ID != arts[1].ID {
		t.Errorf("the same canonical page got two ids: %s, %s", arts[0].ID, arts[1].ID)
	}
}

func TestExtractRefusesLoopbackByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) }))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"extract", srv.URL}, func(string) string { return "" }, &out, &out)
	if err == nil {
		t.Fatal("extract fetched a loopback URL without -allow-private-networks")
	}
}

func TestServeValidatesConfig(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-feed", "ftp://x", "-interval", "0s"}, func(string) string { return "" }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "ftp://x") || !strings.Contains(err.Error(), "-interval") {
		t.Fatalf("err = %v, want every problem named", err)
	}
}
