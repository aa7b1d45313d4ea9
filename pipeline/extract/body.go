package extract

import (
	"regexp"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxDepth bounds every recursive walk. The parser refuses trees deeper
// than 512 and flatten keeps reparsed ones shallower still; this is the
// backstop that keeps our own stack small whatever the tree.
const maxDepth = 400

// mainText finds the article body in doc and prints it, and returns the
// name of a byline line at its start or end, printed or not (textByline).
// It mutates the tree (boilerplate is unlinked), so metadata must be read
// first.
func mainText(doc *goquery.Document, title, pageURL, canonical string) (text, byline string) {
	self := newSelfLinks(pageURL, canonical)
	blocks := articleBlocks(doc, title, pageURL, self)
	r := renderer{host: siteHost(pageURL), self: self}
	for _, n := range blocks {
		r.block(n, 0)
		r.flush()
	}
	paras := make([]string, len(r.paras))
	for i, p := range r.paras {
		paras[i] = p.text
	}
	return r.finish(clean(title)), textByline(paras)
}

// articleBlocks unlinks the boilerplate under doc's body and returns the
// blocks that hold the article, in document order; nil when the page has
// no body.
func articleBlocks(doc *goquery.Document, title, pageURL string, self selfLinks) []*html.Node {
	sel := doc.ChildrenFiltered("html").ChildrenFiltered("body").First()
	if sel.Length() == 0 {
		return nil
	}
	body := sel.Nodes[0]
	sel.Find(dropSelector).Remove()
	// The story's <article> (the one of several, or the only one, headed
	// by the page's title) is told before the furniture goes: its headline
	// often sits in a <header>.
	articles := sel.Find("article")
	titled := titledArticle(articles, title)
	story := titled
	if story == nil && articles.Length() == 1 && headedBy(articles, title) {
		story = articles.Nodes[0]
	}
	dropPlaced(sel)
	dropSectioning(sel, self)
	pr := prune(sel, siteHost(pageURL), self, story)
	s := scorer{cands: map[*html.Node]*cand{}, marked: map[*html.Node]bool{}, doubted: pr.doubted, named: map[*html.Node]bool{}, self: self}
	for n, prose := range pr.bodies {
		// A block named as the article body that holds a good part of
		// the page's prose says where the story is, as schema.org markup
		// does; embedded posts are named alike but are quotes.
		if 4*prose >= pr.total && !embedName(strings.ToLower(attr(n, "class")+" "+attr(n, "id"))) {
			s.named[n] = true
		}
	}
	for _, n := range sel.Find(schemaSelector).Nodes {
		s.marked[n] = true
	}
	// endless: the story is the titled one of several articles the
	// furniture's removal left, whatever the length of the others.
	endless := false
	switch left := sel.Find("article"); {
	case left.Length() == 1:
		// A page with one <article> element says where its story is, as
		// schema.org markup does; pages that list stories have several.
		s.marked[left.Nodes[0]] = true
	case titled != nil && contains(body, titled):
		s.marked[titled] = true
		endless = true
	}
	s.walk(body, 0, false)
	top := s.best()
	if story != nil && top != nil && !contains(story, top) && (endless || inTeaserList(top)) {
		// The story outweighed by others: the next ones of an endless
		// page, or, for a short story (a video's description, a brief),
		// the list of other stories beside it.
		if in := s.bestWithin(story); in != nil {
			top = in
		}
	}
	best := s.spread(s.markedRoot(s.sharedAncestor(s.tableParent(top))))
	if best == nil {
		// No paragraph worth scoring: a very short page. Print all of it.
		best = body
	}
	return s.withSiblings(best)
}

// titledArticle returns the article, of several, headed by the page's
// title: the story (the others are teasers, or the next stories of an
// endless page), the innermost when they nest (an endless page's wrapper,
// headed by the first story's title, holds them all); nil when there is
// one article or none, or none is so headed.
func titledArticle(articles *goquery.Selection, title string) *html.Node {
	if articles.Length() < 2 || title == "" {
		return nil
	}
	var titled *html.Node
	articles.EachWithBreak(func(_ int, a *goquery.Selection) bool {
		// A teaser card linking to the story is headed alike but holds
		// little text besides its links.
		if t, l := linkStats(a.Nodes[0], 0); t-l < 150 || !headedBy(a, title) {
			return titled == nil
		}
		if titled != nil && !contains(titled, a.Nodes[0]) {
			return false
		}
		titled = a.Nodes[0]
		return true
	})
	return titled
}

// tableParent returns the parent of best when best is a table or a list
// whose parent also holds paragraphs of prose of its own: a list article
// (a table of films, a ranking) set among its introduction, notes and
// references, which belong to it as much as the table does.
func (s *scorer) tableParent(best *html.Node) *html.Node {
	if best == nil {
		return nil
	}
	x := best
	for x.DataAtom == atom.Tbody || x.DataAtom == atom.Thead {
		x = x.Parent
	}
	switch x.DataAtom {
	case atom.Table, atom.Ul, atom.Ol, atom.Dl:
	default:
		return best
	}
	p := x.Parent
	if p == nil || p.DataAtom == atom.Body {
		return best
	}
	paras := 0
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == atom.P {
			if t, l := linkStats(c, 0); t >= 80 && 4*l < t {
				paras++
			}
		}
	}
	if paras >= 2 {
		return p
	}
	return best
}

// headedBy reports whether a heading in sel (its first three) reads as
// title: the same words, or most of them.
func headedBy(sel *goquery.Selection, title string) bool {
	found := false
	sel.Find("h1, h2, h3").EachWithBreak(func(i int, h *goquery.Selection) bool {
		found = readsAsTitle(clean(h.Text()), title)
		return !found && i < 2
	})
	return found
}

// titlePartSeps join a page title's parts: the headline, the site's
// name, a section ("Paper | Story", "Story - Section - Paper").
var titlePartSeps = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » "}

