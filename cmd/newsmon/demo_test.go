package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// `newsmon -demo`: the console's address is printed at start and the
// console fills with the sample site's alerts, with no network but loopback.
func TestNewsmonDemoFillsTheConsole(t *testing.T) {
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	args := []string{"-demo", "-data", t.TempDir(), "-nats-listen", "127.0.0.1:-1", "-http", "", "-desk-listen", "127.0.0.1:0",
		"-rules", filepath.Join("..", "..", "rules")}
	go func() { done <- run(ctx, args, func(string) string { return "" }, &stdout, &stderr, nil) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("newsmon returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("newsmon did not stop within 15s")
		}
	}()
	console := regexp.MustCompile(`(?m)^console: (http://127\.0\.0\.1:\d+)$`)
	var base string
	var alerts int
	deadline := time.After(30 * time.Second)
	for {
		if m := console.FindStringSubmatch(stdout.String()); m != nil && base == "" {
			base = m[1]
		}
		if base != "" {
			if res, err := http.Get(base + "/api/status"); err == nil {
				var st struct{ Counts struct{ Alerts int } }
				json.NewDecoder(res.Body).Decode(&st)
				res.Body.Close()
				if alerts = st.Counts.Alerts; alerts >= 20 {
					return
				}
			}
		}
		select {
		case err := <-done:
			t.Fatalf("newsmon stopped: %v\n%s", err, stderr.String())
		case <-deadline:
			t.Fatalf("console %q holds %d alerts after 30s\nstderr:\n%s", base, alerts, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
