package dedup

import (
	"fmt"
	"math/bits"
	"strings"
	"unicode"
)

// NearThreshold is the largest Hamming distance between two fingerprints
// of near-identical texts.
const NearThreshold = 3

// weightCap bounds one word's weight to this share of the text's words, so
// that a token repeated all through a text ("WP:" before each of 200 links
// in podcast notes) cannot set every bit by itself and make unrelated texts
// with the same habit look alike.
const weightCap = 0.04

// Fingerprint returns the 64-bit SimHash (Charikar 2002) of text. Its
// features are word shingles of length one, lower-cased, punctuation
// dropped, each Han, kana or Thai character counting as a word, weighted by
// how often they occur (capped at weightCap of the text). Texts whose word
// counts nearly agree get fingerprints at most NearThreshold bits apart.
//
// One-word shingles, not the three-word ones of the textbook: with 64 bits
// and distance 3 only texts with cosine similarity above about 0.997 match,
// and changing one sentence in a 600-word article changes ~4% of its
// three-word shingles (typically 5 bits) but under 1% of its word counts
// (typically 2 bits). docs/benchmarks.md (dedup) has the measurements.
// Empty text gives 0.
func Fingerprint(text string) uint64 {
	words := tokens(text)
	if len(words) == 0 {
		return 0
	}
	counts := make(map[string]int, len(words)/2)
	for _, w := range words {
		counts[w]++
	}
	limit := max(2, weightCap*float64(len(words)))
	var v [64]float64
	for w, n := range counts {
		h := hash(w)
		weight := min(float64(n), limit)
		for i := range 64 {
			if h>>i&1 == 1 {
				v[i] += weight
			} else {
				v[i] -= weight
			}
		}
	}
	var fp uint64
	for i := range 64 {
		if v[i] > 0 {
			fp |= 1 << i
		}
	}
	return fp
}

// Distance is the number of bits in which two fingerprints differ.
func Distance(a, b uint64) int {
	return bits.OnesCount64(a ^ b)
}

// Bands splits a fingerprint into four 16-bit bands keyed "b<i>-<hex>".
// Two fingerprints within NearThreshold (3) bits differ in at most three
// bands, so they share at least one key: a store indexing every band finds
// all near-duplicate candidates with four exact lookups.
func Bands(fp uint64) []string {
	out := make([]string, 4)
	for i := range 4 {
		out[i] = fmt.Sprintf("b%d-%04x", i, fp>>(16*i)&0xffff)
	}
	return out
}

// tokens splits text into lower-case words.
func tokens(text string) []string {
	var out []string
	start := -1
	for i, r := range text {
		switch {
		case isIdeograph(r):
			if start >= 0 {
				out = append(out, strings.ToLower(text[start:i]))
				start = -1
			}
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				out = append(out, strings.ToLower(text[start:i]))
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, strings.ToLower(text[start:]))
	}
	return out
}

func isIdeograph(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai)
}

// hash is 64-bit FNV-1a followed by the splitmix64 finaliser: FNV alone
// leaves the high bits of short strings poorly mixed, and SimHash needs
// every bit to be a fair coin.
func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
