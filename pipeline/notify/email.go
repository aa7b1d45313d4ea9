package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	mail "github.com/wneessen/go-mail"

	"newsmon/pipeline"
)

// Digest is one e-mail: the period's alerts grouped by rule, one entry per
// article with its best sentence.
type Digest struct {
	Kind   string        `json:"kind"` // "digest"
	Sink   string        `json:"sink"`
	From   time.Time     `json:"from"`
	To     time.Time     `json:"to"`
	Alerts int           `json:"alerts"`
	Groups []DigestGroup `json:"groups"`
	More   int           `json:"more,omitempty"` // entries left out past max_entries
}

// DigestGroup is one rule's alerts in a digest.
type DigestGroup struct {
	Rule     string        `json:"rule"`
	Name     string        `json:"name"`
	Subject  string        `json:"subject"`
	Severity string        `json:"severity,omitempty"`
	Entries  []DigestEntry `json:"entries"`
}

// DigestEntry is one article in a rule's group.
type DigestEntry struct {
	AlertID   string     `json:"alert_id"`
	Title     string     `json:"title"`
	URL       string     `json:"url"`
	Source    string     `json:"source,omitempty"`
	Published *time.Time `json:"published,omitempty"`
	Snippet   string     `json:"snippet,omitempty"`
	AlsoIn    []string   `json:"also_in,omitempty"` // sources of near-duplicate copies
}

// BuildDigest groups alerts by rule (rules by highest severity, then
// name), one entry per article in the order they came, near-duplicates
// folded into their first article's entry; at most maxEntries entries.
func BuildDigest(sink string, alerts []*pipeline.Alert, from, to time.Time, maxEntries int) *Digest {
	d := &Digest{Kind: "digest", Sink: sink, From: from.UTC(), To: to.UTC(), Alerts: len(alerts)}
	groups := map[string]*DigestGroup{}
	type pos struct {
		g *DigestGroup
		i int
	}
	byArticle := map[string]pos{} // rule + article id -> entry
	entries := 0
	for _, a := range alerts {
		g := groups[a.Rule]
		if g == nil {
			g = &DigestGroup{Rule: a.Rule, Name: a.Name, Subject: a.Subject, Severity: a.Severity}
			groups[a.Rule] = g
		}
		if orig := a.Article.DuplicateOf; orig != "" {
			if p, ok := byArticle[a.Rule+"\x00"+orig]; ok {
				e := &p.g.Entries[p.i]
				e.AlsoIn = append(e.AlsoIn, refLabel(a.Article))
				continue
			}
		}
		if _, ok := byArticle[a.Rule+"\x00"+a.Article.ID]; ok {
			continue // the same alert twice (a redelivery)
		}
		if entries >= maxEntries {
			d.More++
			continue
		}
		entries++
		snippet := bestSnippet(a)
		if a.Spike != nil {
			snippet = spikeLine(a)
		}
		title := a.Article.Title
		if title == "" {
			title = a.Article.URL
		}
		g.Entries = append(g.Entries, DigestEntry{AlertID: a.ID, Title: title, URL: a.Article.URL,
			Source: a.Article.Source, Published: a.Article.Published, Snippet: snippet})
		byArticle[a.Rule+"\x00"+a.Article.ID] = pos{g, len(g.Entries) - 1}
	}
	for _, g := range groups {
		if len(g.Entries) > 0 {
			d.Groups = append(d.Groups, *g)
		}
	}
	sort.Slice(d.Groups, func(i, j int) bool {
		a, b := d.Groups[i], d.Groups[j]
		if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
			return ra > rb
		}
		return a.Name < b.Name
	})
	return d
}

var digestFuncs = map[string]any{
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") },
	"join": strings.Join,
}

var digestText = template.Must(template.New("text").Funcs(digestFuncs).Parse(
	`newsmon: {{.Alerts}} alert{{if ne .Alerts 1}}s{{end}} from {{time .From}} to {{time .To}}
{{range .Groups}}
== {{.Name}} ({{.Subject}}{{if .Severity}}, {{.Severity}}{{end}}): {{len .Entries}} article{{if ne (len .Entries) 1}}s{{end}}
{{range .Entries}}
- {{.Title}}{{if .Source}} [{{.Source}}]{{end}}
  {{.URL}}
{{- if .Snippet}}
  "{{.Snippet}}"{{end}}
{{- if .AlsoIn}}
  also in: {{join .AlsoIn ", "}}{{end}}
{{end}}{{end}}{{if .More}}
and {{.More}} more articles, not listed.
{{end}}`))

