// Package extract turns a fetched article page into its main text and the
// metadata analysts need (title, author, published time, canonical URL,
// language, site name). It owns boilerplate removal and the
// choice of the article body; it does no network I/O and leaves fetching,
// deduplication and tagging to other packages.
//
// The body is chosen in three steps. Zones that are boilerplate by tag,
// class, id or role (navigation, share bars, comments, "related" lists,
// cookie banners, teaser grids, chart labels placed at coordinates) are
// dropped, unless they hold most of the page's prose, or hold the block
// named as the article body; class names are read in English and, for
// comments and related stories, in the main European languages and
// pinyin. The remaining blocks are scored by their text and link density
// (a link to the page itself is not a way out of it) and the container
// with the most paragraph text wins, unless the page has several
// <article> elements and another is headed by its title; it is widened to
// the element the page marks as its article, to its <main> when the text
// is spread over sections of similar size, or from a table to the list
// article around it, and joined by sibling blocks that hold more of the
// story between ads (not teaser lists). That container is printed block by
// block: lists, tables and quotes stay; headlines, captions, link lists,
// furniture lines ("Share", "Read more:") and repeated paragraphs go.
//
// The page is decoded to UTF-8 by internal/charset (the detector package
// feed uses too), parsed with golang.org/x/net/html
// (retried without the tags nested deeper than the parser allows) and
// wrapped with goquery.NewDocumentFromNode; goquery is the package's DOM
// toolkit. Elements are found by tag, attribute or class with goquery
// selections: the metadata sources (meta tags, the canonical link, JSON-LD
// scripts, <time>, the html lang, author markup and bylines, each looked up
// only when the sources trusted more gave nothing), the elements never in a
// body, the zones suspected of boilerplate by role, hidden markers, class or
// id, and schema.org article markup. Three steps walk the *html.Node tree
// under the selections instead: measuring the prose in each suspect zone,
// scoring the paragraphs, and printing the chosen container. Each is one
// pass that carries state down the tree (inside a paragraph, inside a link,
// the open blocks) and adds lengths up it, which a selection per element
// would redo for every ancestor. Script and style bodies are skipped before
// parsing. Work is bounded by the page size (Extractor.MaxBytes) and by
// depth limits on every walk; the extraction-bench results and the command
// that reproduces them are in docs/benchmarks.md.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsmon/internal/charset"
)

// Document is what extraction recovered from one page.
type Document struct {
	Title, Author, SiteName, Lang, CanonicalURL string
	Published                                   time.Time // zero when unknown; callers format RFC 3339
	Text                                        string    // main text, paragraphs separated by "\n\n"
	// Encoding is the charset the page was read in; EncodingNote says how
	// its declared charsets disagreed with the bytes (internal/charset),
	// empty when they did not: worth a log line with the URL.
	Encoding, EncodingNote string
}

// ErrNotHTML reports a body that is not an HTML document (e.g. PDF, JSON, image).
var ErrNotHTML = errors.New("not HTML")

// ErrTooLarge reports a body longer than the extractor's MaxBytes.
var ErrTooLarge = errors.New("page too large")

// DefaultMaxBytes is the page size limit of an Extractor whose MaxBytes is 0.
const DefaultMaxBytes = 5 << 20

// Extractor extracts documents from pages. The zero value is ready to use and
// safe for concurrent use.
type Extractor struct {
	MaxBytes int64 // 0 means DefaultMaxBytes (5 MB)
}

// Extract extracts a page with the zero Extractor.
func Extract(body []byte, contentType, pageURL string) (Document, error) {
	var e Extractor
	return e.Extract(body, contentType, pageURL)
}

