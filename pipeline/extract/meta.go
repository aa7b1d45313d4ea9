package extract

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// metaTags maps the lower-cased name, property, itemprop or http-equiv of
// each meta tag to its first non-empty content.
func metaTags(doc *goquery.Document) map[string]string {
	metas := map[string]string{}
	doc.Find("meta[content]").Each(func(_ int, s *goquery.Selection) {
		content := strings.TrimSpace(s.AttrOr("content", ""))
		if content == "" {
			return
		}
		for _, a := range s.Nodes[0].Attr {
			switch a.Key {
			case "property", "name", "itemprop", "http-equiv":
				k := strings.ToLower(strings.TrimSpace(a.Val))
				if _, seen := metas[k]; !seen && k != "" {
					metas[k] = content
				}
			}
		}
	})
	return metas
}

// jsonLD reads the article's JSON-LD blocks (at most 20). The author and
// publisher may be references to nodes elsewhere in the blocks ({"@id":
// ...}, as WordPress's Yoast writes its graph), so they are named once all
// blocks are read.
func jsonLD(doc *goquery.Document) ldMeta {
	ld := ldMeta{ids: map[string]string{}}
	doc.Find(`script[type*="ld+json" i]`).EachWithBreak(func(i int, s *goquery.Selection) bool {
		readJSONLD(s.Text(), &ld)
		return i < 19
	})
	ld.author = ldName(ld.authorRaw, ld.ids, 0)
	ld.publisher = ldName(ld.publisherRaw, ld.ids, 0)
	return ld
}

// firstText is the first non-empty text of the selection, white space
// collapsed.
func firstText(sel *goquery.Selection) string {
	var t string
	sel.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		t = clean(s.Text())
		return t == ""
	})
	return t
}

// firstOf returns the first non-empty result of f over the selection.
func firstOf(sel *goquery.Selection, f func(*goquery.Selection) string) string {
	var v string
	sel.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		v = f(s)
		return v == ""
	})
	return v
}

// microdataDate is the content, datetime or short text of an element with
// itemprop=datePublished (microdata outside meta tags).
func microdataDate(s *goquery.Selection) string {
	if v := s.AttrOr("content", ""); v != "" {
		return v
	}
	if v := s.AttrOr("datetime", ""); v != "" {
		return v
	}
	if v := clean(s.Text()); len(v) <= 80 {
		return v
	}
	return ""
}

// bylineSelector finds elements whose class names a byline or an author,
// in English, German or French, and the formatted name of an hCard.
const bylineSelector = `byline, [class*=byline i], [class*=author i], [class*=autor i], [class*=auteur i], .vcard .fn`

// authorText prefers a nested itemprop=name, as in schema.org Person markup.
func authorText(s *goquery.Selection) string {
	if name := s.Find("[itemprop=name i]").First(); name.Length() > 0 {
		v := name.AttrOr("content", "")
		if v == "" {
			v = name.Text()
		}
		if v = clean(v); v != "" {
			return v
		}
	}
	return clean(s.Text())
}

// readMeta gathers the metadata fields from meta tags, JSON-LD, link
// elements and the markup. Each field has its own order of trust, and a
// source is looked up only when the ones trusted more gave nothing.
func readMeta(doc *goquery.Document, pageURL string) Document {
	m := metaSources{doc: doc, tags: metaTags(doc), ld: jsonLD(doc)}
	var d Document
	d.SiteName = m.siteName()
	d.Title = m.title(d.SiteName)
	d.Author = m.author(d.SiteName)
	canon := m.canonical()
	d.Published = m.published(canon, pageURL)
	if canon == "" {
		canon = m.first("og:url")
	}
	d.CanonicalURL = resolve(pageURL, canon)
	d.Lang = m.lang()
	return d
}