var digestHTML = htmltemplate.Must(htmltemplate.New("html").Funcs(digestFuncs).Parse(
	`<!doctype html>
<html><body style="font-family: sans-serif">
<p>newsmon: {{.Alerts}} alert{{if ne .Alerts 1}}s{{end}} from {{time .From}} to {{time .To}}</p>
{{range .Groups}}<h2>{{.Name}} <small>{{.Subject}}{{if .Severity}}, {{.Severity}}{{end}}</small></h2>
<ul>
{{range .Entries}}<li><a href="{{.URL}}">{{.Title}}</a>{{if .Source}} <small>{{.Source}}</small>{{end}}
{{- if .Snippet}}<br><q>{{.Snippet}}</q>{{end}}
{{- if .AlsoIn}}<br><small>also in: {{join .AlsoIn ", "}}</small>{{end}}</li>
{{end}}</ul>
{{end}}{{if .More}}<p>and {{.More}} more articles, not listed.</p>{{end}}
</body></html>
`))

// Render is the digest's text and HTML parts.
func (d *Digest) Render() (text, html string, err error) {
	var t, h bytes.Buffer
	if err := digestText.Execute(&t, d); err != nil {
		return "", "", err
	}
	if err := digestHTML.Execute(&h, d); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}

type mailSender struct {
	cfg *Email
	now func() time.Time
}

// Send mails a digest. Its Message-ID is derived from the delivery id, so
// a digest sent again after a crash is recognisably the same mail.
func (s *mailSender) Send(ctx context.Context, d *Delivery) error {
	if d.Digest == nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("%s: not a digest", d.ID)}
	}
	text, html, err := d.Digest.Render()
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("render digest: %w", err)}
	}
	m := mail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("from: %w", err)}
	}
	if err := m.To(s.cfg.To...); err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("to: %w", err)}
	}
	m.Subject(fmt.Sprintf("%s: %d alert%s", s.cfg.Subject, d.Digest.Alerts, plural(d.Digest.Alerts)))
	sum := sha256.Sum256([]byte(d.ID))
	m.SetMessageIDWithValue(hex.EncodeToString(sum[:12]) + "@newsmon")
	m.SetDateWithValue(s.now())
	m.SetBodyString(mail.TypeTextPlain, text)
	m.AddAlternativeString(mail.TypeTextHTML, html)
	c := s.cfg.SMTP
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if c.RootCAs != nil {
		opts = append(opts, mail.WithTLSConfig(&tls.Config{RootCAs: c.RootCAs, ServerName: c.Host, MinVersion: tls.VersionTLS12}))
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	client, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("smtp client: %w", err)}
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return &SendError{Permanent: permanentSMTP(err), Err: fmt.Errorf("smtp %s:%d: %w", c.Host, c.Port, err)}
	}
	return nil
}

