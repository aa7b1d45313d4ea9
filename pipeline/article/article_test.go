package article

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"newsmon/pipeline"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
)

const page = `<html><head><title>Cloud rules</title><link rel="canonical" href="https://news.example/2026/cloud-rules"></head>
<body><article><p>The Commerce Department is weighing new rules against foreign cloud providers, people familiar with the matter said on Tuesday.</p>
<p>Officials have asked American providers how long it would take to identify customers that resell computing power.</p></article></body></html>`

// pagesOf serves fixed bodies by URL, standing in for the fetch client.
type pagesOf map[string]string

func (p pagesOf) GetPage(_ context.Context, r fetch.Request) (*fetch.Response, error) {
	body, ok := p[r.URL]
	if !ok {
		return nil, &fetch.StatusError{URL: r.URL, Code: http.StatusNotFound}
	}
	return &fetch.Response{URL: r.URL, Body: []byte(body), ContentType: "text/html; charset=utf-8"}, nil
}

var fixed = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func TestSourceName(t *testing.T) {
	for _, tc := range []struct {
		src  feed.Source
		link string
		want string
	}{
		{feed.Source{URL: "https://www.theregister.com/headlines.atom"}, "", "theregister_com"},
		{feed.Source{URL: "https://feeds.bbci.co.uk/news/rss.xml"}, "https://www.bbc.co.uk/x", "feeds_bbci_co_uk"},
		{feed.Source{URL: "https://x.example/rss", Name: "Reuters Tech"}, "", "reuters_tech"},
		{feed.Source{}, "https://WWW.News.Example/a", "news_example"},
		{feed.Source{}, "file:///tmp/page.html", "unknown"},
	} {
		if got := SourceName(tc.src, tc.link); got != tc.want {
			t.Errorf("SourceName(%+v, %q) = %q, want %q", tc.src, tc.link, got, tc.want)
		}
	}
}