// storyOnly keeps the elements that are not inside another story's
// teaser, a comment or page furniture: a related article's byline or date
// is not the story's. An aside or footer inside an <article> or <main> is
// the story's own (its meta box, its byline), one outside is the site's.
func storyOnly(sel *goquery.Selection) *goquery.Selection {
	return sel.FilterFunction(func(_ int, s *goquery.Selection) bool {
		depth := 0
		furniture := false
		for n := s.Nodes[0].Parent; n != nil && depth < maxDepth; n, depth = n.Parent, depth+1 {
			if n.Type != html.ElementNode {
				continue
			}
			switch n.DataAtom {
			case atom.Aside, atom.Nav, atom.Footer:
				furniture = true
			case atom.Article, atom.Main:
				// An article or main element is a story of its own.
				return true
			case atom.Body:
				return !furniture
			}
			if otherStoryName(attr(n, "class")) || otherStoryName(attr(n, "id")) {
				return false
			}
		}
		return !furniture
	})
}

// otherStoryName reports a class or id of a block that holds other
// stories or readers' posts.
func otherStoryName(s string) bool {
	if s == "" {
		return false
	}
	s = layoutless(strings.ToLower(s))
	for _, w := range []string{"related", "recommend", "teaser", "promo", "trending", "popular", "most-read",
		"sidebar", "comment", "more-stories", "morestories", "read-next", "readnext"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// metaSources are the places a page states its metadata.
type metaSources struct {
	doc  *goquery.Document
	tags map[string]string // meta tags (metaTags)
	ld   ldMeta
}

// first returns the content of the first meta tag of keys that has one.
func (m *metaSources) first(keys ...string) string {
	for _, k := range keys {
		if v := m.tags[k]; v != "" {
			return v
		}
	}
	return ""
}

func (m *metaSources) siteName() string {
	if s := clean(m.first("og:site_name", "application-name", "twitter:site:name")); s != "" {
		return s
	}
	return m.ld.publisher
}

// title prefers what the page states as the headline (JSON-LD, then the
// title meta tags, as written: a site name there is the publisher's
// choice), then the <title> element trimmed of its site part (the site
// name the page states, else as documentTitle decides), and an <h1> last.
func (m *metaSources) title(site string) string {
	docTitle := clean(firstText(m.doc.Find("head title")))
	if docTitle == "" {
		docTitle = clean(firstText(m.doc.Find("title")))
	}
	if t := m.ld.headlineFor(docTitle); t != "" {
		return t
	}
	if t := clean(m.first("og:title", "twitter:title", "dc.title", "dcterms.title", "title", "parsely-title")); t != "" {
		return t
	}
	var headings []string
	m.doc.Find("h1, h2").EachWithBreak(func(i int, s *goquery.Selection) bool {
		headings = append(headings, clean(s.Text()))
		return i < 50
	})
	if site != "" {
		// The page names its site: a <title> part that is exactly that
		// name goes, however short the rest.
		if t := stripSiteName(docTitle, site); t != docTitle {
			return t
		}
	}
	if t := documentTitle(docTitle, headings, m.doc.Find("h1").Length()); t != "" {
		return t
	}
	return firstText(m.doc.Find("h1"))
}

// author tries the author meta tags, JSON-LD, author microdata and links,
// then bylines; a candidate that is an account rather than a person (the
// site's own name or handle, a user name) gives way to the next source.
func (m *metaSources) author(site string) string {
	sources := []func() string{
		func() string {
			return firstNonURL(m.tags["author"], m.tags["article:author"], m.tags["parsely-author"],
				m.tags["sailthru.author"], m.tags["dc.creator"], m.tags["byl"], m.twitterWrittenBy(), m.tags["twitter:creator"])
		},
		func() string { return m.ld.author },
		func() string {
			return firstOf(storyOnly(m.doc.Find("[itemprop~=author i], [rel=author i]")), authorText)
		},
		func() string {
			return firstOf(storyOnly(m.doc.Find(bylineSelector)), func(s *goquery.Selection) string {
				if strings.Contains(strings.ToLower(s.AttrOr("class", "")), "comment") {
					return "" // a reader's name
				}
				return bylineName(spacedText(s.Nodes[0]))
			})
		},
	}
	for _, source := range sources {
		a := clean(source())
		a = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(a, "By "), "by "))
		if a != "" && len(a) <= 200 && !accountName(a, site, m.ld.publisher) {
			return a
		}
	}
	return ""
}

