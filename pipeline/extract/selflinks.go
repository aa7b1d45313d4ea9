package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// selfLinks tells the links that point to the page itself (its own URL
// or its canonical one) and hold paragraphs of text. Some templates wrap a
// story's paragraphs or the whole of it in such a link (a card that is
// also the article, a page linking back to its original): that text is
// not a way to another page, so it does not count as link text when
// blocks are scored or link lists dropped. Links within the page
// (#fragments) stay links: they make up tables of contents.
type selfLinks struct {
	base  *url.URL
	keys  []string // host (without "www.") and path (without a final "/") of the page and its canonical URL
	tails []string // the last segment of each path, a cheap first test
}

func newSelfLinks(pageURL, canonical string) selfLinks {
	var s selfLinks
	if u, err := url.Parse(pageURL); err == nil {
		s.base = u
	}
	for _, raw := range []string{pageURL, canonical} {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		key, tail := urlKey(u)
		if tail == "" {
			// A site's front page: links to it are navigation.
			continue
		}
		s.keys = append(s.keys, key)
		s.tails = append(s.tails, tail)
	}
	return s
}

// urlKey returns the comparable form of u and the last segment of its path.
func urlKey(u *url.URL) (key, tail string) {
	path := strings.TrimRight(u.EscapedPath(), "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		tail = path[i+1:]
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") + path, tail
}

// selfLinkProse is the text, in non-space bytes, from which a link to the
// page itself is taken for prose: shorter ones are its headline or a
// "permalink" line, furniture like other links.
const selfLinkProse = 100

// is reports whether the link n points to the page itself and holds a
// paragraph's worth of text.
func (s selfLinks) is(n *html.Node) bool {
	if !s.points(n) {
		return false
	}
	t, _ := linkStats(n, 0)
	return t >= selfLinkProse
}

// points reports whether the link n points to the page itself.
func (s selfLinks) points(n *html.Node) bool {
	if len(s.keys) == 0 {
		return false
	}
	href := strings.TrimSpace(attr(n, "href"))
	if href == "" || href[0] == '#' {
		return false
	}
	found := false
	for _, t := range s.tails {
		if strings.Contains(href, t) {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	u, err := url.Parse(href)
	if err != nil {
		return false
	}
	if s.base != nil {
		u = s.base.ResolveReference(u)
	}
	key, _ := urlKey(u)
	for _, k := range s.keys {
		if k == key {
			return true
		}
	}
	return false
}
