package feed

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// toUTF8 turns a feed body in whatever encoding it came in into UTF-8 and
// names the encoding it chose. gofeed trusts the XML declaration alone and
// cannot read UTF-16 or UTF-32 at all, so the choice is made here, in this
// order: a byte order mark; the zero-byte pattern of a UTF-16/32 document
// without one; valid UTF-8, which wins over any ASCII-compatible label
// (servers and templates often declare a charset the bytes do not use); the
// HTTP charset; the XML declaration; and last a guess from the bytes.
func toUTF8(body []byte, contentType string) ([]byte, string) {
	if enc, name, n := sniffBOM(body); name != "" {
		body = body[n:]
		if enc == nil {
			return valid(body), name
		}
		return decodeWith(enc, body), name
	}
	if enc, name := sniffWide(body); enc != nil {
		return decodeWith(enc, body), name
	}
	httpLabel := contentTypeCharset(contentType)
	xmlLabel := declaredEncoding(body)
	if utf8.Valid(body) {
		// Stateful 7-bit encodings are valid UTF-8 byte for byte but
		// mean something else; only they keep their label.
		for _, l := range []string{httpLabel, xmlLabel} {
			if strings.HasPrefix(strings.ToLower(l), "iso-2022") {
				if enc, name := charset.Lookup(l); enc != nil {
					return decodeWith(enc, body), name
				}
			}
		}
		return body, "utf-8"
	}
	if mostlyUTF8(body) {
		// UTF-8 with a few stray bytes pasted in from elsewhere: reading
		// it all as a legacy charset would garble every real character.
		return utf8Fallback(body), "utf-8"
	}
	for _, l := range []string{httpLabel, xmlLabel} {
		enc, name := charset.Lookup(l)
		if enc == nil || name == "utf-8" || strings.HasPrefix(name, "utf-16") {
			continue // a label the bytes already proved wrong
		}
		return decodeWith(enc, body), name
	}
	enc, name := guessCharset(body)
	return decodeWith(enc, body), name
}

// mostlyUTF8 reports whether b, though not valid UTF-8, holds many valid
// multi-byte sequences and few bytes outside them: legacy-encoded text
// almost never forms valid sequences by chance.
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

// utf8Fallback decodes b as UTF-8, reading each byte that is not part of a
// valid sequence as Windows-1252, the usual origin of such strays.
func utf8Fallback(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, cp1252(b[i]))
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// cp1252 maps one Windows-1252 byte to its character.
func cp1252(c byte) rune {
	if c >= 0x80 && c <= 0x9f {
		if r := c1[c-0x80]; r != 0 {
			return r
		}
		return utf8.RuneError
	}
	return rune(c)
}

func valid(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

func decodeWith(enc encoding.Encoding, b []byte) []byte {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// Decoders replace bad sequences; an error here means the
		// transform itself gave up, so keep what is readable as is.
		return valid(b)
	}
	return valid(out)
}

// sniffBOM reports the encoding a byte order mark names and the mark's
// length; a nil Encoding with a name means UTF-8.
func sniffBOM(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return nil, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 4
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 4
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	}
	return nil, "", 0
}

// sniffWide recognises UTF-16 and UTF-32 without a byte order mark by where
// the zero bytes fall around the first ASCII character ('<' or '{'), as
// XML 1.0 appendix F describes.
func sniffWide(b []byte) (encoding.Encoding, string) {
	if len(b) < 4 {
		return nil, ""
	}
	z := func(i int) bool { return b[i] == 0 }
	switch {
	case z(0) && z(1) && z(2) && !z(3):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be"
	case !z(0) && z(1) && z(2) && z(3):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"
	case z(0) && !z(1) && z(2) && !z(3):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be"
	case !z(0) && z(1) && !z(2) && z(3):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"
	}
	return nil, ""
}

// contentTypeCharset reads the charset parameter leniently: feeds arrive with
// "text/xml;charset = us-ascii", trailing semicolons and quotes, which
// mime.ParseMediaType rejects whole.
func contentTypeCharset(ct string) string {
	lower := strings.ToLower(ct)
	i := strings.Index(lower, "charset")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(lower[i+len("charset"):], " \t")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.Trim(strings.TrimLeft(rest[1:], " \t"), " \t")
	rest = strings.TrimLeft(rest, `"'`)
	end := strings.IndexAny(rest, `"'; ,`)
	if end >= 0 {
		rest = rest[:end]
	}
	return rest
}