// twitterWrittenBy reads the author from the label and data pairs of
// Twitter's card markup ("twitter:label1" "Written by", "twitter:data1"
// the name), which WordPress SEO plugins write in the site's language.
func (m *metaSources) twitterWrittenBy() string {
	for i := 1; i <= 4; i++ {
		n := strconv.Itoa(i)
		label := strings.ToLower(m.tags["twitter:label"+n])
		for _, w := range writtenByLabels {
			if strings.Contains(label, w) {
				return m.tags["twitter:data"+n]
			}
		}
	}
	return ""
}

// writtenByLabels say "written by" in the languages we meet.
var writtenByLabels = []string{"written by", "author", "verfasst von", "geschrieben von", "autor", "écrit par",
	"auteur", "escrito por", "scritto da", "autore"}

// accountName reports an author that names an account, not a person: the
// site's or publisher's own name (spaces and case aside, "NBCNews" for "NBC
// News"), or one Latin word written all in lower case like a user name
// ("mcupdate"). Names in scripts without spaces between words are one word
// and stay.
func accountName(a, site, publisher string) bool {
	squash := func(s string) string {
		return strings.ToLower(strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s))
	}
	if sa := squash(a); sa != "" && (sa == squash(site) || sa == squash(publisher)) {
		return true
	}
	if strings.ContainsAny(a, " ,") {
		return false
	}
	for _, r := range a {
		if unicode.IsLetter(r) && r > unicode.MaxLatin1 {
			return false
		}
	}
	return a == strings.ToLower(a)
}

func (m *metaSources) canonical() string {
	return firstOf(m.doc.Find("link[rel=canonical i][href]"), func(s *goquery.Selection) string {
		return strings.TrimSpace(s.AttrOr("href", ""))
	})
}

// published tries the date meta tags, JSON-LD, microdata, <time> elements
// and last the date in the page's URLs.
func (m *metaSources) published(canon, pageURL string) time.Time {
	for _, date := range []func() string{
		func() string {
			return m.first("article:published_time", "og:published_time", "datepublished",
				"parsely-pub-date", "sailthru.date", "publishdate", "pubdate", "publish-date", "publication_date", "date",
				"dc.date.issued", "dc.date", "dcterms.created", "dcterms.date", "article.published", "original-publish-date")
		},
		func() string { return m.ld.published },
		func() string { return firstOf(storyOnly(m.doc.Find("[itemprop=datePublished i]")), microdataDate) },
	} {
		if t, ok := anyDate(date()); ok {
			return t
		}
	}
	// The first 20 <time> elements that carry a datetime.
	var t time.Time
	tried := 0
	storyOnly(m.doc.Find("time[datetime]")).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if dt := s.AttrOr("datetime", ""); dt != "" {
			t, _ = anyDate(dt)
			tried++
		}
		return t.IsZero() && tried < 20
	})
	if !t.IsZero() {
		return t
	}
	// News URLs often carry the day: /2019/11/18/slug.
	if t := urlDate(m.first("og:url"), canon, pageURL); !t.IsZero() {
		return t
	}
	// Last, a date written for readers in the story's date markup.
	return m.markupDate()
}

func (m *metaSources) lang() string {
	for _, l := range []string{m.doc.ChildrenFiltered("html").AttrOr("lang", ""),
		m.first("content-language", "og:locale", "language", "dc.language"), m.ld.lang} {
		if l = normLang(l); l != "" {
			return l
		}
	}
	return ""
}

