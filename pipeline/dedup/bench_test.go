package dedup

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// corpus is the real-world part of the feed corpus (testdata/feeds at the
// module root).
const corpus = "../../testdata/feeds/realworld"

var (
	// bodyRe finds the text-bearing elements of RSS and Atom items.
	bodyRe = regexp.MustCompile(`(?s)<(description|content:encoded|content|summary)\b[^>]*>(.*?)</(?:description|content:encoded|content|summary)>`)
	tagRe  = regexp.MustCompile(`(?s)<[^>]*>`)
)

// corpusTexts returns the item texts of the corpus feeds with at least
// minWords words, as plain text, each once. It reads the XML crudely with
// regular expressions: dedup may not import package feed.
func corpusTexts(tb testing.TB, minWords int) []string {
	files, _ := filepath.Glob(filepath.Join(corpus, "*", "*"))
	if len(files) == 0 {
		tb.Fatalf("feed corpus missing at %s", corpus)
	}
	seen := map[string]bool{}
	var out []string
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data[:min(len(data), 512)]), "<") {
			continue
		}
		for _, m := range bodyRe.FindAllStringSubmatch(string(data), -1) {
			s := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m[2]), "<![CDATA["), "]]>")
			s = html.UnescapeString(s) // escaped HTML becomes HTML
			s = html.UnescapeString(tagRe.ReplaceAllString(s, " "))
			s = strings.Join(strings.Fields(s), " ")
			if len(strings.Fields(s)) < minWords || seen[s] {
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// jaccard is the Jaccard similarity of the three-word shingle sets of two
// texts: the ground truth of "near-identical" for the benchmark.
func jaccard(a, b string) float64 {
	set := func(s string) map[[3]uint64]bool {
		var w []uint64
		eachWord(s, func(h uint64, _ bool) { w = append(w, h) })
		m := map[[3]uint64]bool{}
		for i := 0; i+3 <= len(w); i++ {
			m[[3]uint64(w[i:i+3])] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	inter := 0
	for k := range sa {
		if sb[k] {
			inter++
		}
	}
	if u := len(sa) + len(sb) - inter; u > 0 {
		return float64(inter) / float64(u)
	}
	return 0
}

const (
	benchFooter   = " Copyright Example Wire Service. All rights reserved. This material may not be published, broadcast, rewritten or redistributed."
	benchSentence = "The spokesperson declined to comment further when reached by telephone on Tuesday"
)

// replaceMiddle replaces the middle sentence of s.
func replaceMiddle(s string) (string, bool) {
	sents := strings.Split(s, ". ")
	if len(sents) < 4 {
		return "", false
	}
	sents[len(sents)/2] = benchSentence
	return strings.Join(sents, ". "), true
}

// BenchmarkNearDuplicates measures how often the near-duplicate decision
// (Print.Near: fingerprints within NearThreshold, shingles resembling)
// finds edited copies of the corpus texts (recall), and how many pairs of
// unrelated texts it takes for copies: corpus texts, and generated texts
// that share vocabulary and no sentence (one outlet's beat, word salads),
// beside the pairs the fingerprint alone would have taken. Run with
// -benchtime 1x; docs/benchmarks.md (dedup) has the figures.
func BenchmarkNearDuplicates(b *testing.B) {
	texts := corpusTexts(b, 120)
	for b.Loop() {
		type edit struct {
			name string
			fn   func(string) (string, bool)
		}
		edits := []edit{
			{"footer", func(s string) (string, bool) { return s + benchFooter, true }},
			{"sentence", replaceMiddle},
			{"both", func(s string) (string, bool) { e, ok := replaceMiddle(s); return e + benchFooter, ok }},
		}
		for _, e := range edits {
			for _, band := range []struct{ lo, hi int }{{120, 300}, {300, 600}, {600, 1 << 30}} {
				var n, hit int
				for _, s := range texts {
					if w := len(strings.Fields(s)); w < band.lo || w >= band.hi {
						continue
					}
					c, ok := e.fn(s)
					if !ok {
						continue
					}
					n++
					if NewPrint(s).Near(NewPrint(c)) {
						hit++
					}
				}
				if n > 0 {
					b.ReportMetric(100*float64(hit)/float64(n), "%recall_"+e.name+"_"+strings.TrimSuffix(strings.Replace(
						map[int]string{120: "120-300w", 300: "300-600w", 600: "600w+"}[band.lo], "-", "to", 1), ""))
				}
			}
		}
		prints := make([]Print, len(texts))
		for i, s := range texts {
			prints[i] = NewPrint(s)
		}
		var pairs, near, unrelatedNear int
		var dists []int
		for i := range texts {
			for j := i + 1; j < len(texts); j++ {
				pairs++
				d := Distance(prints[i].Fingerprint, prints[j].Fingerprint)
				dists = append(dists, d)
				if prints[i].Near(prints[j]) {
					near++
					if jaccard(texts[i], texts[j]) < 0.5 {
						unrelatedNear++
					}
				}
			}
		}
		sort.Ints(dists)
		b.ReportMetric(float64(len(texts)), "texts")
		b.ReportMetric(float64(pairs), "pairs")
		b.ReportMetric(float64(unrelatedNear), "false_matches")
		b.ReportMetric(float64(near-unrelatedNear), "true_near_pairs")
		b.ReportMetric(float64(dists[len(dists)/100]), "p1_distance")
		for _, g := range []struct {
			name string
			set  []string
		}{{"outlet", outletNews(2000, 11)}, {"salad400", wordSalad(2000, 400, 12)}} {
			prints := make([]Print, len(g.set))
			sents := make([]map[string]bool, len(g.set))
			for i, s := range g.set {
				prints[i], sents[i] = NewPrint(s), sentences(s)
			}
			candidates, flagged, dropped, fpDropped := 0, 0, map[int]bool{}, map[int]bool{}
			for i := range g.set {
				for j := i + 1; j < len(g.set); j++ {
					if Distance(prints[i].Fingerprint, prints[j].Fingerprint) > NearThreshold || shareSentence(sents[i], sents[j]) {
						continue
					}
					candidates++
					fpDropped[j] = true
					if prints[i].Near(prints[j]) {
						flagged++
						dropped[j] = true
					}
				}
			}
			b.ReportMetric(float64(candidates), g.name+"_fingerprint_only_pairs")
			b.ReportMetric(float64(len(fpDropped)), g.name+"_fingerprint_only_texts_dropped")
			b.ReportMetric(float64(flagged), g.name+"_false_matches")
			b.ReportMetric(float64(len(dropped)), g.name+"_texts_dropped")
		}
	}
}

func BenchmarkNewPrint(b *testing.B) {
	text := strings.Repeat(storyCloud+" ", 2)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		NewPrint(text)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	text := strings.Repeat(storyCloud+" ", 2)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Fingerprint(text)
	}
}

func BenchmarkCanonicalURL(b *testing.B) {
	for b.Loop() {
		CanonicalURL("HTTPS://www.Example.com:443/news/2024/./story-ABC/../story-abc?utm_source=rss&b=2&a=1&fbclid=x#top")
	}
}
