package extract

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// para is one printed block before the final clean-up.
type para struct {
	text    string
	visible int // non-space bytes
	link    int // non-space bytes inside links
	local   int // non-space bytes inside links to the page's own site
	tag     atom.Atom
	row     bool // a table row of several cells
	drop    bool
}

func (p *para) linkDensity() float64 { return float64(p.link) / float64(max(p.visible, 1)) }

// renderer turns the chosen subtrees into paragraphs.
type renderer struct {
	paras []para
	cur   strings.Builder
	link  int // non-space bytes of link text in cur
	vis   int // non-space bytes in cur
	inA   int
	local int         // bytes in cur inside links to the same site
	inLoc int         // depth of such links
	host  string      // the page's site, without "www."
	self  selfLinks   // links to the page itself, whose text is not link text
	tags  []atom.Atom // enclosing block elements
	row   bool        // cur holds several table cells
	// soft marks a link boundary since the last text: a word running into
	// or out of a link is separated there, so "ソフト<a>KeePass</a>の"
	// prints "ソフト KeePass の" as the benchmark's annotated text has it,
	// and a tagger can find the linked name as a word of its own; not
	// between two letters of a script written without spaces (unspaced).
	soft bool
	// headlines prints every <h1> element. In a page the <h1> before the
	// story's first paragraph is the headline (Document.Title) and is left
	// out; in a fragment, and after the story has begun, an <h1> is content:
	// sectioned pages (HTML5 <section>, Medium, books) head each part with
	// one.
	headlines bool
	begun     bool // a paragraph of prose has been printed
}

// silentTags hold no readable text.
var silentTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Title: true,
	atom.Head: true, atom.Select: true, atom.Textarea: true, atom.Button: true,
}

// siteHost returns the host of a URL without a leading "www.".
func siteHost(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
}

// localLink reports a link to the page's own site.
func (r *renderer) localLink(n *html.Node) bool { return localHref(attr(n, "href"), r.host) }

// localHref reports a link to another page of the site host: relative, or
// absolute on the same host.
func localHref(href, host string) bool {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "javascript:") || strings.HasPrefix(href, "mailto:") {
		return false
	}
	if !strings.Contains(href, "//") {
		return true
	}
	return host != "" && siteHost(href) == host
}

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
	switch {
	case n.DataAtom == atom.H1 && !r.headlines && !r.begun, silentTags[n.DataAtom]:
		return
	case n.DataAtom == atom.Br:
		r.flush()
		return
	case !r.headlines && !r.begun && isHeading(n.DataAtom) && r.selfHeading(n):
		// A heading before the story that links to the page itself is
		// its headline: a blog links the post's title to its permalink.
		return
	}
	isBlock := blockTags[n.DataAtom]
	if (n.DataAtom == atom.Td || n.DataAtom == atom.Th) && !hasBlocks(n, 0) {
		// Cells of a data row print on one line; layout cells, which hold
		// paragraphs or line breaks, are blocks.
		isBlock = false
		if r.vis > 0 {
			r.trimSpace()
			r.cur.WriteString(" | ")
			r.row = true
		}
	}
	if isBlock {
		r.flush()
		r.tags = append(r.tags, n.DataAtom)
	}
	local := false
	link := n.DataAtom == atom.A && !r.self.is(n)
	if link {
		r.inA++
		if local = r.localLink(n); local {
			r.inLoc++
		}
	}
	if n.DataAtom == atom.A {
		r.soft = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.block(c, depth+1)
	}
	if link {
		r.inA--
		if local {
			r.inLoc--
		}
	}
	if n.DataAtom == atom.A {
		r.soft = true
	}
	if isBlock {
		r.flush()
		r.tags = r.tags[:len(r.tags)-1]
	}
}