// readsAsTitle reports whether the heading t reads as the page title: the
// same words, or most of them, as the whole title or as one of its parts
// (a site name the metadata did not name, before or after the headline).
func readsAsTitle(t, title string) bool {
	if t == "" {
		return false
	}
	similar := func(a, b string) bool { return a == b || overlap(a, b) >= 0.8 && overlap(b, a) >= 0.8 }
	if similar(t, title) {
		return true
	}
	for _, sep := range titlePartSeps {
		if !strings.Contains(title, sep) {
			continue
		}
		for _, part := range strings.Split(title, sep) {
			if part = strings.TrimSpace(part); len(strings.Fields(part)) >= 3 && similar(t, part) {
				return true
			}
		}
	}
	return false
}

// dropSelector matches elements never part of an article body: scripts,
// navigation, asides, form controls, media and head matter. A <noscript>
// stays when it holds paragraphs: some blogs serve the post itself there
// for readers without JavaScript (the page is parsed as such a browser
// would, so its markup is elements, not text); other ones hold tracking
// pixels, image fallbacks or markup saved as text. Forms and
// headers are furniture instead (furnitureSelector): some sites wrap the
// whole page in one.
const dropSelector = "script, style, template, iframe, svg, canvas, " +
	"button, select, input, textarea, object, embed, figcaption, label, audio, video, picture, img, " +
	"dialog, menu, link, meta, title"

// sectioningFurniture matches the elements HTML gives to a page's
// furniture (navigation, asides and footers) and the <noscript> elements
// that hold no paragraph (tracking pixels, image fallbacks, "enable
// JavaScript" notices). They are dropped before the body is searched
// (dropSectioning) unless one holds nearly all the page's prose: some
// templates set the whole page, story included, inside one, and some
// blogs serve the post itself in a <noscript> as lines broken by <br>;
// dropping it would leave nothing.
const sectioningFurniture = "nav, aside, footer, noscript:not(:has(p))"

// dropSectioning unlinks the furniture elements (sectioningFurniture) that
// hold under nine tenths of the prose under body. The others stay for the
// pruner to judge as it judges other furniture (furnitureSelector). Nine
// tenths, not half: a long aside or footer beside a short story is still
// furniture.
func dropSectioning(body *goquery.Selection, self selfLinks) {
	zones := body.Find(sectioningFurniture)
	if zones.Length() == 0 {
		return
	}
	// Prose is measured as the pruner measures it (pruner.survey), by a
	// pruner of its own that judges nothing but knows the page's own
	// links: a paragraph linked to the page itself is prose here too.
	prose := func(n *html.Node) int { return (&pruner{self: self}).survey(n, false, 0) }
	total := prose(body.Nodes[0])
	zones.Each(func(_ int, z *goquery.Selection) {
		n := z.Nodes[0]
		if n.Parent == nil {
			return
		}
		if total == 0 || 10*prose(n) < 9*total {
			n.Parent.RemoveChild(n)
		}
	})
}

// dropPlaced unlinks the short texts a page places at coordinates (an
// inline style giving both a top or bottom and a left or right offset):
// the labels, ticks and values of a chart or a map drawn in HTML, which
// read as a heap of one-word lines. Flowing text is not placed so.
func dropPlaced(body *goquery.Selection) {
	body.Find("[style]").Each(func(_ int, s *goquery.Selection) {
		n := s.Nodes[0]
		if n.Parent == nil || !placedStyle(attr(n, "style")) {
			return
		}
		if t, _ := linkStats(n, 0); t < placedText {
			n.Parent.RemoveChild(n)
		}
	})
}

// placedText is the text, in non-space bytes, under which a placed element
// is taken for a label.
const placedText = 80

// placedStyle reports an inline style that places its element at a
// vertical and a horizontal offset (top or bottom, left or right; not
// margin-top or padding-left).
func placedStyle(style string) bool {
	style = strings.ToLower(style)
	if !strings.Contains(style, "top") && !strings.Contains(style, "bottom") {
		return false
	}
	v, h := false, false
	for _, prop := range strings.Split(style, ";") {
		name, _, _ := strings.Cut(prop, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "top", "bottom":
			v = true
		case "left", "right":
			h = true
		}
	}
	return v && h
}

// schemaSelector matches schema.org microdata naming an element the article
// or its body.
const schemaSelector = "[itemprop=articleBody i], [itemtype$=Article], [itemtype$=BlogPosting]"

// pruner unlinks boilerplate zones. A zone named like boilerplate (by
// class, id or hidden markers) is kept when it holds most of the page's prose:
// sites put whole articles inside "ad-margins" or "widget" wrappers.
type pruner struct {
	names    map[string]int // flags of class and id names judged so far
	suspects map[*html.Node]suspect
	// bodies are the elements named or marked as the article body
	// (positive names, itemprop=articleBody) with their prose; holders
	// are the suspects that hold a substantial one, which are searched
	// instead of cut: a wrapper's "modal-enabled" or "commentary" class
	// does not outrank the "entry-content" inside it.
	bodies  map[*html.Node]int
	holders map[*html.Node]bool
	// doubted are the suspects kept because they hold most of the
	// page's prose: the story may be inside, or a long notice may dwarf
	// a short story beside it, which the scorer settles (scorer.doubted).
	doubted  map[*html.Node]bool
	decided  map[*html.Node]action
	rescue   bool   // keep the larger suspects: the others' removal leaves too little (decide)
	total    int    // prose bytes of the whole body
	host     string // the page's site, for telling teasers of its other pages
	self     selfLinks
	counters []slideCounter
}

type suspect struct {
	v     verdict
	prose int
}

type verdict int

const (
	keep verdict = iota
	dropIfMinor
	trimTail    // keep only the first child (tooltips)
	dropUnless  // drop unless it is nearly all the page's prose (slide shows)
	dropIfSmall // drop unless it holds smallWidgetProse or most of the prose
	bodyName    // named as the article body: never a suspect
)

// furnitureSelector matches zones that are page furniture whatever their
// names say: hidden ones, those whose ARIA role is navigation, a banner and
// the like, and forms and headers (a form or header wrapping the whole page,
// as on old ASP.NET sites, holds most of the prose and stays).
const furnitureSelector = "form, header, " + sectioningFurniture + ", [hidden], [aria-hidden=true], " +
	"[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=menu], " +
	"[role=menubar], [role=dialog], [role=alert], [role=search]"

