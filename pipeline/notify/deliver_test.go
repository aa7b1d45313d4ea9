package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline"
)

// The Standard Webhooks specification's published example: secret,
// message id, timestamp and body, and the signature every implementation
// must produce for them.
func TestSignMatchesStandardWebhooksExample(t *testing.T) {
	cfg, err := parse("sinks:\n- name: x\n  subjects: [alerts.>]\n  webhook: {url: {env: HOOK_URL}, secret: {env: HOOK_SECRET}}\n")
	if err != nil {
		t.Fatal(err)
	}
	key := cfg.Sinks[0].Webhook.Secret
	body := []byte(`{"test": 2432232314}`)
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	at := time.Unix(1614265330, 0)
	if err := Verify(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,bm9wZQ== "+got, body, at, 5*time.Minute); err != nil {
		t.Errorf("Verify with a second, wrong signature listed first: %v", err)
	}
	if Verify(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", got, []byte(`{"test": 2432232315}`), at, 5*time.Minute) == nil {
		t.Error("Verify accepted a changed body")
	}
	if Verify(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", got, body, at.Add(10*time.Minute), 5*time.Minute) == nil {
		t.Error("Verify accepted a timestamp 10 minutes old")
	}
}

func TestRetryAfterAndBackoff(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{"3": 3 * time.Second, "": 0, "soon": 0, "-1": 0,
		"Mon, 02 Nov 2026 10:00:30 GMT": 30 * time.Second} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q = %s, want %s", v, got, want)
		}
	}
	r := Retry{Attempts: 10, First: time.Second, Max: 30 * time.Second}
	for n, hi := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 9: 30 * time.Second} {
		for range 20 {
			if d := backoff(r, n, 0); d < hi/2 || d > hi {
				t.Errorf("backoff after attempt %d = %s, want within [%s, %s]", n, d, hi/2, hi)
			}
		}
	}
	if d := backoff(r, 1, 10*time.Second); d != 10*time.Second {
		t.Errorf("backoff with Retry-After 10s = %s", d)
	}
	if d := backoff(r, 1, time.Hour); d != r.Max {
		t.Errorf("backoff with Retry-After 1h = %s, want the cap %s", d, r.Max)
	}
}

// fakeStream is a sink's consumer in memory: what the runner acks.
type fakeStream struct {
	mu      sync.Mutex
	pending []Msg
	acked   []uint64
	in      chan Msg
}

func newFakeStream() *fakeStream { return &fakeStream{in: make(chan Msg, 1000)} }

func (f *fakeStream) add(t *testing.T, a pipeline.Alert, stored time.Time) {
	t.Helper()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	f.addRaw(data, stored)
}

func (f *fakeStream) addRaw(data []byte, stored time.Time) {
	f.mu.Lock()
	seq := uint64(len(f.pending) + 1)
	m := Msg{Data: data, Seq: seq, Stored: stored, InProgress: func() error { return nil }}
	m.Ack = func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.acked = append(f.acked, seq)
		return nil
	}
	f.pending = append(f.pending, m)
	f.mu.Unlock()
	f.in <- m
}

func (f *fakeStream) Consume(ctx context.Context, handle func(Msg)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-f.in:
			handle(m)
		}
	}
}

func (f *fakeStream) Fetch(ctx context.Context, n int) ([]Msg, error) {
	var out []Msg
	for len(out) < n {
		select {
		case m := <-f.in:
			out = append(out, m)
		default:
			return out, nil
		}
	}
	return out, nil
}

func (f *fakeStream) ackedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.acked)
}

type fakeDead struct {
	mu      sync.Mutex
	letters []DeadLetter
}

func (f *fakeDead) PublishDead(_ context.Context, sink, id, reason string, data []byte) error {
	var dl DeadLetter
	if err := json.Unmarshal(data, &dl); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.letters = append(f.letters, dl)
	return nil
}

