package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"newsmon/pipeline"
	"newsmon/pipeline/article"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/feed"
)

// What the SEEN record of an item says besides an article id (docs/feeds.md):
// an item that could not be published is retried on later polls, and after
// maxAttempts recorded as failed, so that one item never blocks or repeats
// its feed.
const (
	seenRetry   = "retry "  // "retry <attempts> <reason>"
	seenFailed  = "failed " // "failed <reason>"
	maxAttempts = 3
	// seenPoll ends the record of a published item or a near-duplicate:
	// " @<revision>", the revision of the feed state its poll started
	// from. A poll whose new state never got stored (the process died
	// after recording its items) leaves records of the revision still
	// current; the next poll counts them in the feed's state, which would
	// otherwise lose them for good.
	seenPoll = " @"
)

// batch is what a poll of one feed did with its items.
type batch struct {
	published  int
	duplicates int // recorded as near-duplicates of published articles
	// recovered and recoveredDups are items an earlier poll of the same
	// feed state published or recorded as near-duplicates, whose count
	// never reached the state (seenPoll).
	recovered     int
	recoveredDups int
	dropped       map[string]int // items not published, by reason (article.Drop*, failed)
	deferred      int            // new items left for the next poll: page budget spent
	truncated     int            // articles whose text was cut to fit a message
}

// pending is a new item on its way to an article.
type pending struct {
	item     feed.Item
	key      article.Key
	attempts int // failed publications before this poll
	art      *pipeline.Article
	print    dedup.Print // the text's, when compared for near-duplicates
	hasFP    bool
}

// items publishes the items of a parsed feed that were not published
// before, and records them in SEEN: published, a near-duplicate, or failed
// with the reason. A feed's items are looked up, published and recorded
// together: a feed costs a handful of requests to NATS, not a few per item.
// An error (NATS unreachable) leaves the items it concerns unrecorded, to
// be tried again on the next poll; what was stored before it is recorded.
// rev is the revision of the feed state the poll started from (0: none),
// written into the records (seenPoll). Article pages are fetched under
// pages, the poll's deadline; NATS is reached under ctx.
func (in *Ingester) items(ctx, pages context.Context, src feed.Source, parsed *feed.Feed, rev uint64) (batch, error) {
	b := batch{dropped: map[string]int{}}
	todo, err := in.unseen(ctx, src, parsed, rev, &b)
	if err != nil || len(todo) == 0 {
		return b, err
	}
	todo = in.build(pages, src, parsed, todo, &b)
	if len(todo) == 0 {
		return b, ctx.Err()
	}
	if err := in.nearDuplicates(ctx, todo); err != nil {
		// Publishing matters more than catching a copy: go on without.
		in.log.Warn("near-duplicate lookup failed; publishing unchecked", "feed_url", src.URL, "err", err)
		for _, p := range todo {
			p.art.DuplicateOf, p.hasFP = "", false
		}
	}
	record, published, pubErr := in.publish(ctx, src, todo, rev, &b)
	in.fileNear(ctx, src, published)
	// Recorded only after the articles are stored: a crash in between
	// re-sends them under the same Msg-Ids, which the stream's duplicate
	// window absorbs. What was stored is recorded even when a later
	// publication failed, so it is never sent again.
	if len(record) > 0 {
		if err := in.seen.MarkSeenAll(ctx, record); err != nil {
			return b, errors.Join(pubErr, err)
		}
	}
	in.stats.Published.Add(int64(b.published))
	in.stats.Duplicates.Add(int64(b.duplicates))
	return b, pubErr
}

