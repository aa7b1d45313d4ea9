package feed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

const rss2 = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>  Example   News </title>
  <link>https://news.example.com/</link>
  <language>en-gb</language>
  <ttl>30</ttl>
  <skipHours><hour>1</hour><hour>2</hour><hour>24</hour><hour>x</hour></skipHours>
  <item>
    <title>Cloud rules weighed</title>
    <link>/2024/cloud-rules</link>
    <guid isPermaLink="false">story-1</guid>
    <description>&lt;p&gt;Officials weigh rules.&lt;/p&gt;</description>
    <pubDate>Tue, 10 Sep 2024 14:05:00 +0200</pubDate>
    <dc:creator>A. Reporter</dc:creator>
    <category>Policy</category><category>Cloud</category><category>Policy</category>
  </item>
  <item>
    <title>No link, permalink guid</title>
    <guid>https://news.example.com/2024/guid-only</guid>
    <pubDate>not a date</pubDate>
  </item>
  <item>
    <title>Script link</title>
    <link>javascript:alert(1)</link>
  </item>
</channel>
</rss>`

func TestParseRSS(t *testing.T) {
	f, err := Parse([]byte(rss2), "application/rss+xml", "https://news.example.com/feeds/all.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Feed{
		Title: "Example News", Link: "https://news.example.com/", Lang: "en-GB",
		TTL: 30 * time.Minute, SkipHours: []int{1, 2, 0},
		Format: "rss", Encoding: "utf-8",
		Items: []Item{
			{
				GUID: "story-1", Link: "https://news.example.com/2024/cloud-rules", Title: "Cloud rules weighed",
				Summary: "<p>Officials weigh rules.</p>", Author: "A. Reporter",
				Published:  time.Date(2024, 9, 10, 12, 5, 0, 0, time.UTC),
				Categories: []string{"Policy", "Cloud"},
			},
			{GUID: "https://news.example.com/2024/guid-only", Link: "https://news.example.com/2024/guid-only", Title: "No link, permalink guid"},
			{Title: "Script link"},
		},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if loc := f.Items[0].Published.Location(); loc != time.UTC {
		t.Errorf("Published in %v, want UTC", loc)
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name, body, format string
		want               Item
	}{
		{"rss 0.91", `<?xml version="1.0" encoding="ISO-8859-1"?><rss version="0.91"><channel><title>T</title><link>http://ex.example/</link>
			<item><title>Caf` + "\xe9" + `</title><link>http://ex.example/a</link><description>d</description></item></channel></rss>`,
			"rss", Item{Title: "Café", Link: "http://ex.example/a", Summary: "d"}},
		{"rss 1.0", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
			<channel rdf:about="http://ex.example/"><title>T</title><link>http://ex.example/</link></channel>
			<item rdf:about="http://ex.example/b"><title>B</title><link>http://ex.example/b</link><dc:date>2024-01-02T03:04:05</dc:date></item></rdf:RDF>`,
			"rss", Item{Title: "B", Link: "http://ex.example/b", Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"atom 1.0", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><link href="http://ex.example/"/>
			<entry><id>tag:ex.example,2024:1</id><title type="html">A &amp;amp; B</title><link rel="alternate" href="/c"/>
			<updated>2024-03-04T05:06:07Z</updated><published>2024-03-01T00:00:00-05:00</published>
			<author><name>Ann</name></author><summary>s</summary><content type="html">&lt;b&gt;c&lt;/b&gt;</content>
			<category term="x"/></entry></feed>`,
			"atom", Item{GUID: "tag:ex.example,2024:1", Title: "A & B", Link: "http://ex.example/c", Summary: "s", Content: "<b>c</b>",
				Author: "Ann", Published: time.Date(2024, 3, 1, 5, 0, 0, 0, time.UTC), Categories: []string{"x"}}},
		{"feedburner origLink", `<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>T</title>
			<item><title>F</title><link>http://feedproxy.google.com/~r/Ex/~3/abc/</link><feedburner:origLink>https://ex.example/2011/story/</feedburner:origLink></item></channel></rss>`,
			"rss", Item{Title: "F", Link: "https://ex.example/2011/story/"}},
		{"atom, author inherited from the feed", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><author><name>Feed Writer</name></author>
			<entry><id>e2</id><title>Inherit</title><link href="http://ex.example/i"/><updated>2024-03-04T05:06:07Z</updated></entry></feed>`,
			"atom", Item{GUID: "e2", Title: "Inherit", Link: "http://ex.example/i", Author: "Feed Writer", Published: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)}},
		{"atom 0.3", `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
			<entry><id>e1</id><title>Old</title><link rel="alternate" type="text/html" href="http://ex.example/d"/><issued>2004-06-02T19:07:55-04:00</issued></entry></feed>`,
			"atom", Item{GUID: "e1", Title: "Old", Link: "http://ex.example/d", Published: time.Date(2004, 6, 2, 23, 7, 55, 0, time.UTC)}},
		{"json feed 1.1", `{"version":"https://jsonfeed.org/version/1.1","title":"T","home_page_url":"https://ex.example/",
			"items":[{"id":7,"url":"/e","title":"J","content_html":"<p>h</p>","summary":"s","date_published":"2024-05-06T07:08:09+01:00",
			"authors":[{"name":"Jo"}],"tags":["t1"]}]}`,
			"json", Item{GUID: "7", Title: "J", Link: "https://ex.example/e", Summary: "s", Content: "<p>h</p>", Author: "Jo",
				Published: time.Date(2024, 5, 6, 6, 8, 9, 0, time.UTC), Categories: []string{"t1"}}},
		{"rss in json", `{"rss":{"version":"2.0","channel":{"title":"S","link":"http://ex.example/","item":[
			{"title":"R <i>&</i>","link":"http://ex.example/r","guid":"g1","pubDate":"Mon, 26 Jun 2017 12:20:05 GMT","category":["x","y"],"description":"d"}]}}}`,
			"rss", Item{GUID: "g1", Title: "R &", Link: "http://ex.example/r", Summary: "d",
				Published: time.Date(2017, 6, 26, 12, 20, 5, 0, time.UTC), Categories: []string{"x", "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.body), "", "")
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != tt.format {
				t.Errorf("Format = %q, want %q", f.Format, tt.format)
			}
			if len(f.Items) != 1 {
				t.Fatalf("%d items, want 1", len(f.Items))
			}
			if diff := cmp.Diff(tt.want, f.Items[0]); diff != "" {
				t.Errorf("item (-want +got):\n%s", diff)
			}
		})
	}
}

// encode returns s in enc, optionally with a byte order mark.
func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseEncodings(t *testing.T) {
	const title = "Łódź – Zürich, żółć „cytat”"
	doc := func(decl string) string {
		return decl + "<rss version=\"2.0\"><channel><title>" + title + "</title><item><title>" + title + "</title></item></channel></rss>"
	}
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	win1250 := charmap.Windows1250
	tests := []struct {
		name        string
		body        []byte
		contentType string
		encoding    string
		title       string
	}{
		{"utf-8", []byte(doc(`<?xml version="1.0" encoding="utf-8"?>`)), "", "utf-8", title},
		{"utf-8 bom", append([]byte("\xEF\xBB\xBF"), doc(`<?xml version="1.0"?>`)...), "", "utf-8", title},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, encode(t, utf16le, doc(`<?xml version="1.0" encoding="utf-16"?>`))...), "", "utf-16le", title},
		{"utf-16be bom", append([]byte{0xFE, 0xFF}, encode(t, utf16be, doc(`<?xml version="1.0" encoding="utf-16"?>`))...), "", "utf-16be", title},
		{"utf-16le no bom", encode(t, utf16le, doc(`<?xml version="1.0" encoding="utf-16le"?>`)), "", "utf-16le", title},
		{"utf-16be no bom no decl", encode(t, utf16be, doc("")), "", "utf-16be", title},
		{"utf-32be bom", append([]byte{0, 0, 0xFE, 0xFF}, encode(t, utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), doc(`<?xml version="1.0" encoding="utf-32"?>`))...), "", "utf-32be", title},
		{"utf-32le no bom", encode(t, utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), doc(`<?xml version="1.0"?>`)), "", "utf-32le", title},
		{"utf-16 declared over http but utf-8 bytes", []byte(doc(`<?xml version="1.0" encoding="utf-16"?>`)), "text/xml; charset=utf-16", "utf-8", title},
		{"windows-1250 declared", encode(t, win1250, doc(`<?xml version="1.0" encoding="windows-1250"?>`)), "", "windows-1250", title},
		{"windows-1250 from http charset, no declaration", encode(t, win1250, doc("")), "application/xml; charset=\"windows-1250\"", "windows-1250", title},
		{"http charset wins over declaration", encode(t, win1250, doc(`<?xml version="1.0" encoding="iso-8859-2"?>`)), "text/xml;charset = windows-1250;", "windows-1250", title},
		{"http says utf-8, bytes and declaration say windows-1250", encode(t, win1250, doc(`<?xml version='1.0' encoding='windows-1250'?>`)), "text/xml; charset=utf-8", "windows-1250", title},
		{"valid utf-8 wins over false declaration", []byte(doc(`<?xml version="1.0" encoding="iso-8859-1"?>`)), "", "utf-8", title},
		{"valid utf-8 wins over false http charset", []byte(doc("")), "text/xml; charset=windows-1252", "utf-8", title},
		{"bogus label, utf-8 bytes", []byte(doc(`<?xml version="1.0" encoding="bogus-8"?>`)), "", "utf-8", title},
		{"undeclared latin-1", []byte("<rss><channel><title>Caf\xe9 cr\xe8me \x93quoted\x94</title></channel></rss>"), "", "windows-1252", "Café crème “quoted”"},
		{"shift_jis declared", encode(t, japanese.ShiftJIS, `<?xml version="1.0" encoding="Shift_JIS"?><rss><channel><title>日本語のニュース</title></channel></rss>`), "", "shift_jis", "日本語のニュース"},
		{"whitespace before declaration", []byte("\n\n  " + doc(`<?xml version="1.0" encoding="utf-8"?>`)), "", "utf-8", title},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.body, tt.contentType, "")
			if err != nil {
				t.Fatal(err)
			}
			if f.Encoding != tt.encoding {
				t.Errorf("Encoding = %q, want %q", f.Encoding, tt.encoding)
			}
			if f.Title != tt.title {
				t.Errorf("Title = %q, want %q", f.Title, tt.title)
			}
			if len(f.Items) > 0 && f.Items[0].Title != tt.title {
				t.Errorf("item Title = %q, want %q", f.Items[0].Title, tt.title)
			}
		})
	}
}

func TestParseStrayBytes(t *testing.T) {
	// UTF-8 with one Windows-1252 byte pasted in, under a label that
	// would garble the rest.
	body := "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>Łódź – Zürich, żółć „cytat” — caf\xe9 crème \x93ok\x94</title></channel></rss>"
	f, err := Parse([]byte(body), "text/xml; charset=iso-8859-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Łódź – Zürich, żółć „cytat” — café crème “ok”"; f.Title != want || f.Encoding != "utf-8" {
		t.Errorf("Title %q in %s, want %q in utf-8", f.Title, f.Encoding, want)
	}
}

func TestParseEntities(t *testing.T) {
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>Caf&eacute;&nbsp;News &hellip; &amp; more &bogus; AT&T</title>
<item><title>&ldquo;Quoted&rdquo; &#8212; &#x2014; &#146;s</title>
<description><![CDATA[<p>Keep &nbsp; as written</p>]]></description>
<!-- &eacute; in a comment -->
<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">&lt;p&gt;caf&eacute;&lt;/p&gt;</content:encoded>
</item></channel></rss>`
	f, err := Parse([]byte(body), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Café News … & more &bogus; AT&T"; f.Title != want {
		t.Errorf("Title = %q, want %q", f.Title, want)
	}
	it := f.Items[0]
	if want := "“Quoted” — — ’s"; it.Title != want {
		t.Errorf("item Title = %q, want %q", it.Title, want)
	}
	if want := "<p>Keep &nbsp; as written</p>"; it.Summary != want {
		t.Errorf("Summary = %q, want %q (CDATA is not XML-decoded)", it.Summary, want)
	}
	if want := "<p>café</p>"; it.Content != want {
		t.Errorf("Content = %q, want %q", it.Content, want)
	}
}

func TestParseNotFeed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("<html><body>hi</body></html>"))
	zw.Close()
	tests := []struct {
		name, body, reason string
	}{
		{"html page", "<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>hi</body></html>", "HTML page"},
		{"html without doctype, uppercase", "<HTML><BODY>hi", "HTML page"},
		{"opml", `<?xml version="1.0"?><opml version="2.0"><body><outline xmlUrl="https://ex.example/f"/></body></opml>`, "OPML"},
		{"other xml", `<?xml version="1.0"?><note><to>x</to></note>`, "root <note>"},
		{"empty", "", "empty"},
		{"white space", " \n\t ", "empty"},
		{"plain text", "Hello, this is not a feed", "starts with"},
		{"json array", `[{"title":"x"}]`, "JSON array"},
		{"json object", `{"status":"ok","data":[1,2]}`, "JSON"},
		{"bad json", `{"version": "https://jsonfeed.org/version/1", `, "json"},
		{"gzipped html", gz.String(), "HTML page"},
		{"only a comment", "<!-- nothing -->", "no XML root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.body), "", "https://ex.example/feed")
			if err == nil {
				t.Fatalf("parsed as a feed with %d items", len(f.Items))
			}
			if f != nil {
				t.Error("feed returned with an error")
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %q", err, tt.reason)
			}
			if tt.name != "bad json" && !errors.Is(err, ErrNotFeed) {
				t.Errorf("error %q is not ErrNotFeed", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	body := make([]byte, MaxBody+1)
	copy(body, "<rss>")
	if _, err := Parse(body, "", ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse of %d bytes: %v, want ErrTooLarge", len(body), err)
	}
	// A small gzip bomb is refused by its decompressed size.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("<rss><channel>"))
	zw.Write(make([]byte, MaxBody))
	zw.Close()
	if _, err := Parse(gz.Bytes(), "", ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("gzip bomb of %d bytes: %v, want ErrTooLarge", gz.Len(), err)
	}
}

func TestParseRecovers(t *testing.T) {
	t.Run("truncated", func(t *testing.T) {
		body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://ex.example/1</link></item>
<item><title>Two</title><link>http://ex.example/2</link></item>
<item><title>Three</title><link>http://ex.example/3</link><description>cut off in the mid`
		f, err := Parse([]byte(body), "", "")
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, it := range f.Items {
			titles = append(titles, it.Title)
		}
		if diff := cmp.Diff([]string{"One", "Two"}, titles); diff != "" {
			t.Errorf("items (-want +got):\n%s", diff)
		}
		if len(f.Warnings) == 0 {
			t.Error("no warning about the repair")
		}
	})
	t.Run("atom entry document", func(t *testing.T) {
		body := `<?xml version="1.0" encoding="utf-8"?>
<entry xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>Lone</title><link href="http://ex.example/lone"/><updated>2024-01-01T00:00:00Z</updated></entry>`
		f, err := Parse([]byte(body), "application/atom+xml;type=entry", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 1 || f.Items[0].Title != "Lone" || f.Items[0].Link != "http://ex.example/lone" {
			t.Errorf("items = %+v", f.Items)
		}
	})
	t.Run("json feed wrong types", func(t *testing.T) {
		body := `{"version":"https://jsonfeed.org/version/1.1","title":"T","expired":"no","authors":{"not":"a list"},
"items":[{"id":1,"url":"https://ex.example/1","title":"Kept","content_text":"text","date_published":"2024-01-02T03:04:05Z","attachments":[{"url":"a","size_in_bytes":{}}]},
{"id":"2","url":42,"title":["no"],"content_html":true,"external_url":"https://ex.example/ext","tags":["a",3,"b"]},
"not an object"]}`
		f, err := Parse([]byte(body), "application/feed+json", "")
		if err != nil {
			t.Fatal(err)
		}
		want := []Item{
			{GUID: "1", Link: "https://ex.example/1", Title: "Kept", Content: "text", Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
			{GUID: "2", Link: "https://ex.example/ext", Categories: []string{"a", "b"}},
		}
		if diff := cmp.Diff(want, f.Items); diff != "" {
			t.Errorf("items (-want +got):\n%s", diff)
		}
		if f.Title != "T" || len(f.Warnings) == 0 {
			t.Errorf("Title %q, Warnings %q", f.Title, f.Warnings)
		}
	})
	t.Run("gzip without content-encoding", func(t *testing.T) {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(rss2))
		zw.Close()
		f, err := Parse(gz.Bytes(), "", "https://news.example.com/feed")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 3 {
			t.Errorf("%d items, want 3", len(f.Items))
		}
	})
	t.Run("junk before the feed", func(t *testing.T) {
		for _, junk := range []string{
			"<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/feed.php</b> on line <b>12</b><br />\n",
			"Deprecated: function x() is deprecated in /srv/rss.php on line 3\n",
		} {
			f, err := Parse([]byte(junk+rss2), "", "https://news.example.com/feed")
			if err != nil {
				t.Fatalf("%q: %v", junk, err)
			}
			if len(f.Items) != 3 || len(f.Warnings) == 0 {
				t.Errorf("%q: %d items, warnings %q", junk, len(f.Items), f.Warnings)
			}
		}
	})
	t.Run("control characters", func(t *testing.T) {
		f, err := Parse([]byte("<rss><channel><title>Bell\x07 and\x00 null</title></channel></rss>"), "", "")
		if err != nil {
			t.Fatal(err)
		}
		if f.Title != "Bell and null" {
			t.Errorf("Title = %q", f.Title)
		}
	})
}

func TestParseLinks(t *testing.T) {
	body := `<rss version="2.0" xml:base="https://base.example/dir/"><channel><title>T</title><link>https://site.example/</link>
<item><title>a</title><link>rel/a</link></item>
<item xml:base="https://other.example/x/"><title>b</title><link>b</link></item>
<item><title>c</title><link> https://abs.example/c </link></item>
<item><title>d</title><link>https://abs.example/d?id=1&amp;amp;page=2</link></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "https://feeds.example/rss")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range f.Items {
		got = append(got, it.Link)
	}
	want := []string{"https://base.example/dir/rel/a", "https://other.example/x/b", "https://abs.example/c",
		"https://abs.example/d?id=1&page=2", // an ampersand escaped twice
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}

	// A host without its scheme is not a path under the feed's.
	body = `<rss version="2.0"><channel><title>T</title><item><title>e</title><link>www.abs.example/e</link></item></channel></rss>`
	if f, err := Parse([]byte(body), "", "https://feeds.example/x/rss"); err != nil || f.Items[0].Link != "https://www.abs.example/e" {
		t.Errorf("scheme-less link: %v, %v", f, err)
	}

	// Without xml:base, relative links resolve against the feed's URL;
	// without a usable feed URL, against the channel link.
	body = `<rss version="2.0"><channel><title>T</title><link>https://site.example/news/</link><item><title>a</title><link>a.html</link></item></channel></rss>`
	for feedURL, want := range map[string]string{
		"https://feeds.example/x/rss": "https://feeds.example/x/a.html",
		"":                            "https://site.example/news/a.html",
		"not a url":                   "https://site.example/news/a.html",
	} {
		f, err := Parse([]byte(body), "", feedURL)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Items[0].Link; got != want {
			t.Errorf("feed URL %q: link %q, want %q", feedURL, got, want)
		}
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct {
		date string
		want time.Time
	}{
		{"Mon, 02 Jan 2006 15:04:05 GMT", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"Mon, 02 Jan 2006 15:04:05 -0700", time.Date(2006, 1, 2, 22, 4, 5, 0, time.UTC)},
		{"Mon, 2 Jan 2006 15:04:05 EST", time.Date(2006, 1, 2, 20, 4, 5, 0, time.UTC)},
		{"2006-01-02T15:04:05Z", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"2006-01-02 15:04:05", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)}, // no zone: read as UTC
		{"02 Jan 2006", time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"mer, 16 nov 2022 00:38:15 +0100", time.Date(2022, 11, 15, 23, 38, 15, 0, time.UTC)},
		{"Di, 03 Dez 2024 08:00:00 +0100", time.Date(2024, 12, 3, 7, 0, 0, 0, time.UTC)},
		// Tuesday in French, Italian and Spanish is spelled as March.
		{"mar, 15 nov 2022 00:38:15 +0100", time.Date(2022, 11, 14, 23, 38, 15, 0, time.UTC)},
		{"mar., 15 nov. 2022 08:00:00 +0100", time.Date(2022, 11, 15, 7, 0, 0, 0, time.UTC)},
		{"Mar 15 2022", time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)},
		// Custom formats of sites' own feed templates.
		{"May 1st, 2024", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"Wed, 01 May 2024 10:00 PM EST", time.Date(2024, 5, 2, 3, 0, 0, 0, time.UTC)},
		{"Wednesday, May 1, 2024 - 12:30 AM", time.Date(2024, 5, 1, 0, 30, 0, 0, time.UTC)},
		{"2024-05-01T10:00:00.000+02", time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)},
		{"2024-05-01T10:00:00 +02:00", time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)},
		{"01.05.2024", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)},
		{"mardi 3 décembre 2024 08:00", time.Date(2024, 12, 3, 8, 0, 0, 0, time.UTC)},
		{"2017-06-13T03:18:00+00:0", time.Date(2017, 6, 13, 3, 18, 0, 0, time.UTC)},
		// JavaScript's Date.toString, as some feed generators print it.
		{"Sat Oct 06 2018 00:00:00 GMT", time.Date(2018, 10, 6, 0, 0, 0, 0, time.UTC)},
		{"Sat Oct 06 2018 09:30:00 GMT+0200 (Central European Summer Time)", time.Date(2018, 10, 6, 7, 30, 0, 0, time.UTC)},
		{"Sat Oct 06 2018 09:30:00 GMT-0500 (CDT)", time.Date(2018, 10, 6, 14, 30, 0, 0, time.UTC)},
		// Zone abbreviations time.Parse does not know: read as UTC by
		// gofeed, hours off.
		{"Mon, 02 Jan 2006 15:04:05 JST", time.Date(2006, 1, 2, 6, 4, 5, 0, time.UTC)},
		{"Mon, 02 Jan 2006 15:04:05 IST", time.Date(2006, 1, 2, 9, 34, 5, 0, time.UTC)},
		{"Mon, 02 Jan 2006 15:04:05 AEST", time.Date(2006, 1, 2, 5, 4, 5, 0, time.UTC)},
		{"Mon, 02 Jan 2006 15:04:05 MSK", time.Date(2006, 1, 2, 12, 4, 5, 0, time.UTC)},
		{"Mon, 02 Jan 2006 15:04:05 GMT+8", time.Date(2006, 1, 2, 7, 4, 5, 0, time.UTC)},
		{"Mon Jan 02 15:04:05 KST 2006", time.Date(2006, 1, 2, 6, 4, 5, 0, time.UTC)},
		{"2006-01-02T15:04", time.Date(2006, 1, 2, 15, 4, 0, 0, time.UTC)},
		{"2024年5月28日 10:30", time.Date(2024, 5, 28, 10, 30, 0, 0, time.UTC)},
		// Cases of feedparser's tests/test_date_parsers.py (BSD-2-Clause,
		// testdata/feeds/feedparser/LICENSE), with its expected instants.
		{"Thu, 30 Apr 2015 08:57:00 MET", time.Date(2015, 4, 30, 7, 57, 0, 0, time.UTC)},
		{"Thu, 30 Apr 2015 08:57:00 MEST", time.Date(2015, 4, 30, 6, 57, 0, 0, time.UTC)},
		{"Wed, 19 Aug 2009 18:28:00 Etc/GMT", time.Date(2009, 8, 19, 18, 28, 0, 0, time.UTC)},
		{"Wed, 19 Feb 2012 22:40:00 GMT-01:01", time.Date(2012, 2, 19, 23, 41, 0, 0, time.UTC)},
		{"Mon, 26 January 2004 16:31:00 ET", time.Date(2004, 1, 26, 21, 31, 0, 0, time.UTC)},
		{"Mon, 26 January 2004 16:31:00 PT", time.Date(2004, 1, 27, 0, 31, 0, 0, time.UTC)},
		{"Fri, 2006/09/15 08:19:53 EDT", time.Date(2006, 9, 15, 12, 19, 53, 0, time.UTC)},
		{"2004-07-08 23:56:58 -00:20", time.Date(2004, 7, 9, 0, 16, 58, 0, time.UTC)},
		{"2003-12", time.Date(2003, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"Κυρ, 11 Ιούλ 2004 12:00:00 EST", time.Date(2004, 7, 11, 17, 0, 0, 0, time.UTC)},
		{"Sun Jan  4 16:29:06 2004", time.Date(2004, 1, 4, 16, 29, 6, 0, time.UTC)},
		{"Sun, 16 Dec 2012 11:47:32 +00:zz", time.Time{}},
		{"Sun, 99 Jun 2009 12:00:00 GMT", time.Time{}},
		{"2003-12-31T25:14:55Z", time.Time{}},
		{"yesterday-ish", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		for _, body := range []string{
			`<rss version="2.0"><channel><title>T</title><item><title>x</title><pubDate>` + tt.date + `</pubDate></item></channel></rss>`,
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>x</title><updated>` + tt.date + `</updated></entry></feed>`,
		} {
			f, err := Parse([]byte(body), "", "")
			if err != nil {
				t.Fatalf("%q: %v", tt.date, err)
			}
			got := f.Items[0].Published
			if !got.Equal(tt.want) {
				t.Errorf("%s date %q: %v, want %v", f.Format, tt.date, got, tt.want)
			}
			if !got.IsZero() && got.Location() != time.UTC {
				t.Errorf("%s date %q: in %v, want UTC", f.Format, tt.date, got.Location())
			}
		}
	}
}

func TestParseDuplicateGUIDs(t *testing.T) {
	body := `<rss version="2.0"><channel><title>T</title>
<item><guid>same</guid><title>first</title></item><item><guid>same</guid><title>second</title></item><item><title>no guid, no link</title></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "")
	if err != nil {
		t.Fatal(err)
	}
	// Parse reports what the feed says; deciding which copy counts is the
	// dedup key's job downstream.
	if len(f.Items) != 3 || f.Items[0].GUID != "same" || f.Items[1].GUID != "same" || f.Items[2].GUID != "" {
		t.Errorf("items = %+v", f.Items)
	}
}

func TestParseConcurrent(t *testing.T) {
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := Parse([]byte(rss2), "", "https://news.example.com/")
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestParseIllegalCharacters(t *testing.T) {
	// Characters XML forbids, as bytes or as references, would end the
	// document where they stand; they are dropped instead.
	for _, c := range []string{"\uFFFE", "\uFFFF", "\x0b", "\x1b", "\x00", "&#1;", "&#0;", "&#xFFFF;", "&#x1F;", "&#1114112;"} {
		body := `<rss version="2.0"><channel><title>t</title><item><title>a` + c + `b</title></item><item><title>second</title></item></channel></rss>`
		f, err := Parse([]byte(body), "", "")
		if err != nil {
			t.Errorf("%q: %v", c, err)
			continue
		}
		if len(f.Items) != 2 || f.Items[0].Title != "ab" || len(f.Warnings) != 0 {
			t.Errorf("%q: items %+v, warnings %q", c, f.Items, f.Warnings)
		}
	}
}

func TestParseStrayLessThan(t *testing.T) {
	// A '<' that starts no tag, unescaped in text, would end the document;
	// it is read as the character it is.
	for _, c := range []string{"a < b", "a <= b", "<3 love", "5<6", "trailing <"} {
		body := `<rss version="2.0"><channel><title>t</title><item><title>first</title><description>` + c + `</description></item><item><title>second</title></item></channel></rss>`
		f, err := Parse([]byte(body), "", "")
		if err != nil {
			t.Errorf("%q: %v", c, err)
			continue
		}
		if len(f.Items) != 2 || f.Items[0].Summary != c || len(f.Warnings) != 0 {
			t.Errorf("%q: items %+v, warnings %q", c, f.Items, f.Warnings)
		}
	}
	// Markup, CDATA and comments are untouched.
	body := `<rss version="2.0"><channel><title>t</title><item><title>x</title><description><![CDATA[<p>1 < 2</p>]]></description><!-- a < b --></item></channel></rss>`
	f, err := Parse([]byte(body), "", "")
	if err != nil || len(f.Items) != 1 || f.Items[0].Summary != "<p>1 < 2</p>" {
		t.Errorf("CDATA: %+v, %v", f, err)
	}
}

func TestParseRawHTML(t *testing.T) {
	// HTML pasted unescaped into RSS: each item keeps its markup as
	// written, and the items after it survive.
	tests := []struct{ in, want string }{
		{"line<br>break", "line<br>break"},
		{"<p>unclosed", "<p>unclosed"},
		{"<b>bold</i>", "<b>bold</i>"},
		{"x <img src=a.png> y", "x <img src=a.png> y"},
		{"<p>1 < 2 &amp; 3</p>", "<p>1 &lt; 2 &amp; 3</p>"},
		{"<p>a]]>b</p>", "<p>a]]>b</p>"},
		{"&lt;p&gt;escaped, as RSS asks&lt;/p&gt;", "<p>escaped, as RSS asks</p>"},
		{"<![CDATA[<p>already</p>]]>", "<p>already</p>"},
	}
	for _, tt := range tests {
		for _, el := range []string{"description", "content:encoded"} {
			body := `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><item><title>first</title><` +
				el + `>` + tt.in + `</` + el + `></item><item><title>second</title></item></channel></rss>`
			f, err := Parse([]byte(body), "", "")
			if err != nil {
				t.Errorf("%s %q: %v", el, tt.in, err)
				continue
			}
			if len(f.Items) != 2 {
				t.Errorf("%s %q: %d items, want 2", el, tt.in, len(f.Items))
				continue
			}
			got := f.Items[0].Summary
			if el == "content:encoded" {
				got = f.Items[0].Content
			}
			if got != tt.want {
				t.Errorf("%s %q: got %q, want %q", el, tt.in, got, tt.want)
			}
		}
	}
}

func TestParseRawHTMLAtom(t *testing.T) {
	tests := []struct{ el, want string }{
		{`<content type="html">line<br>break</content>`, "line<br>break"},
		{`<content type="html"><b>bold</i></content>`, "<b>bold</i>"},
		{`<summary>x <img src=a.png> y</summary>`, "x <img src=a.png> y"},
		// XHTML content is XML and stays so.
		{`<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>ok</p></div></content>`, "<p>ok</p>"},
	}
	for _, tt := range tests {
		body := `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id><title>first</title>` + tt.el +
			`</entry><entry><id>2</id><title>second</title></entry></feed>`
		f, err := Parse([]byte(body), "", "")
		if err != nil {
			t.Errorf("%s: %v", tt.el, err)
			continue
		}
		if len(f.Items) != 2 || f.Items[0].Summary+f.Items[0].Content != tt.want {
			t.Errorf("%s: items %+v, want 2 with %q", tt.el, f.Items, tt.want)
		}
	}
}

// A no-break space decoded as Latin-1 ("Â\u00a0") at the end of a title
// leaves a stray "Â" once the space is trimmed (issue 9 item 6).
func TestParseStrayA(t *testing.T) {
	for _, tt := range []struct{ title, want string }{
		{"Cloud rules \u00c2\u00a0", "Cloud rules"},
		{"Cloud rules\u00c2\u00a0", "Cloud rules"},
		{"Price 2024\u00c2", "Price 2024"},
		{"Cloud\u00c2\u00a0rules", "Cloud\u00a0rules"}, // inside: the pair is repaired
		{"MAÂ", "MAÂ"}, // an upper-case word may end so
	} {
		body := `<rss version="2.0"><channel><title>T</title><item><title>` + tt.title + `</title></item></channel></rss>`
		f, err := Parse([]byte(body), "text/xml; charset=utf-8", "")
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Items[0].Title; got != strings.Join(strings.Fields(tt.want), " ") && got != tt.want {
			t.Errorf("title %q read as %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestParseNestedCDATA(t *testing.T) {
	// A generator wrapped content that had its own CDATA (an inline
	// script's, a pasted snippet's) in CDATA again: XML ends the outer
	// section early and the document breaks there.
	body := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><title><![CDATA[Cloud <![CDATA[outage]]> report]]></title><link>https://ex.com/1</link>
<content:encoded><![CDATA[<p>Before the script.</p><script type="text/javascript">//<![CDATA[
var x = 1;
//]]></script><p>After &amp; the script.</p>]]></content:encoded></item>
<item><title>Second</title><link>https://ex.com/2</link></item>
<item><title>Third</title><link>https://ex.com/3</link><description><![CDATA[Shows the text ]]]]><![CDATA[> in code]]></description></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "https://ex.com/feed")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 3 {
		t.Fatalf("%d items, want 3; warnings %q", len(f.Items), f.Warnings)
	}
	want(t, "Title", f.Items[0].Title, "Cloud outage report")
	if c := f.Items[0].Content; !strings.Contains(c, "Before the script.") || !strings.Contains(c, "After &amp; the script.") {
		t.Errorf("Content = %q", c)
	}
	want(t, "Title", f.Items[1].Title, "Second")
	// A "]]>" escaped as XML asks is no nesting and stays as written.
	want(t, "Summary", f.Items[2].Summary, "Shows the text ]]> in code")
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "CDATA") {
		t.Errorf("warnings %q, want one about nested CDATA", f.Warnings)
	}
}

func TestParseTitleScript(t *testing.T) {
	body := `<rss version="2.0"><channel><title>T</title>
<item><title>Cloud &lt;script&gt;track()&lt;/script&gt;deal &lt;style&gt;b{}&lt;/style&gt;signed</title><link>https://ex.com/1</link></item></channel></rss>`
	f, err := Parse([]byte(body), "", "")
	if err != nil {
		t.Fatal(err)
	}
	want(t, "Title", item(t, f, 0).Title, "Cloud deal signed")
}

func TestParseItemExtensions(t *testing.T) {
	// Items that give their page, title or description only in another
	// namespace's elements.
	body := `<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
<item><title>Atom link only</title><atom:link rel="replies" href="https://ex.com/1/comments"/><atom:link href="/1"/></item>
<item><link>https://ex.com/2</link><media:group><media:title>Video title</media:title><media:description>What the video shows.</media:description></media:group></item>
<item><link>https://ex.com/3</link><title>Own title</title><description>Own text</description><media:title>Other title</media:title><media:description>Other text</media:description></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "https://ex.com/feed")
	if err != nil {
		t.Fatal(err)
	}
	want(t, "Link", item(t, f, 0).Link, "https://ex.com/1")
	want(t, "Title", item(t, f, 1).Title, "Video title")
	want(t, "Summary", item(t, f, 1).Summary, "What the video shows.")
	want(t, "Title", item(t, f, 2).Title, "Own title")
	want(t, "Summary", item(t, f, 2).Summary, "Own text")
}

func TestParseLanguage(t *testing.T) {
	for lang, want := range map[string]string{
		"en-us": "en-US", "en_US": "en-US", "IT-it": "it-IT", "de": "de", "zh-Hant-TW": "zh-Hant-TW",
		" fr-FR, en ": "fr-FR", "English": "", "": "",
	} {
		body := `<rss version="2.0"><channel><title>T</title><language>` + lang + `</language></channel></rss>`
		f, err := Parse([]byte(body), "", "")
		if err != nil {
			t.Fatal(err)
		}
		if f.Lang != want {
			t.Errorf("language %q: Lang %q, want %q", lang, f.Lang, want)
		}
	}
}

func TestParseEnclosureLink(t *testing.T) {
	// A podcast or video item without a page: its enclosure is its link,
	// marked so that nobody fetches it as a page. A page link wins.
	body := `<rss version="2.0"><channel><title>T</title>
<item><title>Episode 1</title><description>Cloud policy, discussed.</description><guid isPermaLink="false">ep1</guid><enclosure url="/media/ep1.mp3" type="audio/mpeg" length="1"/></item>
<item><title>Episode 2</title><link>https://ex.com/ep2</link><enclosure url="https://ex.com/media/ep2.mp3" type="audio/mpeg" length="1"/></item>
<item><title>Episode 3</title><enclosure url="mailto:x@ex.com" type="audio/mpeg"/></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "https://ex.com/podcast.xml")
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, f, 0); it.Link != "https://ex.com/media/ep1.mp3" || !it.MediaLink {
		t.Errorf("item 1: link %q, media %v", it.Link, it.MediaLink)
	}
	if it := item(t, f, 1); it.Link != "https://ex.com/ep2" || it.MediaLink {
		t.Errorf("item 2: link %q, media %v", it.Link, it.MediaLink)
	}
	if it := item(t, f, 2); it.Link != "" {
		t.Errorf("item 3: link %q, want none", it.Link)
	}
}

func TestParseDoubleEscaped(t *testing.T) {
	// HTML escaped twice reached readers as "<p>" and "&amp;" in the text.
	body := `<rss version="2.0"><channel><title>T</title>
<item><title>&amp;lt;b&amp;gt;Cloud&amp;lt;/b&amp;gt; &amp;lt;i&amp;gt;deal&amp;lt;/i&amp;gt;</title><link>https://ex.com/1</link><description>&amp;lt;p&amp;gt;Alibaba Cloud &amp;amp;amp; partners&amp;lt;/p&amp;gt;</description></item>
<item><title>CDATA</title><link>https://ex.com/2</link><description><![CDATA[&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;]]></description></item>
<item><title>One tag shown as text</title><link>https://ex.com/3</link><description>Use the &amp;lt;p&amp;gt; element &amp;amp; more</description></item>
</channel></rss>`
	f, err := Parse([]byte(body), "", "")
	if err != nil {
		t.Fatal(err)
	}
	want(t, "Title", item(t, f, 0).Title, "Cloud deal")
	want(t, "Summary", item(t, f, 0).Summary, "<p>Alibaba Cloud &amp; partners</p>")
	want(t, "Summary", item(t, f, 1).Summary, "<p>Hello <b>world</b></p>")
	want(t, "Summary", item(t, f, 2).Summary, "Use the &lt;p&gt; element &amp; more")
}

func TestParseAtomHTMLAlternate(t *testing.T) {
	// Alternates in several formats: the page is the HTML one, whatever
	// the order; relative hrefs resolve against xml:base.
	body := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.ex.gov/dir/"><title>T</title>
<entry><title>Report</title><id>1</id><link rel="alternate" type="application/pdf" href="docs/report.pdf"/><link rel="alternate" type="text/html" href="news/report"/></entry>
<entry><title>Plain</title><id>2</id><link rel="alternate" type="text/html" href="/news/plain"/><link rel="alternate" type="application/pdf" href="/docs/plain.pdf"/></entry>
<entry><title>PDF only</title><id>3</id><link rel="alternate" type="application/pdf" href="/docs/only.pdf"/></entry>
</feed>`
	f, err := Parse([]byte(body), "", "https://ex.gov/feed.atom")
	if err != nil {
		t.Fatal(err)
	}
	want(t, "Link", item(t, f, 0).Link, "https://www.ex.gov/dir/news/report")
	want(t, "Link", item(t, f, 1).Link, "https://www.ex.gov/news/plain")
	want(t, "Link", item(t, f, 2).Link, "https://www.ex.gov/docs/only.pdf")
}