func testAlert(article, rule string) pipeline.Alert {
	pub := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	return pipeline.Alert{Schema: 1, ID: article + ":" + rule, Subject: "alerts.cloud." + rule, Rule: rule, Category: "cloud",
		Name: strings.ToUpper(rule[:1]) + rule[1:] + " Cloud", Severity: "high",
		Article: pipeline.ArticleRef{ID: article, URL: "https://example.com/" + article, Title: "U.S. weighs curbs on <Chinese> cloud & AI", Source: "example_com", Published: &pub},
		Matches: []pipeline.Match{
			{Entity: "cloud." + rule, Text: rule, Field: "title", Snippet: "title sentence"},
			{Entity: "cloud." + rule, Text: rule, Field: "body", Start: 10, End: 16, Snippet: "The Commerce Department weighs rules against " + rule + " cloud."},
		},
		Count: 2, TaggedAt: pub}
}

// posts records what a receiver got.
type posts struct {
	mu     sync.Mutex
	bodies [][]byte
	ctype  string
}

func (p *posts) server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.bodies = append(p.bodies, b)
		p.ctype = r.Header.Get("Content-Type")
		p.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (p *posts) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.bodies)
}

func runSink(t *testing.T, s *Sink, st Stream, opts Options) (*Runner, *fakeDead) {
	t.Helper()
	dead := &fakeDead{}
	r, err := NewRunner(s, st, dead, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, dead
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The Slack payload follows the incoming-webhook format: a JSON object
// with a "text" fallback and Block Kit "blocks" (a section in mrkdwn with
// the linked title and the sentence, a context line with rule and
// severity), with Slack's three control characters escaped.
func TestSlackPayload(t *testing.T) {
	var p posts
	srv := p.server(t)
	st := newFakeStream()
	sink := &Sink{Name: "chat", Subjects: []string{"alerts.>"}, Retry: DefaultRetry, Slack: &Slack{URL: srv.URL, Timeout: time.Second}}
	runSink(t, sink, st, Options{})
	st.add(t, testAlert("a:1", "huawei"), time.Now())
	waitUntil(t, "a post", func() bool { return p.count() == 1 })
	var got map[string]any
	if err := json.Unmarshal(p.bodies[0], &got); err != nil {
		t.Fatal(err)
	}
	if p.ctype != "application/json" {
		t.Errorf("Content-Type %q", p.ctype)
	}
	for k := range got {
		if k != "text" && k != "blocks" {
			t.Errorf("unexpected top-level field %q", k)
		}
	}
	var msg SlackPayload
	dec := json.NewDecoder(strings.NewReader(string(p.bodies[0])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&msg); err != nil {
		t.Fatalf("payload %s: %v", p.bodies[0], err)
	}
	if msg.Text == "" || len(msg.Blocks) != 2 || msg.Blocks[0].Type != "section" || msg.Blocks[0].Text.Type != "mrkdwn" ||
		msg.Blocks[1].Type != "context" || len(msg.Blocks[1].Elements) != 1 || msg.Blocks[1].Elements[0].Type != "mrkdwn" {
		t.Fatalf("payload shape: %s", p.bodies[0])
	}
	section := msg.Blocks[0].Text.Text
	for _, want := range []string{
		"*<https://example.com/a:1|U.S. weighs curbs on &lt;Chinese&gt; cloud &amp; AI>*",
		"> The Commerce Department weighs rules against huawei cloud.",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("section %q lacks %q", section, want)
		}
	}
	if c := msg.Blocks[1].Elements[0].Text; !strings.Contains(c, "Huawei Cloud (`alerts.cloud.huawei`)") || !strings.Contains(c, "severity *high*") {
		t.Errorf("context %q lacks the rule and severity", c)
	}
}

// Beyond the rate limit, alerts fold into one summary per subject that
// names the count and links to the desk; every folded alert is acked once
// the summary is delivered.
func TestRateLimitFoldsIntoSummary(t *testing.T) {
	var p posts
	srv := p.server(t)
	st := newFakeStream()
	sink := &Sink{Name: "hook", Subjects: []string{"alerts.>"}, RateLimit: 3, Retry: DefaultRetry,
		Webhook: &Webhook{URL: srv.URL, Secret: []byte("0123456789abcdef01234567"), Timeout: time.Second}}
	r, _ := runSink(t, sink, st, Options{SummaryEvery: 300 * time.Millisecond, DeskURL: "http://desk.local:9103"})
	for i := range 30 {
		st.add(t, testAlert(fmt.Sprintf("a:%d", i), "huawei"), time.Now())
	}
	waitUntil(t, "30 acks", func() bool { return st.ackedCount() == 30 })
	if p.count() != 4 {
		t.Fatalf("%d posts, want 3 alerts and one summary", p.count())
	}
	var s Summary
	if err := json.Unmarshal(p.bodies[3], &s); err != nil || s.Kind != "summary" {
		t.Fatalf("last post %s: %v", p.bodies[3], err)
	}
	if s.Count != 27 || s.Subject != "alerts.cloud.huawei" || len(s.AlertIDs) != 27 ||
		!strings.HasPrefix(s.URL, "http://desk.local:9103/?") || !strings.Contains(s.URL, "category=cloud&from=") || !strings.Contains(s.URL, "&rule=huawei&to=") {
		t.Errorf("summary = %+v", s)
	}
	if got := s.Text(); got != "27 more alerts for alerts.cloud.huawei in the last minute" {
		t.Errorf("summary text %q", got)
	}
	if f, d := r.Stats().Folded.Load(), r.Stats().Delivered.Load(); f != 27 || d != 30 {
		t.Errorf("folded %d, delivered %d; want 27 and 30", f, d)
	}
}

// A near-duplicate arriving while its first article's alert is held folds
// into that alert's message as also_in; a later one is not sent again.
func TestNearDuplicatesFoldAsAlsoIn(t *testing.T) {
	var p posts
	srv := p.server(t)
	st := newFakeStream()
	sink := &Sink{Name: "hook", Subjects: []string{"alerts.>"}, Hold: 300 * time.Millisecond, Retry: DefaultRetry,
		Webhook: &Webhook{URL: srv.URL, Secret: []byte("0123456789abcdef01234567"), Timeout: time.Second}}
	r, _ := runSink(t, sink, st, Options{})
	first := testAlert("a:1", "huawei")
	copy1 := testAlert("a:2", "huawei")
	copy1.Article.DuplicateOf, copy1.Article.Source, copy1.Article.URL = "a:1", "reuters_com", "https://reuters.example/x"
	other := testAlert("a:1", "tencent")
	st.add(t, first, time.Now())
	st.add(t, other, time.Now())
	st.add(t, copy1, time.Now())
	waitUntil(t, "3 acks", func() bool { return st.ackedCount() == 3 })
	late := testAlert("a:3", "huawei")
	late.Article.DuplicateOf = "a:1"
	st.add(t, late, time.Now())
	waitUntil(t, "4 acks", func() bool { return st.ackedCount() == 4 })
	if p.count() != 2 {
		t.Fatalf("%d posts, want the huawei alert with its copy and the tencent alert", p.count())
	}
	var got struct {
		ID     string                `json:"id"`
		AlsoIn []pipeline.ArticleRef `json:"also_in"`
	}
	for _, b := range p.bodies {
		json.Unmarshal(b, &got)
		if got.ID == first.ID {
			break
		}
	}
	if got.ID != first.ID || len(got.AlsoIn) != 1 || got.AlsoIn[0].Source != "reuters_com" {
		t.Errorf("huawei alert = %+v, want also_in reuters_com", got)
	}
	if f := r.Stats().Folded.Load(); f != 2 {
		t.Errorf("folded %d, want 2", f)
	}
	if s := SlackMessage(&Delivery{Alert: &first, AlsoIn: got.AlsoIn}); !strings.Contains(s.Blocks[0].Text.Text, "also in: <https://reuters.example/x|reuters_com>") {
		t.Errorf("slack text %q lacks also in", s.Blocks[0].Text.Text)
	}
}

// Severity below the sink's minimum is acked and not sent; a message that
// is not an alert becomes a dead letter; a 4xx is not retried.
func TestSkipsMalformedAndPermanentErrors(t *testing.T) {
	var attempts sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := attempts.LoadOrStore(r.Header.Get("Webhook-Id"), new(int))
		*n.(*int)++
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer srv.Close()
	st := newFakeStream()
	sink := &Sink{Name: "hook", Subjects: []string{"alerts.>"}, MinSeverity: "high", Retry: Retry{Attempts: 5, First: time.Millisecond, Max: time.Millisecond},
		Webhook: &Webhook{URL: srv.URL, Secret: []byte("0123456789abcdef01234567"), Timeout: time.Second}}
	r, dead := runSink(t, sink, st, Options{})
	low := testAlert("a:1", "huawei")
	low.Severity = "info"
	st.add(t, low, time.Now())
	st.addRaw([]byte("{not json"), time.Now())
	st.add(t, testAlert("a:2", "huawei"), time.Now())
	waitUntil(t, "3 acks", func() bool { return st.ackedCount() == 3 })
	if s := r.Stats(); s.Skipped.Load() != 1 || s.Malformed.Load() != 1 || s.Dead.Load() != 2 || s.Retried.Load() != 0 {
		t.Errorf("skipped %d malformed %d dead %d retried %d; want 1 1 2 0", s.Skipped.Load(), s.Malformed.Load(), s.Dead.Load(), s.Retried.Load())
	}
	dead.mu.Lock()
	defer dead.mu.Unlock()
	if len(dead.letters) != 2 || !strings.Contains(dead.letters[0].Reason, "malformed") || !strings.Contains(dead.letters[1].Reason, "404 Not Found: no such hook") || dead.letters[1].Attempts != 1 {
		t.Errorf("dead letters = %+v", dead.letters)
	}
	if n, _ := attempts.Load("a:2:huawei"); *n.(*int) != 1 {
		t.Errorf("a 404 was tried %d times", *n.(*int))
	}
}

// Retry-After comes from receivers: any value gives a wait within a day.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", "99999999999999999999", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := parseRetryAfter(v, now); d < 0 || d > 24*time.Hour {
			t.Fatalf("Retry-After %q = %s", v, d)
		}
	})
}