// A page alone is the article of an item that links to it and says
// nothing else: same id, same text, same everything but the feed fields.
func TestPageIsItsItem(t *testing.T) {
	const link = "https://news.example/2026/cloud-rules?utm_source=rss"
	b := Builder{Pages: pagesOf{link: page}, Now: func() time.Time { return fixed }}
	src := feed.Source{URL: "https://news.example/feed.xml"}
	it := feed.Item{Link: link}
	keys := Keys(src.URL, []feed.Item{it})
	fromItem, err := b.Item(context.Background(), src, &feed.Feed{}, it, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	fromPage, err := b.Page(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	fromBody, err := b.PageBody([]byte(page), "text/html", link)
	if err != nil {
		t.Fatal(err)
	}
	want := *fromItem.Article
	want.FeedURL = ""
	if diff := cmp.Diff(&want, fromPage.Article); diff != "" {
		t.Errorf("page alone differs from its item (-item +page):\n%s", diff)
	}
	if diff := cmp.Diff(fromPage.Article, fromBody.Article); diff != "" {
		t.Errorf("saved page differs from fetched (-fetched +saved):\n%s", diff)
	}
	a := fromItem.Article
	if a.ID != pipeline.ArticleID("url:https://news.example/2026/cloud-rules") || a.Extraction != pipeline.ExtractionPage ||
		a.CanonicalURL != "https://news.example/2026/cloud-rules" || !strings.HasPrefix(a.Text, "The Commerce Department") ||
		a.Title != "Cloud rules" || a.Source != "news_example" {
		t.Errorf("article %+v", a)
	}
}

// The text comes from the page, else the feed's content, else its summary,
// through one converter; a shared link never fetches the page.
func TestItemText(t *testing.T) {
	const link = "https://news.example/a"
	src := feed.Source{URL: "https://news.example/feed.xml"}
	no := false
	tests := []struct {
		name      string
		pages     pagesOf
		src       feed.Source
		item      feed.Item
		shared    bool
		text, via string
		pageErr   bool
	}{
		{"page", pagesOf{link: page}, src, feed.Item{Link: link, Content: "<p>content</p>"}, false, "The Commerce Department", pipeline.ExtractionPage, false},
		{"page missing: content", pagesOf{}, src, feed.Item{Link: link, Content: "<p>Feed <b>content</b> &amp; more.</p><p>Second.</p>", Summary: "s"}, false,
			"Feed content & more.\n\nSecond.", pipeline.ExtractionFeedContent, true},
		{"no content: summary", pagesOf{}, src, feed.Item{Link: link, Summary: "Only a summary."}, false, "Only a summary.", pipeline.ExtractionFeedSummary, true},
		{"pages off", pagesOf{link: page}, feed.Source{URL: src.URL, Pages: &no}, feed.Item{Link: link, Content: "c"}, false, "c", pipeline.ExtractionFeedContent, false},
		{"shared link", pagesOf{link: page}, src, feed.Item{Link: link, Summary: "Own summary."}, true, "Own summary.", pipeline.ExtractionFeedSummary, false},
		{"enclosure link", pagesOf{link: page}, src, feed.Item{Link: link, MediaLink: true, Summary: "Episode notes."}, false, "Episode notes.", pipeline.ExtractionFeedSummary, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Builder{Pages: tt.pages}
			r, err := b.Item(context.Background(), tt.src, nil, tt.item, Key{Key: "url:" + link, Shared: tt.shared})
			if err != nil {
				t.Fatal(err)
			}
			a := r.Article
			if !strings.HasPrefix(a.Text, tt.text) || a.Extraction != tt.via {
				t.Errorf("text %q via %s, want %q via %s", a.Text, a.Extraction, tt.text, tt.via)
			}
			if (r.PageErr != nil) != tt.pageErr {
				t.Errorf("PageErr = %v", r.PageErr)
			}
			if a.ContentHash != pipeline.ContentHash(a.Text) {
				t.Error("content hash not of the text")
			}
		})
	}
}

// Credentials never leave in an article's URLs.
func TestNoCredentials(t *testing.T) {
	const link = "https://user:secret@news.example/a"
	b := Builder{Pages: pagesOf{link: strings.Replace(page, "https://news.example/2026/cloud-rules", "https://me:pw@news.example/c", 1)}}
	r, err := b.Item(context.Background(), feed.Source{URL: "https://bot:token@news.example/feed.xml"}, nil, feed.Item{Link: link}, Key{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(r.Article)
	for _, secret := range []string{"secret", "token", "pw@", "user:", "bot:"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("%q in %s", secret, data)
		}
	}
}

// A text too big for a message is cut at a paragraph to fit, and marked.
func TestFit(t *testing.T) {
	para := strings.Repeat("Huawei Cloud and the Commerce Department <rules> & more. ", 40)
	var text strings.Builder
	for text.Len() < 2_400_000 {
		text.WriteString(para)
		text.WriteString("\n\n")
	}
	body := "<p>" + strings.ReplaceAll(strings.TrimSpace(text.String()), "\n\n", "</p><p>") + "</p>"
	b := Builder{MaxMessage: 1 << 20}
	r, err := b.Item(context.Background(), feed.Source{URL: "https://news.example/f"}, nil,
		feed.Item{Link: "https://news.example/big", Title: "Big", Content: body}, Key{Key: "url:https://news.example/big"})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Article
	data, _ := json.Marshal(a)
	if len(data) > 1<<20 {
		t.Errorf("encoded article is %d bytes, over %d", len(data), 1<<20)
	}
	if len(data) < 1<<20-64<<10 {
		t.Errorf("encoded article is %d bytes: cut far more than needed", len(data))
	}
	if !a.Truncated || a.TextBytes < 2_000_000 || len(a.Text) >= a.TextBytes {
		t.Errorf("truncated %v, text %d of %d bytes", a.Truncated, len(a.Text), a.TextBytes)
	}
	if !strings.HasSuffix(a.Text, "more.") {
		t.Errorf("not cut at a paragraph: ends %q", a.Text[len(a.Text)-20:])
	}
	if a.ContentHash != pipeline.ContentHash(a.Text) {
		t.Error("content hash not of the published text")
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "cut") {
		t.Errorf("notes %q", r.Notes)
	}

	// Nothing to cut: the article cannot be published.
	b.MaxMessage = 300
	_, err = b.Item(context.Background(), feed.Source{URL: "https://news.example/f", Tags: []string{strings.Repeat("t", 400)}}, nil,
		feed.Item{Link: "https://news.example/x", Content: "short"}, Key{Key: "k"})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

// Keys tells apart items that share a link or a GUID by what differs, and
// drops an item listed twice (issue 9 item 2).
func TestKeys(t *testing.T) {
	const feedURL = "https://news.example/feed.xml"
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	items := []feed.Item{
		{Link: "https://news.example/live", Title: "Live: 09:00", Published: day(1)},        // 0: shared link, told apart by title
		{Link: "https://news.example/live", Title: "Live: 10:00", Published: day(1)},        // 1
		{Link: "https://news.example/list#story-1", Title: "One"},                           // 2: fragments
		{Link: "https://news.example/list#story-2", Title: "Two"},                           // 3
		{Link: "https://news.example/own", Title: "Own"},                                    // 4: unique, the plain key
		{GUID: "same", Link: "https://news.example/g1", Title: "G1"},                        // 5: one GUID for all
		{GUID: "same", Link: "https://news.example/g2", Title: "G2"},                        // 6
		{Link: "https://news.example/live", Title: "Live: 09:00", Published: day(1)},        // 7: item 0 again
		{Title: "no link", GUID: "x"},                                                       // 8
		{Link: "https://news.example/same", Title: "Same", Summary: "a", Published: day(2)}, // 9: told apart by text
		{Link: "https://news.example/same", Title: "Same", Summary: "b", Published: day(2)}, // 10
		{GUID: "top-7", Link: "https://news.example/merged", Title: "M", Summary: "m"},      // 11: one story in two sections
		{GUID: "tech-7", Link: "https://news.example/merged", Title: "M", Summary: "m"},     // 12: item 11 again
	}
	keys := Keys(feedURL, items)
	if keys[4].Key != dedup.Key(feedURL, "", items[4].Link) || keys[4].Shared {
		t.Errorf("unique item keyed %+v", keys[4])
	}
	if keys[7].Drop != DropDuplicate || keys[8].Drop != DropNoLink || keys[12].Drop != DropDuplicate {
		t.Errorf("drops: item 7 %+v, item 8 %+v, item 12 %+v", keys[7], keys[8], keys[12])
	}
	if keys[11].Drop != "" || keys[11].Shared {
		// Its twin dropped, its page is its own.
		t.Errorf("item 11 %+v", keys[11])
	}
	seen := map[string]int{}
	for i, k := range keys {
		if k.Drop != "" {
			continue
		}
		if j, dup := seen[k.Key]; dup {
			t.Errorf("items %d and %d share key %q", j, i, k.Key)
		}
		seen[k.Key] = i
	}
	for _, i := range []int{0, 1, 2, 3, 9, 10} {
		if !keys[i].Shared {
			t.Errorf("item %d: link not marked shared", i)
		}
	}
	// The same document on the next poll gives the same keys.
	if diff := cmp.Diff(keys, Keys(feedURL, items)); diff != "" {
		t.Errorf("keys not stable:\n%s", diff)
	}
}

// The builder fetches through fetch's client in the service; this checks
// the interface holds and a real server's page is read.
func TestFetchClientPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1252")
		w.Write([]byte(strings.Replace(page, "familiar", "famili\xe4r", 1)))
	}))
	defer srv.Close()
	c := fetch.New(fetch.Options{Allow: fetch.Loopback})
	b := Builder{Pages: c}
	r, err := b.Page(context.Background(), srv.URL+"/a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Article.Text, "familiär") {
		t.Errorf("text %q", r.Article.Text)
	}
}