func (r *renderer) text(s string) {
	// Collapse white space as a browser would (no-break spaces included:
	// "<a>Braun</a>&nbsp;is" must not print "Braunis").
	if first, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(first) {
		r.space()
	}
	first := true
	for _, f := range strings.FieldsFunc(s, unicode.IsSpace) {
		if first && r.soft && r.cur.Len() > 0 {
			prev, _ := utf8.DecodeLastRuneInString(r.cur.String())
			next, _ := utf8.DecodeRuneInString(f)
			if wordRune(prev) && wordRune(next) && !(unspaced(prev) && unspaced(next)) {
				r.cur.WriteByte(' ')
			}
		}
		r.soft = false
		if !first {
			r.cur.WriteByte(' ')
		}
		first = false
		r.cur.WriteString(f)
		r.vis += len(f)
		if r.inA > 0 {
			r.link += len(f)
		}
		if r.inLoc > 0 {
			r.local += len(f)
		}
	}
	if last, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(last) {
		r.space()
	}
}

func (r *renderer) trimSpace() {
	if t := strings.TrimRight(r.cur.String(), " "); len(t) < r.cur.Len() {
		r.cur.Reset()
		r.cur.WriteString(t)
	}
}

// hasBlocks reports whether n holds block elements or line breaks.
func hasBlocks(n *html.Node, depth int) bool {
	if depth > 50 {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (blockTags[c.DataAtom] || hasBlocks(c, depth+1)) {
			return true
		}
	}
	return false
}

func (r *renderer) space() {
	if b := r.cur.Len(); b > 0 && r.cur.String()[b-1] != ' ' {
		r.cur.WriteByte(' ')
	}
}

// flush ends the current paragraph.
func (r *renderer) flush() {
	if r.vis == 0 {
		r.cur.Reset()
		r.row = false
		return
	}
	p := para{text: strings.TrimSpace(r.cur.String()), visible: r.vis, link: r.link, local: r.local, row: r.row}
	// The innermost enclosing block names the paragraph's kind.
	if len(r.tags) > 0 {
		p.tag = r.tags[len(r.tags)-1]
	}
	if !r.begun && !isLabel(&p) && !isHeading(p.tag) && p.visible >= 80 {
		r.begun = true
	}
	r.paras = append(r.paras, p)
	r.cur.Reset()
	r.link, r.vis, r.local, r.row, r.soft = 0, 0, 0, false, false
}

// finish drops link lists, boilerplate lines, the headline and repeats, and
// joins the rest with blank lines.
func (r *renderer) finish(title string) string {
	ps := joinDropCaps(r.paras)
	dropLinkLists(ps)
	dropFurniture(ps, title)
	dropCredits(ps)
	dropEdgeLabels(ps)
	dropLeadingDatelines(ps)
	return joinParas(ps)
}

// joinDropCaps joins a drop cap set in a block of its own (a story's
// first letter, enlarged) to the paragraph it begins: a lone capital
// letter followed by a paragraph that starts in lower case, "T" and
// "urkey, Poland ...", is one word.
func joinDropCaps(ps []para) []para {
	for i := 0; i+1 < len(ps); i++ {
		first, n := utf8.DecodeRuneInString(ps[i].text)
		next, _ := utf8.DecodeRuneInString(ps[i+1].text)
		if n != len(ps[i].text) || !unicode.IsUpper(first) || !unicode.IsLower(next) {
			continue
		}
		ps[i+1].text = ps[i].text + ps[i+1].text
		ps[i+1].visible += ps[i].visible
		ps = append(ps[:i], ps[i+1:]...)
	}
	return ps
}

