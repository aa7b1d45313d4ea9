package desk

import (
	"context"
	"errors"
	"time"

	"newsmon/pipeline"
)

// Index is what the desk keeps and asks: the indexer writes batches of
// stream messages, the console and API read. OpenSQLite is the embedded
// implementation; an index on a search cluster would be another.
type Index interface {
	// Position is the last stream sequence stored for stream (0: none).
	Position(ctx context.Context, stream string) (uint64, error)
	// Apply stores a batch and moves the streams' positions, all or
	// nothing. Records already stored (same id) are left as they are.
	Apply(ctx context.Context, b *Batch) (Applied, error)
	// Prune removes what is older than before; it returns how many
	// articles and alerts went.
	Prune(ctx context.Context, before time.Time) (int, error)
	// AddFeedback stores a verdict given on this desk (also published, and
	// stored again from the stream as the same id).
	AddFeedback(ctx context.Context, f *pipeline.Feedback) error

	Alerts(ctx context.Context, q AlertQuery) (AlertPage, error)
	Alert(ctx context.Context, id string) (*AlertView, error)
	// RuleArticles is the set of articles a rule (key) alerted on since a
	// time.
	RuleArticles(ctx context.Context, rule string, since time.Time) (map[string]bool, error)
	Search(ctx context.Context, q SearchQuery) (SearchPage, error)
	Article(ctx context.Context, id string) (*ArticleView, error)
	// Articles calls fn with every article indexed since, newest first,
	// until fn returns false.
	Articles(ctx context.Context, since time.Time, fn func(*pipeline.Article) bool) error
	// Mentions counts entity alerts per entity and hour in [from, to).
	Mentions(ctx context.Context, from, to time.Time) ([]Mention, error)
	Facets(ctx context.Context) (Facets, error)
	Feedback(ctx context.Context, q FeedbackQuery) ([]pipeline.Feedback, error)
	Counts(ctx context.Context) (Counts, error)
	Close() error
}

// Batch is what the indexer stores at once: decoded messages, and the last
// sequence read from each stream (malformed messages included, so they are
// skipped once, not read again).
type Batch struct {
	Articles  []pipeline.Article
	Alerts    []AlertRecord
	Feedback  []pipeline.Feedback
	Positions map[string]uint64
}

// AlertRecord is an alert with the exact document that was published, so
// that fields this version of the desk does not know pass through the API.
type AlertRecord struct {
	pipeline.Alert
	Doc []byte
}

// Applied says what a batch added: records already in the index are not
// counted, and only the new alerts are announced to live consoles.
type Applied struct {
	Articles, Alerts, Feedback int
	NewAlerts                  []pipeline.Alert
}

// Counts is how much the index holds.
type Counts struct {
	Articles int `json:"articles"` // stored from ARTICLES
	Stubs    int `json:"stubs"`    // known only from their alerts
	Alerts   int `json:"alerts"`
	Feedback int `json:"feedback"`
}

// AlertQuery selects alerts, newest first. Empty fields select everything.
type AlertQuery struct {
	Categories []string
	Rules      []string // rule keys, category.id
	Sources    []string
	// MinSeverity keeps alerts of at least this severity (info, low,
	// medium, high, critical); alerts with no severity count as info.
	MinSeverity string
	From, To    time.Time
	Article     string // alerts of one article
	Cursor      string // from the previous page's Next
	Limit       int
}

// AlertPage is one page of alerts; Next is the cursor of the next page
// ("" when this is the last).
type AlertPage struct {
	Alerts []AlertView `json:"alerts"`
	Next   string      `json:"next,omitempty"`
}

// AlertView is an alert with what analysts said about it.
type AlertView struct {
	pipeline.Alert
	Verdicts map[string]int `json:"verdicts,omitempty"` // verdict -> how many analysts gave it
}

// Key is the rule key of an alert, category.id.
func Key(a *pipeline.Alert) string { return a.Category + "." + a.Rule }

// SearchQuery is a full-text search over articles (and the matched
// sentences of alerts whose article is not indexed).
type SearchQuery struct {
	Q        string
	From, To time.Time
	Alerted  bool   // only articles that raised an alert
	Sort     string // "rank" (default) or "newest"
	Offset   int
	Limit    int
}

// SearchPage is one page of hits.
type SearchPage struct {
	Hits []SearchHit `json:"hits"`
	More bool        `json:"more"`
}

// SearchHit is one article found, with the query's words marked in Title
// and Snippet by Highlight markers.
type SearchHit struct {
	ID        string     `json:"id"`
	URL       string     `json:"url"`
	Source    string     `json:"source"`
	Published *time.Time `json:"published,omitempty"`
	Title     string     `json:"title"`
	Snippet   string     `json:"snippet"`
	Rules     []string   `json:"rules,omitempty"` // keys of the rules it raised
	Stub      bool       `json:"stub,omitempty"`  // known only from its alerts
}

// Markers that Search puts around the query's words in titles and
// snippets; the console turns them into <mark> after escaping the text.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

// ArticleView is an article with every alert it raised and the feedback
// given on it.
type ArticleView struct {
	Article  pipeline.Article    `json:"article"`
	Stub     bool                `json:"stub,omitempty"`
	Alerts   []AlertView         `json:"alerts"`
	Feedback []pipeline.Feedback `json:"feedback,omitempty"`
}

// Mention is how many entity alerts one entity had in one hour.
type Mention struct {
	Entity string    // entity key, category.id
	Name   string    // display name
	Hour   time.Time // start of the hour, UTC
	N      int
}

// Facets are the values the console's filters offer.
type Facets struct {
	Categories []string      `json:"categories"`
	Rules      []RuleFacet   `json:"rules"`
	Sources    []string      `json:"sources"`
	Severities []string      `json:"severities"`
	Entities   []EntityFacet `json:"entities"`
}

// RuleFacet is one rule that has alerts in the index.
type RuleFacet struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	N    int    `json:"alerts"`
}

// EntityFacet is an entity that has mentions in the index.
type EntityFacet struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// FeedbackQuery selects verdicts, newest first.
type FeedbackQuery struct {
	Rule    string // rule key
	Article string
	Limit   int
}

// ErrNotFound is returned for an article or alert the index does not hold.
var ErrNotFound = errors.New("not found")

// BadQueryError is a search query the full-text engine cannot parse; the
// API answers it with 400.
type BadQueryError struct {
	Query  string
	Reason string
}

func (e *BadQueryError) Error() string {
	return "search " + quote(e.Query) + ": " + e.Reason
}

// Severities from lowest to highest.
var Severities = []string{"info", "low", "medium", "high", "critical"}

// severityRank orders severities; an unknown or empty one ranks as info.
func severityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return 0
}
