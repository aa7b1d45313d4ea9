package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxDepth bounds every recursive walk: the HTML parser already flattens
// absurd nesting, but we never trust input to keep the stack small.
const maxDepth = 400

// mainText finds the article body under root and prints it. It mutates the
// tree (boilerplate is unlinked), so metadata must be read first.
func mainText(root *html.Node, title string) string {
	body := findBody(root)
	if body == nil {
		return ""
	}
	prune(body, 0)
	s := scorer{cands: map[*html.Node]*cand{}}
	s.walk(body, 0)
	best := s.best()
	if best == nil {
		// No paragraph worth scoring: a very short page. Print all of it.
		best = body
	}
	var r renderer
	r.title = clean(title)
	for _, n := range s.withSiblings(best) {
		r.block(n, 0)
		r.flush()
	}
	return r.String()
}

func findBody(root *html.Node) *html.Node {
	var found *html.Node
	var f func(n *html.Node, depth int)
	f = func(n *html.Node, depth int) {
		if found != nil || depth > 4 {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Body {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c, depth+1)
		}
	}
	f(root, 0)
	return found
}

// dropTags are elements never part of an article body.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Footer: true, atom.Aside: true, atom.Iframe: true,
	atom.Svg: true, atom.Math: false, atom.Canvas: true, atom.Button: true, atom.Select: true,
	atom.Input: true, atom.Textarea: true, atom.Object: true, atom.Embed: true,
	atom.Figcaption: true, atom.Header: true, atom.Form: true, atom.Label: true,
	atom.Audio: true, atom.Video: true, atom.Picture: true, atom.Img: true, atom.Dialog: true,
	atom.Menu: true, atom.Link: true, atom.Meta: true, atom.Title: true,
}

// prune unlinks boilerplate zones below n.
func prune(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case c.Type == html.CommentNode:
			n.RemoveChild(c)
		case c.Type != html.ElementNode:
		case depth > maxDepth || isBoilerplate(c):
			n.RemoveChild(c)
		default:
			prune(c, depth+1)
		}
		c = next
	}
}

// isBoilerplate decides from the tag, class, id, role and hidden markers.
func isBoilerplate(n *html.Node) bool {
	if dropTags[n.DataAtom] {
		// A form or header wrapping the whole page (old ASP.NET sites) is kept.
		if n.DataAtom == atom.Form || n.DataAtom == atom.Header {
			return !hasParagraphs(n, 3)
		}
		return true
	}
	var cls, id, role string
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			cls = a.Val
		case "id":
			id = a.Val
		case "role":
			role = a.Val
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			if hiddenStyle(a.Val) {
				return true
			}
		}
	}
	switch role {
	case "navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "alert", "search":
		return true
	}
	switch n.DataAtom {
	case atom.Body, atom.Article, atom.Main, atom.Html:
		return false
	}
	if cls == "" && id == "" {
		return false
	}
	return negativeName(strings.ToLower(cls + " " + id))
}

func hiddenStyle(s string) bool {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// negativeSubstrings mark boilerplate wherever they appear in a class or id;
// negativeWords only as whole words ("ad", not "head").
var negativeSubstrings = []string{
	"comment", "disqus", "share", "sharing", "social", "cookie", "consent", "gdpr", "newsletter",
	"subscribe", "outbrain", "taboola", "related", "recommend", "sidebar", "breadcrumb",
	"advert", "popup", "modal", "promo", "sponsor", "caption", "byline", "footer", "masthead",
	"navbar", "navigation", "widget", "signup", "sign-up", "trending", "most-read", "mostread",
	"most-popular", "read-more", "readmore", "pagination", "toolbar", "author", "skiplink",
	"skip-link", "screen-reader", "sr-only", "visually-hidden", "cta", "teaser", "tags", "tag-list",
}

var negativeWords = map[string]bool{
	"ad": true, "ads": true, "nav": true, "menu": true, "meta": true, "hidden": true, "print": true,
	"banner": true, "credit": true, "credits": true, "login": true, "hide": true, "d-none": true,
	"more": true, "follow": true, "rating": true, "overlay": true, "dateline": true, "date": true,
	"timestamp": true, "breaking": true, "alert": true, "donate": true, "subnav": true,
}

var positiveSubstrings = []string{
	"article-body", "articlebody", "article__body", "article_body", "story-body", "storybody",
	"entry-content", "post-content", "post-body", "postbody", "article-content", "articlecontent",
	"main-content", "body-text", "bodytext", "story-content", "article-text", "content-body", "article__content",
}

func negativeName(s string) bool {
	for _, p := range positiveSubstrings {
		if strings.Contains(s, p) {
			return false
		}
	}
	for _, p := range negativeSubstrings {
		if strings.Contains(s, p) {
			return true
		}
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '_' || r == '-' || r == '\t' || r == '\n' }) {
		if negativeWords[w] {
			return true
		}
	}
	return false
}

