package opsserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsmon/cmd/internal/envflag"
)

// The operations server answers /healthz while the process runs, /readyz
// by the readiness check (503 with the reason when not ready), and
// /metrics with the registered counters in Prometheus' text format.
func TestOpsServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var ready atomic.Bool
	reg := NewRegistry()
	var n atomic.Int64
	n.Store(42)
	Counter(reg, "newsmon_test_things_total", "Things.", n.Load)
	ops := Server{Addr: addr, Reg: reg, Ready: func() error {
		if !ready.Load() {
			return errors.New("not connected to NATS")
		}
		return nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ops.Serve(ctx, slog.New(slog.DiscardHandler)) }()
	get := func(path string) (int, string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp, err := http.Get(fmt.Sprintf("http://%s%s", addr, path))
			if err != nil {
				if time.Now().After(deadline) {
					t.Fatal(err)
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "not connected to NATS") {
		t.Errorf("/readyz not ready: %d %q", code, body)
	}
	ready.Store(true)
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz ready: %d", code)
	}
	code, body := get("/metrics")
	if code != 200 || !strings.Contains(body, "newsmon_test_things_total 42") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics: %d\n%s", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// Run stops every loop, and the server, when one loop fails, and returns
// that loop's error; a loop ending without error stops nothing.
func TestRunStopsAllOnFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	boom := errors.New("boom")
	var stopped atomic.Bool
	fail := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), "test", Server{Addr: addr, Reg: NewRegistry()}, slog.New(slog.DiscardHandler),
			func(ctx context.Context) error { return nil },
			func(ctx context.Context) error { <-ctx.Done(); stopped.Store(true); return nil },
			func(ctx context.Context) error { <-fail; return boom },
		)
	}()
	// The server is up and the loops running until one fails.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ops server not up: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned %v before any loop failed", err)
	default:
	}
	close(fail)
	select {
	case err := <-done:
		if !errors.Is(err, boom) {
			t.Errorf("Run = %v, want the failing loop's error", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after a loop failed")
	}
	if !stopped.Load() {
		t.Error("the other loop was not stopped")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the ops server still answers after Run returned")
	}
}

// The Go runtime's profiles are served only when -pprof (or PPROF) asks
// for them: a heap profile then comes back in pprof's format.
func TestProfiles(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want int
	}{
		{nil, nil, http.StatusNotFound},
		{[]string{"-pprof"}, nil, http.StatusOK},
		{nil, map[string]string{"PPROF": "true"}, http.StatusOK},
	} {
		var ops Server
		env := envflag.New("test", io.Discard, func(k string) string { return tc.env[k] })
		Flag(env, &ops, "127.0.0.1:0")
		if err := env.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ops.Addr, ops.Reg = ln.Addr().String(), NewRegistry()
		ln.Close()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ops.Serve(ctx, slog.New(slog.DiscardHandler)) }()
		var resp *http.Response
		for deadline := time.Now().Add(5 * time.Second); ; {
			if resp, err = http.Get("http://" + ops.Addr + "/debug/pprof/heap"); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("args %v env %v: /debug/pprof/heap %d, want %d", tc.args, tc.env, resp.StatusCode, tc.want)
		}
		// A pprof profile is gzip-compressed protobuf.
		if tc.want == http.StatusOK && (len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b) {
			t.Errorf("args %v env %v: the heap profile is not gzip: % x", tc.args, tc.env, body[:min(len(body), 8)])
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