var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// declaredEncoding returns the encoding label of the XML declaration, if any.
func declaredEncoding(b []byte) string {
	if len(b) > 1024 {
		b = b[:1024]
	}
	m := xmlDecl.FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// relabel makes the XML declaration of an already decoded document say
// UTF-8, so that encoding/xml inside gofeed does not decode it a second time
// (or refuse a label it does not know). Leading white space, which makes the
// declaration illegal, goes too.
func relabel(b []byte) []byte {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("<?xml")) {
		return b
	}
	head := trimmed
	if len(head) > 1024 {
		head = head[:1024]
	}
	loc := xmlDecl.FindSubmatchIndex(head)
	if loc == nil {
		return trimmed
	}
	out := make([]byte, 0, len(trimmed))
	out = append(out, trimmed[:loc[2]]...)
	out = append(out, "utf-8"...)
	return append(out, trimmed[loc[3]:]...)
}

// xmlEntities are the five entities XML defines itself.
var xmlEntities = map[string]bool{"amp": true, "lt": true, "gt": true, "quot": true, "apos": true}

// fixEntities rewrites HTML named character references that XML does not
// define (&nbsp; &eacute; &hellip;) as numeric ones, outside CDATA sections
// and comments, so text keeps its characters instead of the literal
// "&nbsp;" a non-strict XML decoder passes through; unknown names stay.
// It also escapes a '<' that cannot start markup and drops references to
// characters XML forbids, either of which would end the document early.
func fixEntities(b []byte) []byte {
	var out []byte // allocated on the first rewrite
	last := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '<':
			if skip := skipUnparsed(b[i:]); skip > 0 {
				i += skip - 1
				continue
			}
			if i+1 < len(b) && (isNameStart(b[i+1]) || strings.IndexByte("/!?", b[i+1]) >= 0) {
				continue
			}
			// "a < b", "<3", "<=": no tag starts so, and the XML
			// decoder would stop the document here.
			if out == nil {
				out = make([]byte, 0, len(b)+64)
			}
			out = append(out, b[last:i]...)
			out = append(out, "&lt;"...)
			last = i + 1
		case '&':
			end := i + 1
			if end < len(b) && b[end] == '#' {
				end++
			}
			for end < len(b) && end-i <= 32 && isNameByte(b[end]) {
				end++
			}
			if end >= len(b) || b[end] != ';' || end == i+1 {
				continue
			}
			name := string(b[i+1 : end])
			var s string
			switch {
			case strings.HasPrefix(name, "#"):
				if !illegalRef(name[1:]) {
					continue
				}
				// A reference to a character XML forbids (&#1;,
				// &#xFFFF;) fails the whole document; drop it.
			case xmlEntities[name]:
				continue
			default:
				ref := "&" + name + ";"
				if s = html.UnescapeString(ref); s == ref {
					continue
				}
			}
			if out == nil {
				out = make([]byte, 0, len(b)+64)
			}
			out = append(out, b[last:i]...)
			for _, r := range s {
				out = append(out, "&#"...)
				out = strconv.AppendInt(out, int64(r), 10)
				out = append(out, ';')
			}
			last = end + 1
			i = end
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// illegalRef reports whether the body of a numeric character reference
// ("233", "x2014") names a character XML 1.0 does not allow.
func illegalRef(num string) bool {
	base := 10
	if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
		num, base = num[1:], 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil {
		return false // not a number: leave it to the XML decoder
	}
	r := rune(n)
	return !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF)
}

// stripIllegal removes the characters XML 1.0 forbids anywhere, even in
// CDATA: C0 controls other than tab and line ends, U+FFFE and U+FFFF. A
// stray one would otherwise end the document where it stands.
func stripIllegal(b []byte) []byte {
	bad := func(i int) int { // length of an illegal character at b[i], or 0
		c := b[i]
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return 1
		case c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF):
			return 3
		}
		return 0
	}
	i := 0
	for i < len(b) && bad(i) == 0 {
		i++
	}
	if i == len(b) {
		return b
	}
	out := append(make([]byte, 0, len(b)), b[:i]...)
	for i < len(b) {
		if n := bad(i); n > 0 {
			i += n
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

// isNameStart reports whether c may begin an XML name; bytes of non-ASCII
// characters all may.
func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// skipUnparsed returns the length of a CDATA section or comment starting at
// b[0], 0 when b does not start one. An unterminated one runs to the end.
func skipUnparsed(b []byte) int {
	var open, closing string
	switch {
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		open, closing = "<![CDATA[", "]]>"
	case bytes.HasPrefix(b, []byte("<!--")):
		open, closing = "<!--", "-->"
	default:
		return 0
	}
	j := bytes.Index(b[len(open):], []byte(closing))
	if j < 0 {
		return len(b)
	}
	return len(open) + j + len(closing)
}
