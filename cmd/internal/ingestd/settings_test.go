package ingestd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsmon/cmd/internal/envflag"
)

func parseIngest(t *testing.T, env map[string]string, args ...string) (*Settings, error) {
	t.Helper()
	e := envflag.New("ingest", io.Discard, func(k string) string { return env[k] })
	var c Settings
	c.Register(e)
	if err := e.Parse(args); err != nil {
		return nil, err
	}
	return &c, c.Validate()
}

// Settings come from flags, then variables, then the -ingest-config file,
// then defaults; allow-networks included.
func TestIngestConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ingest.yaml")
	err := os.WriteFile(file, []byte(`
allow-networks: 10.20.0.0/16,loopback
interval: 2m
workers: 64
feed: [https://a.example/rss, https://b.example/rss]
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseIngest(t, nil, "-ingest-config", file, "-workers", "3")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.Allow) != "[10.20.0.0/16 127.0.0.0/8 ::1/128]" || c.Interval != 2*time.Minute || c.Workers != 3 || len(c.Feeds) != 2 {
		t.Errorf("from file: allow %v interval %s workers %d (flag wins) feeds %v", c.Allow, c.Interval, c.Workers, c.Feeds)
	}
	c, err = parseIngest(t, map[string]string{"INGEST_CONFIG": file, "INGEST_ALLOW_NETWORKS": "192.0.2.7", "INGEST_INTERVAL": "7m"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.Allow) != "[192.0.2.7/32]" || c.Interval != 7*time.Minute {
		t.Errorf("variables should win over the file: allow %v interval %s", c.Allow, c.Interval)
	}
	if _, err := parseIngest(t, nil, "-feed", "https://a.example/rss", "-allow-networks", "10.0.0.0/8,intranet"); err == nil || !strings.Contains(err.Error(), `"intranet"`) {
		t.Errorf("a bad network: err %v", err)
	}
}

func TestIngestConfigFileErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ingest.yaml")
	if err := os.WriteFile(file, []byte("feed: [https://a.example/rss]\nworkerz: 3\ninterval: soon\nnats: nats://x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := parseIngest(t, nil, "-ingest-config", file)
	if err == nil {
		t.Fatal("a bad config file was accepted")
	}
	for _, want := range []string{file + ":2: unknown setting \"workerz\"", file + ":3: interval", file + ":4: unknown setting \"nats\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Whatever the -ingest-config file holds, reading it fails with an error
// naming the file, or succeeds; it never panics.
func FuzzIngestConfig(f *testing.F) {
	f.Add("allow-networks: 10.0.0.0/8\ninterval: 2m\n")
	f.Add("feed: [https://a.example/rss]\nworkers: {a: 1}\n")
	f.Add("- just\n- a list\n")
	f.Add("interval: &a 1m\nmax-backoff: *a\n")
	f.Add("")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data string) {
		file := filepath.Join(dir, "ingest.yaml")
		if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := parseIngest(t, nil, "-ingest-config", file, "-feed", "https://x.example/rss")
		if err != nil && !strings.Contains(err.Error(), file) && !strings.Contains(err.Error(), "-") {
			t.Errorf("error does not name the file or the setting: %v", err)
		}
	})
}

// The settings' variables are the flags' defaults; a list variable and
// list flags add up.
func TestVariables(t *testing.T) {
	env := map[string]string{"INGEST_INTERVAL": "90s", "INGEST_FEED": "https://a.example/rss, https://b.example/rss"}
	c, err := parseIngest(t, env, "-feed", "https://c.example/rss")
	if err != nil {
		t.Fatal(err)
	}
	if c.Interval != 90*time.Second {
		t.Errorf("INGEST_INTERVAL not used: interval %s", c.Interval)
	}
	if got := strings.Join(c.Feeds, " "); got != "https://a.example/rss https://b.example/rss https://c.example/rss" {
		t.Errorf("feeds = %q", got)
	}
	env = map[string]string{"INGEST_INTERVAL": "soon", "INGEST_WORKERS": "many"}
	if _, err := parseIngest(t, env); err == nil || !strings.Contains(err.Error(), "INGEST_INTERVAL") || !strings.Contains(err.Error(), "INGEST_WORKERS") {
		t.Fatalf("err = %v, want both variables named", err)
	}
}
