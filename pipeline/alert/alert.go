// Package alert turns the rules that fired on an article into the Alert
// messages the tagger publishes: one per (article, rule), with a stable id so
// that a redelivered article yields the same alert and JetStream keeps one.
package alert

import (
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
)

// Build returns one alert per hit, in the order of hits.
func Build(a *pipeline.Article, hits []rules.Hit, now time.Time) []pipeline.Alert {
	if len(hits) == 0 {
		return nil
	}
	ref := pipeline.ArticleRef{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, Published: a.Published, DuplicateOf: a.DuplicateOf}
	out := make([]pipeline.Alert, 0, len(hits))
	for _, h := range hits {
		out = append(out, pipeline.Alert{
			Schema:      pipeline.SchemaVersion,
			ID:          ID(a.ID, h.Rule.ID),
			Subject:     h.Rule.Subject,
			Rule:        h.Rule.ID,
			Category:    h.Rule.Category,
			Name:        h.Rule.Name,
			Severity:    h.Rule.Severity,
			Description: h.Rule.Description,
			Article:     ref,
			Matches:     h.Matches,
			Count:       len(h.Matches),
			Prominence:  h.Prominence,
			TaggedAt:    now.UTC(),
		})
	}
	return out
}

// ID is the alert's id and Nats-Msg-Id: the article id and the rule's
// bare id. Two rules of different categories never share an id: loading a
// rule set refuses it (rules.LoadDir), so the pair names one alert.
func ID(articleID, ruleID string) string {
	return articleID + ":" + ruleID
}