// dropLinkLists drops link-dense paragraphs at the start or the end, and
// runs of two or more that point mostly to the site's own pages. Links to
// other sites amid the prose ("$39 at Shop Example") are story text.
func dropLinkLists(ps []para) {
	for i := 0; i < len(ps); {
		if !linky(&ps[i]) {
			i++
			continue
		}
		j := i
		for j < len(ps) && linky(&ps[j]) {
			j++
		}
		// One link line to another page of the same site is a promo
		// ("READ MORE: ..."); one to a shop or a source is story text.
		// So is the numbered entry of a list article, which links to its
		// subject ("21) <a>Film</a>"), and an item of a list of points
		// written as text that happens to link ("<a>Where do I put
		// it</a>?" among questions).
		promo := j-i == 1 && 2*ps[i].local >= ps[i].link && len(strings.Fields(ps[i].text)) >= 4 &&
			!numberedEntry(ps[i].text) && !listPoint(ps, i)
		loc, lk := 0, 0
		for k := i; k < j; k++ {
			loc += ps[k].local
			lk += ps[k].link
		}
		if (j-i >= 2 && 2*loc >= lk) || j == len(ps) || i == 0 || promo {
			for k := i; k < j; k++ {
				ps[k].drop = true
			}
			// A heading announcing the list goes with it.
			if i > 0 && isLabel(&ps[i-1]) {
				ps[i-1].drop = true
			}
		}
		i = j
	}
}

// dropFurniture drops furniture lines (boilerLine) and the headline.
func dropFurniture(ps []para, title string) {
	for i := range ps {
		if boilerLine(ps[i].text) || ps[i].text == title {
			ps[i].drop = true
		}
	}
}

// dropCredits drops the reporting credits that close wire and newspaper
// stories among their last three paragraphs: "(Reporting by ...; Editing
// by ...)", "X contributed to this report."
func dropCredits(ps []para) {
	for i, kept := len(ps)-1, 0; i >= 0 && kept < 3; i-- {
		if ps[i].drop {
			continue
		}
		kept++
		if creditLine(ps[i].text) {
			ps[i].drop = true
		}
	}
}

// dropEdgeLabels drops labels and datelines at the edges ("Share", "Tags",
// "Updated 2 hours ago"), and a heading with nothing after it, unless the
// page has nothing else.
func dropEdgeLabels(ps []para) {
	prose := false
	for i := range ps {
		if !ps[i].drop && !isLabel(&ps[i]) {
			prose = true
			break
		}
	}
	if !prose {
		return
	}
	for i := 0; i < len(ps); i++ {
		if ps[i].drop {
			continue
		}
		if !isLabel(&ps[i]) {
			break
		}
		if storyDateline(ps, i) {
			break
		}
		ps[i].drop = true
	}
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].drop {
			continue
		}
		// A heading with nothing after it heads something we dropped.
		// Long headings are prose set in heading tags, not headings.
		if !isLabel(&ps[i]) && (!isHeading(ps[i].tag) || len(strings.Fields(ps[i].text)) > 12) {
			break
		}
		ps[i].drop = true
	}
}

// storyDateline reports a label that opens the story as its dateline, the
// place it was filed from and often the day ("BAAR, SWITZERLAND", "新华社北京
// 5月2日电"): a paragraph of its own just before the story's first sentence,
// holding a digit or written in capitals, and not a byline.
func storyDateline(ps []para, i int) bool {
	if ps[i].tag != atom.P || i+1 >= len(ps) || ps[i+1].drop || isLabel(&ps[i+1]) {
		return false
	}
	s := ps[i].text
	upper := strings.IndexFunc(s, unicode.IsLower) < 0 && strings.IndexFunc(s, unicode.IsUpper) >= 0
	return (upper || strings.ContainsAny(s, "0123456789")) && textByline([]string{s}) == ""
}

// dropLeadingDatelines drops the date stamps among the lines before the
// story's first sentence, wherever the stamp word sits in them ("Dec. 6,
// 2024, 10:00 PM / Updated Dec. 7", "Le Monde | 04.05.2015 • Mis à jour
// le 05.05.2015 | Par ..."): short, holding a digit and a stamp word
// (datelineStarts), not ending as a sentence does.
func dropLeadingDatelines(ps []para) {
	for i := 0; i < len(ps) && i < 6; i++ {
		p := &ps[i]
		if p.drop {
			continue
		}
		if datelineLine(p.text) {
			p.drop = true
			continue
		}
		if !isLabel(p) {
			return
		}
	}
}

