package feed

import "bytes"

// rawHTMLElements are the RSS elements that carry HTML.
var rawHTMLElements = []string{"description", "content:encoded"}

// wrapRawHTML puts the content of RSS description and content:encoded
// elements that hold unescaped HTML tags into CDATA sections. RSS asks for
// that HTML to be escaped; feeds that paste it raw break XML with unclosed
// <br> and <p>, mismatched or unquoted tags, and a parser then loses the
// rest of the feed, or silently the items after the broken one. As CDATA
// the HTML reaches the reader as written, entities and all.
func wrapRawHTML(text []byte) []byte {
	var out []byte // allocated on the first rewrite
	last := 0
	for _, name := range rawHTMLElements {
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
			if text[body-2] == '/' { // <description/>
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
