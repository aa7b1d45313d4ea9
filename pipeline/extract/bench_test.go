package extract

import (
	"path/filepath"
	"testing"

	"newsmon/pipeline/extract/extracttest"
)

// datasets are the extraction benchmarks kept in testdata (see their
// README files), with the quality each must keep.
var datasets = []struct {
	name  string
	minF1 float64
}{
	{"extraction-bench", 0.985},
	{"extraction-readability", 0.960}, // issue 10's bar
}

func loadDataset(tb testing.TB, name string) *extracttest.Dataset {
	tb.Helper()
	ds, err := extracttest.Load(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// BenchmarkExtractPages extracts every extraction-bench page once per
// iteration; go run ./bench/extract compares the figure with other
// extractors.
func BenchmarkExtractPages(b *testing.B) {
	ds := loadDataset(b, "extraction-bench")
	var n int64
	for _, p := range ds.Pages {
		n += int64(len(p.HTML))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range ds.Pages {
			if _, err := Extract(p.HTML, "text/html", "https://example.com/"); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(ds.Pages))/b.Elapsed().Seconds(), "pages/s")
}

// TestBenchQuality is the extraction quality gate: F1 on each dataset in
// testdata, by the benchmark's metric (extracttest.ScoreTexts). The full
// comparison with other extractors is go run -C bench/extract .
func TestBenchQuality(t *testing.T) {
	for _, c := range datasets {
		t.Run(c.name, func(t *testing.T) {
			ds := loadDataset(t, c.name)
			want, got := make([]string, len(ds.Pages)), make([]string, len(ds.Pages))
			for i, p := range ds.Pages {
				d, err := Extract(p.HTML, "text/html", p.URL)
				if err != nil {
					t.Errorf("%s: %v", p.ID, err)
				}
				want[i], got[i] = p.Want, d.Text
			}
			s := extracttest.ScoreTexts(want, got)
			t.Logf("%s: precision %.4f recall %.4f F1 %.4f over %d pages, %d empty", c.name, s.Precision, s.Recall, s.F1, s.Pages, s.Empty)
			if s.F1 < c.minF1 {
				t.Errorf("F1 %.4f below the gate %.3f", s.F1, c.minF1)
			}
		})
	}
}
