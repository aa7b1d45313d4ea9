package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

func noEnv(string) string { return "" }

// export writes the list as OPML that reads back to the same feeds.
func TestFeedsExport(t *testing.T) {
	list := filepath.Join(t.TempDir(), "feeds.yaml")
	err := os.WriteFile(list, []byte(`feeds:
  - {url: "https://wire.example/rss", name: Wire, lang: en, tags: [policy]}
  - {url: "https://paper.example/atom.xml", interval: 10m, pages: false}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"feeds", "export", "-feeds", list}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut.String())
	}
	back, err := feed.ParseList("export.opml", out.Bytes())
	if err != nil {
		t.Fatalf("exported OPML does not read back: %v\n%s", err, out.String())
	}
	// OPML carries URLs, language and categories; names, intervals and
	// pages are YAML-only.
	if len(back) != 2 || back[0].URL != "https://wire.example/rss" || back[0].Lang != "en" || back[1].URL != "https://paper.example/atom.xml" {
		t.Errorf("read back %+v", back)
	}
}

// status shows every feed's state, last success and error, as stored by
// the ingester in NATS.
func TestFeedsStatus(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken.xml" {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>%s/a</link><description>x</description></item></channel></rss>`, srv.URL)
	}))
	defer srv.Close()
	ns := natstest.StartSetUp(t)
	c := natstest.Connect(t, ns.ClientURL(), "ingest")
	side := natstest.OpenIngest(t, c)
	no := false
	good, bad := srv.URL+"/good.xml", srv.URL+"/broken.xml"
	in, err := ingest.New(ingest.Config{
		Sources: []feed.Source{{URL: good, Pages: &no}, {URL: bad}},
		Fetch:   fetch.New(fetch.Options{Allow: fetch.Loopback}),
		State:   side.States,
	}, c, side.Seen, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	in.PollAll(context.Background())

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"feeds", "status", "-nats", ns.ClientURL()}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("status: %v\n%s", err, errOut.String())
	}
	text := out.String()
	lines := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		for _, u := range []string{good, bad} {
			if strings.Contains(l, u) {
				lines[u] = l
			}
		}
	}
	if l := lines[good]; !strings.HasPrefix(l, "ok ") || !strings.Contains(l, " ago") {
		t.Errorf("good feed line: %q", l)
	}
	if l := lines[bad]; !strings.HasPrefix(l, "failing ") || !strings.Contains(l, "500") || !strings.Contains(l, "never") {
		t.Errorf("broken feed line: %q", l)
	}
	if !strings.Contains(text, "2 feeds: 1 ok, 1 failing, 0 disabled, 0 new") {
		t.Errorf("no summary line:\n%s", text)
	}

	out.Reset()
	if err := run(context.Background(), []string{"feeds", "status", "-json", "-nats", ns.ClientURL()}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&out)
	n := 0
	for dec.More() {
		var st ingest.FeedState
		if err := dec.Decode(&st); err != nil {
			t.Fatal(err)
		}
		if st.URL == good && st.Items != 1 {
			t.Errorf("good feed items = %d, want 1", st.Items)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d JSON states, want 2", n)
	}

	if err := run(context.Background(), []string{"feeds", "bogus"}, noEnv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown subcommand: err %v", err)
	}
}

// add, pause and remove write FEEDS and show in status.
func TestFeedsChange(t *testing.T) {
	ns := natstest.StartSetUp(t)
	nats := []string{"-nats", ns.ClientURL()}
	do := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(context.Background(), append(append([]string{"feeds"}, args[:1]...), append(nats, args[1:]...)...), noEnv, &out, &errOut); err != nil {
			t.Fatalf("feeds %v: %v\n%s", args, err, errOut.String())
		}
		return out.String()
	}
	const u = "https://wire.example/rss"
	if out := do("add", "-name", "Wire", "-pages", "false", "-tags", "policy,us", u); !strings.Contains(out, u+": add by ") {
		t.Errorf("add printed %q", out)
	}
	status := do("status")
	if !strings.Contains(status, "new") || !strings.Contains(status, "add by ") {
		t.Errorf("status after add:\n%s", status)
	}
	do("pause", u)
	if status = do("status"); !strings.Contains(status, "paused") || !strings.Contains(status, "1 paused, 0 removed") {
		t.Errorf("status after pause:\n%s", status)
	}
	do("remove", u)
	if status = do("status"); !strings.Contains(status, "removed") {
		t.Errorf("status after remove:\n%s", status)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"feeds", "pause"}, append(nats, "https://never.example/rss")...), noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "no such feed") {
		t.Errorf("pausing an unknown feed: %v", err)
	}
	err = run(context.Background(), append([]string{"feeds", "add"}, append(nats, "ftp://x")...), noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("adding a bad URL: %v", err)
	}
}