// unseen keys the items of a document, counts and logs the ones dropped,
// and returns those SEEN has no final record of. Records left by an earlier
// poll from the same state revision rev are counted as recovered.
func (in *Ingester) unseen(ctx context.Context, src feed.Source, parsed *feed.Feed, rev uint64, b *batch) ([]*pending, error) {
	keys := article.Keys(src.URL, parsed.Items)
	var todo []*pending
	var lookup []string
	for i, k := range keys {
		in.stats.Items.Add(1)
		if k.Drop != "" {
			b.dropped[k.Drop]++
			in.stats.dropped(k.Drop)
			it := parsed.Items[i]
			in.log.Debug("feed item dropped", "feed_url", src.URL, "reason", k.Drop, "guid", it.GUID, "link", it.Link, "title", it.Title)
			continue
		}
		todo = append(todo, &pending{item: parsed.Items[i], key: k})
		lookup = append(lookup, k.Key)
	}
	if len(todo) == 0 {
		return nil, nil
	}
	seen, err := in.seen.SeenAll(ctx, lookup)
	if err != nil {
		return nil, err
	}
	fresh := todo[:0]
	for _, p := range todo {
		v, ok := seen[p.key.Key]
		if !ok {
			fresh = append(fresh, p)
			continue
		}
		if n, again := retryable(v); again {
			p.attempts = n
			fresh = append(fresh, p)
			continue
		}
		if rev != 0 && recordedAt(v) == rev {
			if strings.Contains(v, seenDuplicate) {
				b.recoveredDups++
			} else {
				b.recovered++
			}
		}
	}
	return fresh, nil
}

// seenDuplicate separates a near-duplicate's id from its original's in its
// SEEN record.
const seenDuplicate = " duplicate_of "

// seenRecord is the SEEN value of a published item or a near-duplicate
// (what, the article id and for a copy its original) recorded by a poll
// from the feed state revision rev.
func seenRecord(what string, rev uint64) string {
	if rev == 0 {
		return what
	}
	return what + seenPoll + strconv.FormatUint(rev, 10)
}

// recordedAt is the state revision a SEEN record names (seenPoll), 0 when
// it names none.
func recordedAt(v string) uint64 {
	i := strings.LastIndex(v, seenPoll)
	if i < 0 {
		return 0
	}
	rev, err := strconv.ParseUint(v[i+len(seenPoll):], 10, 64)
	if err != nil {
		return 0
	}
	return rev
}

// retryable reads a SEEN value: the failed attempts of an item to publish
// again, or false for an item that is done (published, a duplicate, or
// failed for good).
func retryable(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, seenRetry)
	if !ok {
		return 0, false
	}
	n, _, _ := strings.Cut(rest, " ")
	attempts, err := strconv.Atoi(n)
	if err != nil {
		return 0, false
	}
	return attempts, attempts < maxAttempts
}

// build makes the articles of the new items, in the document's order
// (newest first in most feeds). Items whose page would be fetched after the
// feed's page budget is spent (Config.PagesPerPoll pages, Config.PageTime)
// or its deadline passed (ctx, Config.FeedDeadline) are left for the next
// poll, so that a feed of thousands of new items costs its host a bounded
// time per poll and still gets through them.
func (in *Ingester) build(ctx context.Context, src feed.Source, parsed *feed.Feed, todo []*pending, b *batch) []*pending {
	pagesWanted := src.Pages == nil || *src.Pages
	pages, until := 0, in.cfg.Now().Add(in.cfg.PageTime)
	out := todo[:0]
	for i, p := range todo {
		if ctx.Err() != nil {
			b.deferred += len(todo) - i // the poll was cut short
			break
		}
		k := p.key
		if pagesWanted && !k.Shared {
			if pages >= in.cfg.PagesPerPoll || in.cfg.Now().After(until) {
				b.deferred++
				continue
			}
			pages++
		}
		r, err := in.builder.Item(ctx, src, parsed, p.item, k)
		if err != nil {
			// Not even the bare article fits a message: record it as
			// failed now rather than trying it on every poll.
			in.log.Warn("feed item cannot be published", "feed_url", src.URL, "link", p.item.Link, "err", err)
			p.attempts = maxAttempts - 1
			p.art = nil
			out = append(out, p)
			continue
		}
		if r.PageErr != nil && ctx.Err() != nil {
			// The deadline, not the page: try the page on the next poll.
			b.deferred += len(todo) - i
			break
		}
		if r.PageErr != nil {
			in.stats.PageErrors.Add(1)
			in.log.Warn("article page unusable; using the feed's text", "feed_url", src.URL, "url", p.item.Link, "err", r.PageErr)
		}
		for _, n := range r.Notes {
			in.log.Info("article built with a note", "feed_url", src.URL, "url", p.item.Link, "note", n)
		}
		if r.Article.Truncated {
			b.truncated++
			in.stats.Truncated.Add(1)
		}
		p.art = r.Article
		out = append(out, p)
	}
	if b.deferred > 0 {
		in.stats.Deferred.Add(int64(b.deferred))
	}
	return out
}

