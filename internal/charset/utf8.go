package charset

import (
	"unicode"
	"unicode/utf8"
)

// mostlyUTF8 reports whether b, though not valid UTF-8, is overwhelmingly
// made of valid multi-byte sequences: at least four for each byte outside
// one. Legacy-encoded text almost never forms valid sequences by chance, so
// such a body is UTF-8 with a few stray bytes pasted in from elsewhere, and
// reading it all as a legacy charset would garble every real character.
func mostlyUTF8(b []byte) bool {
	var good, bad int
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good++
		}
		i += n
	}
	return good >= 3 && bad*4 <= good
}

// repairUTF8 decodes b as UTF-8, replacing only the bytes that are not part
// of a valid sequence, and returns how many there were. A sequence cut
// short (a lead byte and some of its continuation bytes) becomes one U+FFFD.
// A lone byte reads as Windows-1252, the usual origin of such strays ("caf\xe9",
// "\x93quoted\x94"), when it then gives punctuation or a symbol, or a letter
// inside a word; otherwise U+FFFD.
func repairUTF8(b []byte) ([]byte, int) {
	out := make([]byte, 0, len(b)+16)
	bad := 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n != 1 {
			out = append(out, b[i:i+n]...)
			i += n
			continue
		}
		bad++
		if cut := cutSequence(b[i:]); cut > 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
			bad += cut - 1
			i += cut
			continue
		}
		c := cp1252(b[i])
		var prev, next rune = ' ', ' '
		if i > 0 {
			prev, _ = utf8.DecodeLastRune(b[:i])
		}
		if i+1 < len(b) {
			next, _ = utf8.DecodeRune(b[i+1:])
		}
		switch {
		case c == utf8.RuneError:
		case !unicode.IsLetter(c) && unicode.IsPrint(c):
		case unicode.IsUpper(c) && unicode.IsLower(prev):
			// "cafÃ": the lead byte of a sequence cut short, not a
			// capital inside a lower-case word.
			c = utf8.RuneError
		case unicode.IsLetter(c) && (unicode.IsLetter(prev) || unicode.IsLetter(next)):
		default:
			c = utf8.RuneError
		}
		out = utf8.AppendRune(out, c)
		i++
	}
	return out, bad
}

// cutSequence returns the length of a UTF-8 lead byte followed by fewer
// continuation bytes than it announces (at least one), or 0.
func cutSequence(b []byte) int {
	need := 0
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c >= 0xE0 && c <= 0xEF:
		need = 2
	case c >= 0xF0 && c <= 0xF4:
		need = 3
	default:
		return 0
	}
	n := 1
	for n < len(b) && n <= need && b[n] >= 0x80 && b[n] <= 0xBF {
		n++
	}
	if n == 1 || n > need {
		return 0
	}
	return n
}

// cp1252 maps one Windows-1252 byte to its character; U+FFFD for the five
// bytes that code page leaves undefined.
func cp1252(c byte) rune {
	if c >= 0x80 && c <= 0x9f {
		if r := C1[c-0x80]; r != 0 {
			return r
		}
		return utf8.RuneError
	}
	return rune(c)
}

// C1 maps U+0080..U+009F (and the bytes 0x80..0x9F) to the Windows-1252
// characters they stand for in text written for that code page; zero where
// it has no character either. HTML parsers map character references such
// as &#146; the same way.
var C1 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}
