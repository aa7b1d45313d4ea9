package cli

import (
	"bufio"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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

// Every variable the deploy env files set is one a service reads, so a
// typo in deploy/ cannot silently fall back to a default.
func TestDeployEnvFilesUseKnownVariables(t *testing.T) {
	known := map[string]bool{}
	e := NewFlagSet("t", io.Discard, func(string) string { return "" })
	var (
		l    Log
		n    NATS
		ing  Ingest
		tag  Tagger
		not  Notify
		addr string
	)
	l.Register(e)
	n.Register(e)
	ing.Register(e)
	tag.Register(e)
	not.Register(e)
	var dsk Desk
	dsk.Register(e, "desk-") // as newsmon has them: -rules is the tagger's
	RegisterOps(e, &addr, "")
	re := regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`)
	e.FS.VisitAll(func(f *flag.Flag) {
		for _, m := range re.FindAllStringSubmatch(f.Usage, -1) {
			known[m[1]] = true
		}
	})
	known["NATS_PASSWORD"] = true // set by compose from deploy/.env
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "deploy", "env", "*.env"))
	if len(files) == 0 {
		t.Fatal("no deploy/env/*.env files")
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			s := strings.TrimSpace(sc.Text())
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			k, _, ok := strings.Cut(s, "=")
			if !ok || !known[k] {
				t.Errorf("%s:%d: %q is not a variable any service reads", name, line, k)
			}
		}
		f.Close()
	}
}