// Dead letters come back from NATS for a replay: any bytes either decode
// to something deliverable or give an error.
func FuzzDeadLetter(f *testing.F) {
	a := testAlert("a:1", "huawei")
	raw, _ := json.Marshal(a)
	dl, _ := json.Marshal(deadLetter("hook", &Delivery{ID: a.ID, Alert: &a, Raw: raw}, "receiver answered 503", 8, time.Now()))
	f.Add(dl)
	sum, _ := json.Marshal(deadLetter("hook", &Delivery{ID: "summary:x", Summary: &Summary{Kind: "summary", Count: 3}}, "x", 1, time.Now()))
	f.Add(sum)
	f.Add([]byte(`{"id":"x","raw":"bm90IGpzb24="}`))
	f.Add([]byte(`{"id":"digest:x","digest":{"kind":"digest","alerts":2,"groups":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var l DeadLetter
		if json.Unmarshal(data, &l) != nil {
			return
		}
		d, err := l.Delivery()
		if err != nil {
			return
		}
		if d.Alert == nil && d.Summary == nil && d.Digest == nil {
			t.Fatal("a delivery with nothing to deliver")
		}
		if _, err := d.Body(); err != nil && d.Summary == nil && d.Digest == nil {
			t.Fatalf("body: %v", err)
		}
		SlackMessage(d)
	})
}
