// Package article builds the Article messages newsmon publishes: from a feed
// item and its page, from a page alone, or from plain text. It is the one
// place that decides an article's identity (its key within a feed document
// and its id), its text (the page's main text, else the feed's content,
// else its summary, each through extract's one HTML-to-text printer), which
// URLs it carries (never with credentials) and how it is cut to fit a
// message. The ingest service, `ingest extract` and `tagger match` all build
// through it, so the same input gives the same article, byte for byte but
// for fetched_at.
//
// It fetches article pages through an interface it declares (package fetch
// satisfies it) and holds no state: remembering what was published is the
// ingest loop's job.
package article

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
)

// Pages fetches article pages; *fetch.Client is one.
type Pages interface {
	GetPage(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// DefaultMaxMessage is the largest encoded article a Builder makes when its
// MaxMessage is 0: the ARTICLES stream's 1 MiB message limit, less room for
// the message headers.
const DefaultMaxMessage = 1<<20 - 4<<10

// Memory bounds what extracting big pages takes at once: Acquire waits
// until cost bytes (PageCost) may be spent and returns the function that
// gives them back. The ingest loop's budget is one.
type Memory interface {
	Acquire(ctx context.Context, cost int64) (release func(), err error)
}

// Builder builds articles. The zero value builds from feed text alone.
type Builder struct {
	Pages      Pages              // fetches pages; nil: the feed's text only
	Extract    *extract.Extractor // nil: the zero Extractor
	MaxMessage int                // largest encoded article; 0: DefaultMaxMessage
	Now        func() time.Time   // nil: time.Now
	Memory     Memory             // nil: extraction unbounded but by MaxPageTags
}

// MaxPageTags is the most tags ('<') a page may hold to be extracted: the
// largest real pages measured hold about 20,000, and the parser builds a
// node for each (a 5 MB page of a million and a half unclosed tags took
// hundreds of megabytes). A page with more gives its item the feed's text.
const MaxPageTags = 100_000

// ErrPageTooComplex reports a page with more than MaxPageTags tags.
var ErrPageTooComplex = errors.New("page too complex")

// PageCost estimates the memory extracting a page takes at most, in bytes:
// a few copies of the body while it is decoded and cleaned, and the parsed
// tree, some hundreds of bytes a tag (a 5 MB page of 98,000 tags took 91
// MB, one of 5 MB of text 37 MB; bench/memory has such pages).
func PageCost(body []byte) int64 {
	return int64(len(body))*6 + int64(min(bytes.Count(body, []byte("<")), MaxPageTags))*700
}

// Result is a built article and what building it ran into.
type Result struct {
	Article *pipeline.Article
	// PageErr says why the page gave no text, so that the feed's was
	// used; nil when the page gave it or was not asked for.
	PageErr error
	// Notes are worth a log line with the URL: a page whose charset labels
	// disagreed with its bytes, a text cut to fit a message.
	Notes []string
}

// ErrTooLarge reports an article that does not fit MaxMessage even with
// its text and summary cut away.
var ErrTooLarge = errors.New("article too large for a message")

// Item builds the article of one feed item: the page's extracted text when
// the feed's source wants pages and the page gives text, else the item's
// content, else its summary. key is the item's key from Keys; a key whose
// link is shared by other items of the document does not fetch the page,
// which is not this item's own, and neither does a link to the item's
// enclosure (feed.Item.MediaLink).
func (b *Builder) Item(ctx context.Context, src feed.Source, f *feed.Feed, it feed.Item, key Key) (Result, error) {
	a := &pipeline.Article{
		Schema:    pipeline.SchemaVersion,
		ID:        pipeline.ArticleID(key.Key),
		URL:       withoutUserinfo(it.Link),
		FeedURL:   withoutUserinfo(src.URL),
		Source:    SourceName(src, it.Link),
		Title:     strings.TrimSpace(it.Title),
		Author:    it.Author,
		FetchedAt: b.now().UTC(),
		Summary:   extract.FragmentText(it.Summary),
		Tags:      src.Tags,
	}
	if f != nil {
		a.Lang = firstNonEmpty(src.Lang, f.Lang)
	} else {
		a.Lang = src.Lang
	}
	if !it.Published.IsZero() {
		p := it.Published.UTC()
		a.Published = &p
	}
	if canon, err := dedup.CanonicalURL(it.Link); err == nil {
		a.CanonicalURL = canon
	}
	var r Result
	if (src.Pages == nil || *src.Pages) && !key.Shared && !it.MediaLink && b.Pages != nil {
		doc, err := b.page(ctx, it.Link, src)
		if err == nil && doc.Text == "" {
			err = errors.New("no text found")
		}
		if err != nil {
			r.PageErr = err
		} else {
			b.fromPage(a, doc, src.Lang)
			if doc.EncodingNote != "" {
				r.Notes = append(r.Notes, "page charset: "+doc.EncodingNote)
			}
		}
	}
	if a.Text == "" {
		if content := extract.FragmentText(it.Content); content != "" {
			a.Text, a.Extraction = content, pipeline.ExtractionFeedContent
		} else {
			a.Text, a.Extraction = a.Summary, pipeline.ExtractionFeedSummary
		}
	}
	r.Article = a
	return r, b.finish(&r)
}

// Page builds the article of a page alone, fetched from pageURL: the
// article the service builds for a feed item that links to the page and
// says nothing else.
func (b *Builder) Page(ctx context.Context, pageURL string) (Result, error) {
	if b.Pages == nil {
		return Result{}, fmt.Errorf("page %s: no page fetcher", pageURL)
	}
	resp, err := b.Pages.GetPage(ctx, pageRequest(pageURL))
	if err != nil {
		return Result{}, err
	}
	return b.pageBody(ctx, resp.Body, resp.ContentType, pageURL)
}

// PageBody is Page for a body already at hand (a saved page): pageURL is
// the address it came from, contentType its HTTP Content-Type if known.
func (b *Builder) PageBody(body []byte, contentType, pageURL string) (Result, error) {
	return b.pageBody(context.Background(), body, contentType, pageURL)
}

func (b *Builder) pageBody(ctx context.Context, body []byte, contentType, pageURL string) (Result, error) {
	doc, err := b.extractPage(ctx, body, contentType, pageURL)
	if err != nil {
		return Result{}, err
	}
	a := b.bare(pageURL)
	b.fromPage(a, doc, "")
	var r Result
	if doc.EncodingNote != "" {
		r.Notes = append(r.Notes, "page charset: "+doc.EncodingNote)
	}
	r.Article = a
	return r, b.finish(&r)
}

// Text builds the article of a plain text found at u (a file's URL).
func (b *Builder) Text(u, text string) (Result, error) {
	a := b.bare(u)
	a.Text, a.Extraction = normalizeText(text), pipeline.ExtractionFeedContent
	r := Result{Article: a}
	return r, b.finish(&r)
}

// bare is the article of an input that is its own item: a link with no
// feed, no GUID and nothing else, keyed as Keys keys such an item.
func (b *Builder) bare(u string) *pipeline.Article {
	a := &pipeline.Article{
		Schema:    pipeline.SchemaVersion,
		ID:        pipeline.ArticleID(dedup.Key("", "", u)),
		URL:       withoutUserinfo(u),
		Source:    SourceName(feed.Source{}, u),
		FetchedAt: b.now().UTC(),
	}
	if canon, err := dedup.CanonicalURL(u); err == nil {
		a.CanonicalURL = canon
	}
	return a
}

// fromPage takes the text and the metadata the feed did not give from an
// extracted page.
func (b *Builder) fromPage(a *pipeline.Article, doc extract.Document, lang string) {
	a.Text, a.Extraction = doc.Text, pipeline.ExtractionPage
	a.Title = firstNonEmpty(a.Title, doc.Title)
	a.Author = firstNonEmpty(a.Author, doc.Author)
	a.Lang = firstNonEmpty(lang, doc.Lang, a.Lang)
	a.SiteName = doc.SiteName
	if doc.CanonicalURL != "" {
		a.CanonicalURL = withoutUserinfo(doc.CanonicalURL)
	}
	if a.Published == nil && !doc.Published.IsZero() {
		p := doc.Published.UTC()
		a.Published = &p
	}
}

func (b *Builder) page(ctx context.Context, link string, src feed.Source) (extract.Document, error) {
	req, err := WithAccess(pageRequest(link), src)
	if err != nil {
		return extract.Document{}, err
	}
	resp, err := b.Pages.GetPage(ctx, req)
	if err != nil {
		return extract.Document{}, err
	}
	return b.extractPage(ctx, resp.Body, resp.ContentType, resp.URL)
}

// extractPage extracts a page within MaxPageTags and the Memory budget.
func (b *Builder) extractPage(ctx context.Context, body []byte, contentType, pageURL string) (extract.Document, error) {
	if n := bytes.Count(body, []byte("<")); n > MaxPageTags {
		return extract.Document{}, fmt.Errorf("extract %s: %w: %d tags, limit %d", pageURL, ErrPageTooComplex, n, MaxPageTags)
	}
	if b.Memory != nil {
		release, err := b.Memory.Acquire(ctx, PageCost(body))
		if err != nil {
			return extract.Document{}, err
		}
		defer release()
	}
	doc, err := b.extractor().Extract(body, contentType, pageURL)
	if err != nil {
		return doc, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	return doc, nil
}

func pageRequest(u string) fetch.Request {
	return fetch.Request{URL: u, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
}

// WithAccess applies a feed's request settings (feed.Access) to a request
// for the feed or one of its pages: the user agent, the proxy and the plain
// headers always, the cookies and credentials only on the feed's own host.
// The secrets are read now; a missing one is the error.
func WithAccess(r fetch.Request, src feed.Source) (fetch.Request, error) {
	a := src.Access
	if a.IsZero() {
		return r, nil
	}
	h, err := a.Header(sameHost(r.URL, src.URL))
	if err != nil {
		return r, fmt.Errorf("feed %s: %w", withoutUserinfo(src.URL), err)
	}
	r.UserAgent, r.Proxy, r.Header = a.UserAgent, a.Proxy, h
	return r, nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Hostname(), ub.Hostname())
}

// finish caps the fields that come from outside, hashes the text and cuts
// it to fit a message.
func (b *Builder) finish(r *Result) error {
	a := r.Article
	a.Title = clip(withoutInvisibles(a.Title), maxTitle)
	a.Author = clip(a.Author, maxAuthor)
	a.SiteName = clip(a.SiteName, maxAuthor)
	a.Summary = clip(withoutInvisibles(a.Summary), maxSummary)
	a.Text = withoutInvisibles(a.Text)
	if a.Extraction == pipeline.ExtractionFeedSummary {
		a.Text = a.Summary
	}
	a.ContentHash = pipeline.ContentHash(a.Text)
	cut, err := fit(a, b.maxMessage())
	if err != nil {
		return fmt.Errorf("article %s (%s): %w", a.ID, a.URL, err)
	}
	if cut > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("text cut by %d of %d bytes to fit a message of %d bytes", cut, a.TextBytes, b.maxMessage()))
	}
	return nil
}

// Caps on the one-line fields and the summary, in bytes: no real title
// comes near them, and a feed that puts a book there costs only that field.
const (
	maxTitle   = 2 << 10
	maxAuthor  = 512
	maxSummary = 16 << 10
)

// fit cuts a's text, at a paragraph break where one is near, until its JSON
// encoding takes at most limit bytes, and marks it Truncated with the
// length of the whole text. It returns the bytes cut.
func fit(a *pipeline.Article, limit int) (int, error) {
	size, err := encodedSize(a)
	if err != nil {
		return 0, err
	}
	if size <= limit {
		return 0, nil
	}
	whole := len(a.Text)
	for range 8 {
		over := size - limit
		// Escaping makes the text longer in JSON than in bytes ("<" is
		// six): cut the bytes that encode to the excess, and a margin.
		enc, err := json.Marshal(a.Text)
		if err != nil {
			return 0, err
		}
		keep := len(a.Text) - int(float64(over)*float64(len(a.Text))/float64(len(enc))) - 64
		if keep <= 0 {
			a.Text = ""
		} else {
			a.Text = cutAt(a.Text, keep)
		}
		a.Truncated, a.TextBytes = true, whole
		a.ContentHash = pipeline.ContentHash(a.Text)
		if size, err = encodedSize(a); err != nil {
			return 0, err
		}
		if size <= limit {
			return whole - len(a.Text), nil
		}
		if a.Text == "" {
			break
		}
	}
	return 0, fmt.Errorf("%w: %d bytes without its text, limit %d", ErrTooLarge, size, limit)
}

func encodedSize(a *pipeline.Article) (int, error) {
	data, err := json.Marshal(a)
	return len(data), err
}

// cutAt returns s cut to at most n bytes: at the last paragraph break in
// the final tenth, else at the last space there, else at a character
// boundary.
func cutAt(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n-- // not inside a UTF-8 sequence
	}
	head := s[:n]
	floor := n - n/10
	if i := strings.LastIndex(head, "\n\n"); i >= floor && i > 0 {
		return head[:i]
	}
	if i := strings.LastIndexByte(head, ' '); i >= floor && i > 0 {
		return head[:i]
	}
	return head
}

