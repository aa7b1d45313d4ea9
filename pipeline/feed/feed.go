// Package feed turns the bytes of an RSS, Atom or JSON Feed document into
// items, reads the operator's feed lists (plain text, OPML, YAML) and finds
// the feeds an HTML page advertises.
//
// Parsing is gofeed's; this package owns what gofeed leaves to its caller:
// decoding any charset to UTF-8 first (byte order marks, UTF-16/32, the HTTP
// charset, the XML declaration, undeclared legacy encodings guessed from the
// bytes), HTML entities that XML does not define, double-encoded UTF-8,
// Atom entry documents, truncated documents, CDATA nested in CDATA, text
// printed before the feed, JSON Feeds with a wrong-typed field, RSS written
// as JSON, dates gofeed cannot read or reads in the wrong zone, links
// relative to the feed or given only in another namespace, and telling a
// feed from an HTML page or an OPML list. Input is capped (MaxBody, MaxItems) so that a parse
// costs time in proportion to a bounded size. It does no network I/O:
// fetching, content encodings and redirects belong to package fetch.
package feed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	stdhtml "html"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html"

	"newsmon/internal/charset"
)

// MaxItems is the most items Parse returns from one document; the rest
// are dropped with a warning. Real feeds carry tens to a few hundred, the
// largest in the corpus 730.
const MaxItems = 5000

// MaxBody is the largest body Parse accepts. The biggest real feed in the
// corpus is 1.6 MB; ten times that is a misconfigured URL, not a feed.
const MaxBody = 10 << 20

var (
	// ErrNotFeed is returned for documents that are not feeds: HTML pages,
	// OPML lists, other XML or JSON, empty bodies.
	ErrNotFeed = errors.New("not a feed")
	// ErrTooLarge is returned for bodies over MaxBody bytes.
	ErrTooLarge = errors.New("feed too large")
)

// Item is one entry of a feed. Title is plain text, whatever markup the
// feed used; Summary and Content are as the feed gave them (HTML or text);
// Link is an absolute http(s) URL or "".
type Item struct {
	GUID, Link, Title, Summary, Content, Author string    // Link resolved absolute against item/feed base; Summary/Content as HTML or text from the feed
	Published                                   time.Time // zero when absent or unparseable; UTC
	Categories                                  []string
	// MediaLink marks a Link that is the item's enclosure (an episode's
	// audio, a video), taken for want of a page: there is no page to
	// fetch, the item's text is the feed's.
	MediaLink bool
}

// Feed is a parsed feed document.
type Feed struct {
	Title, Link, Lang string
	TTL               time.Duration // RSS <ttl>
	SkipHours         []int         // RSS skipHours (0-23, UTC)
	Items             []Item
	// Format is "rss", "atom" or "json"; Encoding the charset the body was
	// decoded from.
	Format, Encoding string
	// Warnings says what was repaired or dropped to read the document (a
	// truncated body, a wrong-typed JSON field, items past MaxItems);
	// empty for a clean parse. Worth logging with the feed URL.
	Warnings []string
	// ItemsCut is set when items were left unread: the document held
	// more than MaxItems items, or went past MaxElements or MaxDepth.
	ItemsCut bool
}

