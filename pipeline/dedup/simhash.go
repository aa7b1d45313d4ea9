package dedup

import (
	"fmt"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// NearThreshold is the largest Hamming distance between two fingerprints
// of near-identical texts.
const NearThreshold = 3

// weightCap bounds one word's weight to this share of the text's words, so
// that a token repeated all through a text ("WP:" before each of 200 links
// in podcast notes) cannot set every bit by itself and make unrelated texts
// with the same habit look alike.
const weightCap = 0.04

// pairWeightCap is weightCap for the character pairs of Han, kana and Thai
// text. Their commonest pairs are grammar ("した", "ている", "について") and
// come back in every text, as "the" and "of" do, but more often for the
// same content; at 4% they weighed enough to bring template-like unrelated
// Japanese texts within the threshold, at 2% none (TestNearDuplicateAccuracy,
// docs/benchmarks.md).
const pairWeightCap = 0.02

// Fingerprint returns the 64-bit SimHash (Charikar 2002) of text. Its
// features are word shingles of length one, lower-cased, punctuation
// dropped, each pair of adjacent Han, kana or Thai characters counting as a
// word, weighted by how often they occur (capped at weightCap of the text). Texts whose word
// counts nearly agree get fingerprints at most NearThreshold bits apart.
//
// One-word shingles, not the three-word ones of the textbook: with 64 bits
// and distance 3 only texts with cosine similarity above about 0.997 match,
// and changing one sentence in a 600-word article changes ~4% of its
// three-word shingles (typically 5 bits) but under 1% of its word counts
// (typically 2 bits). docs/benchmarks.md (dedup) has the measurements.
// Empty text gives 0.
func Fingerprint(text string) uint64 {
	counts := make(map[uint64]count, len(text)/16)
	n := eachWord(text, func(h uint64, pair bool) { counts[h] = count{counts[h].n + 1, pair} })
	return simhash(counts, n)
}

// count is how often a word occurs in a text, and whether it is a pair of
// Han, kana or Thai characters.
type count struct {
	n    int
	pair bool
}

// simhash is the fingerprint of n words with these counts.
func simhash(counts map[uint64]count, n int) uint64 {
	if n == 0 {
		return 0
	}
	limit := max(2, int(weightCap*float64(n)))
	pairLimit := max(2, int(pairWeightCap*float64(n)))
	var v [64]int
	for h, c := range counts {
		w := min(c.n, limit)
		if c.pair {
			w = min(c.n, pairLimit)
		}
		for i := range 64 {
			// +w where bit i of h is set, -w where it is clear.
			v[i] += (int(h>>i&1)*2 - 1) * w
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

// eachWord calls fn with the hash of each word of text, lower-cased, and
// whether it is a pair of characters (below), and returns the number of
// words. A word is a run of letters, digits and
// combining marks. Han, kana and Thai do not separate words with spaces:
// there each pair of adjacent characters counts as a word (a character
// standing alone, as itself). Single characters would not do: the
// particles and common characters of Japanese (の, に, は, る, し) make the
// character counts of any two texts alike, and unrelated articles fell
// within the threshold.
func eachWord(text string, fn func(h uint64, pair bool)) int {
	n := 0
	h, in := uint64(fnvOffset), false
	end := func() {
		if in {
			fn(mix(h), false)
			n++
			h, in = fnvOffset, false
		}
	}
	var buf [2 * utf8.UTFMax]byte
	prev, pairs := rune(-1), 0 // the last Han, kana or Thai character; pairs in its run
	endRun := func() {
		if pairs == 0 {
			fn(mix(fnv(buf[:utf8.EncodeRune(buf[:], prev)])), true)
			n++
		}
		prev, pairs = -1, 0
	}
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf: // most text; none of it is an ideograph or a mark
			if prev >= 0 {
				endRun()
			}
			switch {
			case 'A' <= r && r <= 'Z':
				h = (h ^ uint64(r+'a'-'A')) * fnvPrime
				in = true
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				h = (h ^ uint64(r)) * fnvPrime
				in = true
			default:
				end()
			}
		case isIdeograph(r):
			end()
			if prev >= 0 {
				k := utf8.EncodeRune(buf[:], prev)
				k += utf8.EncodeRune(buf[k:], r)
				fn(mix(fnv(buf[:k])), true)
				n++
				pairs++
			}
			prev = r
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if prev >= 0 {
				endRun()
			}
			for _, c := range buf[:utf8.EncodeRune(buf[:], unicode.ToLower(r))] {
				h = (h ^ uint64(c)) * fnvPrime
			}
			in = true
		default:
			if prev >= 0 {
				endRun()
			}
			end()
		}
	}
	end()
	if prev >= 0 {
		endRun()
	}
	return n
}

// fnv is the FNV-1a hash of b.
func fnv(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func isIdeograph(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// mix is the splitmix64 finaliser, applied to the FNV-1a hash of a word:
// FNV alone leaves the high bits of short strings poorly mixed, and SimHash
// needs every bit to be a fair coin.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
