package feed

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// feedTypes are the link types of feed autodiscovery.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/rdf+xml":   true,
	"application/feed+json": true,
	"application/json":      true,
	"text/xml":              true,
	"application/xml":       true,
}

// Discover returns the feeds an HTML page advertises with
// <link rel="alternate" type="application/rss+xml" href="...">, the
// autodiscovery convention of browsers and feed readers: absolute http(s)
// URLs resolved against pageURL and the page's <base href>, in page order,
// each once. It reads the head only and stops at <body>.
func Discover(page []byte, pageURL string) []string {
	base, _ := url.Parse(strings.TrimSpace(pageURL))
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		name, hasAttr := z.TagName()
		switch atom.Lookup(name) {
		case atom.Body:
			return out
		case atom.Base, atom.Link:
		default:
			continue
		}
		attrs := map[string]string{}
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			attrs[string(k)] = strings.TrimSpace(string(v))
		}
		if atom.Lookup(name) == atom.Base {
			if b, err := url.Parse(attrs["href"]); err == nil && attrs["href"] != "" {
				if base != nil {
					b = base.ResolveReference(b)
				}
				base = b
			}
			continue
		}
		rels := strings.Fields(strings.ToLower(attrs["rel"]))
		typ, _, _ := strings.Cut(strings.ToLower(attrs["type"]), ";")
		if !contains(rels, "alternate") || !feedTypes[strings.TrimSpace(typ)] {
			continue
		}
		if u := resolve(base, attrs["href"]); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
