package fulltext

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"sort"
	"testing"
)

func benchTexts(b *testing.B) []string {
	f, err := os.Open("../../extract/testdata/extraction-bench/ground-truth.json.gz")
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	gz, _ := gzip.NewReader(f)
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	json.NewDecoder(gz).Decode(&gt)
	var bodies []string
	for _, v := range gt {
		if len(v.ArticleBody) > 500 {
			bodies = append(bodies, v.ArticleBody)
		}
	}
	sort.Strings(bodies)
	out := make([]string, 1000)
	for i := range out {
		t := ""
		for j := i; len(t) < 5000; j++ {
			t += bodies[j%len(bodies)] + "\n\n"
		}
		out[i] = t[:5000]
	}
	return out
}

func BenchmarkTokenize(b *testing.B) {
	texts := benchTexts(b)
	b.SetBytes(5000)
	n := 0
	for i := 0; b.Loop(); i++ {
		tokenize(texts[i%len(texts)], func(t []byte, _, _ int) { n++ })
	}
}

func BenchmarkBuild(b *testing.B) {
	texts := benchTexts(b)
	b.SetBytes(5000 * int64(len(texts)))
	bl := newBuilder()
	for b.Loop() {
		for i, t := range texts {
			bl.add(int64(i), 0, "A title here", t)
		}
		bl.lists()
		bl.reset()
	}
}
