package desk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
)

func copyRules(t *testing.T) string {
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

func TestExportFeedbackWritesExamplesOnce(t *testing.T) {
	dir := copyRules(t)
	body := "Shares of the retailer rose.\n\nAmazon said its cloud unit AWS signed a large contract with a bank."
	snippet := "Amazon said its cloud unit AWS signed a large contract with a bank."
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ref := pipeline.ArticleRef{ID: "a:1", URL: "https://news.example/1", Title: "A bank moves to the cloud"}
	fbs := []pipeline.Feedback{
		{ID: "a:1:cloud.aws:wrong:ed", Rule: "cloud.aws", Verdict: "wrong", User: "ed", At: at, Article: ref, Body: body,
			Matches: []pipeline.Match{{Entity: "cloud.aws", Text: "AWS", Field: "body", Snippet: snippet}}},
		{ID: "a:1:cloud.aws:correct:ed", Rule: "cloud.aws", Verdict: "correct", User: "ed", At: at.Add(-time.Hour), Article: ref, Body: body,
			Matches: []pipeline.Match{{Entity: "cloud.aws", Text: "AWS", Field: "body", Snippet: snippet}}},
		{ID: "a:2:cloud.huawei:missed:rita", Rule: "cloud.huawei", Verdict: "missed", User: "rita", At: at,
			Article: pipeline.ArticleRef{ID: "a:2", URL: "https://news.example/2", Title: "Phone maker's cloud arm grows"},
			Body:    "The Shenzhen company's cloud arm grew fastest of its units."},
		{ID: "a:3:watch.nope:wrong:ed", Rule: "watch.nope", Verdict: "wrong", User: "ed", At: at, Article: ref, Body: body},
	}
	got, err := ExportFeedback(dir, fbs)
	if err != nil {
		t.Fatal(err)
	}
	// The later "wrong" replaces ed's earlier "correct"; the unknown rule is left out.
	if len(got) != 2 {
		t.Fatalf("exported %+v, want 2", got)
	}
	for _, e := range got {
		switch e.Verdict {
		case "wrong":
			if !strings.HasSuffix(e.File, "cloud.yaml") || len(e.Not) != 1 || !e.FailsNow {
				t.Errorf("wrong: %+v, want a must-not example in cloud.yaml that fails until the rule is fixed", e)
			}
		case "missed":
			if e.Want[0] != "cloud.huawei" || !e.FailsNow {
				t.Errorf("missed: %+v", e)
			}
		default:
			t.Errorf("unexpected %+v", e)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "cloud.yaml"))
	if !strings.Contains(string(data), "# feedback a:1:cloud.aws:wrong:ed : wrong by ed") || !strings.Contains(string(data), "not: [cloud.aws]") {
		t.Errorf("cloud.yaml lacks the example:\n%s", data[len(data)-600:])
	}
	set, err := rules.LoadDir(dir)
	if err != nil {
		t.Fatalf("rules after export: %v", err)
	}
	if n := len(set.RunExamples()); n != 2 {
		t.Errorf("%d examples fail, want the 2 new ones", n)
	}
	again, err := ExportFeedback(dir, fbs)
	if err != nil || len(again) != 0 {
		t.Errorf("second export: %+v, %v; want nothing new", again, err)
	}
}