// Extract decodes body (using contentType, the HTTP Content-Type header, which
// may be empty, for the charset), parses it and returns its main text and
// metadata. pageURL resolves a relative canonical link. A body that is not
// HTML gives ErrNotHTML, one over MaxBytes gives ErrTooLarge.
func (e *Extractor) Extract(body []byte, contentType, pageURL string) (Document, error) {
	limit := e.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if int64(len(body)) > limit {
		return Document{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), limit)
	}
	if err := checkHTML(body, contentType); err != nil {
		return Document{}, err
	}
	dec := charset.Decode(body, contentType, charset.HTMLDeclared(body))
	text := stripRaw(dec.Text)
	root, err := html.ParseWithOptions(bytes.NewReader(text), html.ParseOptionEnableScripting(false))
	if err != nil {
		// The parser refuses documents nested deeper than it allows; drop the
		// excess tags and try once more.
		root, err = html.ParseWithOptions(bytes.NewReader(flatten(text)), html.ParseOptionEnableScripting(false))
		if err != nil {
			return Document{}, fmt.Errorf("parse html: %w", err)
		}
	}
	doc := goquery.NewDocumentFromNode(root)
	out := readMeta(doc, pageURL)
	var byline string
	out.Text, byline = mainText(doc, stripSiteName(out.Title, out.SiteName), pageURL, out.CanonicalURL)
	if out.Author == "" {
		// No author in the markup: a byline line in the article ("Von
		// Ada Field", "Text: Ada Field") at its start or end.
		out.Author = byline
	}
	if out.Lang == "" {
		// No lang attribute or tag: tell it from the text.
		out.Lang = detectLang(out.Text)
	}
	out.Encoding, out.EncodingNote = dec.Encoding, dec.Note
	return out, nil
}

// checkHTML decides whether body is an HTML document, as a browser would
// (the WHATWG MIME Sniffing Standard): a declared HTML type is trusted (a
// server that says text/html gets HTML rendering whatever the first bytes
// are, a stray <?xml ...?> line included) unless the bytes carry the
// signature of a binary format (PDF, an image, an archive); another
// declared type is refused unless it is one of the generic types that say
// nothing (none, octet-stream, text/plain, XML), in which case the bytes
// decide: the standard's patterns for an unknown type (net/http's
// DetectContentType implements them on the first 512 bytes), then, beyond
// that window, the first element after the prolog of comments, doctype,
// processing instructions and white space.
func checkHTML(body []byte, contentType string) error {
	declared := ""
	if contentType != "" {
		if mt, _, err := mime.ParseMediaType(contentType); err == nil {
			declared = mt
		}
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	switch declared {
	case "text/html", "application/xhtml+xml":
		if binaryType(sniffed) {
			return fmt.Errorf("%w: declared %s, body is %s", ErrNotHTML, declared, sniffed)
		}
		return nil
	case "", "application/octet-stream", "text/plain", "application/xml", "text/xml",
		"binary/octet-stream", "application/x-unknown", "application/unknown", "unknown/unknown", "*/*":
	default:
		return fmt.Errorf("%w: content type %s", ErrNotHTML, declared)
	}
	if binaryType(sniffed) {
		return fmt.Errorf("%w: body is %s", ErrNotHTML, sniffed)
	}
	// A feed behind a comment matches the standard's HTML pattern ("<!--"),
	// so the first element is looked at before the pattern is trusted.
	root := firstElement(body)
	switch {
	case xmlRoots[root]:
		return fmt.Errorf("%w: XML document (<%s>)", ErrNotHTML, root)
	case sniffed == "text/html":
		return nil
	case root == "":
		// Text before any element: a page may still open with stray
		// text, so look for markup further in, but refuse JSON.
		head := bytes.TrimLeft(body[:min(len(body), 512)], " \t\r\n\ufeff")
		if len(head) > 0 && (head[0] == '{' || head[0] == '[') {
			return fmt.Errorf("%w: body looks like JSON", ErrNotHTML)
		}
		if looksLikeMarkup(body) {
			return nil
		}
		return fmt.Errorf("%w: plain text", ErrNotHTML)
	case atom.Lookup([]byte(root)) != 0:
		return nil
	default:
		return fmt.Errorf("%w: XML document (<%s>)", ErrNotHTML, root)
	}
}

// binaryType reports a sniffed type that no HTML page has: the signatures
// of the standard's binary formats (anything not text, nor the catch-all
// octet-stream, which only means "no signature matched").
func binaryType(sniffed string) bool {
	return !strings.HasPrefix(sniffed, "text/") && sniffed != "application/octet-stream"
}

// xmlRoots are root elements of the XML documents a fetcher meets instead
// of article pages (feeds, sitemaps, OPML); some share a name with an HTML
// element.
var xmlRoots = map[string]bool{
	"rss": true, "feed": true, "rdf:rdf": true, "urlset": true, "sitemapindex": true, "opml": true,
	"svg": true, "math": true,
}

// sniffWindow bounds the search for the first element: past it a page is
// not taken for HTML on the strength of a lone tag.
const sniffWindow = 64 << 10

// firstElement returns the lower-cased name of the first start tag in the
// first sniffWindow bytes, skipping comments, the doctype, processing
// instructions (which the HTML tokenizer reads as comments) and white
// space; "" when text or nothing comes first.
func firstElement(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), sniffWindow)]))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.CommentToken, html.DoctypeToken:
		case html.TextToken:
			if len(bytes.Trim(z.Text(), " \t\r\n\f\ufeff")) > 0 {
				return ""
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			return string(name)
		case html.EndTagToken:
			// A stray end tag before the first element: keep looking.
		}
	}
}

