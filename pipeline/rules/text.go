package rules

import (
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

// hardPunct separates words that must not be read as one phrase.
var hardPunct = func() (t [256]bool) {
	for _, c := range []byte(",;:()[]{}\"|") {
		t[c] = true
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
	norm       []byte // normalised form; valid until the next word
	pos        int32  // index of the word in the field
	start, end int32  // byte offsets of the original text
	sent, para int32  // sentence and paragraph index
	flags      uint8
}

// scanner splits one field into words and records where sentences start.
type scanner struct {
	buf        []byte  // normalised form of the current word when it differs from the text
	sentStarts []int32 // byte offset where each sentence begins
	paraStarts []int32 // index into sentStarts of each paragraph's first sentence
}

// scan calls emit for every word of s in order. It returns the number of
// words. sentStarts and paraStarts are rebuilt for s.
func (sc *scanner) scan(s string, emit func(w *word)) int32 {
	sc.sentStarts = append(sc.sentStarts[:0], 0)
	sc.paraStarts = append(sc.paraStarts[:0], 0)
	var (
		w         word
		n         = len(s)
		i         = 0
		pendingNL = false // a line feed seen since the last word or stop
		boundary  = false // a sentence ended; the next word starts a new one
		newPara   = false
		gluePrev  = false
		prevWord  = -1 // end of the previous word, for abbreviations
		prevStart = 0
		brk       = false // hard punctuation since the last word
	)
	startSentence := func(at int) {
		if w.pos == 0 { // text before the first word starts nothing
			boundary, newPara = false, false
			return
		}
		if newPara {
			w.para++
			sc.paraStarts = append(sc.paraStarts, int32(len(sc.sentStarts)))
		}
		if boundary || newPara {
			w.sent++
			sc.sentStarts = append(sc.sentStarts, int32(at))
		}
		boundary, newPara = false, false
	}
	for i < n {
		c := s[i]
		cl := asciiClass[c]
		switch cl {
		case cSpace:
			i++
			gluePrev = false
			continue
		case cLF:
			if pendingNL {
				newPara = true
			}
			pendingNL = true
			i++
			gluePrev = false
			continue
		case cHyphen:
			// A hyphen right after a word and right before one glues them.
			gluePrev = prevWord == i && i+1 < n && isWordStart(s, i+1)
			i++
			continue
		case cStop:
			if sentenceEnds(s, i, prevStart, prevWord) {
				boundary = true
			}
			i++
			gluePrev = false
			continue
		case cOther, cApos:
			if hardPunct[c] {
				brk = true
			}
			i++
			gluePrev = false
			continue
		}
		// cLower, cUpper or cHigh: maybe a word.
		if cl == cHigh {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch k := runeKind(r); k {
			case rkSpace:
				i += size
				gluePrev = false
				continue
			case rkHyphen:
				gluePrev = prevWord == i && i+size < n && isWordStart(s, i+size)
				i += size
				continue
			case rkStop:
				boundary = true
				i += size
				continue
			case rkPunct:
				brk = true
				i += size
				gluePrev = false
				continue
			case rkCJK:
				pendingNL = false
				w.norm = append(sc.buf[:0], s[i:i+size]...)
				w.start, w.end = int32(i), int32(i+size)
				w.flags = 0
				if brk || boundary || newPara {
					w.flags |= fBreak
				}
				brk = false
				startSentence(i)
				emit(&w)
				w.pos++
				i += size
				prevWord, prevStart = -1, i
				gluePrev = false
				continue
			case rkLetter:
				// handled below
			default:
				i += size
				gluePrev = false
				continue
			}
		}
		// A word of letters and digits, possibly with inner apostrophes and
		// non-ASCII letters.
		w.flags = 0
		if brk || boundary || newPara {
			w.flags |= fBreak
		}
		brk = false
		startSentence(i)
		pendingNL = false
		start := i
		simple := true // text bytes are already the normalised form
		sc.buf = sc.buf[:0]
		end := i
	loop:
		for i < n {
			c := s[i]
			switch asciiClass[c] {
			case cLower:
				if !simple {
					sc.buf = append(sc.buf, c)
				}
				i++
			case cUpper:
				if simple {
					sc.buf = append(sc.buf, s[start:i]...)
					simple = false
				}
				sc.buf = append(sc.buf, c+'a'-'A')
				i++
			case cApos:
				if !apostropheInWord(s, i+1) {
					break loop
				}
				if possessive(s, i+1) {
					end = i
					i += 2
					goto done
				}
				if simple {
					sc.buf = append(sc.buf, s[start:i]...)
					simple = false
				}
				i++
			case cHigh:
				r, size := utf8.DecodeRuneInString(s[i:])
				if isApostrophe(r) {
					if !apostropheInWord(s, i+size) {
						break loop
					}
					if possessive(s, i+size) {
						end = i
						i += size + 1
						goto done
					}
					if simple {
						sc.buf = append(sc.buf, s[start:i]...)
						simple = false
					}
					i += size
					continue
				}
				if unicode.Is(unicode.Mn, r) { // combining accent: drop
					if simple {
						sc.buf = append(sc.buf, s[start:i]...)
						simple = false
					}
					i += size
					continue
				}
				if runeKind(r) != rkLetter {
					break loop
				}
				if simple {
					sc.buf = append(sc.buf, s[start:i]...)
					simple = false
				}
				sc.buf = appendFolded(sc.buf, r)
				i += size
			default:
				break loop
			}
			end = i
		}
		end = i
	done:
		if simple {
			w.norm = unsafeBytes(s[start:end])
		} else {
			w.norm = sc.buf
		}
		w.start, w.end = int32(start), int32(end)
		if gluePrev {
			w.flags |= fGluedPrev
		}
		if end < n && s[end] == '-' && end+1 < n && isWordStart(s, end+1) {
			w.flags |= fGluedNext
		}
		gluePrev = false
		emit(&w)
		w.pos++
		prevWord, prevStart = end, start
		if end != i { // possessive skipped: the next byte is not adjacent
			prevWord = i
		}
	}
	return w.pos
}

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

func runeKind(r rune) int {
	switch {
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
	if r < 0x2e80 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// appendFolded appends r lower-cased and without diacritics.
func appendFolded(b []byte, r rune) []byte {
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
	for j < len(s) && (s[j] == '"' || s[j] == '\'' || s[j] == ')' || s[j] == ']') {
		j++
	}
	if j < len(s) && (s[j] == '.' || s[j] == '!' || s[j] == '?') {
		return false // "..." or "?!": the last one decides
	}
	if j+3 <= len(s) && (s[j:j+3] == "\u201d" || s[j:j+3] == "\u2019") {
		j += 3
	}
	if j >= len(s) {
		return true
	}
	if asciiClass[s[j]] != cSpace && asciiClass[s[j]] != cLF {
		if s[j] < 0x80 {
			return false
		}
		r, _ := utf8.DecodeRuneInString(s[j:])
		if runeKind(r) != rkSpace {
			return false
		}
	}
	if s[i] == '.' && prevEnd == i {
		w := s[prevStart:prevEnd]
		if len(w) == 1 || abbreviations[lowerASCII(w)] {
			return false
		}
	}
	return true
}

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
func splitWords(s string) (norm, orig []string) {
	var sc scanner
	sc.scan(s, func(w *word) {
		norm = append(norm, string(w.norm))
		orig = append(orig, s[w.start:w.end])
	})
	return norm, orig
}

// unsafeBytes views s as bytes without copying; callers only read them.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
