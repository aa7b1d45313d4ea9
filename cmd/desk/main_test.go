package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsmon/pipeline"
	"newsmon/pipeline/alert"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/demo"
	"newsmon/pipeline/desk"
	"newsmon/pipeline/rules"
)

// The test binary runs as the desk itself when DESK_AS_MAIN is set, so the
// kill -9 test can kill a real desk process.
func TestMain(m *testing.M) {
	if os.Getenv("DESK_AS_MAIN") == "1" {
		os.Args = []string{"desk"}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func shippedRules(t testing.TB) *rules.Set {
	t.Helper()
	set, err := rules.LoadDir("../../rules")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// publish stores articles in ARTICLES and the alerts the shipped rules
// raise on them in ALERTS, as ingest and the tagger would; it returns the
// number of alerts.
func publish(t testing.TB, c *bus.Client, set *rules.Set, arts []pipeline.Article) int {
	t.Helper()
	ctx := context.Background()
	var (
		ptrs   []*pipeline.Article
		alerts []pipeline.Alert
	)
	for i := range arts {
		ptrs = append(ptrs, &arts[i])
		hits := set.Match(rules.Doc{Title: arts[i].Title, Body: arts[i].Text})
		alerts = append(alerts, alert.Build(&arts[i], hits, arts[i].FetchedAt.Add(time.Second))...)
	}
	for i := 0; i < len(ptrs); i += 500 {
		if err := c.PublishArticles(ctx, ptrs[i:min(i+500, len(ptrs))]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(alerts); i += 500 {
		if err := c.PublishAlerts(ctx, alerts[i:min(i+500, len(alerts))]); err != nil {
			t.Fatal(err)
		}
	}
	return len(alerts)
}

// generated makes n articles of about 1.5 KB, every fifth naming a firm the
// rules track, each with a word of its own to search for.
func generated(n int, now time.Time) []pipeline.Article {
	firms := []string{"Huawei Cloud", "Alibaba Cloud", "the FCC", "Tencent Cloud", "Microsoft Azure"}
	filler := "The report described supply chains, staffing and the weather in several regions over the past quarter. "
	out := make([]pipeline.Article, n)
	for i := range out {
		pub := now.Add(-time.Duration(n-i) * time.Second)
		text := fmt.Sprintf("Story serial%d begins here.\n\n%s", i, strings.Repeat(filler, 12))
		if i%5 == 0 {
			text += fmt.Sprintf("\n\nAnalysts said %s would be affected.", firms[(i/5)%len(firms)])
		}
		u := fmt.Sprintf("https://gen.example/%d", i)
		out[i] = pipeline.Article{Schema: 1, ID: pipeline.ArticleID(u), URL: u, Source: "gen_example", Title: fmt.Sprintf("Generated story %d", i),
			Published: &pub, FetchedAt: now, Text: text, Extraction: pipeline.ExtractionPage}
	}
	return out
}

type proc struct {
	cmd  *exec.Cmd
	base string
	log  *strings.Builder
}

// startDesk runs the test binary as a desk process.
func startDesk(t *testing.T, natsURL, index string) *proc {
	t.Helper()
	port := natstest.FreePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DESK_AS_MAIN=1", "NATS_URL="+natsURL, "DESK_INDEX="+index,
		fmt.Sprintf("DESK_LISTEN=127.0.0.1:%d", port), "HTTP_ADDR=", "DESK_RULES=../../rules", "LOG_LEVEL=warn")
	var log strings.Builder
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), log: &log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

func status(base string) (desk.Status, error) {
	var st desk.Status
	res, err := http.Get(base + "/api/status")
	if err != nil {
		return st, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return st, fmt.Errorf("status %d", res.StatusCode)
	}
	return st, json.NewDecoder(res.Body).Decode(&st)
}

// waitCaughtUp waits until the desk has stored every message of the
// streams and returns its status.
func waitCaughtUp(t *testing.T, p *proc, js nats.JetStreamContext) desk.Status {
	t.Helper()
	want := map[string]int64{}
	for _, s := range []string{pipeline.ArticlesStream, pipeline.AlertsStream} {
		info, err := js.StreamInfo(s)
		if err != nil {
			t.Fatal(err)
		}
		want[s] = int64(info.State.LastSeq)
	}
	var st desk.Status
	natstest.WaitFor(t, 60*time.Second, "desk caught up with the streams", func() bool {
		var err error
		st, err = status(p.base)
		return err == nil && st.Positions[pipeline.ArticlesStream] == want[pipeline.ArticlesStream] &&
			st.Positions[pipeline.AlertsStream] == want[pipeline.AlertsStream]
	})
	return st
}

func search(t *testing.T, base, q string) int {
	t.Helper()
	res, err := http.Get(base + "/api/search?limit=50&q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page desk.SearchPage
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	return len(page.Hits)
}

// A desk killed with SIGKILL while indexing resumes from the last batch it
// committed and ends with every article and alert once; a deleted index is
// rebuilt from the streams to the same counts.
func TestKillMidIndexingThenRebuild(t *testing.T) {
	srv := natstest.StartSetUp(t)
	c := natstest.Connect(t, srv.ClientURL(), "test-publisher")
	js, _ := c.Conn().JetStream()
	const n = 6000
	arts := generated(n, time.Now())
	nAlerts := publish(t, c, shippedRules(t), arts)
	index := filepath.Join(t.TempDir(), "desk.db")

	p := startDesk(t, srv.ClientURL(), index)
	var killedAt desk.Counts
	natstest.WaitFor(t, 60*time.Second, "indexing to start", func() bool {
		st, err := status(p.base)
		killedAt = st.Counts
		return err == nil && st.Counts.Articles > 0
	})
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	if killedAt.Articles >= n {
		t.Fatalf("the desk indexed all %d articles before the kill; the test needs more", n)
	}
	t.Logf("killed at %+v", killedAt)

	p = startDesk(t, srv.ClientURL(), index)
	st := waitCaughtUp(t, p, js)
	if st.Counts.Articles != n || st.Counts.Alerts != nAlerts || st.Counts.Stubs != 0 {
		t.Errorf("after restart: %+v, want %d articles and %d alerts", st.Counts, n, nAlerts)
	}
	for _, i := range []int{0, 1, n / 2, n - 1} {
		if got := search(t, p.base, fmt.Sprintf("serial%d", i)); got != 1 {
			t.Errorf("article %d found %d times, want once", i, got)
		}
	}
	// SIGTERM stops it cleanly.
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("desk exit on SIGTERM: %v\n%s", err, p.log)
	}
	idx, err := desk.OpenSQLite(index, desk.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Check(context.Background()); err != nil {
		t.Errorf("index after kill and restart: %v", err)
	}
	idx.Close()

	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(index + suffix)
	}
	p = startDesk(t, srv.ClientURL(), index)
	rebuilt := waitCaughtUp(t, p, js)
	if rebuilt.Counts != st.Counts {
		t.Errorf("rebuilt index: %+v, before deletion %+v", rebuilt.Counts, st.Counts)
	}
}

// A message on either stream that is not an article or alert is counted
// and skipped; the desk goes on with the next one.
func TestMalformedMessagesCountedAndSkipped(t *testing.T) {
	srv := natstest.StartSetUp(t)
	c := natstest.Connect(t, srv.ClientURL(), "test-publisher")
	js, _ := c.Conn().JetStream()
	for _, m := range []struct{ subject, data string }{
		{"news.articles.bad", "{not json"},
		{"news.articles.bad", `{"title": "no id or url"}`},
		{"tagged.alerts.cloud.bad", `["an", "array"]`},
		{"feedback.cloud.aws", `{"id": "x", "verdict": "perhaps"}`},
	} {
		if _, err := js.Publish(m.subject, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
	}
	arts := demo.Articles(time.Now())
	nAlerts := publish(t, c, shippedRules(t), arts)
	p := startDesk(t, srv.ClientURL(), filepath.Join(t.TempDir(), "desk.db"))
	st := waitCaughtUp(t, p, js)
	if st.Counts.Articles != len(arts) || st.Counts.Alerts != nAlerts {
		t.Errorf("counts %+v, want %d articles, %d alerts", st.Counts, len(arts), nAlerts)
	}
	want := map[string]int64{pipeline.ArticlesStream: 2, pipeline.AlertsStream: 1, pipeline.FeedbackStream: 1}
	natstest.WaitFor(t, 10*time.Second, "feedback stream read", func() bool {
		st, _ = status(p.base)
		return st.Malformed[pipeline.FeedbackStream] == 1
	})
	for s, n := range want {
		if st.Malformed[s] != n {
			t.Errorf("malformed %s = %d, want %d", s, st.Malformed[s], n)
		}
	}
	// A query the search language cannot parse is the client's mistake: 400, not 500.
	res, err := http.Get(p.base + "/api/search?q=" + url.QueryEscape(`"huawei cloud`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(body), "unterminated string") {
		t.Errorf("bad query: %d %s", res.StatusCode, body)
	}
}
