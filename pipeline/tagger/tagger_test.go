package tagger_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
	"newsmon/pipeline/tagger"
)

// store is a Publisher that keeps alerts in memory, and can be told to fail.
type store struct {
	mu     sync.Mutex
	alerts []pipeline.Alert
	fail   error
}

func (s *store) PublishAlerts(_ context.Context, alerts []pipeline.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.alerts = append(s.alerts, alerts...)
	return nil
}

func (s *store) subjects() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.alerts {
		out = append(out, a.Subject)
	}
	return out
}

const blorptekRules = `entities:
  - id: blorptek
    category: cloud
    name: Blorptek Cloud
    aliases: [Blorptek Cloud]
examples:
  - {text: "Blorptek Cloud grew.", want: [cloud.blorptek]}
  - {text: "Nothing here.", want: []}
`

const qorvexaRules = `entities:
  - id: qorvexa
    category: cloud
    name: Qorvexa Cloud
    aliases: [Qorvexa Cloud]
examples:
  - {text: "Qorvexa Cloud grew.", want: [cloud.qorvexa]}
  - {text: "Nothing here.", want: []}
`

// writeRules replaces the folder's rule file at once (written aside, then
// renamed over it), so a watcher never reads it half written.
func writeRules(t *testing.T, dir, body string) {
	t.Helper()
	tmp := filepath.Join(dir, ".r.yaml.new")
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "r.yaml")); err != nil {
		t.Fatal(err)
	}
}

