package feed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiscover(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Example</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="All" href="/feed.xml">
<LINK REL="Alternate Feed" TYPE="application/atom+xml; charset=utf-8" HREF="https://feeds.example.net/atom">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
</head><body>
<link rel="alternate" type="application/rss+xml" href="/in-body.xml">
</body></html>`
	got := Discover([]byte(page), "https://www.example.com/news/")
	want := []string{"https://www.example.com/feed.xml", "https://feeds.example.net/atom", "https://www.example.com/news/feed.json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	withBase := `<html><head><base href="https://cdn.example.org/site/"><link rel="alternate" type="application/atom+xml" href="atom.xml"></head></html>`
	if got := Discover([]byte(withBase), "https://www.example.com/"); len(got) != 1 || got[0] != "https://cdn.example.org/site/atom.xml" {
		t.Errorf("with <base>: %v", got)
	}
	if got := Discover([]byte("<html><body>no head</body></html>"), "https://www.example.com/"); got != nil {
		t.Errorf("page without feeds: %v", got)
	}
}

func TestParseHTMLNamesFeeds(t *testing.T) {
	page := `<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>x</body></html>`
	_, err := Parse([]byte(page), "text/html", "https://www.example.com/")
	if !errors.Is(err, ErrNotFeed) || !strings.Contains(err.Error(), "https://www.example.com/rss") {
		t.Errorf("error %v: want ErrNotFeed naming https://www.example.com/rss", err)
	}
}

// TestCorpusDiscover checks the two home pages of the corpus that
// advertise their feeds.
func TestCorpusDiscover(t *testing.T) {
	dir := corpusDir(t)
	for file, want := range map[string]string{
		"DaringFireball.html": "https://daringfireball.net/feeds/main",
		"inessential.html":    "http://inessential.com/xml/rss.xml",
	} {
		body, err := os.ReadFile(filepath.Join(dir, "realworld", "netnewswire", file))
		if err != nil {
			t.Fatal(err)
		}
		got := Discover(body, "https://daringfireball.net/")
		if len(got) == 0 || got[0] != want {
			t.Errorf("%s: %v, want %s first", file, got, want)
		}
	}
}

func FuzzDiscover(f *testing.F) {
	f.Add([]byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head></html>`), "https://www.example.com/")
	f.Add([]byte(`<base href="//cdn.example.org/x/"><link rel=alternate type=application/atom+xml href=a.xml>`), "http://h/")
	f.Fuzz(func(t *testing.T, page []byte, pageURL string) {
		for _, u := range Discover(page, pageURL) {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Errorf("%q is not an absolute http(s) URL", u)
			}
		}
	})
}
