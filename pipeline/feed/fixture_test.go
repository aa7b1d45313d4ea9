package feed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFixtures checks corpus documents where feedparser's and the other
// projects' expectations are simple to state: decoding, repairs, links.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, f *Feed)
	}{
		{"feedparser/encoding/utf-16le.xml", func(t *testing.T, f *Feed) {
			want(t, "Encoding", f.Encoding, "utf-16le")
			want(t, "Format", f.Format, "rss")
		}},
		{"feedparser/encoding/utf-16be-bom.xml", func(t *testing.T, f *Feed) { want(t, "Encoding", f.Encoding, "utf-16be") }},
		{"feedparser/encoding/utf-32be-autodetect.xml", func(t *testing.T, f *Feed) { want(t, "Encoding", f.Encoding, "utf-32be") }},
		{"feedparser/encoding/euc-kr.xml", func(t *testing.T, f *Feed) {
			want(t, "Encoding", f.Encoding, "euc-kr")
			want(t, "Title", f.Title, "\ub144")
		}},
		{"feedparser/encoding/http_text_xml_charset_2.xml", func(t *testing.T, f *Feed) {
			want(t, "Encoding", f.Encoding, "windows-1252")
			want(t, "Summary", item(t, f, 0).Summary, "This is a \u00a3\u201ctest.\u201d")
		}},
		{"feedparser/encoding/demoronize-1.xml", func(t *testing.T, f *Feed) {
			want(t, "Summary", item(t, f, 0).Summary, "don\u2019t")
		}},
		{"feedparser/illformed/chardet/koi8r.xml", func(t *testing.T, f *Feed) {
			want(t, "Encoding", f.Encoding, "koi8-r")
			want(t, "Title", item(t, f, 0).Title, "Как пережить новогоднюю ночь")
		}},
		{"realworld/miniflux/no_encoding_ISO-8859-1.xml", func(t *testing.T, f *Feed) {
			want(t, "Encoding", f.Encoding, "windows-1252")
			it := item(t, f, 0)
			want(t, "Title", it.Title, "Perturbateurs endocriniens : quels effets sur le cerveau ?")
			if !strings.Contains(it.Summary, "études montrent") {
				t.Errorf("Summary %q lacks its accents", it.Summary)
			}
			want(t, "Link", it.Link, "https://le-cercle-psy.scienceshumaines.com/perturbateurs-endocriniens-quels-effets-sur-le-cerveau_sh_39995")
		}},
		{"realworld/miniflux/invalid-prolog.xml", func(t *testing.T, f *Feed) {
			want(t, "Encoding", f.Encoding, "utf-8")
			want(t, "Title", f.Title, "테스트 피드")
			want(t, "item Title", item(t, f, 0).Title, "Café")
		}},
		{"realworld/reader/invalid.json", func(t *testing.T, f *Feed) {
			want(t, "Format", f.Format, "json")
			if len(f.Items) != 8 || len(f.Warnings) == 0 {
				t.Fatalf("%d items, warnings %q; want all 8 items, read leniently", len(f.Items), f.Warnings)
			}
			want(t, "GUID", f.Items[0].GUID, "2")
			want(t, "GUID", f.Items[1].GUID, "3.1415")
			want(t, "Title", f.Items[1].Title, "float id")
			want(t, "Author", f.Items[7].Author, "Jane") // after an author that is not an object
		}},
		{"realworld/node-feedparser/rss-with-item-scoped-html-base.xml", func(t *testing.T, f *Feed) {
			want(t, "Link", item(t, f, 0).Link, "https://example.com/first/first")
			want(t, "Link", item(t, f, 1).Link, "https://feeds.example.net/second") // against the feed's URL
		}},
		{"realworld/feed-rs/atom_xml_base.xml", func(t *testing.T, f *Feed) {
			it := item(t, f, 0)
			want(t, "Link", it.Link, "https://numi.st/post/2022/travel-uke")
			if !strings.Contains(it.Content, `src="https://numi.st/post/2022/travel-uke/IMG_1232.jpeg"`) {
				t.Errorf("Content %q: image not resolved against xml:base", it.Content)
			}
		}},
		{"realworld/feed-rs/atom_entry_1.xml", func(t *testing.T, f *Feed) {
			it := item(t, f, 0)
			want(t, "Title", it.Title, "Specifications")
			want(t, "Author", it.Author, "S. A. Khuba")
			if !it.Published.Equal(time.Date(2009, 8, 31, 18, 55, 12, 569e6, time.UTC)) {
				t.Errorf("Published = %v", it.Published)
			}
		}},
		{"realworld/feedjira/a10.xml", func(t *testing.T, f *Feed) {
			// .NET's SyndicationFeed links RSS items with an Atom link
			// under its own prefix, a10.
			if len(f.Items) != 5 {
				t.Fatalf("%d items, want 5", len(f.Items))
			}
			want(t, "Link", f.Items[0].Link, "http://www.example.com/5")
			want(t, "Author", f.Items[0].Author, "John Doe")
		}},
		{"realworld/newsboat/multiple_item_links.atom", func(t *testing.T, f *Feed) {
			// Alternates as Gemini, HTML and Gopher: the HTML one is the page.
			want(t, "Link", item(t, f, 0).Link, "http://www.test.org/tests")
		}},
		{"realworld/feedjira/youtube_atom.xml", func(t *testing.T, f *Feed) {
			// YouTube describes its videos in media:group alone.
			if s := item(t, f, 0).Summary; !strings.HasPrefix(s, "A question is the most powerful force") {
				t.Errorf("Summary = %q", s)
			}
		}},
		{"realworld/feed-rs/rss_2.0_invalid_1.xml", func(t *testing.T, f *Feed) {
			want(t, "Title", f.Title, "Reuters: Most Read Articles")
			if len(f.Warnings) == 0 {
				t.Error("truncated document parsed without a warning")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(corpus, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(body, contentTypeOf(body), "https://feeds.example.net/"+filepath.Base(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, f)
		})
	}
}

func want(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func item(t *testing.T, f *Feed, i int) Item {
	t.Helper()
	if i >= len(f.Items) {
		t.Fatalf("%d items, want more than %d", len(f.Items), i)
	}
	return f.Items[i]
}

// fuzzSeeds are corpus documents that start the fuzzer on each decoding and
// repair path: UTF-16/32, legacy charsets, entities, xml:base, truncation,
// Atom entry documents, JSON with wrong-typed fields.
var fuzzSeeds = []string{
	"feedparser/encoding/utf-16le.xml", "feedparser/encoding/utf-32be-autodetect.xml",
	"feedparser/encoding/euc-kr.xml", "feedparser/encoding/http_text_xml_charset_2.xml",
	"feedparser/illformed/chardet/koi8r.xml", "realworld/miniflux/no_encoding_ISO-8859-1.xml",
	"realworld/miniflux/invalid-prolog.xml", "realworld/reader/invalid.json",
	"realworld/node-feedparser/rss-with-item-scoped-html-base.xml", "realworld/feed-rs/atom_xml_base.xml",
	"realworld/feed-rs/atom_entry_1.xml", "realworld/feed-rs/rss_2.0_invalid_1.xml",
}

func FuzzParse(f *testing.F) {
	for _, rel := range fuzzSeeds {
		body, err := os.ReadFile(filepath.Join(corpus, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, contentTypeOf(body))
	}
	f.Add([]byte(rss2), "application/rss+xml; charset=utf-8")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":1,"title":"x"}]}`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		start := time.Now()
		fd, err := Parse(body, contentType, "https://feeds.example.net/f")
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Parse took %v on %d bytes", d, len(body))
		}
		if (fd == nil) == (err == nil) {
			t.Fatalf("feed %v and error %v: want exactly one", fd != nil, err)
		}
		if err != nil {
			return
		}
		for _, it := range fd.Items {
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Errorf("link %q is not absolute http(s)", it.Link)
			}
			if !it.Published.IsZero() && it.Published.Location() != time.UTC {
				t.Errorf("Published %v not in UTC", it.Published)
			}
		}
	})
}
