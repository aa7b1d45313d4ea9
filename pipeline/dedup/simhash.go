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

// shingle is the number of words in one feature of a fingerprint.
const shingle = 3

// Fingerprint returns the 64-bit SimHash of text: each run of shingle
// consecutive words (lower-cased, punctuation dropped; each Han, kana or
// Thai character counts as a word) votes, weighted by its count, on every
// bit through its hash. Texts that share most of their shingles get
// fingerprints a few bits apart (Charikar 2002; Manku, Jain and Das Sarma
// 2007 use 64 bits and distance 3 for web pages). Empty text gives 0.
func Fingerprint(text string) uint64 {
	words := tokens(text)
	if len(words) == 0 {
		return 0
	}
	var v [64]int
	add := func(h uint64) {
		for i := range 64 {
			if h>>i&1 == 1 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	if len(words) < shingle {
		add(hash(strings.Join(words, " ")))
	}
	for i := 0; i+shingle <= len(words); i++ {
		add(hash(strings.Join(words[i:i+shingle], " ")))
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