// documentTitle trims the site's part off a <title> ("Story | Site",
// "Site: Story"), following the conventions of Mozilla Readability's title
// heuristics so that our titles agree with the most used reader view:
// the part before the last spaced separator (| - / \ > »), or after the
// first one when that leaves under three words; for a colon, the part
// after it unless a heading repeats the whole title; an over-long or
// over-short title gives way to the page's only <h1>. A result of four
// words or fewer is trusted only when it dropped a single word of site
// name behind a hierarchical separator (/ \ > »); otherwise the whole
// title stays.
func documentTitle(orig string, headings []string, h1s int) string {
	if orig == "" {
		return ""
	}
	t := orig
	hierarchical := false
	if i := lastSeparator(orig); i >= 0 {
		hierarchical = strings.ContainsAny(orig[i:i+separatorAt(orig, i)], "/\\>»")
		t = strings.TrimSpace(orig[:i])
		if wordCount(t) < 3 {
			f := firstSeparator(orig)
			t = strings.TrimSpace(orig[f+separatorAt(orig, f):])
		}
	} else if strings.Contains(orig, ": ") {
		if !slices.Contains(headings, orig) {
			t = strings.TrimSpace(orig[strings.LastIndex(orig, ":")+1:])
			if wordCount(t) < 3 {
				t = strings.TrimSpace(orig[strings.Index(orig, ":")+1:])
			} else if wordCount(orig[:strings.Index(orig, ":")]) > 5 {
				t = orig
			}
		}
	} else if (len(orig) > 150 || len(orig) < 15) && h1s == 1 && len(headings) > 0 {
		t = headings[0]
	}
	if n := wordCount(t); n <= 4 && (!hierarchical || n != wordCount(stripSeparators(orig))-1) {
		return orig
	}
	return t
}

// titleSeparators are the characters that split a <title> into parts when
// they stand between spaces.
const titleSeparators = "|-/\\>»"

// lastSeparator returns the index of the last " X " with X a title
// separator, or -1.
func lastSeparator(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if sep := separatorAt(s, i); sep > 0 {
			return i
		}
	}
	return -1
}

func firstSeparator(s string) int {
	for i := range s {
		if separatorAt(s, i) > 0 {
			return i
		}
	}
	return -1
}

// separatorAt reports the byte length of " X " at s[i:] (X a separator),
// or 0.
func separatorAt(s string, i int) int {
	if s[i] != ' ' {
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[i+1:])
	if size == 0 || !strings.ContainsRune(titleSeparators, r) || i+1+size >= len(s) || s[i+1+size] != ' ' {
		return 0
	}
	return 2 + size
}

func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(titleSeparators, r) {
			return -1
		}
		return r
	}, s)
}

func wordCount(s string) int { return len(strings.Fields(s)) }

// clean collapses white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstNonURL(vals ...string) string {
	for _, v := range vals {
		if v != "" && !strings.HasPrefix(v, "http") && !strings.HasPrefix(v, "@") {
			return v
		}
	}
	return ""
}

// stripSiteName removes a " | Site" or "Site - " part from a title.
func stripSiteName(title, site string) string {
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » "} {
		parts := strings.Split(title, sep)
		if len(parts) < 2 {
			continue
		}
		if site != "" {
			var kept []string
			for _, p := range parts {
				if !strings.EqualFold(strings.TrimSpace(p), site) {
					kept = append(kept, p)
				}
			}
			if len(kept) < len(parts) && len(kept) > 0 {
				return strings.Join(kept, sep)
			}
			continue
		}
		// Without a known site name, drop a short last part: "Story title | Paper".
		last := parts[len(parts)-1]
		rest := strings.Join(parts[:len(parts)-1], sep)
		if len(strings.Fields(last)) <= 4 && len(rest) > len(last) {
			return rest
		}
	}
	return title
}

func resolve(base, ref string) string {
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if b, err := url.Parse(base); err == nil && base != "" {
		r = b.ResolveReference(r)
	}
	if !r.IsAbs() {
		return ""
	}
	return r.String()
}

