package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// parseJSON parses a JSON Feed. gofeed decodes it into typed structs and so
// rejects the whole feed over one field of the wrong type; when it does, the
// document is read again field by field, keeping every field that has the
// type the spec gives it and dropping the rest.
func parseJSON(text []byte) (*gofeed.Feed, []string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(text, &top); err != nil {
		if text[0] == '[' {
			return nil, nil, fmt.Errorf("%w: JSON array, not a JSON Feed", ErrNotFeed)
		}
		return nil, nil, fmt.Errorf("parse json feed: %w", err)
	}
	if doc, ok := rssJSON(top); ok {
		f, _, err := parseXML(doc)
		if err != nil {
			return nil, nil, fmt.Errorf("parse rss in json: %w", err)
		}
		return f, []string{"RSS 2.0 in JSON (rss.js) read as RSS"}, nil
	}
	version := jsonString(top["version"])
	_, hasItems := top["items"]
	if !strings.Contains(version, "jsonfeed.org") && !hasItems {
		return nil, nil, fmt.Errorf("%w: JSON document without a JSON Feed version or items", ErrNotFeed)
	}
	var warnings []string
	var items []json.RawMessage
	if json.Unmarshal(top["items"], &items) == nil && len(items) > MaxItems {
		// As for XML: do not have gofeed decode items only to drop them.
		if b, err := json.Marshal(items[:MaxItems]); err == nil {
			top["items"] = b
			if b, err := json.Marshal(top); err == nil {
				text = b
				warnings = append(warnings, fmt.Sprintf("kept the first %d of %d items", MaxItems, len(items)))
			}
		}
	}
	f, err := newParser().Parse(bytes.NewReader(text))
	if err == nil {
		return f, warnings, nil
	}
	return lenientJSON(top), append(warnings, "json feed read field by field: "+short(err.Error(), 100)), nil
}

func lenientJSON(top map[string]json.RawMessage) *gofeed.Feed {
	f := &gofeed.Feed{
		Title:       jsonString(top["title"]),
		Description: jsonString(top["description"]),
		Link:        jsonString(top["home_page_url"]),
		FeedLink:    jsonString(top["feed_url"]),
		Language:    jsonString(top["language"]),
		FeedType:    "json",
		FeedVersion: jsonString(top["version"]),
	}
	var items []json.RawMessage
	if json.Unmarshal(top["items"], &items) != nil {
		return f
	}
	for _, raw := range items {
		var it map[string]json.RawMessage
		if json.Unmarshal(raw, &it) != nil {
			continue // an item that is not an object has nothing to keep
		}
		item := &gofeed.Item{
			GUID:        jsonID(it["id"]),
			Link:        jsonString(it["url"]),
			Title:       jsonString(it["title"]),
			Description: jsonString(it["summary"]),
			Content:     jsonString(it["content_html"]),
			Published:   jsonString(it["date_published"]),
			Updated:     jsonString(it["date_modified"]),
		}
		if item.Link == "" {
			item.Link = jsonString(it["external_url"])
		}
		if item.Content == "" {
			item.Content = jsonString(it["content_text"])
		}
		item.PublishedParsed = jsonDate(item.Published)
		item.UpdatedParsed = jsonDate(item.Updated)
		for _, a := range jsonAuthors(it) {
			item.Authors = append(item.Authors, &gofeed.Person{Name: a})
		}
		var tags []json.RawMessage
		if json.Unmarshal(it["tags"], &tags) == nil {
			for _, t := range tags {
				if s := jsonString(t); s != "" {
					item.Categories = append(item.Categories, s)
				}
			}
		}
		f.Items = append(f.Items, item)
	}
	return f
}

// jsonString returns raw when it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// jsonID coerces an item id to a string, as the spec asks readers to.
func jsonID(raw json.RawMessage) string {
	if s := jsonString(raw); s != "" {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func jsonAuthors(it map[string]json.RawMessage) []string {
	var names []string
	var list []json.RawMessage
	if json.Unmarshal(it["authors"], &list) != nil {
		list = []json.RawMessage{it["author"]}
	}
	for _, raw := range list {
		var a map[string]json.RawMessage
		if json.Unmarshal(raw, &a) == nil {
			if n := jsonString(a["name"]); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

func jsonDate(s string) *time.Time {
	if t := parseDate(s); !t.IsZero() {
		return &t
	}
	return nil
}

func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// rssJSON rewrites the JSON form of RSS 2.0 that rss.js and Scripting News
// publish ({"rss": {"channel": {..., "item": [...]}}}) as RSS XML, so that
// gofeed reads it like any other RSS feed, dates and all.
func rssJSON(top map[string]json.RawMessage) ([]byte, bool) {
	var rss struct {
		Channel map[string]json.RawMessage `json:"channel"`
	}
	if json.Unmarshal(top["rss"], &rss) != nil || rss.Channel == nil {
		return nil, false
	}
	var b bytes.Buffer
	b.WriteString(`<rss version="2.0"><channel>`)
	writeFields(&b, rss.Channel, "title", "link", "description", "language", "pubDate", "lastBuildDate", "ttl")
	items := []json.RawMessage{rss.Channel["item"]}
	if json.Unmarshal(rss.Channel["item"], &items) != nil {
		items = []json.RawMessage{rss.Channel["item"]} // a single item object
	}
	for _, raw := range items {
		var it map[string]json.RawMessage
		if json.Unmarshal(raw, &it) != nil {
			continue
		}
		b.WriteString("<item>")
		writeFields(&b, it, "title", "link", "description", "pubDate", "guid", "author", "category", "comments")
		b.WriteString("</item>")
	}
	b.WriteString("</channel></rss>")
	return b.Bytes(), true
}

// writeFields writes the named members of m as XML elements: strings and
// numbers as text, lists as repeated elements, objects by their "value".
func writeFields(b *bytes.Buffer, m map[string]json.RawMessage, names ...string) {
	for _, name := range names {
		raw, ok := m[name]
		if !ok {
			continue
		}
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			list = []json.RawMessage{raw}
		}
		for _, v := range list {
			text := jsonID(v)
			if text == "" {
				var obj map[string]json.RawMessage
				if json.Unmarshal(v, &obj) == nil {
					text = jsonString(obj["value"])
				}
			}
			if text == "" {
				continue
			}
			b.WriteString("<" + name + ">")
			xml.EscapeText(b, []byte(text))
			b.WriteString("</" + name + ">")
		}
	}
}