// hasParagraphs reports whether n holds at least k <p> elements with text.
func hasParagraphs(n *html.Node, k int) bool {
	count := 0
	var f func(*html.Node, int)
	f = func(n *html.Node, depth int) {
		if count >= k || depth > maxDepth {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.P && textLen(n, 0) > 40 {
			count++
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c, depth+1)
		}
	}
	f(n, 0)
	return count >= k
}

func textLen(n *html.Node, depth int) int {
	if n.Type == html.TextNode {
		return len(strings.TrimSpace(n.Data))
	}
	if depth > maxDepth {
		return 0
	}
	t := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t += textLen(c, depth+1)
	}
	return t
}

// cand is a container that holds scored paragraphs.
type cand struct {
	score          float64
	text, linkText int
}

type scorer struct {
	cands map[*html.Node]*cand
	order []*html.Node // candidates in document order, for stable ties
}

// blockTags start a new block of text when rendering and end a paragraph
// when scoring.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Blockquote: true, atom.Pre: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Table: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Tr: true,
	atom.Td: true, atom.Th: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Br: true,
	atom.Hr: true, atom.Figure: true, atom.Center: true, atom.Address: true, atom.Details: true,
	atom.Summary: true, atom.Header: true, atom.Footer: true, atom.Form: true, atom.Fieldset: true,
	atom.Caption: true, atom.Body: true, atom.Html: true, atom.Span: false,
}

// walk returns the subtree's text and link text lengths and the length of
// text directly inside n (not inside a nested block), scoring n as a
// paragraph when that direct text is substantial.
func (s *scorer) walk(n *html.Node, depth int) (text, link int) {
	if depth > maxDepth {
		return 0, 0
	}
	direct, directLink := 0, 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			l := visibleLen(c.Data)
			text += l
			direct += l
		case html.ElementNode:
			t, l := s.walk(c, depth+1)
			text += t
			link += l
			if c.DataAtom == atom.A {
				// Everything inside a link is link text.
				link += t - l
				directLink += t
				direct += t
			} else if !blockTags[c.DataAtom] {
				direct += t
				directLink += l
			}
		}
	}
	if n.Type == html.ElementNode {
		para := n.DataAtom == atom.P || n.DataAtom == atom.Pre || n.DataAtom == atom.Td || n.DataAtom == atom.Blockquote
		if direct >= 25 && (para || blockTags[n.DataAtom]) {
			s.addParagraph(n, direct, directLink)
		}
		if c, ok := s.cands[n]; ok {
			c.text, c.linkText = text, link
		}
	}
	return text, link
}

// addParagraph credits a paragraph to its ancestors: the parent fully, the
// grandparent half, further ancestors less, as readability does.
func (s *scorer) addParagraph(p *html.Node, text, link int) {
	ld := float64(link) / float64(max(text, 1))
	w := float64(text) * (1 - ld) * (1 - ld)
	if w <= 0 {
		return
	}
	// Commas mark prose rather than lists of names or links.
	_ = p
	a := p.Parent
	for level := 0; a != nil && level < 4; level++ {
		if a.Type != html.ElementNode {
			break
		}
		c, ok := s.cands[a]
		if !ok {
			c = &cand{}
			s.cands[a] = c
			s.order = append(s.order, a)
		}
		switch level {
		case 0:
			c.score += w
		case 1:
			c.score += w / 2
		default:
			c.score += w / float64(level*3)
		}
		a = a.Parent
	}
}

