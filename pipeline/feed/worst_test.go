package feed

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// adversarial returns documents of about size bytes built to be slow or
// awkward to parse: parse time must grow with size only.
func adversarial(size int) map[string][]byte {
	fill := func(head, unit, tail string) []byte {
		n := (size - len(head) - len(tail)) / len(unit)
		return []byte(head + strings.Repeat(unit, n) + tail)
	}
	return map[string][]byte{
		"many items":         fill(`<rss version="2.0"><channel><title>t</title>`, `<item><title>x &amp; y</title><link>/a</link><guid>g</guid><pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate></item>`, `</channel></rss>`),
		"deep nesting":       fill(`<rss version="2.0"><channel><title>t</title><item><description>`, `<a>`, ``),
		"entities":           fill(`<rss version="2.0"><channel><title>`, `&eacute;&nbsp;&bogus;&`, `</title></channel></rss>`),
		"unclosed items":     fill(`<rss version="2.0"><channel>`, `<item><title>x</title>`, ``),
		"attributes":         fill(`<rss version="2.0"><channel><item a0="1"`, ` a="1"`, `/></channel></rss>`),
		"json items":         fill(`{"version":"https://jsonfeed.org/version/1.1","items":[`, `{"id":1,"title":"x","url":"/a"},`, `{"id":"2","title":false}]}`),
		"json deep":          fill(`{"version":"https://jsonfeed.org/version/1","items":[{"x":`, `[`, ``),
		"undeclared latin-1": fill(`<rss version="2.0"><channel><title>`, "caf\xe9 ", `</title></channel></rss>`),
		"open comment":       fill(`<rss version="2.0"><channel><!--`, `-`, ``),
		// gofeed parses HTML content to resolve links against xml:base.
		"html under xml:base": fill(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://ex.example/"><title>t</title><entry><id>1</id><title>x</title><content type="html" xml:base="/a/">`,
			"&lt;table&gt;&lt;tr&gt;&lt;td&gt;&lt;b&gt;&lt;a href='x'&gt;", `</content></entry></feed>`),
		"unfinished start tags": fill(`<rss version="2.0"><channel><item>`, `<description `, `></item></channel></rss>`),
		"many categories":       fill(`<rss version="2.0"><channel><item>`, `<category>c</category>`, `</item></channel></rss>`),
	}
}

func TestParseAdversarial(t *testing.T) {
	docs := adversarial(256 << 10)
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			f, err := Parse(docs[name], "", "https://feeds.example.net/f")
			if took := time.Since(start); took > perFile {
				t.Errorf("took %v, over %v", took, perFile)
			}
			if (f == nil) == (err == nil) {
				t.Fatalf("feed %v, error %v", f != nil, err)
			}
			switch name {
			case "many items":
				if n := strings.Count(string(docs[name]), "<item>"); err != nil || len(f.Items) != n {
					t.Errorf("items: %v, want %d (%v)", f, n, err)
				}
			case "unclosed items", "deep nesting", "open comment":
				// Cut off inside an element: read with a warning.
				if err != nil || len(f.Warnings) == 0 {
					t.Errorf("want a repaired feed with a warning, got %v", err)
				}
			}
		})
	}
}

