package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"newsmon/pipeline"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
)

// batch is what a poll of one feed publishes and records.
type batch struct {
	published  int
	duplicates int
}

// items publishes a feed's items that were not published before, and
// records them as seen. The items of a feed are looked up, published and
// recorded together: a feed costs a handful of requests to NATS, not a few
// per item. An error leaves the items unseen, to be tried again on the next
// poll; articles stored before it are stored once (their Msg-Ids).
func (in *Ingester) items(ctx context.Context, src feed.Source, parsed *feed.Feed) (batch, error) {
	var b batch
	keys := make([]string, 0, len(parsed.Items))
	fresh := make([]feed.Item, 0, len(parsed.Items))
	inFeed := make(map[string]bool, len(parsed.Items))
	for _, it := range parsed.Items {
		in.stats.Items.Add(1)
		if it.Link == "" {
			in.stats.Skipped.Add(1)
			in.log.Warn("feed item has no link; skipped", "feed_url", src.URL, "guid", it.GUID, "title", it.Title)
			continue
		}
		key := dedup.Key(src.URL, it.GUID, it.Link)
		if inFeed[key] {
			continue // listed twice in one document
		}
		inFeed[key] = true
		keys = append(keys, key)
		fresh = append(fresh, it)
	}
	if len(keys) == 0 {
		return b, nil
	}
	seen, err := in.seen.SeenAll(ctx, keys)
	if err != nil {
		return b, err
	}
	var arts []*pipeline.Article
	var artKeys []string
	for i, it := range fresh {
		if _, ok := seen[keys[i]]; ok {
			continue
		}
		if ctx.Err() != nil {
			return b, ctx.Err()
		}
		a := in.article(ctx, src, parsed, it)
		a.ID = pipeline.ArticleID(keys[i])
		arts = append(arts, a)
		artKeys = append(artKeys, keys[i])
	}
	if len(arts) == 0 {
		return b, nil
	}
	fps, err := in.nearDuplicates(ctx, arts)
	if err != nil {
		// Publishing matters more than catching a copy: go on without.
		in.log.Warn("near-duplicate lookup failed; publishing unchecked", "feed_url", src.URL, "err", err)
		fps = nil
		for _, a := range arts {
			a.DuplicateOf = ""
		}
	}
	record := make(map[string]string, len(arts))
	pub := make([]*pipeline.Article, 0, len(arts))
	for i, a := range arts {
		if a.DuplicateOf != "" {
			b.duplicates++
			in.log.Info("near-duplicate not published", "feed_url", src.URL, "url", a.URL, "id", a.ID, "duplicate_of", a.DuplicateOf)
			record[artKeys[i]] = a.ID + " duplicate_of " + a.DuplicateOf
			if !in.cfg.PublishDuplicates {
				continue
			}
		} else {
			record[artKeys[i]] = a.ID
		}
		pub = append(pub, a)
	}
	if err := in.pub.PublishArticles(ctx, pub); err != nil {
		return b, err
	}
	for _, a := range pub {
		if a.DuplicateOf == "" {
			b.published++
		}
	}
	// Filed after the articles are stored: a text that never reached the
	// stream must not make a later copy of it a duplicate.
	if in.cfg.Near != nil {
		entries := map[string]string{}
		for _, a := range pub {
			fp, ok := fps[a.ID]
			if !ok || a.DuplicateOf != "" {
				continue
			}
			val := fmt.Sprintf("%016x %s", fp, a.ID)
			for _, band := range dedup.Bands(fp) {
				entries[band+"."+strings.TrimPrefix(a.ID, "a:")] = val
			}
		}
		if len(entries) > 0 {
			if err := in.cfg.Near.AddNear(ctx, entries); err != nil {
				in.log.Warn("near-duplicate index", "feed_url", src.URL, "err", err)
			}
		}
	}
	// Marked only after the articles are stored: a crash in between re-sends
	// them under the same Msg-Ids, which the stream's duplicate window absorbs.
	if err := in.seen.MarkSeenAll(ctx, record); err != nil {
		return b, err
	}
	in.stats.Published.Add(int64(b.published))
	in.stats.Duplicates.Add(int64(b.duplicates))
	return b, nil
}