func (s *scorer) final(n *html.Node) float64 {
	c, ok := s.cands[n]
	if !ok {
		return 0
	}
	ld := float64(c.linkText) / float64(max(c.text, 1))
	return c.score * (1 - ld)
}

func (s *scorer) best() *html.Node {
	var best *html.Node
	bestScore := 0.0
	for _, n := range s.order {
		if f := s.final(n); f > bestScore {
			best, bestScore = n, f
		}
	}
	return best
}

// withSiblings returns best and those of its siblings that look like more of
// the same article: scored containers nearly as good, or prose paragraphs.
func (s *scorer) withSiblings(best *html.Node) []*html.Node {
	parent := best.Parent
	if parent == nil || s.cands[best] == nil {
		return []*html.Node{best}
	}
	top := s.final(best)
	threshold := max(10, top*0.2)
	var out []*html.Node
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		if c == best {
			out = append(out, c)
			continue
		}
		if c.Type != html.ElementNode {
			continue
		}
		if _, ok := s.cands[c]; ok && s.final(c) >= threshold {
			out = append(out, c)
			continue
		}
		if c.DataAtom == atom.P {
			t, l := linkStats(c, 0)
			if t > 80 && float64(l)/float64(t) < 0.25 {
				out = append(out, c)
			}
		}
	}
	return out
}

func linkStats(n *html.Node, depth int) (text, link int) {
	if depth > maxDepth {
		return 0, 0
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			text += visibleLen(c.Data)
		case html.ElementNode:
			t, l := linkStats(c, depth+1)
			text += t
			if c.DataAtom == atom.A {
				l = t
			}
			link += l
		}
	}
	return text, link
}

// visibleLen counts the non-space bytes of s.
func visibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\n', '\t', '\r', '\f':
		default:
			n++
		}
	}
	return n
}

// renderer prints blocks as paragraphs separated by blank lines.
type renderer struct {
	title string
	out   strings.Builder
	cur   strings.Builder
	link  int // bytes of link text in cur
	seen  map[string]bool
	inA   int
}

func (r *renderer) String() string { return r.out.String() }

func (r *renderer) block(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.H1:
		return
	case atom.Br:
		r.flush()
		return
	case atom.Td, atom.Th:
		r.cur.WriteByte(' ')
	}
	isBlock := blockTags[n.DataAtom]
	if isBlock {
		r.flush()
	}
	if n.DataAtom == atom.A {
		r.inA++
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.block(c, depth+1)
	}
	if n.DataAtom == atom.A {
		r.inA--
	}
	if isBlock {
		r.flush()
	}
}

func (r *renderer) text(s string) {
	// Collapse white space as a browser would, keeping one space at edges.
	space := r.cur.Len() > 0 && !strings.HasSuffix(r.cur.String(), " ")
	for _, f := range strings.FieldsFunc(s, isSpace) {
		if space {
			r.cur.WriteByte(' ')
		}
		r.cur.WriteString(f)
		if r.inA > 0 {
			r.link += len(f)
		}
		space = true
	}
	if len(s) > 0 && isSpaceByte(s[len(s)-1]) && r.cur.Len() > 0 {
		r.cur.WriteByte(' ')
	}
}

func isSpace(r rune) bool     { return unicode.IsSpace(r) }
func isSpaceByte(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' }

// flush ends the current paragraph, dropping it when it is a link list
// entry, boilerplate or a repeat.
func (r *renderer) flush() {
	p := strings.TrimSpace(r.cur.String())
	link := r.link
	r.cur.Reset()
	r.link = 0
	if p == "" {
		return
	}
	n := utf8.RuneCountInString(p)
	if link > 0 && float64(link) >= 0.8*float64(len(p)) && n < 120 {
		return
	}
	if p == r.title {
		return
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[p] {
		return
	}
	r.seen[p] = true
	if r.out.Len() > 0 {
		r.out.WriteString("\n\n")
	}
	r.out.WriteString(p)
}
