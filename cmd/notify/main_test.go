package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/cmd/internal/envflag/envflagtest"
	"newsmon/cmd/internal/notifyd"
	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/notify"
)

// TestMain lets a test run this command as a separate process (the test
// binary re-executed), so that it can be killed with SIGKILL.
func TestMain(m *testing.M) {
	if args := os.Getenv("NOTIFY_TEST_ARGS"); args != "" {
		// As main does: SIGTERM and SIGINT end the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, strings.Split(args, "\x1f"), os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "notify:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // 24 bytes in base64

func secretKey(t testing.TB) []byte {
	t.Helper()
	cfg, err := notify.Parse("t.yaml", []byte("sinks:\n- name: x\n  subjects: [alerts.>]\n  webhook:\n    url: {env: U}\n    secret: {env: S}\n"),
		func(k string) string { return map[string]string{"U": "http://127.0.0.1/", "S": testSecret}[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Sinks[0].Webhook.Secret
}

// startNATS runs a server with the topology set up, as `newsmon setup`
// leaves it.
func startNATS(t *testing.T) string {
	t.Helper()
	return natstest.StartSetUp(t).ClientURL()
}

func connect(t *testing.T, url string) *bus.Client {
	t.Helper()
	return natstest.Connect(t, url, "test-publisher")
}

// alerts makes n alerts over articles articles, rules cycling, in the
// order they are to be published.
func alerts(articles, perArticle int) []pipeline.Alert {
	var out []pipeline.Alert
	rules := []string{"huawei", "alibaba", "tencent", "baidu", "aws"}
	for r := 0; r < perArticle; r++ {
		for a := 0; a < articles; a++ {
			art := pipeline.ArticleRef{ID: fmt.Sprintf("a:%04d", a), URL: fmt.Sprintf("https://example.com/%d", a), Title: fmt.Sprintf("Story %d", a), Source: "example_com"}
			rule := rules[r%len(rules)]
			out = append(out, pipeline.Alert{Schema: 1, ID: art.ID + ":" + rule, Subject: "alerts.cloud." + rule, Rule: rule, Category: "cloud",
				Name: rule, Severity: "info", Article: art, Count: 1, TaggedAt: time.Now().UTC(),
				Matches: []pipeline.Match{{Entity: "cloud." + rule, Text: rule, Field: "body", Snippet: "A sentence about " + rule + "."}}})
		}
	}
	return out
}

// receiver is a webhook endpoint that checks every signature and records
// what it accepted, in order.
type receiver struct {
	t      *testing.T
	key    []byte
	mu     sync.Mutex
	fail   func(n int, id string) int // status to answer the n-th request (from 1), 0 to accept
	reqs   int
	got    []string               // accepted alert ids, in order
	tries  map[string][]time.Time // every attempt by Webhook-Id
	badSig int
	header http.Header
	delay  time.Duration
}

func newReceiver(t *testing.T) (*receiver, *httptest.Server) {
	r := &receiver{t: t, key: secretKey(t), tries: map[string][]time.Time{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("Webhook-Id")
	err := notify.Verify(r.key, id, req.Header.Get("Webhook-Timestamp"), req.Header.Get("Webhook-Signature"), body, time.Now(), 5*time.Minute)
	var a pipeline.Alert
	jerr := json.Unmarshal(body, &a)
	r.mu.Lock()
	delay := r.delay
	r.mu.Unlock()
	time.Sleep(delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs++
	r.tries[id] = append(r.tries[id], time.Now())
	r.header = req.Header.Clone()
	if err != nil || jerr != nil || a.ID != id {
		r.badSig++
		r.t.Errorf("request %d: signature %v, body %v, alert id %q vs Webhook-Id %q", r.reqs, err, jerr, a.ID, id)
		http.Error(w, "bad", http.StatusUnauthorized)
		return
	}
	if r.fail != nil {
		if code := r.fail(r.reqs, id); code != 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", code)
			return
		}
	}
	r.got = append(r.got, id)
}

func (r *receiver) accepted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func writeSinks(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sinks.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const hookSinks = `sinks:
  - name: hook
    subjects: [alerts.cloud.>]
    retry: {attempts: %d, first: 20ms, max: 2s}
    webhook:
      url: {env: HOOK_URL}
      secret: {env: HOOK_SECRET}
      headers: {X-Team: china-desk}
      timeout: 2s
`

// setUpSinks writes the consumers of a sinks file's sinks to the server,
// as `newsmon setup -sinks FILE` does, with the test topology and the
// sinks' ack wait (0: the default).
func setUpSinks(t *testing.T, natsURL, sinksFile string, ackWait time.Duration) {
	t.Helper()
	top := natstest.Topology()
	if ackWait > 0 {
		top.SinkAckWait = ackWait
	}
	sinks, err := notifyd.LoadSinksForSetup(sinksFile)
	if err != nil {
		t.Fatal(err)
	}
	top.Sinks = sinks
	natstest.Setup(t, natsURL, top)
}

// service sets up the sinks' consumers, then runs notify in this process
// until the test ends.
func service(t *testing.T, natsURL, sinks string, env map[string]string) {
	t.Helper()
	setUpSinks(t, natsURL, sinks, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"-nats", natsURL, "-sinks", sinks, "-http", "", "-spikes=false"}, func(k string) string { return env[k] }, io.Discard, &lockedWriter{w: &stderr})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("notify: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("notify did not stop within 15 s of its context ending")
		}
	})
	waitRunning(t, natsURL, "notify-hook", done)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// waitRunning waits until notify reads the sink's consumer (a pull
// request waits on it), or fails the test if notify stopped.
func waitRunning(t *testing.T, url, name string, done <-chan error, opts ...nats.Option) {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("notify stopped: %v", err)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := js.Consumer(ctx, pipeline.AlertsStream, name)
		if err == nil {
			var info *jetstream.ConsumerInfo
			if info, err = c.Info(ctx); err == nil && info.NumWaiting == 0 {
				err = errors.New("no pull request waiting")
			}
		}
		cancel()
		if err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("notify not reading consumer %s within 20 s", name)
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Every signature verifies; the first two attempts get 503 with
// Retry-After: 1 and are retried after a second each; then each alert
// arrives exactly once and in order per article.
func TestWebhookRetriesThenEachAlertOnceInOrder(t *testing.T) {
	natsURL := startNATS(t)
	rec, srv := newReceiver(t)
	rec.fail = func(n int, _ string) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	sinks := writeSinks(t, fmt.Sprintf(hookSinks, 5))
	service(t, natsURL, sinks, map[string]string{"HOOK_URL": srv.URL, "HOOK_SECRET": testSecret})

	pub := connect(t, natsURL)
	want := alerts(10, 4)
	for i := range want {
		if err := pub.PublishAlerts(context.Background(), want[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	// One alert outside the sink's subjects never arrives.
	other := alerts(1, 1)[0]
	other.ID, other.Subject, other.Category = "a:x:fcc", "alerts.policy.fcc", "policy"
	if err := pub.PublishAlerts(context.Background(), []pipeline.Alert{other}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every alert", 20*time.Second, func() bool { return len(rec.accepted()) >= len(want) })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	got := rec.accepted()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, a := range want {
		if seen[a.ID] != 1 {
			t.Errorf("alert %s accepted %d times, want 1", a.ID, seen[a.ID])
		}
	}
	if len(got) != len(want) {
		t.Errorf("accepted %d alerts, want %d: %v", len(got), len(want), got)
	}
	// In order per article: publish order of each article's alerts.
	order := map[string][]string{}
	for _, id := range got {
		art := id[:strings.LastIndex(id, ":")]
		order[art] = append(order[art], id)
	}
	for _, a := range want {
		o := order[a.Article.ID]
		if len(o) == 0 || o[0] != a.ID {
			t.Errorf("article %s: alerts arrived as %v; %s was due next", a.Article.ID, order[a.Article.ID], a.ID)
			break
		}
		order[a.Article.ID] = o[1:]
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.reqs != len(want)+2 {
		t.Errorf("receiver saw %d requests, want %d (the alerts and two refused attempts)", rec.reqs, len(want)+2)
	}
	for id, tries := range rec.tries {
		for i := 1; i < len(tries); i++ {
			if gap := tries[i].Sub(tries[i-1]); gap < 900*time.Millisecond {
				t.Errorf("%s: attempt %d came %s after the one refused with Retry-After: 1", id, i+1, gap)
			}
		}
	}
	if rec.header.Get("X-Team") != "china-desk" || rec.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v, want X-Team: china-desk and Content-Type: application/json", rec.header)
	}
}

// A receiver that always fails: each alert is tried the configured number
// of times, then stored on notify.dead.hook with the reason; a 400 is not
// retried at all. `notify dead replay` sends them again once the receiver
// is back, and removes them.
func TestDeadLettersAndReplay(t *testing.T) {
	natsURL := startNATS(t)
	rec, srv := newReceiver(t)
	var mu sync.Mutex
	mode := "down"
	rec.fail = func(_ int, id string) int {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case mode == "up":
			return 0
		case strings.HasSuffix(id, ":alibaba"):
			return http.StatusBadRequest
		default:
			return http.StatusInternalServerError
		}
	}
	env := map[string]string{"HOOK_URL": srv.URL, "HOOK_SECRET": testSecret}
	sinks := writeSinks(t, fmt.Sprintf(hookSinks, 3))
	service(t, natsURL, sinks, env)
	pub := connect(t, natsURL)
	want := alerts(3, 2) // huawei and alibaba for three articles
	if err := pub.PublishAlerts(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return env[k] }
	list := func() []deadRecord {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"dead", "list", "-nats", natsURL, "hook"}, getenv, &out, io.Discard); err != nil {
			t.Fatalf("dead list: %v", err)
		}
		var recs []deadRecord
		dec := json.NewDecoder(&out)
		for dec.More() {
			var r deadRecord
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		return recs
	}
	var dead []deadRecord
	waitFor(t, "dead letters", 20*time.Second, func() bool { dead = list(); return len(dead) == len(want) })
	for _, r := range dead {
		l := r.Letter
		wantAttempts, wantReason := 3, "500 Internal Server Error"
		if strings.HasSuffix(l.ID, ":alibaba") {
			wantAttempts, wantReason = 1, "400 Bad Request"
		}
		if l.Sink != "hook" || l.Attempts != wantAttempts || !strings.Contains(l.Reason, wantReason) {
			t.Errorf("dead letter %s: sink %q, %d attempts, reason %q; want hook, %d, %q", l.ID, l.Sink, l.Attempts, l.Reason, wantAttempts, wantReason)
		}
	}
	if n := len(rec.accepted()); n != 0 {
		t.Fatalf("%d alerts accepted by a receiver that refused everything", n)
	}

	mu.Lock()
	mode = "up"
	mu.Unlock()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"dead", "replay", "-nats", natsURL, "-sinks", sinks, "hook"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("dead replay: %v\n%s", err, out.String())
	}
	if c := strings.Count(out.String(), `"result":"delivered"`); c != len(want) {
		t.Errorf("replay delivered %d, want %d:\n%s", c, len(want), out.String())
	}
	got := map[string]int{}
	for _, id := range rec.accepted() {
		got[id]++
	}
	for _, a := range want {
		if got[a.ID] != 1 {
			t.Errorf("after replay %s accepted %d times, want 1", a.ID, got[a.ID])
		}
	}
	if left := list(); len(left) != 0 {
		t.Errorf("%d dead letters left after a replay that delivered them all", len(left))
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startProcess runs notify as a child process (this test binary
// re-executed through TestMain).
func startProcess(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "NOTIFY_TEST_ARGS="+strings.Join(args, "\x1f"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &lockedWriter{w: &stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("notify process stderr:\n%s", stderr.String())
		}
	})
	return cmd
}

// Kill -9 mid-delivery and start again: every alert reaches the receiver;
// a repeat is possible (the ack of a delivered alert can die with the
// process) and carries the same Webhook-Id, which the receiver checks
// against the alert in the body.
func TestKillMidDeliveryLosesNothing(t *testing.T) {
	natsURL := startNATS(t)
	rec, srv := newReceiver(t)
	rec.delay = 5 * time.Millisecond
	env := map[string]string{"HOOK_URL": srv.URL, "HOOK_SECRET": testSecret}
	sinks := writeSinks(t, fmt.Sprintf(hookSinks, 5))
	setUpSinks(t, natsURL, sinks, 2*time.Second)
	args := []string{"-nats", natsURL, "-sinks", sinks, "-http", "", "-spikes=false", "-lanes", "4"}
	first := startProcess(t, env, args...)
	waitRunning(t, natsURL, "notify-hook", nil)

	pub := connect(t, natsURL)
	want := alerts(100, 4)
	if err := pub.PublishAlerts(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "deliveries to start", 20*time.Second, func() bool { return len(rec.accepted()) >= 60 })
	if err := first.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	first.Wait()
	before := len(rec.accepted())
	if before >= len(want) {
		t.Fatalf("all %d alerts were delivered before the kill; the test proves nothing", before)
	}
	startProcess(t, env, args...)
	waitFor(t, "every alert after the restart", 60*time.Second, func() bool {
		got := map[string]bool{}
		for _, id := range rec.accepted() {
			got[id] = true
		}
		return len(got) == len(want)
	})
	got := rec.accepted()
	repeats := len(got) - len(want)
	t.Logf("killed after %d of %d deliveries; %d repeated after the restart", before, len(want), repeats)
	if repeats > 4*2 {
		t.Errorf("%d repeats; at most the deliveries in flight at the kill (4 lanes) should repeat", repeats)
	}
}

// A sinks file with an unknown key, a bad subject filter or a missing
// secret stops the service at start with file:line: reason.
func TestBadSinksFileStopsStart(t *testing.T) {
	natsURL := startNATS(t)
	cases := []struct{ name, body, want string }{
		{"unknown key", "sinks:\n  - name: a\n    subjects: [alerts.>]\n    colour: blue\n    slack: {url: {env: SLACK_URL}}\n", `:4: sink: unknown key "colour"`},
		{"bad subject", "sinks:\n  - name: a\n    subjects: [alerts.cloud.>.x]\n    slack: {url: {env: SLACK_URL}}\n", `:3: sink "a": subject filter "alerts.cloud.>.x": > may only be the last token`},
		{"not alerts", "sinks:\n  - name: a\n    subjects: news.articles.>\n    slack: {url: {env: SLACK_URL}}\n", `:3: sink "a": subject filter "news.articles.>": must start with "alerts."`},
		{"missing secret", "sinks:\n  - name: a\n    subjects: [alerts.>]\n    slack:\n      url: {env: NOT_SET_ANYWHERE}\n", `:5: sink "a" slack url: environment variable NOT_SET_ANYWHERE is not set`},
		{"secret inline", "sinks:\n  - name: a\n    subjects: [alerts.>]\n    slack:\n      url: https://hooks.example.com/T000/B000/XXX\n", `:5: sink "a" slack url: a secret is never written in the sinks file`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeSinks(t, c.body)
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"-nats", natsURL, "-sinks", path, "-http", ""},
				func(k string) string { return map[string]string{"SLACK_URL": "https://hooks.example.com/x"}[k] }, io.Discard, &stderr)
			if err == nil {
				t.Fatal("the service started with a bad sinks file")
			}
			if want := path + c.want; !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n%v\nwant it to contain\n%s", err, want)
			}
			if strings.Contains(err.Error(), "hooks.example.com") {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
}

// On a server nobody set up, notify refuses to start and says what is
// missing; it creates no stream itself.
func TestRefusesUnsetServer(t *testing.T) {
	url := natstest.Start(t).ClientURL()
	sinks := writeSinks(t, "sinks: []\n")
	err := run(context.Background(), []string{"-nats", url, "-sinks", sinks, "-http", ""}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "stream NOTIFY_DEAD does not exist") || !strings.Contains(err.Error(), "newsmon setup") {
		t.Fatalf("err = %v, want one naming NOTIFY_DEAD and newsmon setup", err)
	}
}

// The retired NOTIFY_ACK_WAIT is not silently ignored: notify warns that
// the sinks' ack wait is now setup's.
func TestWarnsOfRetiredAckWait(t *testing.T) {
	url := natstest.Start(t).ClientURL()
	sinks := writeSinks(t, "sinks: []\n")
	var stderr bytes.Buffer
	getenv := func(k string) string { return map[string]string{"NOTIFY_ACK_WAIT": "45s"}[k] }
	run(context.Background(), []string{"-nats", url, "-sinks", sinks, "-http", ""}, getenv, io.Discard, &stderr)
	if !strings.Contains(stderr.String(), "NOTIFY_ACK_WAIT is no longer read") || !strings.Contains(stderr.String(), "-sink-ack-wait") {
		t.Errorf("no warning of the retired NOTIFY_ACK_WAIT:\n%s", stderr.String())
	}
}

// Notify creates no consumer on ALERTS: a sink whose consumer setup has
// not written, or wrote with other subjects than the sinks file says now,
// stops it at start, naming the sink, the sinks file and `newsmon setup
// -sinks FILE`; the consumers stay as they were.
func TestRefusesSinksNotSetUp(t *testing.T) {
	natsURL := startNATS(t)
	env := map[string]string{"HOOK_URL": "http://127.0.0.1:9/", "HOOK_SECRET": testSecret}
	sinks := writeSinks(t, fmt.Sprintf(hookSinks, 3))
	start := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return run(ctx, []string{"-nats", natsURL, "-sinks", sinks, "-http", "", "-spikes=false"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}
	err := start()
	for _, want := range []string{sinks, "sink hook: consumer ALERTS > notify-hook does not exist", "run `newsmon setup -sinks FILE`"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("notify with no sink consumer: %v; want an error containing %q", err, want)
		}
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.Consumer(context.Background(), pipeline.AlertsStream, "notify-hook"); !errors.Is(err, jetstream.ErrConsumerNotFound) {
		t.Errorf("notify-hook after notify refused: %v, want none", err)
	}

	// Set up from an older sinks file, with a wider filter.
	setUpSinks(t, natsURL, writeSinks(t, strings.Replace(fmt.Sprintf(hookSinks, 3), "alerts.cloud.>", "alerts.>", 1)), 0)
	err = start()
	if want := "sink hook: consumer ALERTS > notify-hook: filters [alerts.>], the sinks file wants [alerts.cloud.>]"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("notify with a consumer of other subjects: %v; want an error containing %q", err, want)
	}
	c, err := js.Consumer(context.Background(), pipeline.AlertsStream, "notify-hook")
	if err != nil {
		t.Fatal(err)
	}
	if f := c.CachedInfo().Config.FilterSubjects; strings.Join(f, " ") != "alerts.>" {
		t.Errorf("notify changed the consumer's filters to %v", f)
	}
}

// The operations endpoints answer, /metrics carries the sink's counters
// and latency, and SIGTERM stops the process cleanly (exit 0) while a
// receiver is slow: the delivery in flight completes.
func TestOpsAndCleanShutdown(t *testing.T) {
	natsURL := startNATS(t)
	rec, srv := newReceiver(t)
	env := map[string]string{"HOOK_URL": srv.URL, "HOOK_SECRET": testSecret}
	sinks := writeSinks(t, fmt.Sprintf(hookSinks, 3))
	addr := freePort(t)
	setUpSinks(t, natsURL, sinks, 0)
	proc := startProcess(t, env, "-nats", natsURL, "-sinks", sinks, "-http", addr, "-spikes=false")
	waitRunning(t, natsURL, "notify-hook", nil)
	pub := connect(t, natsURL)
	if err := pub.PublishAlerts(context.Background(), alerts(5, 1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "5 deliveries", 10*time.Second, func() bool { return len(rec.accepted()) == 5 })
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, body := get(p); code != 200 {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
	_, metrics := get("/metrics")
	for _, want := range []string{
		`newsmon_notify_delivered_total{kind="webhook",sink="hook"} 5`,
		`newsmon_notify_dead_lettered_total{kind="webhook",sink="hook"} 0`,
		`newsmon_notify_retried_total{kind="webhook",sink="hook"} 0`,
		`newsmon_notify_folded_total{kind="webhook",sink="hook"} 0`,
		`newsmon_notify_latency_seconds_count{sink="hook"} 5`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A slow receiver: SIGTERM while a delivery is in flight.
	rec.mu.Lock()
	rec.delay = 700 * time.Millisecond
	rec.mu.Unlock()
	more := alerts(1, 1)
	more[0].ID, more[0].Article.ID = "a:slow:huawei", "a:slow"
	if err := pub.PublishAlerts(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := proc.Wait(); err != nil {
		t.Fatalf("notify exited with %v after SIGTERM", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("notify took %s to stop", took)
	}
	if got := rec.accepted(); len(got) != 6 || got[5] != "a:slow:huawei" {
		t.Errorf("after SIGTERM the receiver has %v; the delivery in flight should have completed", got)
	}
}

// The shipped sinks file checks, and `notify check` lists a good file's
// sinks.
func TestCheck(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "-sinks", filepath.Join("..", "..", "deploy", "sinks.yaml")}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatalf("deploy/sinks.yaml: %v", err)
	}
	p := writeSinks(t, fmt.Sprintf(hookSinks, 3))
	out.Reset()
	err := run(context.Background(), []string{"check", "-sinks", p}, func(k string) string {
		return map[string]string{"HOOK_URL": "https://example.com/h", "HOOK_SECRET": testSecret}[k]
	}, &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "hook: webhook, subjects [alerts.cloud.>]") {
		t.Errorf("check: %v\n%s", err, out.String())
	}
}

// Every variable deploy/env/notify.env sets is one `notify -h` names.
func TestDeployEnvFile(t *testing.T) {
	var help bytes.Buffer
	run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, &help)
	envflagtest.CheckEnvFile(t, filepath.Join("..", "..", "deploy", "env", "notify.env"), help.String())
}