// prune selects the suspect zones under body, by their names and by the
// furniture markers, then measures their prose in one walk and cuts them.
// The zones around story (the <article> headed by the page's title, or
// nil) stay whatever they are named: a video page sets its story in a
// "video-teaser" block, however short the story is beside the teasers.
func prune(body *goquery.Selection, host string, self selfLinks, story *html.Node) *pruner {
	p := pruner{suspects: map[*html.Node]suspect{}, names: map[string]int{}, host: host, self: self,
		bodies: map[*html.Node]int{}, holders: map[*html.Node]bool{}, doubted: map[*html.Node]bool{},
		decided: map[*html.Node]action{}}
	// Article and main elements stay whatever their class names say.
	body.Find("[class], [id]").Not("article, main").Each(func(_ int, s *goquery.Selection) {
		switch v := p.byName(s.AttrOr("class", ""), s.AttrOr("id", "")); {
		case v == bodyName:
			p.bodies[s.Nodes[0]] = 0
		case v == dropIfSmall && inSentence(s.Nodes[0]) && overlayName(strings.ToLower(s.AttrOr("class", "")+" "+s.AttrOr("id", ""))):
			// A word of a sentence named for an overlay is the link or
			// the term that opens one (a footnote, a glossary entry).
		case (v == dropIfSmall || v == dropIfMinor) && midSentence(s.Nodes[0]):
			// A word of a sentence named as furniture is a name the
			// site links to its topic pages ("meta-org", "tag-link").
		case v != keep:
			p.suspects[s.Nodes[0]] = suspect{v: v}
		}
	})
	body.Find("[itemprop=articleBody i]").Each(func(_ int, s *goquery.Selection) { p.bodies[s.Nodes[0]] = 0 })
	furniture := func(_ int, s *goquery.Selection) { p.suspects[s.Nodes[0]] = suspect{v: dropIfMinor} }
	body.Find(furnitureSelector).Each(furniture)
	body.Find("[style]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return hiddenStyle(s.AttrOr("style", ""))
	}).Each(furniture)
	p.total = p.survey(body.Nodes[0], false, 0)
	p.markHolders()
	if story != nil {
		for a, depth := story.Parent, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
			p.holders[a] = true
		}
	}
	p.markSlides()
	if 4*(p.total-p.removedProse(body.Nodes[0], 0)) < p.total {
		p.rescue = true
		// Judge again: only the removals' answers change.
		p.decided = map[*html.Node]action{}
	}
	p.cut(body.Nodes[0], 0)
	return &p
}

// inSentence reports an element inside a paragraph: a word or phrase of
// its sentence whatever its class says ("popup-term", "date").
func inSentence(n *html.Node) bool {
	for a, depth := n.Parent, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
		switch a.DataAtom {
		case atom.P:
			return true
		case atom.Div, atom.Section, atom.Article, atom.Body, atom.Li, atom.Td:
			return false
		}
	}
	return false
}

// midSentence reports an inline element that is a word or phrase of its
// paragraph's sentence, whatever its class says ("<a class=meta-org>Yahoo</a>'s
// sale to <a class=meta-org>Verizon</a> is ..."): words of the paragraph
// follow it, and words precede it or the paragraph is a sentence (it ends
// as one) of which the element is under a third.
func midSentence(n *html.Node) bool {
	if blockTags[n.DataAtom] {
		return false
	}
	var p *html.Node
	for a, depth := n.Parent, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
		if a.DataAtom == atom.P {
			p = a
			break
		}
		if blockTags[a.DataAtom] {
			return false
		}
	}
	if p == nil {
		return false
	}
	var before, inside, after strings.Builder
	at := &before
	budget := 2000 // nodes: a paragraph, not a page
	var walk func(c *html.Node, depth int)
	walk = func(c *html.Node, depth int) {
		for ; c != nil && depth < maxDepth && budget > 0; c = c.NextSibling {
			budget--
			if c == n {
				at = &inside
				walk(c.FirstChild, depth+1)
				at = &after
				continue
			}
			if c.Type == html.TextNode && at.Len() < 4000 {
				at.WriteString(c.Data)
			}
			walk(c.FirstChild, depth+1)
		}
	}
	walk(p.FirstChild, 0)
	hasWords := func(s string) bool { return strings.IndexFunc(s, wordRune) >= 0 }
	if budget <= 0 || !hasWords(after.String()) {
		return false
	}
	if hasWords(before.String()) {
		return true
	}
	rest := strings.TrimSpace(after.String())
	return endsSentence(lastRune(rest)) && 3*visibleLen(inside.String()) < visibleLen(rest)
}

// overlayName reports the names of overlays (overlaySubstrings).
func overlayName(s string) bool { return namedBy(s, overlaySubstrings, nil, nil) }

// survey returns the prose length under n, remembering it for the suspects.
func (p *pruner) survey(n *html.Node, inP bool, depth int) int {
	if n.Type == html.TextNode {
		if len(n.Data) < 40 {
			if k, of, ok := slideCount(n.Data); ok && len(p.counters) < 1000 {
				p.counters = append(p.counters, slideCounter{n, k, of})
			}
		}
		// Prose is paragraph text, or text long enough to be a sentence in
		// pages that separate paragraphs with <br> only.
		if l := visibleLen(n.Data); inP || l >= 40 {
			return l
		}
		return 0
	}
	if n.Type != html.ElementNode || depth > maxDepth {
		return 0
	}
	switch n.DataAtom {
	case atom.A:
		inP = inP && p.self.is(n)
	case atom.P, atom.Pre, atom.Blockquote:
		inP = true
	}
	t := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t += p.survey(c, inP, depth+1)
	}
	if s, ok := p.suspects[n]; ok {
		s.prose = t
		p.suspects[n] = s
	}
	if _, ok := p.bodies[n]; ok {
		p.bodies[n] = t
	}
	return t
}

