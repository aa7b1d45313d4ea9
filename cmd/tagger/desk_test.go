package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/alert"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/demo"
	"newsmon/pipeline/desk"
	"newsmon/pipeline/rules"
)

func copyRuleFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names, _ := filepath.Glob("../../rules/*.yaml")
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(n)), data, 0o644)
	}
	return dir
}

// tagger backtest sends a rule folder to a desk and prints what it flags.
func TestBacktestAgainstADesk(t *testing.T) {
	set, err := rules.LoadDir("../../rules")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := desk.OpenSQLite(filepath.Join(t.TempDir(), "desk.db"), desk.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	b := &desk.Batch{Articles: demo.Articles(time.Now())}
	for i := range b.Articles {
		a := &b.Articles[i]
		for _, al := range alert.Build(a, set.Match(rules.Doc{Title: a.Title, Body: a.Text}), time.Now()) {
			b.Alerts = append(b.Alerts, desk.AlertRecord{Alert: al})
		}
	}
	if _, err := idx.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	srv, err := desk.NewServer(desk.Options{Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// A copy of the rules where the FCC rule also fires on the UK's
	// Competition and Markets Authority.
	dir := copyRuleFolder(t)
	p := filepath.Join(dir, "policy.yaml")
	data, _ := os.ReadFile(p)
	changed := bytes.Replace(data, []byte("      - Federal Communications Commission\n"),
		[]byte("      - Federal Communications Commission\n      - Competition and Markets Authority\n"), 1)
	if bytes.Equal(changed, data) {
		t.Fatal("policy.yaml: the FCC's aliases are not where this test expects them")
	}
	os.WriteFile(p, changed, 0o644)

	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"backtest", "-rules", dir, "-since", "30d", "-desk", ts.URL}, func(string) string { return "" }, &out, &errOut, nil)
	if err != nil {
		t.Fatalf("backtest: %v\n%s", err, errOut.String())
	}
	got := out.String()
	if !strings.Contains(got, "articles since") || !strings.Contains(got, "policy.fcc") ||
		!strings.Contains(got, "new policy.fcc: UK regulator publishes cloud market findings") {
		t.Errorf("backtest printed:\n%s", got)
	}
}

// tagger feedback export reads FEEDBACK and writes examples into the file
// that defines each rule.
func TestFeedbackExportFromStream(t *testing.T) {
	srv := natstest.StartSetUp(t)
	c := natstest.Connect(t, srv.ClientURL(), "test")
	f := pipeline.Feedback{Schema: 1, ID: "a:9:cloud.azure:wrong:ed", Rule: "cloud.azure", Verdict: "wrong", User: "ed", At: time.Now(),
		Article: pipeline.ArticleRef{ID: "a:9", URL: "https://news.example/9", Title: "Holiday coast"},
		Body:    "Microsoft Azure is the colour of the sea here, said the brochure.",
		Matches: []pipeline.Match{{Entity: "cloud.azure", Text: "Microsoft Azure", Field: "body", Snippet: "Microsoft Azure is the colour of the sea here, said the brochure."}}}
	if err := c.PublishFeedback(context.Background(), &f); err != nil {
		t.Fatal(err)
	}
	dir := copyRuleFolder(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"feedback", "export", "-rules", dir, "-nats", srv.ClientURL()}, func(string) string { return "" }, &out, &errOut, nil)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "cloud.yaml: + not cloud.azure") || !strings.Contains(out.String(), "1 example(s) added, 1 of them failing") {
		t.Errorf("export printed:\n%s", out.String())
	}
	// tagger test now fails on the example until the rule is fixed.
	out.Reset()
	if err := run(context.Background(), []string{"test", "-rules", dir}, nil, &out, &errOut, nil); err == nil || !strings.Contains(out.String(), "1 failed") {
		t.Errorf("tagger test after export: %v\n%s", err, out.String())
	}
}
