package feed

import (
	"strings"
	"unicode/utf8"

	"newsmon/internal/charset"
)

// fixMojibake repairs UTF-8 text that was once decoded as Windows-1252 or
// ISO-8859-1 and encoded again ("cafÃ©" for "café", "â€™" for "’"), a
// common fault of publishing systems. A lead character (Â..ô) followed by
// the right number of continuation characters, which together re-encode to
// one valid UTF-8 sequence, is replaced by that sequence's character; such
// runs do not occur in real text.
func fixMojibake(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xC2 && r <= 0xF4 }) {
		return s
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		need := 0
		switch {
		case r >= 0xC2 && r <= 0xDF:
			need = 1
		case r >= 0xE0 && r <= 0xEF:
			need = 2
		case r >= 0xF0 && r <= 0xF4:
			need = 3
		}
		if need > 0 {
			seq := []byte{byte(r)}
			j := i + size
			for len(seq) <= need && j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				bt, ok := continuation(c)
				if !ok {
					break
				}
				seq = append(seq, bt)
				j += n
			}
			if len(seq) == need+1 && utf8.Valid(seq) {
				if !changed {
					b.Grow(len(s))
					b.WriteString(s[:i])
					changed = true
				}
				b.Write(seq)
				i = j
				continue
			}
		}
		if changed {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if !changed {
		return s
	}
	return b.String()
}

// continuation returns the byte 0x80..0xBF that c stood for when a UTF-8
// continuation byte was decoded as Windows-1252 (or ISO-8859-1, which
// leaves C1 controls).
func continuation(c rune) (byte, bool) {
	switch {
	case c >= 0x80 && c <= 0xBF:
		return byte(c), true
	case c > 0xFF:
		for i, m := range charset.C1 {
			if m == c {
				return byte(0x80 + i), true
			}
		}
	}
	return 0, false
}
