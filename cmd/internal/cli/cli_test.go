package cli

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsmon/cmd/internal/envflag/envflagtest"
)

func TestEnvFallback(t *testing.T) {
	env := map[string]string{"NATS_URL": "nats://n:4222", "INGEST_INTERVAL": "90s", "INGEST_FEED": "https://a.example/rss, https://b.example/rss"}
	e := NewFlagSet("t", io.Discard, func(k string) string { return env[k] })
	var n NATS
	var ing Ingest
	n.Register(e)
	ing.Register(e)
	if err := e.Parse([]string{"-feed", "https://c.example/rss"}); err != nil {
		t.Fatal(err)
	}
	if n.URL != "nats://n:4222" || ing.Interval != 90*time.Second {
		t.Errorf("env not used: url %q interval %s", n.URL, ing.Interval)
	}
	if got := strings.Join(ing.Feeds, " "); got != "https://a.example/rss https://b.example/rss https://c.example/rss" {
		t.Errorf("feeds = %q", got)
	}
}

func TestEnvErrorsNamed(t *testing.T) {
	env := map[string]string{"INGEST_INTERVAL": "soon", "INGEST_WORKERS": "many"}
	e := NewFlagSet("t", io.Discard, func(k string) string { return env[k] })
	var ing Ingest
	ing.Register(e)
	err := e.Parse(nil)
	if err == nil || !strings.Contains(err.Error(), "INGEST_INTERVAL") || !strings.Contains(err.Error(), "INGEST_WORKERS") {
		t.Fatalf("err = %v, want both variables named", err)
	}
}

// Every variable deploy/env/ingest.env sets is one the ingest service
// reads, so a typo in deploy/ cannot silently fall back to a default.
func TestDeployEnvFileUsesKnownVariables(t *testing.T) {
	var help strings.Builder
	e := NewFlagSet("t", &help, func(string) string { return "" })
	var (
		l    Log
		n    NATS
		ing  Ingest
		addr string
	)
	l.Register(e)
	n.Register(e)
	ing.Register(e)
	RegisterOps(e, &addr, "")
	e.FS.PrintDefaults()
	envflagtest.CheckEnvFile(t, filepath.Join("..", "..", "..", "deploy", "env", "ingest.env"), help.String())
}
