// Package pipeline holds newsmon's domain types: the Article the ingester
// publishes, the Alert the tagger publishes, the Match that explains an alert,
// and the NATS subject names both sides agree on. It imports only the standard
// library; every other package builds on it.
package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
)

// SchemaVersion is the version of the Article and Alert JSON documents
// (docs/messages.md). Consumers may rely on fields of the same major version.
const SchemaVersion = 1

// ErrMalformed marks input that retrying cannot fix: a message that is not
// valid JSON, an article with no id. The tagger terminates such messages
// instead of redelivering them.
var ErrMalformed = errors.New("malformed")

// How an article's text was obtained.
const (
	ExtractionPage        = "page"         // extracted from the fetched article page
	ExtractionFeedContent = "feed_content" // the feed item's full content
	ExtractionFeedSummary = "feed_summary" // the feed item's summary only
)

// Article is one news item as the ingester publishes it on
// news.articles.<source>.
type Article struct {
	Schema       int        `json:"schema"`
	ID           string     `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url,omitempty"`
	FeedURL      string     `json:"feed_url,omitempty"`
	Source       string     `json:"source"`
	Title        string     `json:"title"`
	Author       string     `json:"author,omitempty"`
	Published    *time.Time `json:"published,omitempty"`
	FetchedAt    time.Time  `json:"fetched_at"`
	Lang         string     `json:"lang,omitempty"`
	SiteName     string     `json:"site_name,omitempty"`
	Summary      string     `json:"summary,omitempty"`
	Text         string     `json:"text"`
	Truncated    bool       `json:"truncated,omitempty"`  // Text was cut to fit a message
	TextBytes    int        `json:"text_bytes,omitempty"` // with Truncated, the length of the whole text
	ContentHash  string     `json:"content_hash"`
	Extraction   string     `json:"extraction"`
	DuplicateOf  string     `json:"duplicate_of,omitempty"`
	Tags         []string   `json:"tags,omitempty"` // the feed's tags from the operator's feed list
}

// Validate reports why an article cannot be processed, wrapping ErrMalformed.
func (a *Article) Validate() error {
	var errs []error
	if a.ID == "" {
		errs = append(errs, errors.New("no id"))
	}
	if a.URL == "" {
		errs = append(errs, errors.New("no url"))
	}
	if len(errs) > 0 {
		return errors.Join(ErrMalformed, errors.Join(errs...))
	}
	return nil
}

// ArticleID is the stable id of an article: "a:" and a hash of its dedup key
// (the canonical URL, or the feed URL and GUID). It is also the article's
// Nats-Msg-Id.
func ArticleID(key string) string {
	return "a:" + shortHash(key)
}

// ContentHash hashes an article's text so that near-identical republications
// can be recognised.
func ContentHash(text string) string {
	return shortHash(strings.Join(strings.Fields(text), " "))
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// Match is one piece of text that made a rule fire.
type Match struct {
	Entity  string `json:"entity,omitempty"` // entity id, e.g. "cloud.huawei"; empty for a plain term
	Text    string `json:"text"`             // the text as found in the field
	Field   string `json:"field"`            // "title" or "body"
	Start   int    `json:"start"`            // byte offset of Text in the field
	End     int    `json:"end"`              // byte offset just past Text
	Snippet string `json:"snippet"`          // the sentence around the match
}

// ArticleRef is the part of an Article an alert carries.
type ArticleRef struct {
	ID        string     `json:"id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Source    string     `json:"source"`
	Published *time.Time `json:"published,omitempty"`
	// DuplicateOf is the id of an earlier article with near-identical text
	// (Article.DuplicateOf); delivery folds such alerts into the first
	// article's message as "also in".
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// Alert says that one rule fired on one article. It is published on Subject,
// alerts.<category>.<rule-id>, with Nats-Msg-Id equal to ID.
type Alert struct {
	Schema      int        `json:"schema"`
	ID          string     `json:"id"` // <article id>:<rule id>
	Subject     string     `json:"subject"`
	Rule        string     `json:"rule"`
	Category    string     `json:"category"`
	Name        string     `json:"name"`
	Severity    string     `json:"severity,omitempty"`
	Description string     `json:"description,omitempty"`
	Article     ArticleRef `json:"article"`
	Matches     []Match    `json:"matches"`
	Count       int        `json:"count"`
	// Prominence, from 0 to 1, says how much the article is about what
	// matched rather than mentioning it in passing (docs/rules.md).
	Prominence float64   `json:"prominence"`
	TaggedAt   time.Time `json:"tagged_at"`
	// Spike is set on spike alerts (subject alerts.spike.<entity-id>): the
	// counts that made an entity's mentions a spike.
	Spike *Spike `json:"spike,omitempty"`
}

// Spike is what a spike alert measured: an entity's mentions (distinct
// articles) in one window against its own baseline (docs/delivery.md).
type Spike struct {
	Entity   string       `json:"entity"`   // category.id, as in Match.Entity
	Window   string       `json:"window"`   // "1h" or "24h"
	Start    time.Time    `json:"start"`    // start of the window that spiked
	Count    int          `json:"count"`    // articles in that window
	Baseline float64      `json:"baseline"` // mean articles per window over the baseline span
	Spread   float64      `json:"spread"`   // the deviation the score divides by
	Score    float64      `json:"score"`    // (count - baseline) / spread
	Articles []ArticleRef `json:"articles"` // the window's first articles, most recent first
}

// SpikeCategory is the category of spike alerts: alerts.spike.<entity-id>.
const SpikeCategory = "spike"

// NATS names shared by every process.
const (
	ArticlesStream  = "ARTICLES"
	AlertsStream    = "ALERTS"
	ArticlesSubject = "news.articles" // + "." + source
	AlertsSubject   = "alerts"        // + "." + category + "." + rule id
	TaggerConsumer  = "tagger"

	// AlertsIntake prefixes the subject the tagger publishes an alert on.
	// The ALERTS stream stores what arrives on tagged.alerts.> as alerts.>
	// and republishes only what it stored, so a live subscriber to alerts.>
	// never sees an alert that the stream's duplicate window dropped.
	AlertsIntake = "tagged"
)

// ArticleSubject is the subject an article from source is published on.
func ArticleSubject(source string) string {
	return ArticlesSubject + "." + SubjectToken(source)
}

// AlertSubject is the subject of alerts from rule id in category.
func AlertSubject(category, ruleID string) string {
	return AlertsSubject + "." + SubjectToken(category) + "." + SubjectToken(ruleID)
}

// SubjectToken turns a free-form name into one NATS subject token: lower case
// letters, digits, '-' and '_'; anything else becomes '_'. Dots, spaces and
// wildcards must never reach a subject from a feed's host name or a rule id.
func SubjectToken(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)), r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
