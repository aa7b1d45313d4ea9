package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"newsmon/pipeline"
)

// Delivery is one message to a receiver: an alert with the near-duplicate
// articles folded into it, a summary of alerts the rate limit folded, or
// an e-mail digest. ID is its idempotency key (Webhook-Id): the same on
// every attempt, after a restart and on a replay from the dead letters.
type Delivery struct {
	ID      string
	Alert   *pipeline.Alert
	Raw     []byte                // the alert as stored, sent as it is when nothing was folded into it
	AlsoIn  []pipeline.ArticleRef // near-duplicates of the alert's article
	Summary *Summary
	Digest  *Digest
}

// Summary stands for the alerts of one subject that a sink's rate limit
// held back. It is posted to webhooks as JSON with "kind": "summary".
type Summary struct {
	Kind     string    `json:"kind"` // "summary"
	Sink     string    `json:"sink"`
	Subject  string    `json:"subject"`
	Count    int       `json:"count"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	URL      string    `json:"url,omitempty"` // the desk filtered on the subject and period
	AlertIDs []string  `json:"alert_ids"`
}

// Text is the summary's one-line message.
func (s *Summary) Text() string {
	noun := "alerts"
	if s.Count == 1 {
		noun = "alert"
	}
	return fmt.Sprintf("%d more %s for %s in the last %s", s.Count, noun, s.Subject, humanDuration(s.To.Sub(s.From)))
}

func humanDuration(d time.Duration) string {
	switch m := int(d.Round(time.Minute) / time.Minute); {
	case m <= 1:
		return "minute"
	case m < 120:
		return fmt.Sprintf("%d minutes", m)
	default:
		return fmt.Sprintf("%d hours", m/60)
	}
}

// DeskURL is the desk's alert list filtered on one subject's category and
// rule and a period (pipeline/desk: category, rule, from and to in RFC
// 3339); "" when no desk address is configured.
func DeskURL(base, subject string, from, to time.Time) string {
	if base == "" {
		return ""
	}
	q := url.Values{}
	if toks := strings.Split(subject, "."); len(toks) == 3 && toks[0] == pipeline.AlertsSubject {
		q.Set("category", toks[1])
		q.Set("rule", toks[2])
	}
	q.Set("from", from.UTC().Format(time.RFC3339))
	q.Set("to", to.UTC().Add(time.Second).Truncate(time.Second).Format(time.RFC3339))
	return strings.TrimRight(base, "/") + "/?" + q.Encode()
}

// webhookAlert is the webhook body of an alert with near-duplicates folded
// into it: the Alert document plus also_in.
type webhookAlert struct {
	*pipeline.Alert
	AlsoIn []pipeline.ArticleRef `json:"also_in,omitempty"`
}

// Body is the delivery's JSON as a webhook receives it.
func (d *Delivery) Body() ([]byte, error) {
	switch {
	case d.Summary != nil:
		return json.Marshal(d.Summary)
	case d.Digest != nil:
		return json.Marshal(d.Digest)
	case len(d.AlsoIn) == 0 && d.Raw != nil:
		return d.Raw, nil
	default:
		return json.Marshal(webhookAlert{Alert: d.Alert, AlsoIn: d.AlsoIn})
	}
}

// alerts counts the alerts a delivery stands for.
func (d *Delivery) alerts() int {
	switch {
	case d.Summary != nil:
		return d.Summary.Count
	case d.Digest != nil:
		return d.Digest.Alerts
	default:
		return 1 + len(d.AlsoIn)
	}
}

// bestSnippet is the sentence that best says why an alert fired: the first
// body match's sentence, else any match's.
func bestSnippet(a *pipeline.Alert) string {
	for _, m := range a.Matches {
		if m.Field == "body" && m.Snippet != "" {
			return m.Snippet
		}
	}
	for _, m := range a.Matches {
		if m.Snippet != "" {
			return m.Snippet
		}
	}
	return ""
}

// DeadLetter is what notify.dead.<sink> holds: the delivery that could not
// be made and why. `notify dead replay` sends it again.
type DeadLetter struct {
	Sink     string                `json:"sink"`
	ID       string                `json:"id"`
	Reason   string                `json:"reason"`
	Attempts int                   `json:"attempts"`
	FailedAt time.Time             `json:"failed_at"`
	Alert    json.RawMessage       `json:"alert,omitempty"`
	AlsoIn   []pipeline.ArticleRef `json:"also_in,omitempty"`
	Summary  *Summary              `json:"summary,omitempty"`
	Digest   *Digest               `json:"digest,omitempty"`
	Raw      []byte                `json:"raw,omitempty"` // a message that was not an alert at all
}

func deadLetter(sink string, d *Delivery, reason string, attempts int, at time.Time) *DeadLetter {
	dl := &DeadLetter{Sink: sink, ID: d.ID, Reason: reason, Attempts: attempts, FailedAt: at.UTC(),
		AlsoIn: d.AlsoIn, Summary: d.Summary, Digest: d.Digest}
	switch {
	case d.Alert != nil && d.Raw != nil:
		dl.Alert = d.Raw
	case d.Alert != nil:
		dl.Alert, _ = json.Marshal(d.Alert)
	default:
		dl.Raw = d.Raw
	}
	return dl
}

// Delivery rebuilds what a dead letter failed to deliver; nil when the
// letter holds no alert, summary or digest (a malformed message).
func (dl *DeadLetter) Delivery() (*Delivery, error) {
	d := &Delivery{ID: dl.ID, AlsoIn: dl.AlsoIn, Summary: dl.Summary, Digest: dl.Digest}
	if len(dl.Alert) > 0 {
		var a pipeline.Alert
		if err := json.Unmarshal(dl.Alert, &a); err != nil {
			return nil, fmt.Errorf("dead letter %s: alert: %w", dl.ID, err)
		}
		d.Alert, d.Raw = &a, dl.Alert
	}
	if d.Alert == nil && d.Summary == nil && d.Digest == nil {
		return nil, fmt.Errorf("dead letter %s: nothing to deliver (%s)", dl.ID, dl.Reason)
	}
	return d, nil
}