// clip cuts a one-line field to n bytes at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// invisibles are format characters that print nothing inside a word: the
// soft hyphen CMSs insert as a hyphenation hint ("Ali\u00adbaba"), the word
// joiner and a stray byte-order mark. Left in, they split the word for the
// rules and for search, so the article's text goes without them.
const invisibles = "\u00ad\u2060\ufeff"

func withoutInvisibles(s string) string {
	if !strings.ContainsAny(s, invisibles) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(invisibles, r) {
			return -1
		}
		return r
	}, s)
}

// normalizeText folds white space inside paragraphs and separates them by
// one blank line, as the page and feed texts are.
func normalizeText(s string) string {
	var paras []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}

// SourceName is the source token of an article: the feed's configured
// name, else its host without "www.", else the host of the article's own
// link (an article built from a page alone).
func SourceName(src feed.Source, link string) string {
	if src.Name != "" {
		return pipeline.SubjectToken(src.Name)
	}
	for _, s := range []string{src.URL, link} {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			return pipeline.SubjectToken(strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."))
		}
	}
	return "unknown"
}

// withoutUserinfo drops "user:pass@" from a URL: credentials in a feed
// list or an item link must not travel with the article.
func withoutUserinfo(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Builder) extractor() *extract.Extractor {
	if b.Extract != nil {
		return b.Extract
	}
	return &extract.Extractor{}
}

func (b *Builder) maxMessage() int {
	if b.MaxMessage > 0 {
		return b.MaxMessage
	}
	return DefaultMaxMessage
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
