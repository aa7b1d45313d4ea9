package extract

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// benchDir is extraction-bench beside the repository (see its README).
var benchDir = filepath.Join("..", "..", "..", "shared", "data", "extraction-bench")

// loadBench returns the benchmark pages, or skips when they are absent.
func loadBench(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(benchDir, "html", "*.html.gz"))
	if len(files) == 0 {
		tb.Skipf("no benchmark pages in %s", benchDir)
	}
	pages := map[string][]byte{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		z, err := gzip.NewReader(fh)
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(z)
		fh.Close()
		if err != nil {
			tb.Fatal(err)
		}
		pages[filepath.Base(f)] = b
	}
	return pages
}

// BenchmarkExtractPages extracts every benchmark page once per iteration;
// go run ./bench/extract compares the figure with other extractors.
func BenchmarkExtractPages(b *testing.B) {
	pages := loadBench(b)
	var n int64
	for _, p := range pages {
		n += int64(len(p))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			if _, err := Extract(p, "text/html", "https://example.com/"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}

// TestBenchQuality guards the extraction quality on extraction-bench with
// the benchmark's metric (shingles of 4 tokens, precision and recall averaged
// over pages); go run ./bench/extract prints the full comparison.
func TestBenchQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	pages := loadBench(t)
	raw, err := os.ReadFile(filepath.Join(benchDir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt map[string]struct {
		Body string `json:"articleBody"`
		URL  string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		t.Fatal(err)
	}
	var sumP, sumR float64
	var nP, nR int
	for id, g := range gt {
		body, ok := pages[id+".html.gz"]
		if !ok {
			t.Fatalf("page %s missing", id)
		}
		d, err := Extract(body, "text/html", g.URL)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		want, got := shingles(g.Body), shingles(d.Text)
		tp, nw, ng := 0, 0, 0
		for s, c := range got {
			tp += min(c, want[s])
			ng += c
		}
		for _, c := range want {
			nw += c
		}
		if ng > 0 {
			sumP += float64(tp) / float64(ng)
			nP++
		}
		if nw > 0 {
			sumR += float64(tp) / float64(nw)
			nR++
		}
	}
	p, r := sumP/float64(max(nP, 1)), sumR/float64(max(nR, 1))
	f1 := 2 * p * r / (p + r)
	t.Logf("extraction-bench: precision %.4f recall %.4f F1 %.4f over %d pages", p, r, f1, len(gt))
	if f1 < 0.975 || p < 0.96 || r < 0.97 {
		t.Errorf("quality below the goal (F1 0.975, precision 0.96, recall 0.97)")
	}
}

func shingles(s string) map[string]int {
	toks := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_' })
	out := map[string]int{}
	switch {
	case len(toks) == 0:
	case len(toks) < 4:
		out[strings.Join(toks, " ")]++
	default:
		for i := 0; i+4 <= len(toks); i++ {
			out[strings.Join(toks[i:i+4], " ")]++
		}
	}
	return out
}