// A page of more tags than MaxPageTags is not extracted: the item takes the
// feed's text, and a saved page is refused with the reason.
func TestPageTooComplex(t *testing.T) {
	const link = "https://news.example/tags"
	body := "<html><body>" + strings.Repeat("<p>", MaxPageTags+1) + "</body></html>"
	b := Builder{Pages: pagesOf{link: body}}
	r, err := b.Item(context.Background(), feed.Source{URL: "https://news.example/f"}, nil, feed.Item{Link: link, Summary: "Own summary."}, Key{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(r.PageErr, ErrPageTooComplex) || r.Article.Text != "Own summary." {
		t.Errorf("page error %v, text %q", r.PageErr, r.Article.Text)
	}
	if _, err := b.PageBody([]byte(body), "", link); !errors.Is(err, ErrPageTooComplex) {
		t.Errorf("PageBody err %v", err)
	}
}

// Soft hyphens (a CMS's hyphenation hints) and other invisible format
// characters leave the title and the text, from a page and from a feed:
// left in, "Ali\u00adbaba" is no word the rules or the desk's search know.
func TestInvisiblesDropped(t *testing.T) {
	const link = "https://news.example/shy"
	shy := `<html><head><title>Ali&shy;baba Cloud expands</title></head><body><article>` +
		`<p>Ali&shy;baba Cloud opened a data centre in Mexico, the com&shy;pany said on Tuesday, its third in the region this year.</p>` +
		`<p>The Com&shy;merce Department&#x2060; declined to comment on the expansion, which analysts had expected for months.</p></article></body></html>`
	b := Builder{Pages: pagesOf{link: shy}}
	src := feed.Source{URL: "https://news.example/feed.xml"}
	fromPage, err := b.Item(context.Background(), src, nil, feed.Item{Link: link}, Key{Key: "url:" + link})
	if err != nil {
		t.Fatal(err)
	}
	no := false
	fromFeed, err := b.Item(context.Background(), feed.Source{URL: src.URL, Pages: &no}, nil,
		feed.Item{Link: link, Title: "Ali\u00adbaba Cloud expands", Content: "<p>Ali&shy;baba Cloud opened a data centre.</p>"}, Key{Key: "url:" + link})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*pipeline.Article{fromPage.Article, fromFeed.Article} {
		if a.Title != "Alibaba Cloud expands" || !strings.HasPrefix(a.Text, "Alibaba Cloud opened") || strings.ContainsAny(a.Text, "\u00ad\u2060\ufeff") {
			t.Errorf("%s: title %q, text %q", a.Extraction, a.Title, a.Text)
		}
	}
	if !strings.Contains(fromPage.Article.Text, "The Commerce Department declined") {
		t.Errorf("text %q", fromPage.Article.Text)
	}
}