// nearDuplicates sets DuplicateOf on each article whose text is a
// near-duplicate (dedup.Print.Near) of an article published before (by any
// replica, through the NEAR index) or earlier in the batch. Texts shorter
// than Config.NearMinWords are not compared: short summaries ("Read more at
// ...") collide without being the same story.
func (in *Ingester) nearDuplicates(ctx context.Context, todo []*pending) error {
	if in.cfg.NearMinWords < 0 {
		return nil
	}
	var bands []string
	for _, p := range todo {
		if p.art == nil || !hasWords(p.art.Text, in.cfg.NearMinWords) {
			continue
		}
		p.print, p.hasFP = dedup.NewPrint(p.art.Text), true
		bands = append(bands, dedup.Bands(p.print.Fingerprint)...)
	}
	if len(bands) == 0 {
		return nil
	}
	type cand struct {
		print dedup.Print
		id    string
	}
	var cands []cand
	if in.cfg.Near != nil {
		vals, err := in.cfg.Near.NearCandidates(ctx, bands)
		if err != nil {
			return err
		}
		for _, v := range vals {
			text, id, ok := strings.Cut(v, " ")
			pr, err := dedup.ParsePrint(text)
			if !ok || err != nil {
				// Not ours (the index is shared), or filed before prints
				// had sketches: such an entry expires within NEAR's TTL.
				continue
			}
			cands = append(cands, cand{pr, id})
		}
	}
	for _, p := range todo {
		if !p.hasFP {
			continue
		}
		best := dedup.NearThreshold + 1
		for _, c := range cands {
			// An article's own entry is there when an earlier try of this
			// poll was cut short after publishing.
			if c.id == p.art.ID || !p.print.Near(c.print) {
				continue
			}
			if d := dedup.Distance(p.print.Fingerprint, c.print.Fingerprint); d < best {
				best, p.art.DuplicateOf = d, c.id
			}
		}
		if p.art.DuplicateOf == "" {
			cands = append(cands, cand{p.print, p.art.ID}) // later items of this batch
		}
	}
	return nil
}

// publish stores the articles to publish and returns the SEEN record of
// each item it settled and the items published. Near-duplicates are
// recorded, not published (unless Config.PublishDuplicates). When the
// batch fails, each article is tried alone, so that one that cannot be
// stored costs only itself: it is recorded for a retry, and after
// maxAttempts as failed. When none could be stored, an error says so
// besides the records.
func (in *Ingester) publish(ctx context.Context, src feed.Source, todo []*pending, rev uint64, b *batch) (map[string]string, []*pending, error) {
	record := make(map[string]string, len(todo))
	var send []*pending
	for _, p := range todo {
		switch {
		case p.art == nil:
			record[p.key.Key] = in.failure(src, p, "too large for a message")
			b.dropped[dropFailed]++
		case p.art.DuplicateOf != "":
			b.duplicates++
			in.log.Info("near-duplicate not published", "feed_url", src.URL, "url", p.art.URL, "id", p.art.ID, "duplicate_of", p.art.DuplicateOf)
			record[p.key.Key] = seenRecord(p.art.ID+seenDuplicate+p.art.DuplicateOf, rev)
			if in.cfg.PublishDuplicates {
				send = append(send, p)
			}
		default:
			send = append(send, p)
		}
	}
	if len(send) == 0 {
		return record, nil, nil
	}
	arts := make([]*pipeline.Article, len(send))
	for i, p := range send {
		arts[i] = p.art
	}
	stored := make([]bool, len(send))
	errs := make([]error, len(send))
	if err := in.pub.PublishArticles(ctx, arts); err == nil {
		for i := range stored {
			stored[i] = true
		}
	} else if len(arts) == 1 {
		errs[0] = err
	} else {
		// Which ones failed? Alone, each is stored or refused for its
		// own sake; those stored before the error are absorbed by the
		// duplicate window.
		for i, a := range arts {
			errs[i] = in.pub.PublishArticles(ctx, []*pipeline.Article{a})
			stored[i] = errs[i] == nil
		}
	}
	var published []*pending
	var lastErr error
	for i, p := range send {
		if !stored[i] {
			lastErr = errs[i]
			if p.art.DuplicateOf == "" {
				record[p.key.Key] = in.failure(src, p, errs[i].Error())
				if strings.HasPrefix(record[p.key.Key], seenFailed) {
					b.dropped[dropFailed]++
				}
			}
			continue
		}
		published = append(published, p)
		if p.art.DuplicateOf == "" {
			record[p.key.Key] = seenRecord(p.art.ID, rev)
			b.published++
		}
	}
	if len(published) == 0 {
		// Nothing got through: the bus may be down. If it is, recording
		// the attempts fails too and nothing is recorded; the error
		// makes the feed come back soon either way.
		return record, nil, fmt.Errorf("publish: %w", lastErr)
	}
	return record, published, nil
}

