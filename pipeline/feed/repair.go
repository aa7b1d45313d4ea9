package feed

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// newDecoder returns a tolerant tokenizer for documents already in UTF-8.
func newDecoder(text []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(text))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// rootElement returns the lower-cased local name of the document's first
// element and its byte offset; "" when there is none.
func rootElement(text []byte) (string, int) {
	d := newDecoder(text)
	for range 10000 { // prolog: declaration, comments, doctype
		off := int(d.InputOffset())
		tok, err := d.RawToken()
		if err != nil {
			return "", 0
		}
		if se, ok := tok.(xml.StartElement); ok {
			return strings.ToLower(se.Name.Local), off
		}
	}
	return "", 0
}

// wrapEntry makes an Atom entry document into a feed holding that entry.
func wrapEntry(text []byte, off int) []byte {
	var b bytes.Buffer
	b.Grow(len(text) + 64)
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">`)
	b.Write(text[off:])
	b.WriteString(`</feed>`)
	return b.Bytes()
}

// closeTruncated repairs a document that stops early or breaks off in a
// syntax error: it keeps the text up to the last complete token, drops an
// item or entry left unfinished there, and closes the elements still open.
// It reports the repaired document, how many bytes of the original it kept,
// and whether a repair was possible.
func closeTruncated(text []byte) ([]byte, int, bool) {
	type open struct {
		name string
		off  int
	}
	var stack []open
	d := newDecoder(text)
	good := 0
scan:
	for {
		off := int(d.InputOffset())
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == maxRepairDepth {
				// No feed nests this deep; cut here rather than
				// tokenize the rest of a hostile document.
				good = off
				break scan
			}
			stack = append(stack, open{qname(t.Name), off})
		case xml.EndElement:
			// Pop to the matching start; an end tag with none is ignored.
			name := qname(t.Name)
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name == name {
					stack = stack[:i]
					break
				}
			}
		}
		good = int(d.InputOffset())
	}
	if len(stack) == 0 || good == 0 {
		return nil, 0, false
	}
	for i, o := range stack {
		local := strings.ToLower(o.name[strings.IndexByte(o.name, ':')+1:])
		if i > 0 && (local == "item" || local == "entry") {
			good, stack = o.off, stack[:i]
			break
		}
	}
	var b bytes.Buffer
	b.Write(text[:good])
	for i := len(stack) - 1; i >= 0; i-- {
		b.WriteString("</" + stack[i].name + ">")
	}
	return b.Bytes(), good, true
}

// maxRepairDepth bounds the element nesting closeTruncated follows.
const maxRepairDepth = 512

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

var (
	cdataOpen  = []byte("<![CDATA[")
	cdataClose = []byte("]]>")
	// cdataEscapedClose is how a "]]>" is written inside a CDATA section:
	// end the section after "]]" and start another for ">".
	cdataEscapedClose = []byte("]]]]><![CDATA[>")
)

// nestCDATA repairs CDATA sections that hold another one, as feeds produce
// when they wrap text that already had CDATA in it (a description pasted
// into content, an inline script's "//<![CDATA["): XML ends the outer
// section at the inner "]]>", and the outer "]]>" left in text is a syntax
// error that loses the rest of the document. The inner "]]>" is escaped so
// that the outer section runs to its own end. A section counts as nested
// only when the text between the two closes starts no other CDATA section
// and no item or entry; otherwise it is left for the parser to judge. It
// reports whether it changed anything.
func nestCDATA(b []byte) ([]byte, bool) {
	var out []byte // allocated on the first rewrite
	last := 0
	for i := 0; ; {
		j := bytes.Index(b[i:], cdataOpen)
		if j < 0 {
			break
		}
		body := i + j + len(cdataOpen)
		c := bytes.Index(b[body:], cdataClose)
		if c < 0 {
			break
		}
		end := body + c
		depth := bytes.Count(b[body:end], cdataOpen)
		var inner []int // the closes of the nested sections
		for ; depth > 0; depth-- {
			next := bytes.Index(b[end+len(cdataClose):], cdataClose)
			if next < 0 {
				break
			}
			next += end + len(cdataClose)
			if between := b[end+len(cdataClose) : next]; bytes.Contains(between, cdataOpen) || startsItem(between) {
				break
			}
			inner, end = append(inner, end), next
		}
		if len(inner) > 0 {
			if out == nil {
				out = make([]byte, 0, len(b)+64)
			}
			for _, k := range inner {
				out = append(out, b[last:k]...)
				out = append(out, cdataEscapedClose...)
				last = k + len(cdataClose)
			}
		}
		i = end + len(cdataClose)
	}
	if out == nil {
		return b, false
	}
	return append(out, b[last:]...), true
}

// startsItem reports whether b holds the start or end tag of an RSS item or
// Atom entry, in any case and with any prefix.
func startsItem(b []byte) bool {
	lower := bytes.ToLower(b)
	for _, tag := range []string{"item", "entry"} {
		for _, pre := range []string{"<", "</", ":"} {
			for _, post := range []string{">", " "} {
				if bytes.Contains(lower, []byte(pre+tag+post)) {
					return true
				}
			}
		}
	}
	return false
}
