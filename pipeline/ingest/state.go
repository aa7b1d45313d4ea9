package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"newsmon/pipeline"
)

// Feed states, as shown by `ingest feeds status`.
const (
	StateNew      = "new"      // listed, never polled
	StateOK       = "ok"       // the last poll succeeded
	StateFailing  = "failing"  // the last polls failed; retried with backoff
	StateDisabled = "disabled" // failed Config.DisableAfter times in a row (or answered 410 Gone); tried once per Config.DisabledRetry
)

// FeedState is what the ingester remembers about a feed between polls and
// across restarts and replicas: the JSON value of the feed's FEEDS entry.
type FeedState struct {
	URL          string        `json:"url"`                 // as listed
	FetchURL     string        `json:"fetch_url,omitempty"` // where a permanent redirect moved it
	Source       string        `json:"source"`
	State        string        `json:"state"`
	ETag         string        `json:"etag,omitempty"`
	LastModified string        `json:"last_modified,omitempty"`
	Interval     time.Duration `json:"interval"`             // current adaptive interval
	TTL          time.Duration `json:"ttl,omitempty"`        // RSS <ttl> last seen
	SkipHours    []int         `json:"skip_hours,omitempty"` // RSS <skipHours> last seen, UTC
	Next         time.Time     `json:"next"`                 // next poll due
	LastPoll     time.Time     `json:"last_poll,omitzero"`
	LastOK       time.Time     `json:"last_ok,omitzero"`
	LastChange   time.Time     `json:"last_change,omitzero"` // last poll that found a new item
	LastError    string        `json:"last_error,omitempty"`
	LastErrorAt  time.Time     `json:"last_error_at,omitzero"`
	Failures     int           `json:"failures,omitempty"` // in a row
	Polls        int64         `json:"polls"`
	Items        int64         `json:"items"`           // articles published from the feed
	Duplicates   int64         `json:"duplicates"`      // items recorded as near-duplicates, not published
	Notes        []string      `json:"notes,omitempty"` // what the last poll repaired, cut or did not publish, and why
	// Set by `ingest feeds add|remove|pause|resume` for every replica.
	Listing *Listing `json:"listing,omitempty"` // added by command, with these options
	Removed bool     `json:"removed,omitempty"` // removed by command: not polled, whatever the list file says
	Paused  bool     `json:"paused,omitempty"`  // paused by command: listed, not polled
	Change  string   `json:"change,omitempty"`  // the last command: what, when, from where
}

// FeedKey is the FEEDS key of a listed feed URL.
func FeedKey(feedURL string) string {
	h := sha256.Sum256([]byte(feedURL))
	return hex.EncodeToString(h[:12])
}

// DecodeState reads a FEEDS value.
func DecodeState(data []byte) (FeedState, error) {
	var st FeedState
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("feed state: %w", err)
	}
	return st, nil
}

// fetchURL is where the feed is fetched from now.
func (st *FeedState) fetchURL() string {
	if st.FetchURL != "" {
		return st.FetchURL
	}
	return st.URL
}

// hostToken names a URL's host as one subject token: poll jobs and the
// per-host limit are per host name, ports aside, as in package fetch.
func hostToken(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "_"
	}
	return pipeline.SubjectToken(strings.ToLower(u.Hostname()))
}
