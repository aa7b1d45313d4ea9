package extract

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

const storyPage = `<!DOCTYPE html>
<html lang="en_us"><head>
<title>Agencies weigh cloud rules | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="article:published_time" content="2019-11-18T09:30:00-05:00">
<meta name="author" content="Jane Reporter">
<link rel="canonical" href="/2019/11/cloud-rules">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<main><article>
<h1>Agencies weigh cloud rules</h1>
<div class="byline">By Jane Reporter</div>
<div class="article-body">
<p>The Commerce Department is weighing rules that would limit Chinese cloud providers, officials said on Monday, in a move that would touch several large companies.</p>
<figure><img src="x.jpg"><figcaption>A data centre outside the capital, photographed last year.</figcaption></figure>
<p>Officials consulted U.S. providers, including AWS, Microsoft and Google, about how such limits would work in practice and what they would cost.</p>
<ul><li>First, a registry of foreign providers would be built.</li><li>Second, contracts with listed firms would need a licence.</li></ul>
<p>The White House declined to comment on the timing of any decision, and the FCC did not respond to a request.</p>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this story</a></div>
</div>
<section class="related-articles"><h2>Related Articles</h2><ul>
<li><a href="/a">Another story about clouds that is long enough to matter here</a></li>
<li><a href="/b">A second related story with a long and descriptive headline</a></li></ul></section>
</article></main>
<div id="comments"><p>Great article, thanks for writing this, I learned a lot from it today!</p></div>
<footer><p>Copyright 2019 The Daily Example. All rights reserved. Contact us for licensing.</p></footer>
</body></html>`

func TestExtractStory(t *testing.T) {
	d, err := Extract([]byte(storyPage), "text/html; charset=utf-8", "https://example.com/2019/11/cloud-rules?utm_source=x")
	if err != nil {
		t.Fatal(err)
	}
	wantParas := []string{
		"The Commerce Department is weighing rules",
		"Officials consulted U.S. providers",
		"First, a registry of foreign providers would be built.",
		"Second, contracts with listed firms would need a licence.",
		"The White House declined to comment",
	}
	paras := strings.Split(d.Text, "\n\n")
	if len(paras) != len(wantParas) {
		t.Fatalf("got %d paragraphs, want %d:\n%s", len(paras), len(wantParas), d.Text)
	}
	for i, w := range wantParas {
		if !strings.HasPrefix(paras[i], w) {
			t.Errorf("paragraph %d = %q, want prefix %q", i, paras[i], w)
		}
	}
	for _, bad := range []string{"Agencies weigh", "cookies", "Share on", "Related", "Great article", "Copyright", "data centre", "By Jane"} {
		if strings.Contains(d.Text, bad) {
			t.Errorf("text contains boilerplate %q", bad)
		}
	}
	if d.Title != "Agencies weigh cloud rules" {
		t.Errorf("title = %q", d.Title)
	}
	if d.SiteName != "The Daily Example" || d.Author != "Jane Reporter" || d.Lang != "en-US" {
		t.Errorf("site %q author %q lang %q", d.SiteName, d.Author, d.Lang)
	}
	if want := time.Date(2019, 11, 18, 14, 30, 0, 0, time.UTC); !d.Published.Equal(want) {
		t.Errorf("published = %v, want %v", d.Published, want)
	}
	if d.CanonicalURL != "https://example.com/2019/11/cloud-rules" {
		t.Errorf("canonical = %q", d.CanonicalURL)
	}
}

