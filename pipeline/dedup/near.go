package dedup

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Near-duplicate detection has two steps. The word-count fingerprint
// (Fingerprint) finds candidates: within NearThreshold bits, through the
// four exact band lookups of Bands. But word counts alone cannot tell a
// copy from another story of the same outlet on the same beat: long texts
// drawn from one vocabulary converge on the same counts, and in one load
// test with generated articles 211 of 2,000 were taken for copies while
// sharing no sentence (issue 14). So each candidate is confirmed by the
// resemblance of the two texts' three-word shingles (Broder 1997), which
// such texts do not share: a copy with a footer added or a sentence
// replaced keeps most of its shingles (0.65 and more in the feed corpus),
// two stories of one beat share a few stock phrases (0.19 at most among a
// thousand generated ones). docs/benchmarks.md (dedup) has the
// measurements.

// SketchSize is the number of buckets of a Sketch.
const SketchSize = 64

// NearResemblance is the least estimated shingle resemblance (Jaccard
// similarity) of a confirmed near-duplicate.
const NearResemblance = 0.45

// Sketch is a one-permutation MinHash (Li, Owen and Zhang 2012) of a
// text's three-word shingles: each shingle's hash picks one of SketchSize
// buckets, and each bucket keeps its smallest hash, of which the sketch
// stores 8 bits (b-bit minwise hashing, Li and König 2010), 1 to 255; 0
// marks an empty bucket. Words are those of Fingerprint (a pair of Han,
// kana or Thai characters counts as one).
type Sketch [SketchSize]byte

// Print is what near-duplicate detection keeps of a text.
type Print struct {
	Fingerprint uint64 // word counts: finds candidates (Bands)
	Sketch      Sketch // shingles: confirms them
}

// NewPrint computes the fingerprint and the sketch of text in one pass over
// its words.
func NewPrint(text string) Print {
	counts := make(map[uint64]count, len(text)/16)
	var mins [SketchSize]uint64
	var set [SketchSize]bool
	var w1, w2 uint64
	seen := 0
	n := eachWord(text, func(h uint64, pair bool) {
		counts[h] = count{counts[h].n + 1, pair}
		if seen >= 2 {
			s := mix(w1 ^ bits.RotateLeft64(w2, 21) ^ bits.RotateLeft64(h, 42))
			b, v := s%SketchSize, s/SketchSize
			if !set[b] || v < mins[b] {
				mins[b], set[b] = v, true
			}
		}
		w1, w2 = w2, h
		seen++
	})
	p := Print{Fingerprint: simhash(counts, n)}
	for i := range p.Sketch {
		if set[i] {
			p.Sketch[i] = byte(1 + mins[i]%255)
		}
	}
	return p
}

// Resemblance estimates the Jaccard similarity of the shingle sets of the
// two texts: the share of buckets filled in either whose values agree. Two
// 8-bit values of different shingles agree by chance one time in 255; the
// estimate is corrected for it. Texts of fewer than three words have no
// shingles and resemble nothing.
func Resemblance(a, b Sketch) float64 {
	match, used := 0, 0
	for i := range a {
		if a[i] == 0 && b[i] == 0 {
			continue
		}
		used++
		if a[i] == b[i] {
			match++
		}
	}
	if used == 0 {
		return 0
	}
	const chance = 1.0 / 255
	return max(0, (float64(match)/float64(used)-chance)/(1-chance))
}

// Near reports whether the texts of p and q are near-duplicates: their
// fingerprints within NearThreshold bits and their shingles resembling at
// least NearResemblance.
func (p Print) Near(q Print) bool {
	return Distance(p.Fingerprint, q.Fingerprint) <= NearThreshold && Resemblance(p.Sketch, q.Sketch) >= NearResemblance
}

// String is the print as text: the fingerprint in 16 hex digits, a dot and
// the sketch in unpadded URL-safe base64 (86 characters).
func (p Print) String() string {
	return fmt.Sprintf("%016x.%s", p.Fingerprint, base64.RawURLEncoding.EncodeToString(p.Sketch[:]))
}

// ParsePrint reads a print written by String.
func ParsePrint(s string) (Print, error) {
	hexFP, sk, ok := strings.Cut(s, ".")
	if !ok {
		return Print{}, errors.New("near-duplicate print: no sketch")
	}
	fp, err := strconv.ParseUint(hexFP, 16, 64)
	if err != nil || len(hexFP) != 16 {
		return Print{}, fmt.Errorf("near-duplicate print: fingerprint %q", hexFP)
	}
	p := Print{Fingerprint: fp}
	if len(sk) != base64.RawURLEncoding.EncodedLen(SketchSize) {
		return Print{}, fmt.Errorf("near-duplicate print: sketch of %d characters", len(sk))
	}
	if n, err := base64.RawURLEncoding.Decode(p.Sketch[:], []byte(sk)); err != nil || n != SketchSize {
		return Print{}, fmt.Errorf("near-duplicate print: sketch %q", sk)
	}
	return p, nil
}
