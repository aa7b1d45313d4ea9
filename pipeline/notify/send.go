package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"newsmon/pipeline"
)

// sender makes one attempt at one delivery.
type sender interface {
	Send(ctx context.Context, d *Delivery) error
}

type webhookSender struct {
	cfg    *Webhook
	client *http.Client
	now    func() time.Time
}

// Send posts the delivery's JSON with the Standard Webhooks headers; the
// timestamp and signature are made afresh on each attempt, the id never
// changes.
func (w *webhookSender) Send(ctx context.Context, d *Delivery) error {
	body, err := d.Body()
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("encode %s: %w", d.ID, err)}
	}
	ts := w.now().Unix()
	h := make(http.Header, len(w.cfg.Headers)+5)
	for k, v := range w.cfg.Headers {
		h.Set(k, v)
	}
	h.Set("Webhook-Id", d.ID)
	h.Set("Webhook-Timestamp", strconv.FormatInt(ts, 10))
	h.Set("Webhook-Signature", Sign(w.cfg.Secret, d.ID, ts, body))
	return post(ctx, w.client, w.cfg.URL, h, body, w.cfg.Timeout, w.now)
}

type slackSender struct {
	cfg    *Slack
	client *http.Client
	now    func() time.Time
}

func (s *slackSender) Send(ctx context.Context, d *Delivery) error {
	body, err := json.Marshal(SlackMessage(d))
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("encode %s: %w", d.ID, err)}
	}
	return post(ctx, s.client, s.cfg.URL, http.Header{}, body, s.cfg.Timeout, s.now)
}

// SlackPayload is a Slack incoming-webhook message: text (the fallback
// shown in notifications) and Block Kit blocks.
type SlackPayload struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks,omitempty"`
}

// SlackBlock is a section (Text) or context (Elements) block.
type SlackBlock struct {
	Type     string       `json:"type"`
	Text     *SlackText   `json:"text,omitempty"`
	Elements []*SlackText `json:"elements,omitempty"`
}

// SlackText is a text object; Type is "mrkdwn" or "plain_text".
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackLink is <url|label>; a URL with | or > in it would break the link.
func slackLink(u, label string) string {
	label = slackEscape(label)
	if u == "" || strings.ContainsAny(u, "|<> ") || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
		return label
	}
	return "<" + u + "|" + label + ">"
}

// Slack caps a section's text at 3000 characters.
const slackSectionMax = 3000

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// SlackMessage renders a delivery for Slack: the title linked, the rule
// and severity, the sentence that matched, and "also in" for copies.
func SlackMessage(d *Delivery) SlackPayload {
	if s := d.Summary; s != nil {
		text := slackEscape(s.Text())
		if s.URL != "" {
			text += ": " + slackLink(s.URL, "open in the desk")
		}
		return SlackPayload{Text: s.Text(), Blocks: []SlackBlock{{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: text}}}}
	}
	if d.Alert == nil { // a digest belongs in a mail; say what it held
		n := 0
		if d.Digest != nil {
			n = d.Digest.Alerts
		}
		text := fmt.Sprintf("%d alerts (an e-mail digest)", n)
		return SlackPayload{Text: text, Blocks: []SlackBlock{{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: text}}}}
	}
	a := d.Alert
	title := a.Article.Title
	if title == "" {
		title = a.Article.URL
	}
	var main strings.Builder
	main.WriteString("*" + slackLink(a.Article.URL, title) + "*")
	if sp := a.Spike; sp != nil {
		fmt.Fprintf(&main, "\n%s", slackEscape(spikeLine(a)))
	} else if s := bestSnippet(a); s != "" {
		main.WriteString("\n> " + slackEscape(clip(s, 1000)))
	}
	if len(d.AlsoIn) > 0 {
		var links []string
		for _, r := range d.AlsoIn {
			links = append(links, slackLink(r.URL, refLabel(r)))
		}
		main.WriteString("\nalso in: " + strings.Join(links, ", "))
	}
	ctx := []string{slackEscape(a.Name) + " (`" + slackEscape(a.Subject) + "`)"}
	if a.Severity != "" {
		ctx = append(ctx, "severity *"+slackEscape(a.Severity)+"*")
	}
	if a.Article.Source != "" {
		ctx = append(ctx, slackEscape(a.Article.Source))
	}
	return SlackPayload{
		Text: clip(a.Name+": "+title, 300),
		Blocks: []SlackBlock{
			{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: clip(main.String(), slackSectionMax)}},
			{Type: "context", Elements: []*SlackText{{Type: "mrkdwn", Text: clip(strings.Join(ctx, " · "), slackSectionMax)}}},
		},
	}
}

func refLabel(r pipeline.ArticleRef) string {
	if r.Source != "" {
		return r.Source
	}
	return r.Title
}

// spikeLine says what a spike alert measured, in words.
func spikeLine(a *pipeline.Alert) string {
	sp := a.Spike
	window := "hour"
	if sp.Window == "24h" {
		window = "day"
	}
	return fmt.Sprintf("%d articles in the %s from %s, against a baseline of %.1f (score %.1f)",
		sp.Count, window, sp.Start.UTC().Format("2006-01-02 15:04 MST"), sp.Baseline, sp.Score)
}