// looksLikeMarkup reports whether the first 4 KB hold an HTML tag.
func looksLikeMarkup(body []byte) bool {
	for _, tag := range []string{"<html", "<head", "<body", "<p>", "<p ", "<div", "<title", "<meta", "<article", "<br"} {
		if hasMarkup(body, tag) {
			return true
		}
	}
	return false
}

// hasMarkup reports whether the first 4 KB hold tag, in any case.
func hasMarkup(body []byte, tag string) bool {
	return indexFold(body[:min(len(body), 4096)], tag) >= 0
}

// flattenDepth is the nesting depth beyond which flatten drops tags.
const flattenDepth = 200

// flatten re-serialises a document without the start and end tags that sit
// deeper than flattenDepth (by a rough count that ignores implied end tags),
// so that pathological nesting still yields its text.
func flatten(b []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(b))
	var out bytes.Buffer
	out.Grow(len(b))
	depth := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if voidElements[string(name)] {
				break
			}
			depth++
			if depth > flattenDepth {
				continue
			}
		case html.EndTagToken:
			depth--
			if depth >= flattenDepth {
				continue
			}
			depth = max(depth, 0)
		}
		out.Write(z.Raw())
	}
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true, "p": true,
}

// stripRaw blanks the contents of <script> and <style> elements before
// parsing: they are half of a typical news page's bytes and never article
// text, and the tokenizer reads raw text one byte at a time. JSON-LD
// scripts are kept for the metadata. The result parses to the same tree
// less those text nodes.
func stripRaw(b []byte) []byte {
	var out []byte // allocated on the first cut
	last := 0      // b[:last] is already in out
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		var closer string
		switch {
		case hasPrefixFold(b[i:], "script"):
			closer = "</script"
		case hasPrefixFold(b[i:], "style"):
			closer = "</style"
		default:
			continue
		}
		// The tag name must end here: "<scripts>" or "<styled>" are not ours.
		if k := i + len(closer) - 2; k >= len(b) || !isTagEnd(b[k]) {
			continue
		}
		gt := bytes.IndexByte(b[i:], '>')
		if gt < 0 {
			break
		}
		start := i + gt + 1
		if closer == "</script" && indexFold(b[i:start], "json") >= 0 {
			continue
		}
		end := indexFold(b[start:], closer)
		if end < 0 {
			break
		}
		end += start
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(out, b[last:start]...)
		last, i = end, end
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func isTagEnd(c byte) bool {
	return c == '>' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/'
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix,
// ignoring case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for k := 0; k < len(prefix); k++ {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[k] {
			return false
		}
	}
	return true
}

// indexFold finds the lower-case ASCII needle in b, ignoring case. Needles
// starting with '<' (closing tags) are found with a fast byte search.
func indexFold(b []byte, needle string) int {
	if needle[0] != '<' {
		for i := 0; i+len(needle) <= len(b); i++ {
			if hasPrefixFold(b[i:], needle) {
				return i
			}
		}
		return -1
	}
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if hasPrefixFold(b[i:], needle) {
			return i
		}
		i++
	}
	return -1
}
