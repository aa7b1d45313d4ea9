package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the alert printer's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>%[1]s/</link>
<item><title>Curbs weighed</title><link>%[1]s/a/1</link><guid>1</guid>
<description>The State Department is weighing limits on Alibaba Cloud, officials said.</description></item>
</channel></rss>`

// The one-process command, driven as a user would run it: a feed on
// loopback, rules from the repo, and the alert printed on stdout.
func TestNewsmonPrintsAlerts(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, feed, srv.URL)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	args := []string{
		"-data", t.TempDir(), "-nats-listen", "127.0.0.1:-1", "-http", "", "-desk-listen", "127.0.0.1:0",
		"-feed", srv.URL + "/feed.xml", "-allow-networks", "loopback", "-robots=false",
		"-rules", filepath.Join("..", "..", "rules"),
	}
	go func() { done <- run(ctx, args, func(string) string { return "" }, &stdout, &stderr, nil) }()

	deadline := time.After(20 * time.Second)
	for !strings.Contains(stdout.String(), "alerts.cloud.alibaba") || !strings.Contains(stdout.String(), "alerts.policy.us-state") {
		select {
		case err := <-done:
			t.Fatalf("newsmon stopped early: %v\nstderr:\n%s", err, stderr.String())
		case <-deadline:
			t.Fatalf("no alert printed within 20s\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("newsmon returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("newsmon did not stop within 15s of its context ending")
	}
	line := lineWith(stdout.String(), "alerts.cloud.alibaba")
	for _, want := range []string{srv.URL + "/a/1", `"Alibaba Cloud"`, "officials said"} {
		if !strings.Contains(line, want) {
			t.Errorf("alert line %q lacks %q", line, want)
		}
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestNewsmonRefusesBadRules(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("entities:\n  - id: x\n    bogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-data", t.TempDir(), "-nats-listen", "127.0.0.1:-1", "-http", "", "-desk-listen", "127.0.0.1:0", "-feed", "https://example.com/rss", "-rules", dir}, func(string) string { return "" }, &out, &out, nil)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:") {
		t.Fatalf("err = %v, want one naming bad.yaml:line", err)
	}
}