func TestParseMaxItems(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>t</title>`)
	for i := range MaxItems + 10 {
		fmt.Fprintf(&b, "<item><title>%d</title></item>", i)
	}
	b.WriteString(`</channel></rss>`)
	f, err := Parse([]byte(b.String()), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != MaxItems || f.Items[MaxItems-1].Title != fmt.Sprint(MaxItems-1) || len(f.Warnings) != 1 {
		t.Errorf("%d items, warnings %q: want the first %d with a warning", len(f.Items), f.Warnings, MaxItems)
	}
	var j strings.Builder
	j.WriteString(`{"version":"https://jsonfeed.org/version/1.1","items":[`)
	for i := range MaxItems + 10 {
		fmt.Fprintf(&j, `{"id":"%d","title":"%d"},`, i, i)
	}
	j.WriteString(`{"id":"last"}]}`)
	f, err = Parse([]byte(j.String()), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != MaxItems || f.Items[MaxItems-1].Title != fmt.Sprint(MaxItems-1) || len(f.Warnings) != 1 {
		t.Errorf("JSON Feed: %d items, warnings %q: want the first %d with a warning", len(f.Items), f.Warnings, MaxItems)
	}
}

// BenchmarkParse measures Parse on real feeds and on documents near MaxBody
// built to be slow; docs/benchmarks.md (feed) has the figures.
func BenchmarkParse(b *testing.B) {
	type doc struct {
		name string
		body []byte
	}
	var docs []doc
	for _, rel := range []string{"realworld/rss-parser/giantbomb-podcast.rss", "realworld/netnewswire/DaringFireball.atom",
		"realworld/netnewswire/DaringFireball.json", "realworld/miniflux/no_encoding_ISO-8859-1.xml"} {
		body, err := os.ReadFile(filepath.Join(corpus, rel))
		if err == nil {
			docs = append(docs, doc{filepath.Base(rel), body})
		}
	}
	adv := adversarial(MaxBody - 1)
	names := make([]string, 0, len(adv))
	for name := range adv {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		docs = append(docs, doc{"10MB " + name, adv[name]})
	}
	for _, d := range docs {
		b.Run(strings.ReplaceAll(d.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(d.body)))
			start := cpuTime()
			for b.Loop() {
				Parse(d.body, "", "https://feeds.example.net/f")
			}
			b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// The documents of issue 9 item 7 and the worst within the limits: read
// within MaxDepth and MaxElements, the items before a limit kept, a
// document that passes one before its first item refused, and each parse
// in a bounded memory (the figures: bench/memory, docs/benchmarks.md).
func TestParseWithinLimits(t *testing.T) {
	const size = 1 << 20
	fill := func(head, unit, tail string) []byte {
		return []byte(head + strings.Repeat(unit, (size-len(head)-len(tail))/len(unit)) + tail)
	}
	items := func(n int, extra string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "<item><title>%d</title><link>https://x.example/%d</link>%s</item>", i, i, extra)
		}
		return b.String()
	}
	deep := strings.Repeat("<a:n>", MaxDepth) + strings.Repeat("</a:n>", MaxDepth)
	tests := []struct {
		name  string
		doc   []byte
		items int    // items kept; -1 refused
		warn  string // a part of the warning
	}{
		{"nested namespaced elements in the first item",
			fill(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title><item><title>x</title>`, `<a:b>`, `</item></channel></rss>`), 0, "nests elements deeper than 64"},
		{"unclosed tags before any item", fill(`<rss version="2.0"><channel><title>t</title>`, `<p>`, ``), -1, ""},
		{"items, then nesting past the limit",
			[]byte(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title>` + items(3, "") + `<item><title>deep</title>` + deep + `</item>` + items(2, "") + `</channel></rss>`),
			3, "kept the first 3 items: the document nests elements deeper than 64"},
		{"nesting at the limit is read",
			[]byte(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title>` + items(2, strings.Repeat("<a:n>", MaxDepth-4)+strings.Repeat("</a:n>", MaxDepth-4)) + `</channel></rss>`),
			2, ""},
		{"too many elements", []byte(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title>` + items(3000, strings.Repeat(`<a:e k="v"/>`, 20)) + `</channel></rss>`),
			MaxElements / 43, "more than 80000 elements"}, // 43 an item: item, title, link, 20 elements of one attribute
		{"a million attributes", fill(`<rss version="2.0"><channel><title>t</title><item a0="1"`, ` a="1"`, `/></channel></rss>`), 0, "more than 80000 elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.doc, "", "https://feeds.example.net/f")
			if tt.items < 0 {
				if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "before its first item") {
					t.Fatalf("err = %v, want ErrTooLarge naming the limit", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != tt.items {
				t.Errorf("%d items, want %d", len(f.Items), tt.items)
			}
			w := strings.Join(f.Warnings, "; ")
			if tt.warn != "" && (!strings.Contains(w, tt.warn) || !f.ItemsCut) {
				t.Errorf("warnings %q (cut %v), want %q", w, f.ItemsCut, tt.warn)
			}
			if tt.warn == "" && f.ItemsCut {
				t.Errorf("cut: %q", w)
			}
		})
	}
}