// markHolders marks the ancestors of every article body that holds at
// least a third of the page's prose.
func (p *pruner) markHolders() {
	for n, prose := range p.bodies {
		if 3*prose < p.total || prose == 0 {
			continue
		}
		for a, depth := n.Parent, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
			p.holders[a] = true
		}
	}
}

// action is what the pruner does with one element.
type action int

const (
	descend action = iota // keep it and judge its children
	doubt                 // keep it, named like boilerplate (doubted), and judge its children
	trim                  // keep its first child only (trimAfterFirst), then descend
	remove                // unlink it
)

// decide judges the element c, and caches the answer for cut. A zone
// named like boilerplate is removed unless it holds much of the prose:
// most of it, or, when the zones so judged would leave under a quarter of
// the page's prose (rescue: a story whose wrapper is named "modal-enabled"
// beside a sidebar of nearly the same size), a fifth of it.
func (p *pruner) decide(c *html.Node) action {
	if a, ok := p.decided[c]; ok {
		return a
	}
	a := descend
	total := float64(max(p.total, 1))
	s, ok := p.suspects[c]
	switch {
	case ok && p.holders[c]:
	case !ok && p.cardList(c) && 2*p.survey(c, false, 0) < p.total:
		// Cards are beside the story: a run of them holding most of the
		// page's prose is the story told in short blocks.
		a = remove
	case !ok:
	case s.v == trimTail:
		a = trim
	case s.v == dropUnless && float64(s.prose) < 0.9*total:
		a = remove
	case s.v == dropUnless:
		a = doubt
	case s.v == dropIfSmall && s.prose >= smallWidgetProse:
		// Named like a small widget, but holding paragraphs of text.
	case float64(s.prose) >= 0.5*total, p.rescue && float64(s.prose) >= 0.2*total:
		a = doubt
	default:
		a = remove
	}
	p.decided[c] = a
	return a
}

// removedProse returns the prose under n that cut would remove, outside
// the zones it keeps as doubted.
func (p *pruner) removedProse(n *html.Node, depth int) int {
	t := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || depth > maxDepth {
			continue
		}
		switch p.decide(c) {
		case remove:
			if s, ok := p.suspects[c]; ok {
				t += s.prose
			} else {
				t += p.survey(c, false, 0)
			}
		case trim, doubt:
			// The tail of a tooltip is not prose worth counting; a zone
			// kept as doubted holds the prose that may be the story.
		default:
			t += p.removedProse(c, depth+1)
		}
	}
	return t
}

func (p *pruner) cut(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case c.Type == html.CommentNode:
			n.RemoveChild(c)
		case c.Type != html.ElementNode:
		case depth > maxDepth:
			n.RemoveChild(c)
		default:
			switch p.decide(c) {
			case remove:
				n.RemoveChild(c)
			case trim:
				trimAfterFirst(c)
				p.cut(c, depth+1)
			case doubt:
				p.doubted[c] = true
				p.cut(c, depth+1)
			default:
				p.cut(c, depth+1)
			}
		}
		c = next
	}
}

// slideCounter is a text node that numbers a slide: "3/50", "3 / 50".
type slideCounter struct {
	n     *html.Node
	k, of int
}

// slideCount reads a slide counter: two numbers joined by a slash, the
// first no greater than the second, nothing else.
func slideCount(s string) (k, of int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "/")
	if !found {
		return 0, 0, false
	}
	k, okA := smallNumber(strings.TrimSpace(a))
	of, okB := smallNumber(strings.TrimSpace(b))
	return k, of, okA && okB && k >= 1 && k <= of && of >= 3
}

func smallNumber(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// markSlides finds slide shows by their counters, whatever the page's
// language or class names: four or more counters of the same total ("1/50",
// "2/50" ...) number the slides of one gallery, the smallest element
// holding them all. A gallery is dropped unless it is nearly all the
// page's prose (a page that is the gallery). Its prose is measured here,
// after the survey, since it was not a suspect then.
func (p *pruner) markSlides() {
	byTotal := map[int][]*html.Node{}
	for _, c := range p.counters {
		byTotal[c.of] = append(byTotal[c.of], c.n)
	}
	for _, nodes := range byTotal {
		if len(nodes) < 4 {
			continue
		}
		g := commonAncestor(nodes)
		if g == nil || g.DataAtom == atom.Body || g.DataAtom == atom.Html {
			continue
		}
		p.suspects[g] = suspect{v: dropUnless, prose: p.survey(g, false, 0)}
	}
}

// commonAncestor returns the deepest element that holds every node.
func commonAncestor(nodes []*html.Node) *html.Node {
	path := func(n *html.Node) []*html.Node {
		var up []*html.Node
		for a := n.Parent; a != nil && len(up) <= maxDepth; a = a.Parent {
			up = append(up, a)
		}
		slices.Reverse(up)
		return up
	}
	common := path(nodes[0])
	for _, n := range nodes[1:] {
		other := path(n)
		i := 0
		for i < len(common) && i < len(other) && common[i] == other[i] {
			i++
		}
		common = common[:i]
	}
	if len(common) == 0 {
		return nil
	}
	return common[len(common)-1]
}

// cardList reports a grid or list of teasers for the site's other pages:
// three or more siblings built alike, each short and linking to a page of
// the same site ("Most popular", "More stories" without telling names).
func (p *pruner) cardList(n *html.Node) bool {
	if p.host == "" {
		return false
	}
	// The most common kind among the children, ignoring headings; cards
	// come in runs, so counting runs of the same kind is enough.
	children := 0
	best, bestN := "", 0
	run, runN := "", 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || isHeading(c.DataAtom) {
			continue
		}
		children++
		if children == 1 && c.NextSibling == nil {
			return false
		}
		if k := kindKey(c); k == run {
			runN++
		} else {
			run, runN = k, 1
		}
		if runN > bestN {
			best, bestN = run, runN
		}
	}
	// List items are left to the renderer's link-list rules: a numbered
	// round-up of short linked items is often the story itself.
	// Paragraphs are story text however many links they carry.
	if bestN < 3 || bestN*10 < children*6 || best == "li" || strings.HasPrefix(best, "li.") ||
		best == "p" || strings.HasPrefix(best, "p.") {
		return false
	}
	cards := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || kindKey(c) != best {
			continue
		}
		var st cardStats
		p.cardWalk(c, false, &st, 0)
		if st.text < 300 && st.local >= 10 && st.text > st.local {
			cards++
		}
	}
	return cards*10 >= bestN*8
}