func article(t *testing.T, text string) []byte {
	t.Helper()
	b, err := json.Marshal(pipeline.Article{ID: "a:1", URL: "https://example.com/1", Title: "t", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func load(t *testing.T, dir string) *rules.Set {
	t.Helper()
	set, err := rules.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestHandle(t *testing.T) {
	dir := t.TempDir()
	writeRules(t, dir, blorptekRules)
	st := &store{}
	tg := tagger.New(load(t, dir), st, slog.New(slog.DiscardHandler))
	ctx := context.Background()

	if err := tg.Handle(ctx, article(t, "Blorptek Cloud signed the deal.")); err != nil {
		t.Fatal(err)
	}
	if got := st.subjects(); len(got) != 1 || got[0] != "alerts.cloud.blorptek" {
		t.Errorf("alerts = %v", got)
	}
	if err := tg.Handle(ctx, []byte("{not json")); !errors.Is(err, pipeline.ErrMalformed) {
		t.Errorf("bad JSON: err = %v, want ErrMalformed", err)
	}
	if err := tg.Handle(ctx, []byte(`{"text":"Blorptek Cloud"}`)); !errors.Is(err, pipeline.ErrMalformed) {
		t.Errorf("article without id: err = %v, want ErrMalformed", err)
	}
	dup, _ := json.Marshal(pipeline.Article{ID: "a:2", URL: "https://example.com/2", Text: "Blorptek Cloud signed the deal.", DuplicateOf: "a:1"})
	if err := tg.Handle(ctx, dup); err != nil || len(st.subjects()) != 2 || tg.Stats().Copies.Load() != 1 {
		t.Errorf("near-duplicate: err %v, alerts %v, copies %d; want it alerted and counted as a copy", err, st.subjects(), tg.Stats().Copies.Load())
	} else if got := st.alerts[1].Article.DuplicateOf; got != "a:1" {
		t.Errorf("near-duplicate's alert: duplicate_of %q, want a:1 (delivery folds on it)", got)
	}
	st.fail = errors.New("stream unavailable")
	err := tg.Handle(ctx, article(t, "Blorptek Cloud again."))
	if err == nil || errors.Is(err, pipeline.ErrMalformed) {
		t.Errorf("failed publish: err = %v, want a retryable error", err)
	}
	s := tg.Stats()
	if s.Articles.Load() != 3 || s.Alerts.Load() != 2 || s.Malformed.Load() != 2 || s.Failed.Load() != 1 {
		t.Errorf("stats: articles %d alerts %d malformed %d failed %d", s.Articles.Load(), s.Alerts.Load(), s.Malformed.Load(), s.Failed.Load())
	}
}

// A reload swaps in a good set; a broken set is refused and the old one
// keeps matching.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	writeRules(t, dir, blorptekRules)
	st := &store{}
	tg := tagger.New(load(t, dir), st, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan os.Signal, 1)
	done := make(chan struct{})
	go func() { tg.WatchRules(ctx, dir, hup, 0); close(done) }()

	writeRules(t, dir, qorvexaRules)
	hup <- os.Interrupt // any signal value: the channel is the SIGHUP channel
	waitFor(t, func() bool { return tg.Stats().Reloads.Load() == 1 })
	if len(tg.Tag(&pipeline.Article{ID: "a:2", URL: "u", Text: "Qorvexa Cloud grew."})) != 1 {
		t.Error("the reloaded set does not match Qorvexa Cloud")
	}

	writeRules(t, dir, "entities:\n  - id: broken\n    nonsense: true\n")
	hup <- os.Interrupt
	waitFor(t, func() bool { return tg.Stats().Refused.Load() == 1 })
	if len(tg.Tag(&pipeline.Article{ID: "a:3", URL: "u", Text: "Qorvexa Cloud grew."})) != 1 {
		t.Error("after a refused reload the previous set no longer matches")
	}
	cancel()
	<-done
}

// A change in the folder is picked up without a signal.
func TestReloadOnChange(t *testing.T) {
	dir := t.TempDir()
	writeRules(t, dir, blorptekRules)
	tg := tagger.New(load(t, dir), &store{}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tg.WatchRules(ctx, dir, nil, 20*time.Millisecond)
	// The watcher notes the folder as it starts, at a moment the test
	// cannot see: the file changes again until a reload shows one seen.
	changes := 0
	waitFor(t, func() bool {
		changes++
		writeRules(t, dir, qorvexaRules+strings.Repeat("\n# changed", changes))
		return tg.Stats().Reloads.Load() >= 1
	})
	if len(tg.Tag(&pipeline.Article{ID: "a:2", URL: "u", Text: "Qorvexa Cloud grew."})) != 1 {
		t.Error("the changed folder was not loaded")
	}
}

// waitFor waits for cond, generously: a loaded machine is slow, and a
// condition met returns at once.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Handle decodes outside input: whatever the bytes, it never panics, and
// it either succeeds or says why.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(`{"id":"a:1","url":"https://example.com/","title":"Huawei Cloud","text":"Blorptek Cloud signed."}`))
	f.Add([]byte(`{"id":"a:1","url":"u","published":"not a time"}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte("{\"id\":\"a\",\"url\":\"u\",\"text\":\"\xff\xfe\\ud800\"}"))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(blorptekRules), 0o644); err != nil {
		f.Fatal(err)
	}
	set, err := rules.LoadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	tg := tagger.New(set, &store{}, slog.New(slog.DiscardHandler))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := tg.Handle(context.Background(), data)
		var std pipeline.Article
		if json.Unmarshal(data, &std) == nil && std.ID != "" && std.URL != "" && err != nil {
			t.Errorf("encoding/json reads a valid article from %q but Handle says %v", data, err)
		}
	})
}

// Reply turns Handle's outcome into the server's answer: ack once stored,
// drop what can never be processed, retry a failure after the delay of its
// attempt (the last delay repeats).
func TestReply(t *testing.T) {
	dir := t.TempDir()
	writeRules(t, dir, blorptekRules)
	st := &store{}
	tg := tagger.New(load(t, dir), st, slog.New(slog.DiscardHandler))
	tg.RetryDelays = []time.Duration{time.Second, time.Minute}
	ctx := context.Background()
	cases := []struct {
		name    string
		data    []byte
		attempt int
		fail    bool
		want    pipeline.Reply
	}{
		{"stored", article(t, "Blorptek Cloud signed."), 1, false, pipeline.Reply{Action: pipeline.Ack}},
		{"not JSON", []byte("{not json"), 1, false, pipeline.Reply{Action: pipeline.Drop}},
		{"first failure", article(t, "Blorptek Cloud again."), 1, true, pipeline.Reply{Action: pipeline.Retry, Delay: time.Second}},
		{"second failure", article(t, "Blorptek Cloud again."), 2, true, pipeline.Reply{Action: pipeline.Retry, Delay: time.Minute}},
		{"fifth failure", article(t, "Blorptek Cloud again."), 5, true, pipeline.Reply{Action: pipeline.Retry, Delay: time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st.fail = nil
			if c.fail {
				st.fail = errors.New("stream unavailable")
			}
			if got := tg.Reply(ctx, pipeline.Delivery{Data: c.data, Attempt: c.attempt}); got != c.want {
				t.Errorf("reply %+v, want %+v", got, c.want)
			}
		})
	}
}