// Parse parses a feed body. contentType is the HTTP Content-Type (its charset
// is used when the bytes are not UTF-8), feedURL the address the body came
// from, against which relative links are resolved. The error names why a
// body is refused: ErrTooLarge, ErrNotFeed with the kind of document, or the
// parser's syntax error. Parse holds no state and is safe for concurrent use.
func Parse(body []byte, contentType, feedURL string) (f *Feed, err error) {
	if len(body) > MaxBody {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBody)
	}
	defer func() {
		// gofeed is outside code; a crash on one hostile feed must cost
		// that feed only.
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("parse feed: internal parser error: %v", r)
		}
	}()
	var warnings []string
	if bytes.HasPrefix(body, gzipMagic) {
		// A server that compresses and forgets Content-Encoding, or
		// compresses twice: undo it here rather than lose the feed.
		b, err := gunzip(body)
		if err != nil {
			return nil, fmt.Errorf("parse feed: gzip-compressed body: %w", err)
		}
		body, warnings = b, []string{"body was gzip-compressed without Content-Encoding"}
	}
	dec := toUTF8(body, contentType)
	if dec.Note != "" {
		warnings = append(warnings, "charset: "+dec.Note)
	}
	text := bytes.TrimLeft(stripIllegal(dec.Text), " \t\r\n")
	if len(text) == 0 {
		return nil, fmt.Errorf("%w: empty document", ErrNotFeed)
	}
	base, _ := url.Parse(strings.TrimSpace(feedURL))
	if base != nil && !base.IsAbs() {
		base = nil
	}
	var raw *gofeed.Feed
	var more []string
	switch text[0] {
	case '{', '[':
		raw, more, err = parseJSON(text)
	case '<':
		raw, more, err = parseXML(text)
	default:
		err = fmt.Errorf("%w: %s", ErrNotFeed, describe(text))
	}
	if errors.Is(err, ErrNotFeed) {
		// A PHP warning or a stray banner printed before the feed is
		// common enough to look past.
		if n := junkBefore(text); n > 0 {
			if r, m, err2 := parseXML(text[n:]); err2 == nil {
				raw, err = r, nil
				more = append([]string{fmt.Sprintf("skipped %d bytes before the feed", n)}, m...)
			}
		}
	}
	if errors.Is(err, ErrNotFeed) && strings.Contains(err.Error(), "HTML page") {
		// Someone listed a site instead of its feed: say where the feed is.
		if alts := Discover(text, feedURL); len(alts) > 0 {
			err = fmt.Errorf("%w; the page links to feeds: %s", err, strings.Join(alts[:min(len(alts), 3)], " "))
		}
	}
	if err != nil {
		return nil, err
	}
	cut := false
	if n := len(raw.Items); n > MaxItems {
		raw.Items = raw.Items[:MaxItems]
		more = append(more, fmt.Sprintf("kept the first %d of %d items", MaxItems, n))
		cut = true
	}
	for _, w := range more {
		cut = cut || strings.HasPrefix(w, "kept the first ")
	}
	f = convert(raw, base)
	f.ItemsCut = cut
	f.Encoding = dec.Encoding
	f.Warnings = append(warnings, more...)
	return f, nil
}

func newParser() *gofeed.Parser {
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true // for RSS ttl and skipHours
	return p
}

// parseXML parses an RSS or Atom document, recovering Atom entry documents
// and truncated documents.
func parseXML(text []byte) (*gofeed.Feed, []string, error) {
	text = relabel(text)
	var warnings []string
	if fixed, ok := nestCDATA(text); ok {
		text = fixed
		warnings = append(warnings, "CDATA sections nested in CDATA sections: read as one")
	}
	text = fixEntities(text)
	root, off := rootElement(text)
	switch root {
	case "rss", "rdf":
		text = wrapRawHTML(text, rssHTML)
	case "feed":
		text = wrapRawHTML(text, atomHTML)
	case "entry":
		// An Atom entry document (RFC 4287 section 4.1.2) is a feed of one.
		text = wrapEntry(text, off)
		f, err := newParser().Parse(bytes.NewReader(text))
		if err != nil {
			return nil, nil, fmt.Errorf("parse atom entry document: %w", err)
		}
		return f, append(warnings, "atom entry document read as a feed of one entry"), nil
	case "html":
		return nil, nil, fmt.Errorf("%w: HTML page", ErrNotFeed)
	case "opml":
		return nil, nil, fmt.Errorf("%w: OPML subscription list", ErrNotFeed)
	case "":
		return nil, nil, fmt.Errorf("%w: no XML root element", ErrNotFeed)
	default:
		return nil, nil, fmt.Errorf("%w: XML document with root <%s>", ErrNotFeed, root)
	}
	sh := measure(text)
	if sh.refuse != "" {
		return nil, nil, fmt.Errorf("%w: the document %s before its first item", ErrTooLarge, sh.refuse)
	}
	if sh.cut > 0 {
		// Parsing items only to drop them costs seconds and memory on a
		// huge document (gofeed keeps every element and tries dozens of
		// date layouts per item).
		if fixed, _, ok := closeTruncated(text[:sh.cut]); ok {
			text = fixed
			warnings = append(warnings, sh.why)
		}
	}
	f, err := newParser().Parse(bytes.NewReader(text))
	if err == nil {
		return f, warnings, nil
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, nil, fmt.Errorf("%w: XML root <%s> not recognised", ErrNotFeed, root)
	}
	fixed, n, ok := closeTruncated(text)
	if !ok {
		return nil, nil, fmt.Errorf("parse %s: %w", root, err)
	}
	f, err2 := newParser().Parse(bytes.NewReader(fixed))
	if err2 != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", root, err)
	}
	return f, append(warnings, fmt.Sprintf("malformed document (%v): kept the first %d bytes", err, n)), nil
}

