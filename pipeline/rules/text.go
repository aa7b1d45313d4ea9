package rules

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// This file turns text into words. Rules and articles go through the same
// code, so an alias matches exactly when its words equal a run of the
// article's words: case folded, diacritics removed, curly and straight
// apostrophes alike, possessive 's dropped, and any run of spaces, line
// breaks, hyphens or punctuation between words treated as one gap.
// Chinese, Japanese and Korean characters are one word each, so an alias
// in those scripts matches without word boundaries.

// Byte classes for the ASCII fast path.
const (
	cOther  = iota // punctuation and symbols: a gap between words
	cSpace         // blank, tab, CR
	cLF            // line feed: two in a row end a paragraph
	cLower         // a-z, 0-9
	cUpper         // A-Z
	cApos          // '
	cHyphen        // -
	cStop          // . ! ?
	cHigh          // first byte of a multi-byte rune
)

var asciiClass = func() (t [256]uint8) {
	for i := range t {
		switch {
		case i >= 0x80:
			t[i] = cHigh
		case i >= 'a' && i <= 'z', i >= '0' && i <= '9':
			t[i] = cLower
		case i >= 'A' && i <= 'Z':
			t[i] = cUpper
		case i == ' ', i == '\t', i == '\r', i == '\v', i == '\f':
			t[i] = cSpace
		case i == '\n':
			t[i] = cLF
		case i == '\'':
			t[i] = cApos
		case i == '-':
			t[i] = cHyphen
		case i == '.', i == '!', i == '?':
			t[i] = cStop
		default:
			t[i] = cOther
		}
	}
	return t
}()

// What the scanner has seen since the last word.
const (
	sPendingNL = 1 << iota // a line feed: a second one ends the paragraph
	sBoundary              // a sentence end
	sNewPara               // a paragraph end (sPendingNL << 2)
	sGluePrev              // a hyphen right after the last word, before a letter
	sBrk                   // punctuation that no phrase crosses
)

func glue(b bool) uint8 {
	if b {
		return sGluePrev
	}
	return 0
}

// hardPunct separates words that must not be read as one phrase.
var hardPunct = func() (t [256]bool) {
	for _, c := range []byte(",;:()[]{}\"|") {
		t[c] = true
	}
	return t
}()

// alnum: ASCII letters and digits.
var alnum = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return t
}()

// Token flags.
const (
	fGluedPrev = 1 << iota // a hyphen joins it to the word before ("e-commerce")
	fGluedNext             // a hyphen joins it to the word after
	fBreak                 // punctuation or a sentence end separates it from the word before
)

// word is one word of a field as the tokenizer reports it.
type word struct {
	// norm is the normalised word, or, when raw is set, the text itself:
	// ASCII letters and digits that may still hold capitals. Valid until
	// the next word.
	norm       []byte
	raw        bool
	hash       uint64 // see hashWord
	packed     uint64 // a word of up to 8 ASCII letters and digits, each OR 0x20; else 0
	tail, last uint64 // the fast path's last partial and full chunks, for packed
	pos        int32  // index of the word in the field
	start, end int32  // byte offsets of the original text
	sent, para int32  // sentence and paragraph index
	flags      uint8
}

// Hashing words. A word is hashed eight bytes at a time with every byte
// OR 0x20: for ASCII letters and digits that is their lower case, so the
// fast path hashes the text as it stands while the tables hold the hashes
// of the normalised words. Other bytes may collide; lookups compare.
const (
	hk0   = 0x9e3779b97f4a7c15
	hk1   = 0xbf58476d1ce4e5b9
	lower = 0x2020202020202020
)

// hashChunk folds one full chunk of eight bytes into h.
func hashChunk(h, v uint64) uint64 {
	h = (h ^ (v | lower)) * hk1
	return h ^ h>>29
}

// hashTail folds the last n (0 to 7) bytes, in the low bytes of v, and
// the length into the final hash. Only the top bits of the result are well
// mixed; the tables index by them.
func hashTail(h, v uint64, n, length int) uint64 {
	mask := uint64(1)<<(8*n) - 1
	return (h ^ ((v & mask) | (lower & mask)) ^ uint64(length)<<56) * hk1
}

