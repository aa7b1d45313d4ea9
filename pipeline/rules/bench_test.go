package rules

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

// benchText returns ~5 KB articles made of the extraction benchmark's
// hand-annotated bodies (in the repository, beside the extractor's tests).
func benchText(b *testing.B) []string {
	f, err := os.Open("../extract/testdata/extraction-bench/ground-truth.json.gz")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.NewDecoder(z).Decode(&gt); err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 0, len(gt))
	for k := range gt {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	var cur strings.Builder
	for _, k := range keys {
		if !english(gt[k].ArticleBody) {
			continue
		}
		cur.WriteString(gt[k].ArticleBody)
		cur.WriteString("\n\n")
		if cur.Len() >= 5000 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	return out
}

func BenchmarkTokenize(b *testing.B) {
	texts := benchText(b)
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	b.SetBytes(int64(n / len(texts)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Tokenize(texts[i%len(texts)])
	}
}

func BenchmarkMatchShipped(b *testing.B) {
	texts := benchText(b)
	s, err := LoadDir("../../rules")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	b.SetBytes(int64(n / len(texts)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Match(Doc{Body: texts[i%len(texts)]})
	}
}

// english: the extraction benchmark holds a few Russian and other pages;
// the figures are for English text.
func english(s string) bool {
	high := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			high++
		}
	}
	return high*50 < len(s)
}
