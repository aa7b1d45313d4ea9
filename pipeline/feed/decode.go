package feed

import (
	"bytes"
	"html"
	"strconv"
	"strings"

	"newsmon/internal/charset"
)

// toUTF8 turns a feed body in whatever encoding it came in into UTF-8:
// gofeed trusts the XML declaration alone and cannot read UTF-16 or UTF-32
// at all. The choice is internal/charset's, shared with article pages.
func toUTF8(body []byte, contentType string) charset.Result {
	return charset.Decode(body, contentType, charset.XMLDeclared(body))
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
	_, start, end := charset.XMLDeclaration(head)
	if start < 0 {
		return trimmed
	}
	out := make([]byte, 0, len(trimmed))
	out = append(out, trimmed[:start]...)
	out = append(out, "utf-8"...)
	return append(out, trimmed[end:]...)
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