// junkBefore returns the offset of a feed's start found after some other
// text in the first 4 KB of a document that is not itself an HTML page or a
// feed, or 0.
func junkBefore(text []byte) int {
	head := text[:min(len(text), 4096)]
	if i := bytes.Index(head, []byte("<?xml")); i > 0 {
		return i
	}
	lower := bytes.ToLower(head)
	if bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<!doctype html")) {
		return 0
	}
	for _, start := range []string{"<rss", "<feed", "<rdf:rdf"} {
		if i := bytes.Index(lower, []byte(start)); i > 0 {
			return i
		}
	}
	return 0
}

var gzipMagic = []byte{0x1f, 0x8b}

// gunzip decompresses a body, refusing more than MaxBody bytes of output.
func gunzip(body []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxBody {
		return nil, fmt.Errorf("%w: decompresses to over %d bytes", ErrTooLarge, MaxBody)
	}
	return out, nil
}

// describe names what a body that starts with neither '<' nor '{' looks like.
func describe(text []byte) string {
	n := min(len(text), 32)
	return fmt.Sprintf("document starts with %q", text[:n])
}

func convert(raw *gofeed.Feed, base *url.URL) *Feed {
	f := &Feed{
		Title:  clean(raw.Title),
		Lang:   langTag(raw.Language),
		Format: raw.FeedType,
	}
	if base == nil {
		// No usable feed URL: resolve against the site link or the
		// feed's own self link, whichever is absolute.
		for _, s := range []string{raw.FeedLink, raw.Link} {
			if u, err := url.Parse(strings.TrimSpace(s)); err == nil && u.IsAbs() {
				base = u
				break
			}
		}
	}
	f.Link = resolve(base, raw.Link)
	if rf, ok := raw.OriginalFeed().(*rss.Feed); ok {
		if ttl, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && ttl > 0 && ttl < 60*24*365 {
			f.TTL = time.Duration(ttl) * time.Minute
		}
		for _, h := range rf.SkipHours {
			n, err := strconv.Atoi(strings.TrimSpace(h))
			if err != nil || n < 0 || n > 24 {
				continue
			}
			f.SkipHours = append(f.SkipHours, n%24) // some feeds write midnight as 24
		}
	}
	itemBase := base
	if f.Link != "" && itemBase == nil {
		itemBase, _ = url.Parse(f.Link)
	}
	// Atom entries and JSON Feed items without an author inherit the
	// feed's (RFC 4287 section 4.2.1, JSON Feed 1.1); RSS has no such rule.
	var feedAuthor string
	if raw.FeedType != "rss" {
		for _, p := range raw.Authors {
			if p != nil && strings.TrimSpace(p.Name) != "" {
				feedAuthor = strings.TrimSpace(p.Name)
				break
			}
		}
	}
	var entries []*atom.Entry
	if af, ok := raw.OriginalFeed().(*atom.Feed); ok && len(af.Entries) >= len(raw.Items) {
		entries = af.Entries
	}
	f.Items = make([]Item, 0, len(raw.Items))
	for i, it := range raw.Items {
		if it == nil {
			continue
		}
		if entries != nil {
			if page := htmlAlternate(entries[i]); page != "" {
				it.Link = page
			}
		}
		item := convertItem(it, itemBase)
		if item.Author == "" {
			item.Author = feedAuthor
		}
		f.Items = append(f.Items, item)
	}
	return f
}