// datelineLine reports a date stamp line (dropLeadingDatelines).
func datelineLine(s string) bool {
	if len(strings.Fields(s)) > 30 || !strings.ContainsAny(s, "0123456789") {
		return false
	}
	if dateOnly(s) {
		return true
	}
	if endsSentence(lastRune(s)) {
		return false
	}
	l := strings.ToLower(s)
	for _, w := range datelineStarts {
		if i := strings.Index(l, w); i >= 0 && (i == 0 || !unicode.IsLetter(lastRune(l[:i]))) {
			return true
		}
	}
	return false
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// endsSentence reports the marks that end a sentence, in Latin and in CJK
// script.
func endsSentence(r rune) bool {
	switch r {
	case '.', '!', '?', '。', '！', '？':
		return true
	}
	return false
}

// joinParas joins the paragraphs kept with blank lines, without repeats:
// a long paragraph seen before is a second copy of the page (mobile and
// desktop versions, teaser and body); short lines may legitimately recur
// ("Meal 1", "Portion: 1 cup"), unless back to back.
func joinParas(ps []para) string {
	var out strings.Builder
	seen := map[string]bool{}
	last := ""
	for i := range ps {
		p := &ps[i]
		if p.drop || p.text == last || (seen[p.text] && len(p.text) >= 200) {
			continue
		}
		seen[p.text] = true
		last = p.text
		if out.Len() > 0 {
			out.WriteString("\n\n")
		}
		out.WriteString(p.text)
	}
	return out.String()
}

// linky reports a paragraph that is mostly a link and short.
func linky(p *para) bool {
	return p.linkDensity() >= 0.7 && utf8.RuneCountInString(p.text) < 160
}

// isLabel reports a short line that does not read as a sentence. List
// items and table rows are short by nature and never labels.
func isLabel(p *para) bool {
	switch {
	case p.row, p.tag == atom.Li, p.tag == atom.Dd, p.tag == atom.Dt:
		return false
	}
	if len(strings.Fields(p.text)) > 6 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(p.text)
	switch last {
	case '.', '!', '?', '…', '"', '”', '»', '。', '！', '？':
		return false
	}
	return true
}

// Page furniture that lands inside article containers, in three forms: a
// whole line ("Advertisement"), a label with a colon ("Read more: ..."), or
// a short line with a telling start ("Share on ...", "Updated 10:32").
var (
	furnitureLines = map[string]bool{
		"advertisement": true, "advert": true, "advertising": true, "sponsored": true, "sponsored content": true,
		"share": true, "share this": true, "share this article": true, "share this story": true,
		"comments": true, "related": true, "related articles": true, "related stories": true, "related news": true,
		"related tags": true, "recommended": true, "trending": true, "more from": true, "more stories": true,
		"you may also like": true, "you might also like": true, "don't miss": true, "don’t miss": true,
		"loading": true, "loading...": true, "loading content": true, "back to top": true, "next article": true,
		"previous article": true, "read more": true, "see more": true, "see also": true, "continue reading": true,
		"story continues below": true, "article continues below": true, "leave a comment": true,
		"post comment": true, "join the conversation": true, "subscribe": true, "sign up": true, "follow us": true,
		"tags": true, "topics": true, "filed under": true, "tell us what you think": true, "report": true,
		"this slideshow requires javascript": true,
		// German
		"werbung": true, "anzeige": true, "teilen": true, "artikel teilen": true, "kommentare": true,
		"mehr zum thema": true, "das könnte sie auch interessieren": true, "weitere artikel": true,
		"lesen sie auch": true, "weiterlesen": true, "mehr lesen": true, "nach oben": true, "zum seitenanfang": true,
		"newsletter abonnieren": true, "themen": true, "schlagworte": true, "jetzt teilen": true,
		// French
		"publicité": true, "partager": true, "partager cet article": true, "commentaires": true,
		"à lire aussi": true, "lire aussi": true, "sur le même sujet": true, "articles liés": true,
		"vous aimerez aussi": true, "voir aussi": true, "lire la suite": true, "abonnez-vous": true,
		"retour en haut": true, "mots-clés": true, "sujets": true, "à voir aussi": true,
		// Spanish
		"publicidad": true, "compartir": true, "comentarios": true, "te puede interesar": true,
		"también te puede interesar": true, "noticias relacionadas": true, "lee también": true,
		"leer más": true, "ver más": true, "suscríbete": true, "volver arriba": true, "etiquetas": true,
		"temas": true, "relacionado": true, "relacionadas": true, "más información": true,
		// Chinese
		"广告": true, "分享": true, "分享到": true, "评论": true, "相关阅读": true, "相关文章": true,
		"相关新闻": true, "推荐阅读": true, "热门文章": true, "阅读更多": true, "返回顶部": true, "标签": true,
		"延伸阅读": true, "猜你喜欢": true, "上一篇": true, "下一篇": true, "更多": true, "热点推荐": true,
	}
	furnitureLabels = []string{
		"read more", "related", "see more", "see also", "also read", "tags", "tag", "topics",
		"filed under", "photo", "image", "watch", "listen", "advertisement", "reading time", "read time",
		"lesen sie auch", "mehr zum thema", "schlagworte", "themen", "foto", "bild", "quelle", "lesezeit",
		"lire aussi", "à lire aussi", "voir aussi", "mots-clés", "crédit photo", "temps de lecture",
		"lee también", "leer más", "etiquetas", "temas", "fuente", "tiempo de lectura", "tempo de leitura",
		"相关阅读", "延伸阅读", "推荐阅读", "标签", "责任编辑", "来源", "图片来源", "阅读时间",
	}
	furnitureStarts = []string{
		"share this", "share on", "click here", "sign up", "subscribe", "follow us", "(image credit",
		"image credit", "photo credit", "getty images", "image copyright", "image caption", "media caption",
		"teilen auf", "jetzt teilen", "partager sur", "compartir en", "分享到", "点击查看", "扫码关注", "关注我们",
	}
	// datelineStarts begin a line that is a date stamp when it holds a digit.
	datelineStarts = []string{"published", "updated", "first published", "last updated", "last modified", "posted",
		"veröffentlicht", "aktualisiert", "publié le", "mis à jour", "publicado", "actualizado", "发布时间", "更新时间", "发表于"}
)

func boilerLine(s string) bool {
	if len(s) > 200 {
		return false
	}
	l := strings.ToLower(s)
	words := len(strings.Fields(s))
	if furnitureLines[strings.TrimRight(l, " :.!…|»›>")] {
		return true
	}
	for _, p := range furnitureLabels {
		if rest, ok := strings.CutPrefix(l, p); ok && labelColon(strings.TrimLeft(rest, " \u00a0")) {
			return words <= 20
		}
	}
	for _, p := range furnitureStarts {
		if hasWordPrefix(l, p) {
			return words <= 15
		}
	}
	for _, p := range datelineStarts {
		if hasWordPrefix(l, p) && words <= 12 && strings.ContainsAny(l, "0123456789") {
			return true
		}
	}
	// Newsletter and subscription pitches.
	if words <= 40 && (strings.Contains(l, "newsletter") || strings.Contains(l, "inbox")) &&
		(strings.Contains(l, "sign up") || strings.Contains(l, "subscribe") || strings.Contains(l, "delivered")) {
		return true
	}
	// "Image 1 of 5"
	if f := strings.Fields(l); len(f) == 4 && (f[0] == "image" || f[0] == "photo") && f[2] == "of" {
		return true
	}
	return false
}

// labelColon reports text that starts with a colon, ASCII or full-width
// (Chinese and Japanese labels: "相关阅读：").
func labelColon(s string) bool { return strings.HasPrefix(s, ":") || strings.HasPrefix(s, "：") }

// hasWordPrefix reports whether s starts with the words of prefix, not with
// a longer word ("subscribe" but not "subscribers").
func hasWordPrefix(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if last, _ := utf8.DecodeLastRuneInString(prefix); unicode.Is(unicode.Han, last) {
		// Chinese writes no space between words.
		return true
	}
	return rest == "" || !unicode.IsLetter(r)
}

// creditLine reports a reporting credit line.
func creditLine(s string) bool {
	if len(strings.Fields(s)) > 40 {
		return false
	}
	l := strings.ToLower(strings.TrimLeft(s, "( "))
	return strings.HasPrefix(l, "reporting by") || strings.HasPrefix(l, "additional reporting by") ||
		strings.Contains(l, "editing by") || strings.Contains(l, "contributed to this report") ||
		strings.Contains(l, "contributed reporting") || strings.Contains(l, "contributed to this story") ||
		(strings.Contains(l, "writers") || strings.Contains(l, "writer")) && strings.HasSuffix(l, "contributed.")
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// unspaced reports a letter of a script written without spaces between
// words (Chinese, Japanese kana, Thai...): a link inside a run of them is
// part of the sentence, "发表在<a>科学</a>刊物" reads "发表在科学刊物".
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// numberedEntry reports a line that opens with an entry number: "21)",
// "21.", "#21", "No. 21".
var numberedEntryRE = regexp.MustCompile(`^(#\s?\d{1,3}\b|(?i:no\.)\s?\d{1,3}\b|\d{1,3}[.):]\s)`)

func numberedEntry(s string) bool { return numberedEntryRE.MatchString(s) }

// listPoint reports a list item next to another item of prose, not a link:
// a point of a list written as text.
func listPoint(ps []para, i int) bool {
	if ps[i].tag != atom.Li {
		return false
	}
	for _, k := range []int{i - 1, i + 1} {
		if k >= 0 && k < len(ps) && ps[k].tag == atom.Li && !linky(&ps[k]) {
			return true
		}
	}
	return false
}

// stampWords are the words a date stamp holds besides month names and
// numbers: weekdays, the hour's marks and zones, and a reading time ("Oct
// 18, 2019 · 8 min read").
var stampWords = map[string]bool{
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true,
	"sat": true, "sun": true, "monday": true, "tuesday": true, "wednesday": true, "thursday": true,
	"friday": true, "saturday": true, "sunday": true,
	"am": true, "pm": true, "a": true, "p": true, "m": true, "utc": true, "gmt": true, "et": true, "est": true,
	"edt": true, "pt": true, "pst": true, "pdt": true, "cet": true, "cest": true, "bst": true,
	"min": true, "mins": true, "minute": true, "minutes": true, "read": true,
}

// dateOnly reports a line made of a date and nothing else: a year or a
// month's name among numbers, weekdays, hours and a reading time ("Dec Sat
// 2013 00:28", "Oct 18, 2019 · 8 min read"), in any order.
func dateOnly(s string) bool {
	dated := false
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !wordRune(r) }) {
		if _, ok := monthNumbers[w]; ok {
			dated = true
			continue
		}
		if n, err := strconv.Atoi(w); err == nil {
			if n >= 1900 && n <= 2100 {
				dated = true
			}
			continue
		}
		if !stampWords[w] {
			return false
		}
	}
	return dated
}

// selfHeading reports a heading whose text is mostly a link to the page
// itself.
func (r *renderer) selfHeading(n *html.Node) bool {
	total, _ := linkStats(n, 0)
	self := 0
	var walk func(c *html.Node, depth int)
	walk = func(c *html.Node, depth int) {
		for ; c != nil && depth < 20; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom == atom.A && r.self.points(c) {
				t, _ := linkStats(c, 0)
				self += t
				continue
			}
			walk(c.FirstChild, depth+1)
		}
	}
	walk(n.FirstChild, 0)
	return total > 0 && 2*self > total
}