// nearDuplicates sets DuplicateOf on each article whose text is within
// dedup.NearThreshold bits of an article published before (by any replica,
// through the NEAR index) or earlier in arts. Texts shorter than
// Config.NearMinWords are not compared: short summaries ("Read more at ...")
// collide without being the same story. It returns the fingerprints of the
// articles it compared.
func (in *Ingester) nearDuplicates(ctx context.Context, arts []*pipeline.Article) (map[string]uint64, error) {
	if in.cfg.NearMinWords < 0 {
		return nil, nil
	}
	fps := make(map[string]uint64, len(arts))
	var bands []string
	for _, a := range arts {
		if !hasWords(a.Text, in.cfg.NearMinWords) {
			continue
		}
		fp := dedup.Fingerprint(a.Text)
		fps[a.ID] = fp
		bands = append(bands, dedup.Bands(fp)...)
	}
	if len(fps) == 0 {
		return fps, nil
	}
	type cand struct {
		fp uint64
		id string
	}
	var cands []cand
	if in.cfg.Near != nil {
		vals, err := in.cfg.Near.NearCandidates(ctx, bands)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			hexFP, id, ok := strings.Cut(v, " ")
			fp, err := strconv.ParseUint(hexFP, 16, 64)
			if !ok || err != nil {
				continue // not ours; the index is shared
			}
			cands = append(cands, cand{fp, id})
		}
	}
	for _, a := range arts {
		fp, ok := fps[a.ID]
		if !ok {
			continue
		}
		best := dedup.NearThreshold + 1
		for _, c := range cands {
			// An article's own entry is there when an earlier try of this
			// poll was cut short after publishing.
			if c.id == a.ID {
				continue
			}
			if d := dedup.Distance(fp, c.fp); d < best {
				best, a.DuplicateOf = d, c.id
			}
		}
		if a.DuplicateOf == "" {
			cands = append(cands, cand{fp, a.ID}) // later items of this batch
		}
	}
	return fps, nil
}

// article builds the article for one item: the page's extracted text when
// the page can be had, else the feed's content, else its summary.
func (in *Ingester) article(ctx context.Context, src feed.Source, parsed *feed.Feed, it feed.Item) *pipeline.Article {
	a := &pipeline.Article{
		Schema:    pipeline.SchemaVersion,
		URL:       it.Link,
		FeedURL:   src.URL,
		Source:    SourceName(src),
		Title:     strings.TrimSpace(it.Title),
		Author:    it.Author,
		FetchedAt: in.cfg.Now().UTC(),
		Lang:      firstNonEmpty(src.Lang, parsed.Lang),
		Summary:   FragmentText(it.Summary),
		Tags:      src.Tags,
	}
	if !it.Published.IsZero() {
		p := it.Published.UTC()
		a.Published = &p
	}
	if canon, err := dedup.CanonicalURL(it.Link); err == nil {
		a.CanonicalURL = canon
	}
	if src.Pages == nil || *src.Pages {
		doc, err := in.page(ctx, it.Link)
		if err == nil && doc.Text != "" {
			a.Text, a.Extraction = doc.Text, pipeline.ExtractionPage
			a.Title = firstNonEmpty(a.Title, doc.Title)
			a.Author = firstNonEmpty(a.Author, doc.Author)
			a.Lang = firstNonEmpty(src.Lang, doc.Lang, a.Lang)
			a.SiteName = doc.SiteName
			if doc.CanonicalURL != "" {
				a.CanonicalURL = doc.CanonicalURL
			}
			if a.Published == nil && !doc.Published.IsZero() {
				p := doc.Published.UTC()
				a.Published = &p
			}
		} else {
			in.stats.PageErrors.Add(1)
			if err == nil {
				err = errors.New("no text found")
			}
			in.log.Warn("article page unusable; using the feed's text", "feed_url", src.URL, "url", it.Link, "err", err)
		}
	}
	if a.Text == "" {
		if content := FragmentText(it.Content); content != "" {
			a.Text, a.Extraction = content, pipeline.ExtractionFeedContent
		} else {
			a.Text, a.Extraction = a.Summary, pipeline.ExtractionFeedSummary
		}
	}
	a.ContentHash = pipeline.ContentHash(a.Text)
	return a
}

func (in *Ingester) page(ctx context.Context, link string) (extract.Document, error) {
	resp, err := in.cfg.Fetch.GetPage(ctx, fetch.Request{URL: link, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	if err != nil {
		return extract.Document{}, err
	}
	doc, err := in.cfg.Extract.Extract(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return doc, fmt.Errorf("extract %s: %w", link, err)
	}
	return doc, nil
}

// SourceName is the source token of a feed's articles: its configured name,
// else its host without "www.".
func SourceName(src feed.Source) string {
	if src.Name != "" {
		return pipeline.SubjectToken(src.Name)
	}
	u, err := url.Parse(src.URL)
	if err != nil || u.Hostname() == "" {
		return "unknown"
	}
	return pipeline.SubjectToken(strings.TrimPrefix(u.Hostname(), "www."))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// hasWords reports whether s has at least n words (runs of non-space
// bytes), without splitting it.
func hasWords(s string, n int) bool {
	inWord := false
	for i := 0; i < len(s); i++ {
		space := s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'
		if !space && !inWord {
			if n--; n <= 0 {
				return true
			}
		}
		inWord = !space
	}
	return n <= 0
}