// normLang turns "en_US" or "EN-us" into "en-US".
func normLang(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if i := strings.IndexAny(s, ",; "); i >= 0 {
		s = s[:i]
	}
	if s == "" || len(s) > 20 {
		return ""
	}
	parts := strings.Split(s, "-")
	parts[0] = strings.ToLower(parts[0])
	if p := parts[0]; len(p) < 2 || len(p) > 3 || strings.IndexFunc(p, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		// Not a language subtag ("english", "lang="): the caller detects
		// the language from the text instead.
		return ""
	}
	for i := 1; i < len(parts); i++ {
		if len(parts[i]) == 2 {
			parts[i] = strings.ToUpper(parts[i])
		}
	}
	return strings.Join(parts, "-")
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z07", // an hour offset only: "+01"
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.000Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
}

// parseTime reads the date formats pages put in meta tags and JSON-LD.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() > 1900 && t.Year() < 2200 {
			return t, true
		}
	}
	return time.Time{}, false
}

// ldMeta is what JSON-LD blocks tell about the article.
type ldMeta struct {
	headline, name, author, published, publisher, lang string
	// authorRaw and publisherRaw are the first article's values as read;
	// ids names the nodes that have an @id, for references.
	authorRaw, publisherRaw any
	ids                     map[string]string
}

// headlineFor returns the article's headline, or its name when the two
// differ and the name is closer to the page's <title> (some sites put a
// generic kind of page in headline).
func (ld *ldMeta) headlineFor(docTitle string) string {
	if ld.headline == "" || ld.name == "" || ld.name == ld.headline || docTitle == "" {
		return ld.headline
	}
	if overlap(ld.name, docTitle) > overlap(ld.headline, docTitle) {
		return ld.name
	}
	return ld.headline
}

// overlap is the share of a's words that occur in b, ignoring case.
func overlap(a, b string) float64 {
	words := strings.Fields(strings.ToLower(a))
	if len(words) == 0 {
		return 0
	}
	in := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(b)) {
		in[w] = true
	}
	n := 0
	for _, w := range words {
		if in[w] {
			n++
		}
	}
	return float64(n) / float64(len(words))
}

var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "reportagenewsarticle": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "techarticle": true, "scholarlyarticle": true,
	"backgroundnewsarticle": true, "reviewnewsarticle": true, "liveblogposting": true, "webpage": true,
	"report": true, "posting": true, "socialmediaposting": true,
}

func readJSONLD(raw string, m *ldMeta) {
	if len(raw) > 1<<20 {
		return
	}
	// Some sites wrap the JSON in CDATA markers or an HTML comment.
	raw = strings.TrimSpace(raw)
	for _, w := range [][2]string{{"//<![CDATA[", "//]]>"}, {"<![CDATA[", "]]>"}, {"<!--", "-->"}} {
		if rest, ok := strings.CutPrefix(raw, w[0]); ok {
			raw = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), w[1]))
		}
	}
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		// Hand-written blocks break lines inside strings, which JSON
		// forbids; as spaces they read the same.
		if json.Unmarshal([]byte(strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(raw)), &v) != nil {
			return
		}
	}
	walkLD(v, m, 0)
}

func walkLD(v any, m *ldMeta, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkLD(e, m, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			walkLD(g, m, depth+1)
		}
		if id, ok := x["@id"].(string); ok && len(m.ids) < 1000 {
			if name := ldString(x["name"]); name != "" {
				m.ids[id] = name
			}
		}
		if !isArticleType(x["@type"]) {
			return
		}
		webpage := false
		if t, ok := x["@type"].(string); ok && strings.EqualFold(t, "webpage") {
			webpage = true
		}
		if m.headline == "" && !webpage {
			m.headline = ldString(x["headline"])
			m.name = ldString(x["name"])
		}
		if m.authorRaw == nil {
			m.authorRaw = x["author"]
		}
		if m.published == "" {
			m.published = ldString(x["datePublished"])
		}
		if m.publisherRaw == nil {
			m.publisherRaw = x["publisher"]
		}
		if m.lang == "" {
			m.lang = ldString(x["inLanguage"])
		}
	}
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return articleTypes[strings.ToLower(x)]
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return clean(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	}
	return ""
}

