package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/notify"
)

// newsmon with a sinks file delivers the alerts of its first poll to a
// webhook, signed; the sink's consumer is created as the process starts,
// so the first alerts are not missed.
func TestNewsmonDeliversToWebhook(t *testing.T) {
	var feedSrv *httptest.Server
	feedSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, feed, feedSrv.URL)
	}))
	defer feedSrv.Close()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	cfg, err := notify.Parse("k", []byte("sinks:\n- name: k\n  subjects: [alerts.>]\n  webhook: {url: {env: U}, secret: {env: S}}\n"),
		func(k string) string { return map[string]string{"U": "http://x/", "S": secret}[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := cfg.Sinks[0].Webhook.Secret
	var mu sync.Mutex
	got := map[string]bool{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify(key, r.Header.Get("Webhook-Id"), r.Header.Get("Webhook-Timestamp"), r.Header.Get("Webhook-Signature"), body, time.Now(), time.Minute); err != nil {
			t.Errorf("signature: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var a pipeline.Alert
		json.Unmarshal(body, &a)
		mu.Lock()
		got[a.Subject] = true
		mu.Unlock()
	}))
	defer hook.Close()
	sinks := filepath.Join(t.TempDir(), "sinks.yaml")
	os.WriteFile(sinks, []byte("sinks:\n  - name: hook\n    subjects: [alerts.cloud.>]\n    webhook:\n      url: {env: HOOK_URL}\n      secret: {env: HOOK_SECRET}\n"), 0o600)
	env := map[string]string{"HOOK_URL": hook.URL, "HOOK_SECRET": secret}

	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	args := []string{
		"-data", t.TempDir(), "-nats-listen", "127.0.0.1:-1", "-http", "", "-desk-listen", "127.0.0.1:0",
		"-feed", feedSrv.URL + "/feed.xml", "-allow-networks", "loopback", "-robots=false",
		"-rules", filepath.Join("..", "..", "rules"), "-sinks", sinks,
	}
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, &stdout, &stderr, nil) }()
	deadline := time.After(20 * time.Second)
	for {
		mu.Lock()
		ok := got["alerts.cloud.alibaba"]
		mu.Unlock()
		if ok {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("newsmon stopped early: %v\nstderr:\n%s", err, stderr.String())
		case <-deadline:
			t.Fatalf("no alert delivered within 20s\nstderr:\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	mu.Lock()
	if got["alerts.policy.us-state"] {
		t.Error("an alert outside the sink's subjects was delivered")
	}
	mu.Unlock()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("newsmon returned %v\nstderr:\n%s", err, stderr.String())
	}
}
