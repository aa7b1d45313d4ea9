package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzExtract(f *testing.F) {
	f.Add([]byte(storyPage), "text/html")
	f.Add([]byte("<html><body><p>x</p>"), "")
	f.Add([]byte("<table><tr><td><p>a<td>b</table><ul><li>c<li>d"), "text/html; charset=gbk")
	f.Add([]byte(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"h","author":[{"name":"a"}],"datePublished":"2019-01-02"}</script>`), "")
	f.Add([]byte("<meta charset=shift_jis><p>\x82\xa0\x82\xa2</p>"), "")
	f.Add([]byte(strings.Repeat("<div><b>", 300)+"<p>deep"), "text/html")
	f.Add([]byte("%PDF-1.4"), "application/pdf")
	f.Add([]byte("<html><head><meta charset=big5></head><body><table><tr><td>\xa4\xa4<td><p>x</table>"), "")
	// The golden pages: realistic structure for the mutator to work on.
	pages, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, p := range pages {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "text/html")
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		e := Extractor{MaxBytes: 1 << 16}
		d, err := e.Extract(body, ctype, "https://example.com/a/b")
		if err != nil {
			return
		}
		for _, s := range []string{d.Text, d.Title, d.Author, d.SiteName, d.Lang, d.CanonicalURL} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in output %q", s)
			}
		}
		if strings.Contains(d.Text, "\n\n\n") {
			t.Fatalf("text has an empty paragraph: %q", d.Text)
		}
	})
}

func FuzzFragmentText(f *testing.F) {
	for _, s := range []string{
		"plain text\n\nsecond", "<p>One &amp; two.</p><p>Three<br>four</p>", "<div>x<script>y</script>",
		strings.Repeat("<div><b>", 300) + "deep", "<table><tr><td>a<td>b</table>", "&#0;&amp",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1<<16 {
			return
		}
		out := FragmentText(in)
		if strings.Contains(out, "\n\n\n") || out != strings.TrimSpace(out) {
			t.Fatalf("badly separated paragraphs: %q", out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 in output %q", out)
		}
	})
}
