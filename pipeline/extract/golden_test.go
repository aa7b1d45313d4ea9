package extract

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the extractor's output")

// render prints a document the way the golden files hold it: the metadata
// fields, a separator line, then the text.
func (d Document) golden() string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\n", d.Title)
	fmt.Fprintf(&b, "author: %s\n", d.Author)
	fmt.Fprintf(&b, "site: %s\n", d.SiteName)
	fmt.Fprintf(&b, "lang: %s\n", d.Lang)
	fmt.Fprintf(&b, "canonical: %s\n", d.CanonicalURL)
	pub := ""
	if !d.Published.IsZero() {
		pub = d.Published.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "published: %s\n", pub)
	b.WriteString("---\n")
	b.WriteString(d.Text)
	b.WriteString("\n")
	return b.String()
}

// TestGolden extracts each testdata/NAME.html (pages written for these
// tests) as if fetched from https://NAME.example/path/NAME with no
// Content-Type header, and compares with NAME.golden.
func TestGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no golden pages: %v", err)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Extract(body, "", "https://"+name+".example/path/"+name)
			if err != nil {
				t.Fatal(err)
			}
			got := d.golden()
			goldenFile := strings.TrimSuffix(page, ".html") + ".golden"
			if *update {
				if err := os.WriteFile(goldenFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run go test ./pipeline/extract -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", goldenFile, diff)
			}
		})
	}
}

// TestConcurrent runs one Extractor from several goroutines on the golden
// pages (the ingester shares one); go test -race checks the sharing.
func TestConcurrent(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	var bodies [][]byte
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	want := make([]string, len(bodies))
	e := &Extractor{}
	for i, b := range bodies {
		d, err := e.Extract(b, "", "https://example.com/")
		if err != nil {
			t.Fatal(err)
		}
		want[i] = d.golden()
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range bodies {
				i := (k + g) % len(bodies)
				d, err := e.Extract(bodies[i], "", "https://example.com/")
				if err != nil {
					t.Error(err)
					return
				}
				if got := d.golden(); got != want[i] {
					t.Errorf("%s: concurrent result differs", pages[i])
				}
			}
		})
	}
	wg.Wait()
}
