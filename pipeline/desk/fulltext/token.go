package fulltext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokens are runs of letters, digits and private-use characters, folded to
// lower case without diacritics, as FTS5's unicode61 tokenizer with
// remove_diacritics 2 makes them; everything else separates.

// token is one token of a text: its folded form and where it is.
type token struct {
	term       string
	start, end int // byte offsets in the text
}

// isTokenRune reports whether r belongs in a token.
func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiFold[r] != 0
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Mn, r)
}

// asciiFold maps an ASCII byte to its lower case, 0 for a separator.
var asciiFold [utf8.RuneSelf]byte

// foldTab maps the runes below foldLimit (Latin, Greek, Cyrillic and the
// other alphabets with case or diacritics) to their folded form: lower
// case, without diacritics; sepRune for a separator, markRune for a
// combining mark (part of a token, dropped from it). Above it (CJK and the
// rest) a token rune is only put in lower case, as FTS5's unicode61 does.
const (
	foldLimit = 0x2070 // through General Punctuation (’ “ — …), all separators
	sepRune   = -1
	markRune  = -2
)

var foldTab [foldLimit]rune

func init() {
	for c := range asciiFold {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			asciiFold[c] = byte(c)
		case 'A' <= c && c <= 'Z':
			asciiFold[c] = byte(c) + 'a' - 'A'
		}
	}
	for r := rune(0); r < foldLimit; r++ {
		switch {
		case !isTokenRune(r):
			foldTab[r] = sepRune
		case unicode.Is(unicode.Mn, r):
			foldTab[r] = markRune
		default:
			foldTab[r] = unicode.ToLower(r)
			// The first rune of the canonical decomposition is the
			// letter without its marks (é = e + U+0301).
			d := norm.NFD.String(string(r))
			if base, n := utf8.DecodeRuneInString(d); n < len(d) && n > 0 && !unicode.Is(unicode.Mn, base) {
				foldTab[r] = unicode.ToLower(base)
			}
		}
	}
}

// tokenize calls fn with each token of s in order; the folded term is
// valid only during the call.
func tokenize(s string, fn func(term []byte, start, end int)) {
	var buf [64]byte
	t := buf[:0]
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			f := asciiFold[c]
			if f == 0 {
				if start >= 0 {
					fn(t, start, i)
					t, start = t[:0], -1
				}
				i++
				continue
			}
			if start < 0 {
				start = i
			}
			// The rest of an ASCII run in a tight loop: most of a
			// text is.
			t = append(t, f)
			for i++; i < len(s); i++ {
				c = s[i]
				if c >= utf8.RuneSelf || asciiFold[c] == 0 {
					break
				}
				t = append(t, asciiFold[c])
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		f := r
		switch {
		case r < foldLimit:
			f = foldTab[r]
		case isTokenRune(r):
			if unicode.Is(unicode.Mn, r) {
				f = markRune
			} else {
				f = unicode.ToLower(r)
			}
		default:
			f = sepRune
		}
		switch {
		case f == sepRune:
			if start >= 0 {
				fn(t, start, i)
				t, start = t[:0], -1
			}
		case f == markRune:
			// A mark continues a token but does not start one.
		default:
			if start < 0 {
				start = i
			}
			t = utf8.AppendRune(t, f)
		}
		i += n
	}
	if start >= 0 {
		fn(t, start, len(s))
	}
}

// Terms returns the folded tokens of s, for callers that show or test what
// the index sees.
func Terms(s string) []string {
	var out []string
	tokenize(s, func(t []byte, _, _ int) { out = append(out, string(t)) })
	return out
}

// spans returns the tokens of s with their byte ranges.
func spans(s string) []token {
	var out []token
	tokenize(s, func(t []byte, start, end int) { out = append(out, token{string(t), start, end}) })
	return out
}