// hashWord hashes s[i:j].
func hashWord(s string, i, j int) uint64 {
	length := j - i
	h := uint64(0)
	for j-i >= 8 {
		h = hashChunk(h, load8(s, i))
		i += 8
	}
	var v uint64
	for k := j - 1; k >= i; k-- {
		v = v<<8 | uint64(s[k])
	}
	return hashTail(h, v, j-i, length)
}

// alnumBytes sets the high bit of every byte of x that is an ASCII letter
// or digit (the "hasbetween" byte trick: no carries cross bytes).
func alnumBytes(x uint64) uint64 {
	const (
		ones = 0x0101010101010101
		low7 = 0x7f7f7f7f7f7f7f7f
	)
	d := x & low7           // digits: 0x2f < byte < 0x3a
	l := (x | lower) & low7 // letters, lower-cased: 0x60 < byte < 0x7b
	return ((ones*(127+0x3a)-d)&(d+ones*(127-0x2f)) | (ones*(127+0x7b)-l)&(l+ones*(127-0x60))) & ^x & 0x8080808080808080
}

func load8(s string, i int) uint64 {
	b := s[i : i+8] // one bounds check; the compiler merges the loads
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func hashBytes(b []byte) uint64 {
	return hashWord(unsafeString(b), 0, len(b))
}

// unsafeString views b as a string without copying; callers only read it
// while b is unchanged.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// mix spreads the bits of a hash over all 64; the trie's table uses it.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// wordHandler receives the words of a field in order.
type wordHandler interface {
	word(w *word)
}

// scanner splits one field into words and records where sentences start.
type scanner struct {
	buf        []byte  // normalised form of the current word when it is not raw
	sentStarts []int32 // byte offset where each sentence begins
	sentParas  []int32 // the paragraph of each sentence

	// Which words reach the handler: all of them with all set; else, by
	// the filter (see wordTable), the words that are a phrase of their own,
	// those that may go on with a phrase while active (the handler sets
	// active while one is under way), and those that only start longer
	// phrases, held back until the next word may go on with them.
	all    bool
	filter []uint64
	sh     uint
	active bool
	held   []byte // a held-back word's normalised bytes
}

// scan hands every word of s to h in order and returns the number of
// words. sentStarts is rebuilt for s.
func (sc *scanner) scan(s string, h wordHandler) int32 {
	sc.sentStarts = append(sc.sentStarts[:0], 0)
	sc.sentParas = append(sc.sentParas[:0], 0)
	sc.active = false
	var (
		w         word // filled only for the words handed over
		pos       int32
		sent      int32
		para      int32
		n         = len(s)
		i         = 0
		st        uint8 // what lies between the previous word and the next: sPendingNL...
		prevStart = 0   // the previous word, for abbreviations and hyphens
		prevEnd   = -1
		// The scanner's settings in locals: the handler may change sc.
		all, filter, sh = sc.all, sc.filter, sc.sh
		pend            word // a word held back (see wordTable.filter)
		held            bool
	)
	for i < n {
		c := s[i]
		if c == ' ' { // the commonest byte between words
			i++
			st &^= sGluePrev
			continue
		}
		cl := asciiClass[c]
		start := i
		// The word being read, in locals: most words are not handed over.
		var (
			hash, tail, last, packed uint64
			end                      int32
			raw                      bool
		)
		switch {
		case alnum[c]: // the commonest case first
			// The fast path: ASCII letters and digits, eight bytes at a
			// time: find where the run ends with a bit trick rather than a
			// branch per byte, and hash the chunks as they pass.
			var (
				h    uint64
				next byte // the byte after the run, known without reading it again
			)
			for {
				if i+8 > n {
					j := i
					for j < n && alnum[s[j]] {
						j++
					}
					for k := j - 1; k >= i; k-- {
						tail = tail<<8 | uint64(s[k])
					}
					i = j
					if i < n {
						next = s[i]
					}
					break
				}
				v := load8(s, i)
				if stop := ^alnumBytes(v) & 0x8080808080808080; stop != 0 {
					k := bits.TrailingZeros64(stop)
					tail = v
					next = byte(v >> (k &^ 7)) // the stop byte: its high bit is bit k
					i += k >> 3
					break
				}
				h = hashChunk(h, v)
				last = v
				i += 8
			}
			if (next == '\'' || next >= 0x80) && i < n && sc.continues(s, i) {
				i, end = sc.slowWord(s, start)
				hash, packed = hashBytes(sc.buf), packWord(unsafeString(sc.buf))
			} else {
				length := i - start
				raw, hash, end = true, hashTail(h, tail, length&7, length), int32(i) // packed is made on lookup
			}
		case cl == cSpace:
			i++
			st &^= sGluePrev
			continue
		case cl == cLF:
			st |= st & sPendingNL << 2 // a second line feed: sNewPara
			st |= sPendingNL
			i++
			st &^= sGluePrev
			continue
		case cl == cHyphen:
			st = st&^sGluePrev | glue(prevEnd == i && i+1 < n && isWordStart(s, i+1))
			i++
			continue
		case cl == cStop:
			if sentenceEnds(s, i, prevStart, prevEnd) {
				st |= sBoundary
			}
			i++
			st &^= sGluePrev
			continue
		case cl == cOther || cl == cApos:
			if hardPunct[c] {
				st |= sBrk
			}
			i++
			st &^= sGluePrev
			continue
		default: // cHigh
			r, size := utf8.DecodeRuneInString(s[i:])
			switch runeKind(r) {
			case rkLetter:
				i, end = sc.slowWord(s, start)
				if end == int32(start) { // nothing of a word: step over the rune
					i = start + size
					st &^= sGluePrev
					continue
				}
				hash, packed = hashBytes(sc.buf), packWord(unsafeString(sc.buf))
			case rkCJK:
				// One word per character: CJK text has no spaces.
				i += size
				sc.buf = append(sc.buf[:0], s[start:i]...)
				hash, end = hashBytes(sc.buf), int32(i)
			case rkHyphen:
				st = st&^sGluePrev | glue(prevEnd == i && i+size < n && isWordStart(s, i+size))
				i += size
				continue
			case rkStop:
				st |= sBoundary
				i += size
				continue
			case rkPunct:
				st |= sBrk
				i += size
				st &^= sGluePrev
				continue
			default: // spaces, symbols
				i += size
				st &^= sGluePrev
				continue
			}
		}
		// A word from start to end; i is past it (and past a possessive).
		var flags uint8
		if pos > 0 && st&(sBrk|sBoundary|sNewPara) != 0 {
			flags = fBreak
			if st&sNewPara != 0 {
				para++
			}
			if st&(sBoundary|sNewPara) != 0 {
				sent++
				sc.sentStarts = append(sc.sentStarts, int32(openers(s, start)))
				sc.sentParas = append(sc.sentParas, para)
			}
		}
		if st&sGluePrev != 0 {
			flags |= fGluedPrev
		}
		st = 0
		hand, hold := all, false
		if !all && filter != nil {
			f := filter[hash>>sh]
			rb, ab := rootBits(hash), anyBits(hash)<<32
			inA := f&ab == ab
			if held { // the word before may start a phrase: does this one go on?
				held = false
				if inA && flags&fBreak == 0 {
					handOver(h, &pend)
				}
			}
			switch {
			case sc.active && inA, f&rb == rb:
				hand = true
			case f&(rb<<16) == rb<<16:
				hold = true // it only starts longer phrases: wait for the next word
			default:
				sc.active = false
			}
		}
		if hand || hold {
			if e := int(end); e+1 < n && s[e] == '-' && isWordStart(s, e+1) {
				flags |= fGluedNext
			}
			norm := sc.buf
			if raw {
				norm = unsafeBytes(s[start:end])
			}
			cur := word{norm: norm, raw: raw, hash: hash, packed: packed, tail: tail, last: last,
				pos: pos, start: int32(start), end: end, sent: sent, para: para, flags: flags}
			if hand {
				w = cur
				handOver(h, &w)
			} else {
				if !raw { // sc.buf is reused by the next word
					sc.held = append(sc.held[:0], norm...)
					cur.norm = sc.held
				}
				pend, held = cur, true
				sc.active = false
			}
		}
		pos++
		prevStart, prevEnd = start, i
	}
	return pos
}

// handOver gives a word to the handler, calling the matcher directly.
func handOver(h wordHandler, w *word) {
	if x, ok := h.(*scratch); ok {
		x.word(w)
	} else {
		h.word(w)
	}
}

// continues reports whether the word goes on past the apostrophe or
// non-ASCII rune at i.
func (sc *scanner) continues(s string, i int) bool {
	if s[i] == '\'' {
		return i+1 < len(s) && isWordStart(s, i+1)
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if isApostrophe(r) {
		return i+size < len(s) && isWordStart(s, i+size)
	}
	return runeKind(r) == rkLetter || unicode.Is(unicode.Mn, r)
}

// slowWord reads the word at start into sc.buf, normalised: lower case,
// diacritics removed, inner apostrophes dropped, a possessive 's cut off.
// It returns where reading stopped and where the word's text ends.
func (sc *scanner) slowWord(s string, start int) (next int, end int32) {
	sc.buf = sc.buf[:0]
	i := start
	for i < len(s) {
		c := s[i]
		switch asciiClass[c] {
		case cLower:
			sc.buf = append(sc.buf, c)
			i++
			continue
		case cUpper:
			sc.buf = append(sc.buf, c|0x20)
			i++
			continue
		case cApos:
			if !apostropheInWord(s, i+1) {
				return i, int32(i)
			}
			if possessive(s, i+1) {
				return i + 2, int32(i)
			}
			if elided[string(sc.buf)] {
				return i, int32(i) // d'Alibaba: the article ends at the apostrophe
			}
			i++
			continue
		case cHigh:
			r, size := utf8.DecodeRuneInString(s[i:])
			if isApostrophe(r) {
				if !apostropheInWord(s, i+size) {
					return i, int32(i)
				}
				if possessive(s, i+size) {
					return i + size + 1, int32(i)
				}
				if elided[string(sc.buf)] {
					return i, int32(i)
				}
				i += size
				continue
			}
			if runeKind(r) == rkLetter {
				sc.buf = appendFolded(sc.buf, r)
				i += size
				continue
			}
			if unicode.Is(unicode.Mn, r) { // a combining accent: drop it
				i += size
				continue
			}
			return i, int32(i)
		}
		break
	}
	return i, int32(i)
}

// elided are the French and Italian words written joined to the next by an
// apostrophe (d'Alibaba, l'exportation, dell'UE): the next word is a word
// of its own, so that a name after them matches.
var elided = map[string]bool{"d": true, "l": true, "j": true, "n": true, "s": true, "c": true, "m": true,
	"t": true, "qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "dell": true, "nell": true,
	"sull": true, "dall": true, "all": true, "un": true}

func isWordStart(s string, i int) bool {
	c := s[i]
	switch asciiClass[c] {
	case cLower, cUpper:
		return true
	case cHigh:
		r, _ := utf8.DecodeRuneInString(s[i:])
		k := runeKind(r)
		return k == rkLetter || k == rkCJK
	}
	return false
}

// apostropheInWord: an apostrophe at i-1 continues the word when a letter
// follows it.
func apostropheInWord(s string, i int) bool {
	return i < len(s) && isWordStart(s, i)
}

// possessive: the apostrophe before i is followed by an s that ends the word.
func possessive(s string, i int) bool {
	if i >= len(s) || (s[i] != 's' && s[i] != 'S') {
		return false
	}
	return i+1 >= len(s) || !isWordStart(s, i+1)
}

func isApostrophe(r rune) bool {
	return r == '\u2019' || r == '\u2018' || r == '\u02bc' || r == '\uff07'
}

// Kinds of non-ASCII runes.
const (
	rkOther = iota
	rkLetter
	rkCJK
	rkSpace
	rkHyphen
	rkStop
	rkPunct // quotes and CJK commas: a break between words
)

// smallRunes is the size of the tables that answer runeKind and fold
// without the unicode package for Latin, Greek and Cyrillic text.
const smallRunes = 0x530

var (
	smallKind [smallRunes]uint8
	smallFold [smallRunes]string
)

func init() {
	for r := rune(0x80); r < smallRunes; r++ {
		smallKind[r] = uint8(runeKindSlow(r))
		l := unicode.ToLower(r)
		if f, ok := foldTable[l]; ok {
			smallFold[r] = f
		} else {
			smallFold[r] = string(l)
		}
	}
}

func runeKind(r rune) int {
	if r < smallRunes {
		return int(smallKind[r])
	}
	switch r {
	case '\u2019', '\u2018':
		return rkOther // apostrophes: the word loops check them first
	case '\u201c', '\u201d', '\u2026':
		return rkPunct
	case '\u2013', '\u2014':
		return rkHyphen
	}
	return runeKindSlow(r)
}

func runeKindSlow(r rune) int {
	switch {
	case isApostrophe(r):
		return rkOther // the word loops treat apostrophes themselves
	case r == '\u00a0' || r == '\u2007' || r == '\u202f' || r == '\u200b' || r == '\u3000' || r == '\ufeff':
		return rkSpace
	case r >= '\u2010' && r <= '\u2015', r == '\u2212', r == '\u00ad', r == '\ufe63', r == '\uff0d':
		return rkHyphen
	case r == '\u3002' || r == '\uff01' || r == '\uff1f' || r == '\uff0e':
		return rkStop
	case r == '\u201c' || r == '\u201d' || r == '\u00ab' || r == '\u00bb' || r == '\uff0c' || r == '\u3001' ||
		r == '\uff1a' || r == '\uff1b' || r == '\u300c' || r == '\u300d' || r == '\u2026' || r == '\uff08' || r == '\uff09':
		return rkPunct
	case isCJK(r):
		return rkCJK
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return rkLetter
	case unicode.IsSpace(r):
		return rkSpace
	}
	return rkOther
}

func isCJK(r rune) bool {
	switch {
	case r < 0x2e80:
		return false
	case r >= 0x4e00 && r <= 0x9fff, r >= 0x3040 && r <= 0x30ff, r >= 0xac00 && r <= 0xd7af:
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// appendFolded appends r lower-cased and without diacritics.
func appendFolded(b []byte, r rune) []byte {
	if r < smallRunes {
		return append(b, smallFold[r]...)
	}
	r = unicode.ToLower(r)
	if f, ok := foldTable[r]; ok {
		return append(b, f...)
	}
	return utf8.AppendRune(b, r)
}

// foldTable strips diacritics from the Latin letters news text uses.
var foldTable = func() map[rune]string {
	m := map[rune]string{}
	add := func(base string, runes string) {
		for _, r := range runes {
			m[r] = base
		}
	}
	add("a", "àáâãäåāăąǎ")
	add("c", "çćĉċč")
	add("d", "ďđ")
	add("e", "èéêëēĕėęěẽ")
	add("g", "ĝğġģ")
	add("h", "ĥħ")
	add("i", "ìíîïĩīĭįıǐ")
	add("j", "ĵ")
	add("k", "ķ")
	add("l", "ĺļľŀł")
	add("n", "ñńņňŉ")
	add("o", "òóôõöøōŏőǒ")
	add("r", "ŕŗř")
	add("s", "śŝşšș")
	add("t", "ţťŧț")
	add("u", "ùúûüũūŭůűųǔ")
	add("w", "ŵ")
	add("y", "ýÿŷ")
	add("z", "źżž")
	m['ß'] = "ss"
	m['æ'] = "ae"
	m['œ'] = "oe"
	m['þ'] = "th"
	m['ð'] = "d"
	return m
}()

// abbreviations end with a full stop that does not end the sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"jr": true, "sr": true, "gen": true, "sen": true, "rep": true, "gov": true,
	"lt": true, "col": true, "capt": true, "sgt": true, "no": true, "vs": true,
	"inc": true, "corp": true, "co": true, "ltd": true, "dept": true, "est": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"etc": true, "approx": true, "fig": true, "al": true,
}

// sentenceEnds reports whether the . ! or ? at i ends a sentence: a gap
// and then a capital, digit, quote or non-Latin text must follow, and a full
// stop must not close an abbreviation such as "U.S." or "Mr.".
func sentenceEnds(s string, i, prevStart, prevEnd int) bool {
	j := i + 1
	if j < len(s) && s[j] != ' ' && s[j] != '\n' { // not the common case
		for j < len(s) && (s[j] == '"' || s[j] == '\'' || s[j] == ')' || s[j] == ']') {
			j++
		}
		if j < len(s) && (s[j] == '.' || s[j] == '!' || s[j] == '?') {
			return false // "..." or "?!": the last one decides
		}
		if j+3 <= len(s) && (s[j:j+3] == "\u201d" || s[j:j+3] == "\u2019") {
			j += 3
		}
		if j < len(s) && asciiClass[s[j]] != cSpace && asciiClass[s[j]] != cLF {
			if s[j] < 0x80 {
				return false
			}
			r, _ := utf8.DecodeRuneInString(s[j:])
			if runeKind(r) != rkSpace {
				return false
			}
		}
	}
	if s[i] == '.' && prevEnd == i {
		switch n := prevEnd - prevStart; {
		case n == 1:
			return false // an initial: "U.S.", "J. Smith"
		case n <= 6:
			return !isAbbreviation(s[prevStart:prevEnd])
		}
	}
	return true
}

// openers moves a sentence start back over the quotes and brackets that
// open it, so that a quoted sentence keeps its opening quote.
func openers(s string, i int) int {
	for i > 0 {
		switch {
		case s[i-1] == '"' || s[i-1] == '\'' || s[i-1] == '(' || s[i-1] == '[':
			i--
		case i >= 3 && (s[i-3:i] == "\u201c" || s[i-3:i] == "\u2018"):
			i -= 3
		default:
			return i
		}
	}
	return i
}

// isAbbreviation reports whether w (at most six bytes) is in abbreviations,
// looking its packed lower-case bytes up in a small open-addressing table
// rather than hashing a string.
func isAbbreviation(w string) bool {
	var v uint64
	for i := len(w) - 1; i >= 0; i-- {
		v = v<<8 | uint64(w[i]|0x20)
	}
	for i := (v * hk1) >> 57; ; i = (i + 1) & 127 {
		switch abbrevTable[i] {
		case v:
			return true
		case 0:
			return false
		}
	}
}

// abbrevTable holds the packed abbreviations, 128 slots for about 40.
var abbrevTable = func() (t [128]uint64) {
	for a := range abbreviations {
		var v uint64
		for i := len(a) - 1; i >= 0; i-- {
			v = v<<8 | uint64(a[i])
		}
		i := (v * hk1) >> 57
		for t[i] != 0 {
			i = (i + 1) & 127
		}
		t[i] = v
	}
	return t
}()

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// splitWords returns the normalised words of a phrase and their original
// spelling, for compiling aliases and terms.
func splitWords(s string) (norm, orig []string, brk bool) {
	var c collector
	sc := scanner{all: true}
	sc.scan(s, &c)
	for _, w := range c.words {
		norm = append(norm, w.norm)
		orig = append(orig, s[w.start:w.end])
		if w.pos > 0 && w.flags&fBreak != 0 {
			brk = true
		}
	}
	return norm, orig, brk
}

type collected struct {
	norm       string
	pos        int32
	start, end int32
	flags      uint8
}

type collector struct{ words []collected }

func (c *collector) word(w *word) {
	norm := string(w.norm)
	if w.raw {
		norm = lowerASCII(norm)
	}
	c.words = append(c.words, collected{norm: norm, pos: w.pos, start: w.start, end: w.end, flags: w.flags})
}

type counter struct{}

func (counter) word(*word) {}

// Tokenize splits s into words as Match does, normalising and hashing
// them, without looking them up, and returns how many there are. It exists
// so that benchmarks can show the matcher's cost over the bare cost of
// reading the text.
func Tokenize(s string) int {
	var sc scanner
	return int(sc.scan(s, counter{}))
}

// unsafeBytes views s as bytes without copying; callers only read them.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
