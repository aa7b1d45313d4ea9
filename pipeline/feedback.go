package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Verdicts an analyst gives.
const (
	VerdictCorrect = "correct" // the alert was right: the rule must keep matching this text
	VerdictWrong   = "wrong"   // the alert was wrong: the rule must not match this text
	VerdictMissed  = "missed"  // an article should have raised the rule's alert and did not
)

// FeedbackStream holds analysts' verdicts on feedback.<category>.<rule-id>.
const (
	FeedbackStream  = "FEEDBACK"
	FeedbackSubject = "feedback" // + "." + category + "." + rule id
)

// Feedback is an analyst's verdict on one rule and one article, published
// by a desk on feedback.<category>.<rule-id> with ID as Nats-Msg-Id. Every
// desk indexes it; `tagger feedback export` turns it into an example in the
// rule file that defines the rule, so that `tagger test` guards the fix.
type Feedback struct {
	Schema  int       `json:"schema"`
	ID      string    `json:"id"`      // <article id>:<rule key>:<verdict>:<user>
	Rule    string    `json:"rule"`    // rule key, category.id, e.g. "cloud.aws" or "watch.china-cloud-us-policy"
	Verdict string    `json:"verdict"` // correct, wrong or missed
	AlertID string    `json:"alert_id,omitempty"`
	User    string    `json:"user,omitempty"`
	Note    string    `json:"note,omitempty"`
	At      time.Time `json:"at"`

	Article ArticleRef `json:"article"`
	// Text is what the example is made from: for correct and wrong the
	// sentences that matched (Matches), for missed the article's text.
	// Body is the article's whole text, capped, for when the sentences
	// alone do not reproduce what the rule did.
	Matches []Match `json:"matches,omitempty"`
	Body    string  `json:"body,omitempty"`
}

// FeedbackBodyMax caps the article text a feedback message carries.
const FeedbackBodyMax = 64 << 10

// FeedbackID is the stable id of a verdict: one per article, rule, verdict
// and user, so a double click is stored once.
func FeedbackID(articleID, ruleKey, verdict, user string) string {
	return articleID + ":" + ruleKey + ":" + verdict + ":" + user
}

// FeedbackSubjectOf is the subject a verdict on the rule with this key
// (category.id) is published on.
func FeedbackSubjectOf(ruleKey string) string {
	cat, id, _ := strings.Cut(ruleKey, ".")
	return FeedbackSubject + "." + SubjectToken(cat) + "." + SubjectToken(id)
}

// Validate reports why a feedback message cannot be used, wrapping
// ErrMalformed.
func (f *Feedback) Validate() error {
	var errs []error
	if f.ID == "" {
		errs = append(errs, errors.New("no id"))
	}
	if cat, id, ok := strings.Cut(f.Rule, "."); !ok || cat == "" || id == "" {
		errs = append(errs, fmt.Errorf("rule %q: want category.id", f.Rule))
	}
	switch f.Verdict {
	case VerdictCorrect, VerdictWrong, VerdictMissed:
	default:
		errs = append(errs, fmt.Errorf("verdict %q: want correct, wrong or missed", f.Verdict))
	}
	if f.Article.ID == "" {
		errs = append(errs, errors.New("no article id"))
	}
	if len(errs) > 0 {
		return errors.Join(ErrMalformed, errors.Join(errs...))
	}
	return nil
}