// permanentSMTP: a 5xx reply to a command is the server refusing the mail
// itself (a bad address, a refused login); retrying cannot help.
func permanentSMTP(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// DigestRunner sends an e-mail sink's digests on its schedule.
type DigestRunner struct {
	sink   *Sink
	stream Stream
	dead   DeadLetters
	send   sender
	opts   Options
	stats  *Stats
	log    *slog.Logger
	last   time.Time
}

// NewDigestRunner returns the runner of an e-mail sink.
func NewDigestRunner(s *Sink, stream Stream, dead DeadLetters, opts Options) *DigestRunner {
	opts.fill()
	return &DigestRunner{sink: s, stream: stream, dead: dead, send: &mailSender{cfg: s.Email, now: opts.Now},
		opts: opts, stats: &Stats{}, log: opts.Log.With("sink", s.Name), last: opts.Now()}
}

// Stats are the runner's counters.
func (r *DigestRunner) Stats() *Stats { return r.stats }

// maxDigestAlerts caps the alerts one digest takes from the stream; the
// rest wait for the next.
const maxDigestAlerts = 50000

// Run sends a digest at each scheduled time until ctx ends.
func (r *DigestRunner) Run(ctx context.Context) error {
	r.log.Info("sink running", "kind", "email", "schedule", r.sink.Email.Schedule.String(), "subjects", r.sink.Subjects)
	for {
		next := r.sink.Email.Schedule.Next(r.opts.Now())
		t := time.NewTimer(next.Sub(r.opts.Now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := r.Flush(ctx); err != nil {
			r.log.Error("digest", "err", err)
		}
	}
}

// Flush sends one digest of every alert waiting now; nothing when none
// waits. The alerts are acknowledged once the mail server accepted it or
// it is stored as a dead letter.
func (r *DigestRunner) Flush(ctx context.Context) error {
	now := r.opts.Now()
	var msgs []Msg
	for len(msgs) < maxDigestAlerts {
		batch, err := r.stream.Fetch(ctx, min(500, maxDigestAlerts-len(msgs)))
		if err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		msgs = append(msgs, batch...)
	}
	if len(msgs) == 0 {
		r.last = now
		return nil
	}
	stop := keepAlive(msgs, r.opts.KeepAlive)
	defer stop()
	var alerts []*pipeline.Alert
	var take []Msg
	from := now
	for _, m := range msgs {
		var a pipeline.Alert
		if err := json.Unmarshal(m.Data, &a); err != nil || a.ID == "" {
			r.stats.Malformed.Add(1)
			r.dropDead(ctx, m, "malformed alert")
			continue
		}
		if r.sink.MinSeverity != "" && severityRank(a.Severity) < severityRank(r.sink.MinSeverity) {
			r.stats.Skipped.Add(1)
			m.Ack()
			continue
		}
		alerts = append(alerts, &a)
		take = append(take, m)
		if m.Stored.Before(from) {
			from = m.Stored
		}
	}
	if len(alerts) == 0 {
		r.last = now
		return nil
	}
	from = minTime(from, r.last)
	dg := BuildDigest(r.sink.Name, alerts, from, now, r.sink.Email.MaxEntries)
	d := &Delivery{ID: fmt.Sprintf("digest:%s:%s:%d", r.sink.Name, alerts[0].ID, len(alerts)), Digest: dg}
	attempts, err := attempt(ctx, r.send, d, r.sink.Retry, r.stats, r.opts.Now, r.log)
	switch {
	case err == nil:
		r.stats.Messages.Add(1)
		r.stats.Delivered.Add(int64(len(alerts)))
		for _, m := range take {
			r.opts.Latency(r.opts.Now().Sub(m.Stored))
		}
		r.log.Info("digest sent", "alerts", len(alerts), "groups", len(dg.Groups))
	case ctx.Err() != nil:
		return nil // unacknowledged: the next start sends them
	default:
		dl, _ := json.Marshal(deadLetter(r.sink.Name, d, err.Error(), attempts, r.opts.Now()))
		if derr := r.dead.PublishDead(context.WithoutCancel(ctx), r.sink.Name, d.ID, err.Error(), dl); derr != nil {
			return fmt.Errorf("digest failed (%v) and its dead letter too: %w", err, derr)
		}
		r.stats.Dead.Add(int64(len(alerts)))
		r.log.Warn("digest dead-lettered", "alerts", len(alerts), "attempts", attempts, "reason", err)
	}
	for _, m := range take {
		m.Ack()
	}
	r.last = now
	return nil
}

func (r *DigestRunner) dropDead(ctx context.Context, m Msg, reason string) {
	d := &Delivery{ID: fmt.Sprintf("seq:%d", m.Seq), Raw: m.Data}
	data, _ := json.Marshal(deadLetter(r.sink.Name, d, reason, 0, r.opts.Now()))
	if err := r.dead.PublishDead(ctx, r.sink.Name, d.ID, reason, data); err != nil {
		r.log.Error("dead letter not stored", "seq", m.Seq, "err", err)
		return
	}
	m.Ack()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// keepAlive reports msgs in progress every period until stop is called.
func keepAlive(msgs []Msg, period time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, m := range msgs {
					if m.InProgress != nil {
						m.InProgress()
					}
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