func convertItem(it *gofeed.Item, base *url.URL) Item {
	out := Item{
		GUID:    strings.TrimSpace(it.GUID),
		Title:   clean(unescapeMarkup(it.Title)),
		Summary: strings.TrimSpace(unescapeMarkup(unwrapCDATA(fixC1(fixMojibake(it.Description))))),
		Content: strings.TrimSpace(unescapeMarkup(unwrapCDATA(fixC1(fixMojibake(it.Content))))),
	}
	link := strings.TrimSpace(it.Link)
	if orig := extValue(it, "feedburner", "origLink"); isHTTP(orig) {
		// FeedBurner rewrites links to its click counter and keeps the
		// article's own URL here: fetch and key the article, not the
		// redirect.
		link = orig
	}
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	if link == "" {
		// RSS items that name their page only in an Atom link.
		link = atomLink(it)
	}
	if link == "" && isHTTP(out.GUID) {
		link = out.GUID // RSS guids are permalinks unless they say otherwise
	}
	out.Link = resolve(base, link)
	if out.Link == "" {
		// A podcast episode or a video without a page: its enclosure is
		// what analysts can open, and its text is in the feed.
		for _, e := range it.Enclosures {
			if e != nil {
				if out.Link = resolve(base, e.URL); out.Link != "" {
					out.MediaLink = true
					break
				}
			}
		}
	}
	// Video and podcast feeds may title and describe an item in Media RSS
	// alone.
	if out.Title == "" {
		out.Title = clean(mediaValue(it, "title"))
	}
	if out.Summary == "" && out.Content == "" {
		out.Summary = strings.TrimSpace(mediaValue(it, "description"))
	}
	for _, p := range it.Authors {
		if p == nil {
			continue
		}
		if out.Author = strings.TrimSpace(p.Name); out.Author == "" {
			out.Author = strings.TrimSpace(p.Email)
		}
		if out.Author != "" {
			break
		}
	}
	if out.Author == "" && it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0 {
		out.Author = strings.TrimSpace(it.DublinCoreExt.Creator[0])
	}
	out.Published = itemDate(it)
	seen := make(map[string]bool, len(it.Categories))
	for _, c := range it.Categories {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			out.Categories = append(out.Categories, c)
		}
	}
	return out
}

// extValue returns the text of the first prefix:name extension element of
// an item, "" when there is none.
func extValue(it *gofeed.Item, prefix, name string) string {
	for _, e := range it.Extensions[prefix][name] {
		if v := strings.TrimSpace(e.Value); v != "" {
			return v
		}
	}
	return ""
}

// htmlAlternate returns the href of an Atom entry's alternate link to an
// HTML page when the entry has several alternates and the first is not
// HTML (gofeed takes the first): a publication listed as PDF and as a
// page is read from the page. "" when there is nothing to change.
func htmlAlternate(e *atom.Entry) string {
	if e == nil {
		return ""
	}
	var alternates []*atom.Link
	for _, l := range e.Links {
		if l != nil && (l.Rel == "" || l.Rel == "alternate") && strings.TrimSpace(l.Href) != "" {
			alternates = append(alternates, l)
		}
	}
	if len(alternates) < 2 || isHTMLType(alternates[0].Type) {
		return ""
	}
	for _, l := range alternates[1:] {
		if isHTMLType(l.Type) {
			return strings.TrimSpace(l.Href)
		}
	}
	return ""
}

func isHTMLType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "" || t == "text/html" || t == "application/xhtml+xml"
}

// atomLink returns the href of an item's atom:link to its page (rel
// alternate or none), "" when there is none.
func atomLink(it *gofeed.Item) string {
	for _, e := range it.Extensions["atom"]["link"] {
		if rel := strings.TrimSpace(e.Attrs["rel"]); rel == "" || rel == "alternate" {
			if href := strings.TrimSpace(e.Attrs["href"]); href != "" {
				return href
			}
		}
	}
	return ""
}

