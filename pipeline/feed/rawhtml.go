package feed

import "bytes"

// The elements that carry HTML, in RSS and in Atom.
var (
	rssHTML  = []string{"description", "content:encoded"}
	atomHTML = []string{"summary", "content"}
)

// wrapRawHTML puts the content of the named elements (RSS description and
// content:encoded, Atom summary and content) into CDATA sections when it
// holds unescaped HTML tags. Both formats ask for that HTML to be escaped
// (Atom's type="xhtml" content, which is XML, is left alone); feeds that
// paste it raw break XML with unclosed <br> and <p>, mismatched or unquoted
// tags, and a parser then loses the rest of the feed, or silently the items
// after the broken one. As CDATA the HTML reaches the reader as written,
// entities and all.
func wrapRawHTML(text []byte, names []string) []byte {
	var out []byte // allocated on the first rewrite
	last := 0
	for _, name := range names {
		if out != nil {
			text, out, last = append(out, text[last:]...), nil, 0
		}
		open, closing := []byte("<"+name), []byte("</"+name+">")
		for off := 0; off < len(text); {
			i := bytes.Index(text[off:], open)
			if i < 0 {
				break
			}
			start := off + i + len(open)
			if start >= len(text) || !(text[start] == '>' || isSpace(text[start])) {
				off = start
				continue
			}
			// A start tag is short; looking further would make a
			// document of many unclosed "<description " quadratic.
			gt := bytes.IndexByte(text[start:min(len(text), start+1024)], '>')
			if gt < 0 {
				off = start
				continue
			}
			body := start + gt + 1
			if text[body-2] == '/' || isXHTML(text[start:body]) { // <content/>, type="xhtml"
				off = body
				continue
			}
			j := bytes.Index(text[body:], closing)
			if j < 0 {
				break
			}
			end := body + j
			content := text[body:end]
			off = end + len(closing)
			if !hasTag(content) || bytes.Contains(content, []byte("<![CDATA[")) {
				continue
			}
			if out == nil {
				out = make([]byte, 0, len(text)+256)
			}
			out = append(out, text[last:body]...)
			out = append(out, "<![CDATA["...)
			out = append(out, bytes.ReplaceAll(content, []byte("]]>"), []byte("]]]]><![CDATA[>"))...)
			out = append(out, "]]>"...)
			last = end
		}
	}
	if out == nil {
		return text
	}
	return append(out, text[last:]...)
}

// isXHTML reports whether an Atom start tag's attributes say type="xhtml".
func isXHTML(attrs []byte) bool {
	a := bytes.ToLower(attrs)
	return bytes.Contains(a, []byte(`type="xhtml"`)) || bytes.Contains(a, []byte(`type='xhtml'`))
}

// hasTag reports whether b holds something that starts an element or an
// end tag.
func hasTag(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '<' && (isNameStart(b[i+1]) || b[i+1] == '/') {
			return true
		}
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