// dropFailed is the reason of items recorded as failed for good.
const dropFailed = "failed to publish"

// failure is the SEEN record of an item that could not be published: a
// retry while attempts remain, else failed for good. Both are logged.
func (in *Ingester) failure(src feed.Source, p *pending, reason string) string {
	attempts := p.attempts + 1
	if attempts >= maxAttempts {
		in.stats.dropped(dropFailed)
		in.log.Warn("feed item failed for good; not retried", "feed_url", src.URL, "link", p.item.Link, "attempts", attempts, "err", reason)
		return seenFailed + reason
	}
	in.log.Warn("feed item not published; retried on a later poll", "feed_url", src.URL, "link", p.item.Link, "attempts", attempts, "err", reason)
	return fmt.Sprintf("%s%d %s", seenRetry, attempts, reason)
}

// fileNear files the fingerprints of published originals in the NEAR
// index. It runs after the articles are stored: a text that never reached
// the stream must not make a later copy of it a duplicate.
func (in *Ingester) fileNear(ctx context.Context, src feed.Source, published []*pending) {
	if in.cfg.Near == nil {
		return
	}
	entries := map[string]string{}
	for _, p := range published {
		if !p.hasFP || p.art.DuplicateOf != "" {
			continue
		}
		val := p.print.String() + " " + p.art.ID
		for _, band := range dedup.Bands(p.print.Fingerprint) {
			entries[band+"."+strings.TrimPrefix(p.art.ID, "a:")] = val
		}
	}
	if len(entries) == 0 {
		return
	}
	if err := in.cfg.Near.AddNear(ctx, entries); err != nil {
		in.log.Warn("near-duplicate index", "feed_url", src.URL, "err", err)
	}
}

// summary is a batch's drops and deferrals for a log line: "no link: 3,
// listed twice in the document: 1".
func (b batch) summary() string {
	var parts []string
	for reason, n := range b.dropped {
		parts = append(parts, fmt.Sprintf("%s: %d", reason, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// hasWords reports whether s has at least n words, without splitting it: a
// word is a run of non-space bytes, and in scripts written without spaces
// (Han, kana, Thai) each character, as dedup counts them.
func hasWords(s string, n int) bool {
	inWord := false
	for _, r := range s {
		if r >= 0x0E00 && isUnspaced(r) {
			if n--; n <= 0 {
				return true
			}
			inWord = false
			continue
		}
		space := r == ' ' || r == '\n' || r == '\t' || r == '\r'
		if !space && !inWord {
			if n--; n <= 0 {
				return true
			}
		}
		inWord = !space
	}
	return n <= 0
}

// isUnspaced reports a character of a script written without spaces.
func isUnspaced(r rune) bool {
	return r >= 0x0E00 && r <= 0x0E7F || // Thai
		r >= 0x3040 && r <= 0x30FF || // kana
		r >= 0x3400 && r <= 0x4DBF || r >= 0x4E00 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF // Han
}