// ldName reads a Person/Organization, a reference to one by @id (ids),
// or a list of them as "A, B".
func ldName(v any, ids map[string]string, depth int) string {
	if depth > 4 {
		return ""
	}
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "http") {
			return ""
		}
		return clean(x)
	case map[string]any:
		if name := ldString(x["name"]); name != "" {
			return name
		}
		if id, ok := x["@id"].(string); ok {
			return ids[id]
		}
	case []any:
		var names []string
		for _, e := range x {
			if n := ldName(e, ids, depth+1); n != "" && len(names) < 5 {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}

// urlDate finds a /YYYY/MM/DD/ or /YYYY-MM-DD/ date in the first URL that
// has one, at midnight UTC.
func urlDate(urls ...string) time.Time {
	for _, u := range urls {
		for i := 0; i+10 <= len(u); i++ {
			if u[i] != '/' || i+11 > len(u) {
				continue
			}
			s := u[i+1 : i+11]
			sep := s[4]
			if (sep != '/' && sep != '-') || s[7] != sep {
				continue
			}
			if end := i + 11; end < len(u) && u[end] != '/' && u[end] != '-' && u[end] != '_' {
				continue
			}
			t, err := time.Parse("2006"+string(sep)+"01"+string(sep)+"02", s)
			if err == nil && t.Year() >= 1990 && t.Year() < 2200 {
				return t
			}
		}
	}
	return time.Time{}
}

// bylineName turns "By Ada Field | May 3, 2024" into "Ada Field", in the
// languages of bylinePrefixes ("Von Ada Field", "Par Ada Field", "作者：
// 王芳"); text that does not look like a name gives "".
func bylineName(s string) string {
	s = clean(s)
	// "Posted on 3 May 2024 by Ada Field": the name follows a byline word
	// after a date.
	if i := strings.IndexAny(s, "0123456789"); i >= 0 {
		for _, w := range []string{" by ", " von ", " par ", " por ", " di ", " door "} {
			if j := strings.LastIndex(strings.ToLower(s), w); j > i {
				s = s[j+len(w):]
				break
			}
		}
	}
	for _, p := range bylinePrefixes {
		if rest, ok := cutPrefixFold(s, p); ok {
			s = strings.TrimLeft(rest, " :：")
			break
		}
	}
	// The name ends at a separator or a date: "Ada Field | May 3",
	// "GILLIAN MOHNEY March 11, 2015 3:46 PM".
	if i := strings.IndexAny(s, "|•·\n0123456789"); i >= 0 {
		s = s[:i]
	}
	for _, sep := range []string{" - ", " – ", " — ", " am ", " on ", " le ", " el "} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	words := strings.Fields(strings.TrimRight(s, " ,;:-–—/("))
	for len(words) > 0 && dateWords[strings.ToLower(strings.Trim(words[len(words)-1], ".,"))] {
		words = words[:len(words)-1]
	}
	s = strings.TrimRight(strings.Join(words, " "), " ,;:-–—/(")
	if !nameLike(s) {
		return ""
	}
	return s
}

// textByline finds a byline among the first and last four paragraphs of
// an article: a short line opened by one of textBylinePrefixes and
// followed by a capitalised name.
func textByline(paras []string) string {
	for i, p := range paras {
		if i >= 4 && i < len(paras)-4 {
			continue
		}
		if len(p) > 120 {
			continue
		}
		p = strings.Trim(p, "()[]*_ ")
		for _, prefix := range textBylinePrefixes {
			rest, ok := cutPrefixFold(p, prefix)
			if !ok {
				continue
			}
			rest = strings.TrimLeft(rest, " :：")
			first, _ := utf8.DecodeRuneInString(rest)
			if !unicode.IsUpper(first) && !unicode.Is(unicode.Han, first) {
				break
			}
			if name := bylineName(rest); name != "" {
				return name
			}
			break
		}
	}
	return ""
}

// textBylinePrefixes open a byline line in an article's text; fewer than
// bylinePrefixes, since any paragraph may start with "di" or "door".
var textBylinePrefixes = []string{"written by", "ein artikel von", "ein beitrag von", "text von", "text:", "von",
	"autorin:", "autor:", "author:", "by", "par", "por", "texto de", "作者", "记者", "文／", "文/"}

// bylinePrefixes open a byline: "By", and its equals in other languages.
// Longer ones come first, so "Written by" is cut whole.
var bylinePrefixes = []string{
	"written by", "posted by", "published by", "reported by", "words by", "story by",
	"ein artikel von", "ein beitrag von", "eingestellt von", "geschrieben von", "verfasst von", "text von",
	"text und fotos von", "autorin:", "autoren:", "autor:", "autoren", "text:", "von:", "von", "vom",
	"écrit par", "publié par", "rédigé par", "par",
	"escrito por", "publicado por", "redactado por", "texto de", "texto:", "por",
	"scritto da", "a cura di", "di", "door", "av", "author:", "by:", "by",
	"作者：", "作者:", "作者", "记者：", "记者", "文／", "文/", "撰文：", "編輯：", "编辑：",
}

// cutPrefixFold cuts prefix (lower case) from s, ignoring case, when it is
// followed by a word boundary (or is itself punctuated or Chinese).
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	rest := s[len(prefix):]
	last, _ := utf8.DecodeLastRuneInString(prefix)
	if rest == "" {
		return "", true
	}
	if next, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(next) && unicode.IsLetter(last) && !unicode.Is(unicode.Han, last) {
		return s, false
	}
	return rest, true
}