type cardStats struct{ text, local, nodes int }

// cardWalk measures a card; it gives up on anything larger than a card.
func (p *pruner) cardWalk(n *html.Node, local bool, st *cardStats, depth int) {
	st.nodes++
	if depth > 30 || st.text >= 300 || st.nodes > 500 {
		st.text = max(st.text, 300)
		return
	}
	switch n.Type {
	case html.TextNode:
		l := visibleLen(n.Data)
		st.text += l
		if local {
			st.local += l
		}
		return
	case html.ElementNode:
		if n.DataAtom == atom.A && !local {
			local = localHref(attr(n, "href"), p.host)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.cardWalk(c, local, st, depth+1)
	}
}

func kindKey(n *html.Node) string {
	cls, _, _ := strings.Cut(strings.TrimSpace(attr(n, "class")), " ")
	if cls == "" {
		return n.Data
	}
	return n.Data + "." + cls
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// byName judges a zone by its class list and id.
func (p *pruner) byName(cls, id string) verdict {
	if slugID(id) {
		// An id made from a heading ("sharing-with-a-single-developer")
		// says nothing about the element's role.
		id = ""
	}
	f := nameFlags(cls, p.names)
	if id != "" {
		f |= nameFlags(id, p.names)
	}
	switch {
	case f&positive != 0:
		return bodyName
	case f&hover != 0:
		return trimTail
	case f&siteEnd != 0:
		return dropUnless
	case f&negative != 0:
		return dropIfMinor
	case f&widget != 0:
		return dropIfSmall
	}
	return keep
}

// What a class or id name says about its element.
const (
	positive = 1 << iota // the article body ("entry-content")
	negative             // boilerplate ("share-bar")
	hover                // a tooltip or hover card
	siteEnd              // the site's footer (siteEndNames)
	widget               // a small widget inside the story (widgetSubstrings)
)

// nameFlags judges one class list or id; cache remembers the answers for
// the page, where the same class lists recur hundreds of times.
func nameFlags(name string, cache map[string]int) int {
	if name == "" {
		return 0
	}
	if f, ok := cache[name]; ok {
		return f
	}
	lc := layoutless(pageBuilderless(strings.ToLower(name)))
	f := 0
	switch {
	case positiveName(lc):
		f = positive
	case hoverName(lc):
		f = hover
	case siteEndName(lc):
		f = siteEnd
	case negativeName(lc):
		f = negative
	case widgetName(lc):
		f = widget
	}
	if len(cache) < 10000 {
		cache[name] = f
	}
	return f
}

// pageBuilders are the class prefixes of page builders, which wrap every
// block of a page, story text included, in "widget" elements and say what
// a block is after the prefix: "elementor-widget-text-editor",
// "elementor-widget-share-buttons", "et_pb_text".
var pageBuilders = []string{"elementor-", "et_pb_", "vc_", "wpb_", "fl-"}

// pageBuilderless rewrites the page-builder class names in a class list to
// what they say about their block, without the prefix and the word widget.
func pageBuilderless(lc string) string {
	builder := false
	for _, b := range pageBuilders {
		if strings.Contains(lc, b) {
			builder = true
			break
		}
	}
	if !builder {
		return lc
	}
	fields := strings.Fields(lc)
	for i, f := range fields {
		for _, b := range pageBuilders {
			if rest, ok := strings.CutPrefix(f, b); ok {
				rest = strings.ReplaceAll(rest, "widget", "")
				fields[i] = strings.Trim(rest, "-_")
				break
			}
		}
	}
	return strings.Join(fields, " ")
}

// layoutModifier matches class names that say a wrapper's layout has a
// sidebar ("content-with-sidebar", "one-sidebar", "page--wsidebar",
// "layoutTwoColumnsRightSidebar"): the wrapper holds the story and the
// sidebar both.
var layoutModifier = regexp.MustCompile(`(with|has|no|one|two|w|left|right)[-_]?sidebars?`)

// layoutless removes layout modifiers from a lower-case class list.
func layoutless(lc string) string {
	if !strings.Contains(lc, "sidebar") {
		return lc
	}
	return layoutModifier.ReplaceAllString(lc, "")
}

// slugID reports an id of four or more words joined by hyphens.
func slugID(id string) bool {
	return strings.Count(id, "-") >= 3 && !strings.ContainsAny(id, " _")
}

// hoverName marks tooltips and hover cards: the first child is the word in
// the text, the rest is the card that pops up.
func hoverName(s string) bool {
	for _, w := range []string{"rollover", "tooltip", "popover", "hovercard", "hover-card"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// trimAfterFirst removes every child of n after the first one with text.
func trimAfterFirst(n *html.Node) {
	var first *html.Node
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case first != nil:
			n.RemoveChild(c)
		case c.Type == html.ElementNode || c.Type == html.TextNode && strings.TrimSpace(c.Data) != "":
			first = c
		}
		c = next
	}
}

func hiddenStyle(s string) bool {
	if !strings.Contains(s, "none") && !strings.Contains(s, "hidden") && !strings.Contains(s, "NONE") && !strings.Contains(s, "HIDDEN") {
		return false
	}
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// negativeSubstrings mark boilerplate wherever they appear in a class or id;
// negativeWords only as whole words ("ad", not "head").
var negativeSubstrings = []string{
	"comment", "disqus", "cookie", "consent", "gdpr", "newsletter",
	"subscribe", "outbrain", "taboola", "related", "recommend", "sidebar", "breadcrumb",
	"advert", "promo", "sponsor", "masthead", "caption",
	"navbar", "navigation", "widget", "signup", "sign-up", "trending", "most-read", "mostread",
	"most-popular", "skiplink",
	"skip-link", "screen-reader", "sr-only", "visually-hidden", "teaser",
	"more-stories", "morestories", "more-news", "morenews", "more-articles", "more-from",
	// Related and most-read stories in other languages: Spanish and
	// Portuguese, French, German, Italian, Chinese in pinyin (相关, 推荐).
	"relacionad", "mas-leid", "mas-vist", "recomendad", "te-puede-interesar", "mais-lid", "leia-tambem",
	"articles-lies", "lire-aussi", "plus-lus", "meme-sujet", "recommand",
	"verwandt", "aehnlich", "meistgelesen", "empfehlung", "weitere-artikel", "mehr-zum-thema",
	"correlati", "xiangguan", "tuijian",
}

// widgetSubstrings and widgetWords name the small furniture set inside a
// story (a share bar, a byline, the tags, an ad slot, a print button, a photo
// gallery module: thumbnails, a title, a "show all" count) and
// the overlays laid over it (a modal, a popup: a notice, a form, a login),
// never much prose: a zone so named that holds paragraphs of text
// (smallWidgetProse) is misnamed ("TestReport__Section--Ads" is a section
// that has an ad slot, "tip-print-step" a step of a printable recipe), or
// is an overlay that shows the story itself, as sites that open articles
// in a layer over the section front do.
var widgetSubstrings = append([]string{"share", "sharing", "social", "credit", "byline", "author",
	"tag-list", "toolbar", "pagination", "gallery"}, overlaySubstrings...)

// overlaySubstrings name the overlays laid over a page.
var overlaySubstrings = []string{"modal", "popup"}

// "more" alone is not one of them: it names the rest of the story or its
// "More information" notes as often as a "Read more" button, which is short
// and linked (the renderer's link rules drop it); lists of more stories are
// named so (negativeSubstrings).
var widgetWords = map[string]bool{
	"ad": true, "ads": true, "meta": true, "print": true, "credit": true, "credits": true, "login": true,
	"follow": true, "rating": true, "dateline": true, "timestamp": true, "cta": true,
	"tags": true, // a word: generated class names run "tagStyle_z4kq..."
}

// smallWidgetProse is the prose, in non-space bytes, from which a zone
// named like a small widget is taken for text.
const smallWidgetProse = 300

// siteEndNames mark the site's footer and legal notices: never the story
// unless nearly all the page's prose sits in them (dropUnless), however
// much text they carry beside a short story.
var siteEndNames = []string{"footer", "site-info", "colophon", "copyright", "imprint", "impressum", "legal",
	"comment", "disqus", "community",
	// Readers' comments in other languages, in the plural: in the
	// singular the word also names an opinion piece (a "Kommentar", a
	// "comentario"). Spanish and Portuguese, French, German, Polish, and
	// Chinese in pinyin (评论).
	"comentarios", "commentaires", "kommentare", "komentarze", "pinglun"}

var negativeWords = map[string]bool{
	"nav": true, "menu": true, "banner": true, "overlay": true, "donate": true, "subnav": true,
	"dek": true, "deck": true, "standfirst": true, // deks and standfirsts go with the headline
}

// negativeClasses mark boilerplate only as a whole class name.
var negativeClasses = map[string]bool{
	"hidden": true, "hide": true, "d-none": true, "dn": true, "invisible": true, "alert": true, "date": true,
}

var positiveSubstrings = []string{
	"article-body", "articlebody", "article__body", "article_body", "story-body", "storybody",
	"entry-content", "post-content", "post-body", "postbody", "article-content", "articlecontent",
	"main-content", "body-text", "bodytext", "story-content", "article-text", "content-body", "article__content",
}

// positiveName reports names of the article body, and of embedded posts
// (tweets, Instagram), which are quoted as part of the story.
func positiveName(s string) bool {
	if embedName(s) {
		return true
	}
	for _, p := range positiveSubstrings {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// embedName reports the names of embedded posts (tweets, Instagram).
func embedName(s string) bool {
	return strings.Contains(s, "embed") || strings.Contains(s, "tweet") || strings.Contains(s, "instagram-media")
}

func siteEndName(s string) bool {
	// A commentary is an opinion piece, not readers' comments.
	return namedBy(strings.ReplaceAll(s, "commentary", ""), siteEndNames, nil, nil)
}

func negativeName(s string) bool {
	// A commentary is an opinion piece, not readers' comments.
	s = strings.ReplaceAll(s, "commentary", "")
	return namedBy(s, negativeSubstrings, negativeWords, negativeClasses)
}

func widgetName(s string) bool { return namedBy(s, widgetSubstrings, widgetWords, nil) }

// namedBy reports a class list that holds one of substrings anywhere, one
// of words as a part of a class name split at '-' and '_', or one of
// classes as a whole class name.
func namedBy(s string, substrings []string, words, classes map[string]bool) bool {
	for _, p := range substrings {
		if strings.Contains(s, p) {
			return true
		}
	}
	for _, class := range strings.Fields(s) {
		if classes[class] {
			return true
		}
		for _, w := range strings.FieldsFunc(class, func(r rune) bool { return r == '_' || r == '-' }) {
			if words[w] {
				return true
			}
		}
	}
	return false
}

// cand is a container that holds scored paragraphs.
type cand struct {
	score          float64 // paragraph weight, decayed with distance
	weight         float64 // paragraph weight of the whole subtree
	text, linkText int
	marked         bool // schema.org article markup
	self           bool // holds paragraph text itself, like a <p>
}

type scorer struct {
	cands  map[*html.Node]*cand
	marked map[*html.Node]bool // schema.org article markup (schemaSelector)
	// doubted are zones named like boilerplate that the pruner kept for
	// their share of the prose: paragraphs inside them weigh half, so a
	// story beside a long cookie notice or sidebar outweighs it, while a
	// story the site wrapped in a "widget" has no rival.
	doubted map[*html.Node]bool
	named   map[*html.Node]bool
	order   []*html.Node // candidates in document order, for stable ties
	self    selfLinks    // links to the page itself are not link text
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
	atom.Caption: true, atom.Body: true, atom.Html: true,
}

// walk returns the subtree's text and link text lengths and the length of
// text directly inside n (not inside a nested block), scoring n as a
// paragraph when that direct text is substantial.
func (s *scorer) walk(n *html.Node, depth int, doubted bool) (text, link int) {
	if depth > maxDepth {
		return 0, 0
	}
	doubted = doubted || s.doubted[n]
	direct, directLink := 0, 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			l := visibleLen(c.Data)
			text += l
			direct += l
		case html.ElementNode:
			t, l := s.walk(c, depth+1, doubted)
			text += t
			link += l
			if c.DataAtom == atom.A && !s.self.is(c) {
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
		if direct >= 25 && blockTags[n.DataAtom] {
			s.addParagraph(n, direct, directLink, doubted)
		}
		if c, ok := s.cands[n]; ok {
			c.text, c.linkText = text, link
		}
	}
	return text, link
}

// addParagraph credits a paragraph to its ancestors: the parent fully, the
// grandparent half, further ancestors less, as readability does. A div or
// section holding text itself is credited as its own container.
func (s *scorer) addParagraph(p *html.Node, text, link int, doubted bool) {
	ld := float64(link) / float64(max(text, 1))
	w := float64(text) * (1 - ld) * (1 - ld)
	if doubted {
		w /= 2
	}
	if w <= 0 {
		return
	}
	if p.DataAtom == atom.Li {
		// List items are as often teasers and menus as story text.
		w /= 2
	}
	a := p.Parent
	self := false
	switch p.DataAtom {
	case atom.Div, atom.Section, atom.Article, atom.Main, atom.Td, atom.Center:
		a, self = p, true
	}
	// A block holding text itself is a paragraph for its parent, like a
	// <p>, and also a candidate on its own: a whole post in one <div>
	// separated by <br>.
	level := 0
	if self {
		level = -1
	}
	for ; a != nil; level++ {
		if a.Type != html.ElementNode || a.DataAtom == atom.Html {
			break
		}
		c, ok := s.cands[a]
		if !ok {
			c = &cand{marked: s.marked[a]}
			s.cands[a] = c
			s.order = append(s.order, a)
		}
		c.weight += w
		switch level {
		case -1:
			c.self = true
			c.score += w
		case 0:
			c.score += w
		case 1:
			c.score += w / 2
		case 2, 3:
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
	f := c.score * (1 - ld)
	if c.marked || s.named[n] {
		// The page says this is the article (schema.org markup).
		f *= 2
	}
	return f
}

// bestWithin returns the best-scoring candidate under root (anywhere
// when root is nil), nil when it holds none.
func (s *scorer) bestWithin(root *html.Node) *html.Node {
	var best *html.Node
	bestScore := 0.0
	for _, n := range s.order {
		if f := s.final(n); f > bestScore && (root == nil || contains(root, n)) {
			best, bestScore = n, f
		}
	}
	return best
}

func (s *scorer) best() *html.Node { return s.bestWithin(nil) }

// sharedAncestor returns the nearest ancestor of best that holds at least
// three of the five best-scoring blocks scoring three quarters of best's
// score or more: a story split into sections of similar weight. A best
// block inside an element marked as the article (isArticleRoot) stays.
func (s *scorer) sharedAncestor(best *html.Node) *html.Node {
	if best == nil {
		return nil
	}
	top := s.final(best)
	var rivals []*html.Node
	for _, n := range s.order {
		if s.final(n) >= 0.75*top && !contains(best, n) && !contains(n, best) {
			rivals = append(rivals, n)
		}
	}
	slices.SortFunc(rivals, func(a, b *html.Node) int {
		fa, fb := s.final(a), s.final(b)
		switch {
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return 0
	})
	if len(rivals) > 4 {
		rivals = rivals[:4]
	}
	if len(rivals) < 2 {
		return best
	}
	for a, depth := best, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
		if s.isArticleRoot(a) {
			// The page marks the story: its rivals are other stories.
			return best
		}
	}
	for a, depth := best.Parent, 0; a != nil && a.DataAtom != atom.Body && depth < maxDepth; a, depth = a.Parent, depth+1 {
		in := 0
		for _, r := range rivals {
			if contains(a, r) {
				in++
			}
		}
		if in >= 2 {
			return a
		}
	}
	return best
}

// markedRoot returns the element the page marks as its article (schema.org
// markup, a lone <article>) when best lies inside it and it is not a link
// list: the page says where its story is, and the parts beside best's
// block (a recipe's ingredients beside its steps, a lead beside the body)
// belong to it. Boilerplate inside was pruned by name before.
func (s *scorer) markedRoot(best *html.Node) *html.Node {
	if best == nil {
		return nil
	}
	for a, depth := best.Parent, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
		if !s.marked[a] {
			continue
		}
		if ac, ok := s.cands[a]; ok && float64(ac.linkText) < 0.3*float64(ac.text) {
			return a
		}
		break
	}
	return best
}

// spread returns the page's declared content root (<main>, role=main)
// instead of best when the prose under the root is spread: best holds
// under half of the root's paragraph weight, another block beside it
// scores at least half as high as best, and the root is not a link list.
// Product and landing pages set their text in many sections of similar
// size, none of which is the page alone; a story beside a stream of small
// teasers is not spread.
func (s *scorer) spread(best *html.Node) *html.Node {
	if best == nil {
		return nil
	}
	if s.marked[best] {
		// The page marks this block as its article.
		return best
	}
	bc := s.cands[best]
	for a, depth := best.Parent, 0; a != nil && depth < maxDepth; a, depth = a.Parent, depth+1 {
		if a.Type != html.ElementNode || !(a.DataAtom == atom.Main || strings.EqualFold(attr(a, "role"), "main")) {
			continue
		}
		ac, ok := s.cands[a]
		if ok && bc.weight < 0.5*ac.weight && float64(ac.linkText) < 0.25*float64(ac.text) &&
			s.bestBeside(best, a) >= 0.5*s.final(best) {
			return a
		}
		break
	}
	return best
}

// bestBeside returns the highest score of a candidate under root that
// neither holds best nor lies inside it: a block of prose that competes
// with best, where a stream of small teasers gathers weight but no score.
func (s *scorer) bestBeside(best, root *html.Node) float64 {
	f := 0.0
	for _, n := range s.order {
		if g := s.final(n); g > f && n != best && contains(root, n) && !contains(n, best) && !contains(best, n) {
			f = g
		}
	}
	return f
}

// contains reports whether n is a or lies under it.
func contains(a, n *html.Node) bool {
	for depth := 0; n != nil && depth <= maxDepth+1; n, depth = n.Parent, depth+1 {
		if n == a {
			return true
		}
	}
	return false
}

// withSiblings returns best, or the wrapper that holds it and nothing much
// else, together with those of its siblings that look like more of the same
// article: an article body is often split into several blocks between ads,
// alike or not.
func (s *scorer) withSiblings(best *html.Node) []*html.Node {
	x := best
	for !s.isArticleRoot(x) {
		p := x.Parent
		pc, ok := s.cands[p]
		xc := s.cands[x]
		// Climb only through wrappers that add no paragraph of their own
		// and little other text (menus, tag clouds): whatever else sits
		// beside the body joins it below only if it is of the same kind.
		if !ok || p.DataAtom == atom.Body || pc.weight > 1.01*xc.weight || float64(pc.text) > 1.3*float64(xc.text)+100 {
			break
		}
		x = p
	}
	parent := x.Parent
	if parent == nil || s.cands[x] == nil {
		return []*html.Node{best}
	}
	if s.isArticleRoot(x) {
		// A self-contained article; its siblings are other articles.
		return []*html.Node{x}
	}
	top := s.cands[x].weight
	var out []*html.Node
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		if c == x {
			out = append(out, c)
			continue
		}
		if c.Type != html.ElementNode {
			continue
		}
		if cc, ok := s.cands[c]; ok && cc.weight >= 0.1*top && float64(cc.linkText) < 0.3*float64(cc.text) && sameKind(c, x) {
			out = append(out, c)
			continue
		}
		// A block of another kind is more of the story when it carries a
		// good part of its weight in prose with few links: templates split
		// a story around an ad or a signup box into a lead block and a
		// "rest" block built differently. Not a zone named like
		// boilerplate and kept only for its prose (a long notice).
		if cc, ok := s.cands[c]; ok && !s.doubted[c] && cc.weight >= 0.3*top && float64(cc.linkText) < 0.15*float64(cc.text) && !teaserList(c) {
			out = append(out, c)
			continue
		}
		if cc, ok := s.cands[c]; c.DataAtom == atom.P || ok && cc.self || !s.doubted[c] && paragraphWrapper(c) {
			t, l := linkStats(c, 0)
			if t > 80 && float64(l)/float64(t) < 0.25 {
				out = append(out, c)
			}
		}
	}
	return out
}

// paragraphWrapper reports an element that holds paragraphs and nothing
// else (a <div class="firstPar"><p>...</p></div>): templates that number
// or style their paragraphs wrap each in a block of its own, and such a
// block beside the body is a paragraph of it, as a bare <p> would be.
func paragraphWrapper(n *html.Node) bool {
	if n.DataAtom != atom.Div && n.DataAtom != atom.Section {
		return false
	}
	ps := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.ElementNode:
			if c.DataAtom != atom.P {
				return false
			}
			ps++
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return false
			}
		}
	}
	return ps > 0 && ps <= 3
}

// inTeaserList reports a block that is, or sits in, a list of teasers
// (teaserList), looking up to three levels up.
func inTeaserList(n *html.Node) bool {
	for depth := 0; n != nil && n.Type == html.ElementNode && depth < 4; n, depth = n.Parent, depth+1 {
		if teaserList(n) {
			return true
		}
	}
	return false
}

// teaserList reports a block made of three or more items built alike
// (not paragraphs), most of them headed by a heading or a link, or made of
// parts (a name and a date above a text): teasers of other stories with
// their summaries, or readers' comments, whatever the block is named.
func teaserList(n *html.Node) bool {
	kinds := map[string]int{}
	headed := map[string]int{}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom == atom.P || isHeading(c.DataAtom) {
			continue
		}
		k := kindKey(c)
		kinds[k]++
		if headedItem(c) || elementChildren(c) >= 2 {
			headed[k]++
		}
	}
	for k, count := range kinds {
		if count >= 3 && 10*headed[k] >= 6*count {
			return true
		}
	}
	return false
}

// elementChildren counts the element children of n.
func elementChildren(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		}
	}
	return k
}