func TestNotHTML(t *testing.T) {
	cases := []struct {
		name, ctype string
		body        []byte
	}{
		{"pdf declared", "application/pdf", []byte("%PDF-1.4 ...")},
		{"pdf sniffed", "text/html", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj")},
		{"json declared", "application/json", []byte(`{"a":1}`)},
		{"json undeclared", "", []byte(`{"title":"<b>x</b>"}`)},
		{"png", "", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
		{"image declared", "image/jpeg; q=1", []byte("\xff\xd8\xff\xe0")},
		{"rss as xml", "text/xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>`)},
		{"atom undeclared", "", []byte(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`)},
		{"plain text", "text/plain", []byte("just some words, no markup at all")},
		{"zip", "application/octet-stream", []byte("PK\x03\x04\x14\x00\x00\x00")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Extract(c.body, c.ctype, "")
			if !errors.Is(err, ErrNotHTML) {
				t.Fatalf("err = %v, want ErrNotHTML", err)
			}
		})
	}
	// HTML without a declared type, or behind a leading comment, is still HTML.
	for _, c := range []struct{ body, ctype string }{
		{"<p>hello there</p>", ""},
		{"<!-- x --><html><body><p>hi</p></body></html>", ""},
		{`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>hi</p></body></html>`, "application/xhtml+xml"},
		{"words only, but the server says HTML", "text/html; charset=utf-8"},
		{"Some text first\n<div>then markup</div>", "application/octet-stream"},
	} {
		if _, err := Extract([]byte(c.body), c.ctype, ""); err != nil {
			t.Errorf("Extract(%q, %q): %v", c.body, c.ctype, err)
		}
	}
}

func TestTooLarge(t *testing.T) {
	body := []byte("<html><body><p>" + strings.Repeat("word ", 300) + "</p></body></html>")
	e := Extractor{MaxBytes: 1000}
	if _, err := e.Extract(body, "text/html", ""); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	e.MaxBytes = int64(len(body))
	if _, err := e.Extract(body, "text/html", ""); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := Extract(make([]byte, DefaultMaxBytes+1), "text/html", ""); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("default limit: err = %v", err)
	}
}

func TestCharsets(t *testing.T) {
	cases := []struct {
		name string
		enc  encoding.Encoding
		text string
		// how the charset is announced
		header, meta string
	}{
		{"windows-1252 header", charmap.Windows1252, "Café société “quoted” — naïve", "text/html; charset=windows-1252", ""},
		{"iso-8859-1 meta", charmap.ISO8859_1, "Müller & Søn, Straße", "", `<meta charset="iso-8859-1">`},
		{"iso-8859-2 meta", charmap.ISO8859_2, "Zażółć gęślą jaźń, łódź", "", `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">`},
		{"iso-8859-5 header", charmap.ISO8859_5, "Привет, мир облачных услуг", "text/html; charset=ISO-8859-5", ""},
		{"gbk meta", simplifiedchinese.GBK, "华为云和阿里云正在扩大市场份额", "", `<meta charset="gbk">`},
		{"gb18030 header", simplifiedchinese.GB18030, "腾讯云宣布新的数据中心计划", "text/html; charset=gb18030", ""},
		{"big5 meta", traditionalchinese.Big5, "雲端服務供應商的新規則", "", `<meta charset="big5">`},
		{"shift_jis header", japanese.ShiftJIS, "クラウドサービスの新しい規則について", "text/html; charset=Shift_JIS", ""},
		{"euc-kr meta", korean.EUCKR, "클라우드 서비스 제공업체에 대한 새로운 규칙", "", `<meta charset="euc-kr">`},
		{"utf-8 declared latin1", nil, "Grüße aus Köln — “cloud”", "text/html; charset=iso-8859-1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html><head>" + c.meta + "<title>t</title></head><body><article><p>" + c.text + "</p></article></body></html>"
			body := []byte(page)
			if c.enc != nil {
				var err error
				body, err = c.enc.NewEncoder().Bytes(body)
				if err != nil {
					t.Fatal(err)
				}
			}
			d, err := Extract(body, c.header, "")
			if err != nil {
				t.Fatal(err)
			}
			if d.Text != c.text {
				t.Errorf("text = %q, want %q", d.Text, c.text)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	cases := []struct{ page, base, want string }{
		{`<link rel="canonical" href="https://a.example/x">`, "https://b.example/y", "https://a.example/x"},
		{`<link rel="canonical" href="../x?id=1">`, "https://b.example/news/y/z", "https://b.example/news/x?id=1"},
		{`<meta property="og:url" content="/story">`, "https://b.example/y", "https://b.example/story"},
		{`<link rel="canonical" href="/relative">`, "", ""},
		{``, "https://b.example/y", ""},
	}
	for _, c := range cases {
		d, err := Extract([]byte("<html><head>"+c.page+"</head><body><p>x</p></body></html>"), "text/html", c.base)
		if err != nil {
			t.Fatal(err)
		}
		if d.CanonicalURL != c.want {
			t.Errorf("%s on %s: canonical = %q, want %q", c.page, c.base, d.CanonicalURL, c.want)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("<html><body>")
	for range 20000 {
		b.WriteString("<div><span>")
	}
	b.WriteString("<p>deep text here that is long enough to count as a paragraph</p>")
	start := time.Now()
	d, err := Extract(b.Bytes(), "text/html", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, "deep text here") {
		t.Errorf("text = %q, want the deep paragraph", d.Text)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("deep nesting took %v", el)
	}
}

// TestCharsetSniffing decodes legacy pages that declare nothing, or declare
// their charset after the first kilobyte, from the bytes themselves.
func TestCharsetSniffing(t *testing.T) {
	cases := []struct {
		name string
		enc  encoding.Encoding
		text string
	}{
		{"gbk", simplifiedchinese.GBK, "中国的云计算市场正在快速发展，这个行业的公司们都在扩大他们的数据中心。我们认为这是一个重要的变化。"},
		{"big5", traditionalchinese.Big5, "台灣的雲端服務市場正在快速發展，這個行業的公司們都在擴大他們的資料中心。我們認為這是一個重要的變化。"},
		{"shift_jis", japanese.ShiftJIS, "日本のクラウド市場は急速に成長しており、多くの会社がデータセンターを拡大しています。これは大きな変化です。"},
		{"euc-kr", korean.EUCKR, "한국의 클라우드 시장은 빠르게 성장하고 있으며 많은 회사들이 데이터 센터를 확장하고 있습니다. 이것은 큰 변화입니다."},
		{"windows-1252", charmap.Windows1252, "Le marché du cloud grandit vite : les hébergeurs agrandissent leurs centres de données, dit-on à Genève."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html><head><title>t</title></head><body><article><p>" + c.text + "</p></article></body></html>"
			body, err := c.enc.NewEncoder().Bytes([]byte(page))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Extract(body, "text/html", "")
			if err != nil {
				t.Fatal(err)
			}
			if d.Text != c.text {
				t.Errorf("text = %q, want %q", d.Text, c.text)
			}
		})
	}
	t.Run("late meta", func(t *testing.T) {
		text := "Příliš žluťoučký kůň úpěl ďábelské ódy. Zażółć gęślą jaźń, łódź i żółw."
		page := "<html><head><script>" + strings.Repeat("var x = 1;\n", 200) + "</script>" +
			`<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"></head><body><p>` + text + "</p></body></html>"
		body, err := charmap.ISO8859_2.NewEncoder().Bytes([]byte(page))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Extract(body, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Text != text {
			t.Errorf("text = %q, want %q", d.Text, text)
		}
	})
}

// TestPathological feeds half a megabyte of hostile markup of each kind; a
// quadratic step anywhere would take minutes here, linear work well under a
// second.
func TestPathological(t *testing.T) {
	const size = 512 << 10
	cases := map[string]string{
		"nested tables":        "<table><tr><td>",
		"unclosed formatting":  "<b><i><u><font>x",
		"misnested formatting": "<b><p>x</b>y</p>",
		"nested links":         "<a href=/x><div>",
		"teaser cards":         `<div class="c"><a href="/a">headline words</a> blurb</div>`,
		"many attributes":      `<div class="a b c" id="x" data-a="1" data-b="2" style="display:block" hidden>`,
		"long text":            "word ",
		"br soup":              "text<br>",
		"script soup":          "<script>var a = '<p>';</script><style>p{}</style>",
	}
	for name, unit := range cases {
		t.Run(name, func(t *testing.T) {
			page := "<html><body>" + strings.Repeat(unit, size/len(unit)) + "<p>The end of the page, long enough to count.</p>"
			start := time.Now()
			if _, err := Extract([]byte(page), "text/html", "https://example.com/a"); err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > time.Minute {
				t.Errorf("took %v", el)
			}
		})
	}
}
