package extract

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
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