// headedItem reports an element whose first text sits in a heading or a
// link.
func headedItem(n *html.Node) bool {
	var first func(n *html.Node, under bool, depth int) (found, headed bool)
	first = func(n *html.Node, under bool, depth int) (bool, bool) {
		if depth > 30 {
			return true, false
		}
		if n.Type == html.TextNode {
			if strings.TrimSpace(n.Data) != "" {
				return true, under
			}
			return false, false
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.A || isHeading(n.DataAtom)) {
			under = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if found, headed := first(c, under, depth+1); found {
				return true, headed
			}
		}
		return false, false
	}
	_, headed := first(n, false, 0)
	return headed
}

// isArticleRoot reports an element that marks itself as the whole article.
func (s *scorer) isArticleRoot(n *html.Node) bool {
	return n.DataAtom == atom.Article || n.DataAtom == atom.Main || s.marked[n]
}

// sameKind reports siblings built alike: same tag and the same first class
// name (variants add modifiers after it), or no class at all.
func sameKind(a, b *html.Node) bool {
	if a.DataAtom != b.DataAtom {
		return false
	}
	ca, cb := strings.Fields(attr(a, "class")), strings.Fields(attr(b, "class"))
	if len(ca) == 0 || len(cb) == 0 {
		return len(ca) == len(cb)
	}
	return ca[0] == cb[0]
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
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