// mediaValue returns the text of an item's media:<name>, directly under the
// item or inside its media:group or media:content, "" when there is none.
func mediaValue(it *gofeed.Item, name string) string {
	if v := extValue(it, "media", name); v != "" {
		return v
	}
	for _, parent := range []string{"group", "content"} {
		for _, p := range it.Extensions["media"][parent] {
			for _, e := range p.Children[name] {
				if v := strings.TrimSpace(e.Value); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// resolve makes s absolute against base and keeps it only when it is an
// http(s) URL: a javascript: or mailto: link is nothing to fetch.
func resolve(base *url.URL, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	// An ampersand escaped twice ("?a=1&amp;amp;b=2" in the XML) leaves
	// "&amp;" in the link, a parameter named "amp;b": no URL means that.
	for strings.Contains(s, "&amp;") {
		s = strings.ReplaceAll(s, "&amp;", "&")
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && u.Host == "" && strings.HasPrefix(strings.ToLower(u.Path), "www.") && base != nil {
		// "www.example.com/story": a host without its scheme, not a
		// path under the feed's.
		if v, err := url.Parse(base.Scheme + "://" + s); err == nil && strings.Contains(v.Hostname(), ".") {
			u = v
		}
	}
	if !u.IsAbs() {
		if base == nil {
			return ""
		}
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// clean turns a one-line field such as a title into plain text: titles
// arrive as HTML (Atom type="html", double-escaped RSS), so tags go,
// entities are decoded, and white space collapses.
func clean(s string) string {
	if strings.ContainsAny(s, "<&") {
		s = htmlText(s)
	}
	return trimStrayA(strings.Join(strings.Fields(fixC1(fixMojibake(s))), " "))
}

// trimStrayA drops an "Â" ending a line after a space, a digit or a
// lower-case letter: it is what is left of a no-break space that was
// decoded as Latin-1 ("Â\u00a0") once the space was trimmed, before
// fixMojibake could see the pair. No language ends a word so.
func trimStrayA(s string) string {
	rest, ok := strings.CutSuffix(s, "Â")
	if !ok {
		return s
	}
	prev, _ := utf8.DecodeLastRuneInString(rest)
	if rest == "" || unicode.IsSpace(prev) || unicode.IsDigit(prev) || unicode.IsLower(prev) || unicode.IsPunct(prev) {
		return strings.TrimRight(rest, " ")
	}
	return s
}

// langTag writes a feed's language as pages declare theirs, a BCP 47 tag
// ("en_US", "EN-us" and "en-us, fr" become "en-US"), so that articles of
// one language carry one value whichever source it came from; "" when it
// is no language tag ("English").
func langTag(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if i := strings.IndexAny(s, ",; "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, "-")
	if p := strings.ToLower(parts[0]); len(p) < 2 || len(p) > 3 || strings.IndexFunc(p, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 || len(s) > 20 {
		return ""
	}
	parts[0] = strings.ToLower(parts[0])
	for i := 1; i < len(parts); i++ {
		if len(parts[i]) == 2 {
			parts[i] = strings.ToUpper(parts[i])
		}
	}
	return strings.Join(parts, "-")
}

// escapedTag matches an HTML tag escaped once more than its field needed:
// "&lt;p&gt;", "&lt;/a&gt;", "&lt;br /&gt;", "&lt;img src=".
var escapedTag = regexp.MustCompile(`(?i)&lt;/?(?:p|br|div|span|a|b|i|u|em|strong|img|ul|ol|li|h[1-6]|blockquote|figure|figcaption|table|tr|td|pre|code)(?:\s|/|&gt;)`)

// unescapeMarkup undoes one level of escaping of a field that holds no
// markup but two or more escaped HTML tags: the feed escaped its HTML
// twice (in CDATA, or as &amp;lt;), and the reader would otherwise show
// "<p>" and "&amp;" as text. A field that shows one tag as text ("the
// &lt;p&gt; element") stays.
func unescapeMarkup(s string) string {
	if strings.Contains(s, "<") || !strings.Contains(s, "&lt;") {
		return s
	}
	if len(escapedTag.FindAllStringIndex(s, 2)) < 2 {
		return s
	}
	return stdhtml.UnescapeString(s)
}

// unwrapCDATA drops the markers of CDATA sections left in an HTML field
// (nested in the feed's own, see nestCDATA): HTML reads "<![CDATA[text]]>"
// as a comment and would lose the text.
func unwrapCDATA(s string) string {
	if !strings.Contains(s, "<![CDATA[") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "<![CDATA[", ""), "]]>", "")
}

// htmlText returns the text of an HTML fragment.
func htmlText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	// A CDATA section left in the text (nested in the feed's own) is
	// text, not the bogus comment HTML makes of it.
	z.AllowCDATA(true)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ')
			if name, _ := z.TagName(); tt == html.StartTagToken && (string(name) == "script" || string(name) == "style") {
				// The tokenizer reads their content as raw text up to
				// the end tag: code, not words of the title.
				if z.Next() == html.TextToken {
					continue
				}
			}
		}
	}
}

// fixC1 replaces C1 control characters with the Windows-1252 characters
// they stand for. They come from character references such as &#146; that
// were written for Windows-1252 and mean a curly quote, never a control;
// HTML parsers map them the same way.
func fixC1(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0x80 && r <= 0x9f {
			if m := charset.C1[r-0x80]; m != 0 {
				return m
			}
		}
		return r
	}, s)
}