// dateWords end a name cut short by a date: "Ada Field May 3" leaves
// "Ada Field May", "Ada Field vor 2 Tagen" leaves "Ada Field vor".
var dateWords = map[string]bool{}

func init() {
	for _, m := range strings.Fields("vor hace il y a at am um on le el de del den der updated aktualisiert " +
		"january february march april may june july august september october november december " +
		"jan feb mar apr jun jul aug sep sept oct nov dec januar februar märz juni juli oktober dezember " +
		"janvier février mars avril mai juin juillet août septembre octobre novembre décembre " +
		"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre") {
		dateWords[m] = true
	}
}

// nonNameWords are words of labels and links set where bylines are ("About
// the author", "View all posts", "Alle Artikel").
var nonNameWords = map[string]bool{
	"about": true, "author": true, "authors": true, "autor": true, "autorin": true, "auteur": true, "all": true,
	"alle": true, "more": true, "posts": true, "articles": true, "artikel": true, "beiträge": true, "view": true,
	"profile": true, "follow": true, "share": true, "comments": true, "comment": true, "updated": true,
	"published": true, "min": true, "read": true, "anzeigen": true, "archiv": true, "mehr": true, "voir": true,
	"tous": true, "les": true, "ver": true, "todos": true, "noticias": true, "posted": true, "on": true,
	"publiziert": true, "veröffentlicht": true, "am": true, "stand": true, "note": true, "from": true,
	"publié": true, "publicado": true, "the": true, "der": true, "die": true, "das": true,
}

// spacedText is the text under n with a space between the texts of
// elements ("<a>Ada Field</a><span>2 days ago</span>" reads "Ada Field 2
// days ago", not "Ada Field2 days ago").
func spacedText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 50 || b.Len() > 2000 {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			if silentTags[n.DataAtom] {
				return
			}
			b.WriteByte(' ')
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, depth+1)
			}
			b.WriteByte(' ')
		}
	}
	walk(n, 0)
	return b.String()
}

// nameLike reports a short text that may be a person's or an agency's
// name: one to six words, no digits or mail and handle signs, none of
// nonNameWords.
func nameLike(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 6 || len(s) > 80 || strings.ContainsAny(s, "0123456789@:") {
		return false
	}
	for _, w := range words {
		if nonNameWords[strings.ToLower(strings.Trim(w, ".,;→»›>"))] {
			return false
		}
	}
	return true
}
