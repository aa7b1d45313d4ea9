package article

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"newsmon/pipeline/dedup"
	"newsmon/pipeline/feed"
)

// Why an item of a feed document is not published.
const (
	DropNoLink    = "no link"                      // nothing to fetch or to point analysts at
	DropDuplicate = "listed twice in the document" // the same item again: same link, title, date and text
)

// Key is an item's identity within one feed document.
type Key struct {
	// Key is the item's dedup key, whose hash is the article id and the
	// SEEN key; "" when the item is dropped.
	Key string
	// Drop says why the item is not published (DropNoLink,
	// DropDuplicate); "" for an item to publish.
	Drop string
	// Shared marks an item whose link (fragment aside) other items of the
	// document share: the page is a listing or a live blog, not this
	// item's own article, so its text comes from the feed.
	Shared bool
}

// Keys returns the key of each item of one feed document, in order. An
// item's key is its GUID within the feed, else its canonical link
// (dedup.Key). Items that would share a key (no GUID and one link, links
// that differ only by #fragment, a GUID the feed gives every item) are told
// apart by what differs between them: the link with its fragment, then the
// title and the date, then the text. Items alike in all of that, whatever
// their GUIDs, are one item listed twice; all but the first are dropped
// with DropDuplicate.
//
// The key of an item whose link became shared since an earlier poll
// changes, so the item may be built again; its text is the feed's, the
// same as before, and the near-duplicate check recognises it.
func Keys(feedURL string, items []feed.Item) []Key {
	keys := make([]Key, len(items))
	groups := map[string][]int{}
	var order []string
	links := map[string]int{}
	// An item alike in link, title, date and text to an earlier one is
	// the same story listed twice, whatever its GUID: a feed that merges
	// sections lists a story in each under a GUID of its own.
	alike := map[string]bool{}
	for i, it := range items {
		if it.Link == "" {
			keys[i].Drop = DropNoLink
			continue
		}
		if sig := signature(it); alike[sig] {
			keys[i].Drop = DropDuplicate
			continue
		} else {
			alike[sig] = true
		}
		k := dedup.Key(feedURL, it.GUID, it.Link)
		keys[i].Key = k
		if len(groups[k]) == 0 {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
		links[pageOf(it.Link)]++
	}
	for i, it := range items {
		if keys[i].Drop == "" {
			keys[i].Shared = links[pageOf(it.Link)] > 1
		}
	}
	for _, base := range order {
		if idx := groups[base]; len(idx) > 1 {
			tellApart(base, items, idx, keys)
		}
	}
	return keys
}

// tellApart gives the items idx, which share the key base, keys of their
// own, adding the first of their differences that tells them all apart.
func tellApart(base string, items []feed.Item, idx []int, keys []Key) {
	aspects := []func(it feed.Item) string{
		func(it feed.Item) string { return strings.TrimSpace(it.Link) },
		func(it feed.Item) string { return it.Title },
		func(it feed.Item) string {
			if it.Published.IsZero() {
				return ""
			}
			return it.Published.UTC().Format(time.RFC3339)
		},
		func(it feed.Item) string { return it.Content + "\x00" + it.Summary },
	}
	parts := make([]string, len(idx))
	for _, aspect := range aspects {
		for j, i := range idx {
			parts[j] += aspect(items[i]) + "\x00"
		}
		if distinct(parts) {
			break
		}
	}
	first := map[string]bool{}
	for j, i := range idx {
		if first[parts[j]] {
			keys[i] = Key{Drop: DropDuplicate}
			continue
		}
		first[parts[j]] = true
		sum := sha256.Sum256([]byte(parts[j]))
		keys[i].Key = base + " [" + hex.EncodeToString(sum[:8]) + "]"
	}
}

// signature is what tells items apart once their keys are set aside:
// the link with its fragment, the title, the date and the text.
func signature(it feed.Item) string {
	date := ""
	if !it.Published.IsZero() {
		date = it.Published.UTC().Format(time.RFC3339)
	}
	return strings.Join([]string{strings.TrimSpace(it.Link), it.Title, date, it.Content, it.Summary}, "\x00")
}

func distinct(ss []string) bool {
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if seen[s] {
			return false
		}
		seen[s] = true
	}
	return true
}

// pageOf is the page a link loads: its canonical form, which drops the
// fragment.
func pageOf(link string) string {
	if c, err := dedup.CanonicalURL(link); err == nil {
		return c
	}
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
