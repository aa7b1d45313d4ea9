package charset

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// ContentTypeCharset reads the charset parameter of a Content-Type
// leniently: feeds and pages arrive with "text/xml;charset = us-ascii",
// trailing semicolons and quotes, which mime.ParseMediaType rejects whole.
func ContentTypeCharset(ct string) string {
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
	if end := strings.IndexAny(rest, `"'; ,`); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// XMLDeclared returns the encoding label of a document's XML declaration,
// "" when it has none.
func XMLDeclared(b []byte) string {
	label, _, _ := XMLDeclaration(b)
	return label
}

// XMLDeclaration returns the encoding label of the XML declaration in the
// first kilobyte of b and the label's byte offsets, so that a caller that
// decoded the document can rewrite it; start is -1 when there is none.
func XMLDeclaration(b []byte) (label string, start, end int) {
	m := xmlDecl.FindSubmatchIndex(b[:min(len(b), 1024)])
	if m == nil {
		return "", -1, -1
	}
	return string(b[m[2]:m[3]]), m[2], m[3]
}

// HTMLDeclared returns the charset a <meta> element declares in the first
// 64 KB of a page, before <body>: browsers look at the first kilobyte only,
// but heads full of scripts put it later.
func HTMLDeclared(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), 64<<10)]))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "meta":
				var cs, content string
				httpEquiv := false
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "charset":
						cs = string(v)
					case "content":
						content = string(v)
					case "http-equiv":
						httpEquiv = strings.EqualFold(string(v), "content-type")
					}
				}
				if cs != "" {
					return strings.TrimSpace(cs)
				}
				if httpEquiv {
					if i := strings.Index(strings.ToLower(content), "charset="); i >= 0 {
						return strings.Trim(content[i+len("charset="):], ` "';`)
					}
				}
			}
		}
	}
}
