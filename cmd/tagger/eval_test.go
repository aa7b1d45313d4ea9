package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"newsmon/pipeline/rules"
)

// tagger eval scores the shipped rules on labelled passages: a table with
// every error and its sentence, or JSON.
func TestEval(t *testing.T) {
	dir := t.TempDir()
	gold := write(t, dir, "gold.jsonl", `{"id": "p1", "title": "Huawei Cloud wins deal", "text": "The FCC said nothing.", "want": ["cloud.huawei", "policy.fcc", "watch.china-cloud-headline", "watch.china-cloud-us-policy"]}
{"id": "p2", "text": "Low water on the Amazon river stranded boats.", "want": [], "hard": true}
{"id": "p3", "text": "Tencent Cloud grew fast.", "want": ["cloud.tencent", "cloud.baidu"]}
`)
	shipped := filepath.Join("..", "..", "rules")
	out, err := runArgs(t, "eval", "-rules", shipped, "-gold", gold)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	for _, want := range []string{
		"3 passages (1 hard negatives)",
		"cloud.baidu   0   0   1      1.000   0.000  0.000",
		"entities",
		"FN cloud.baidu p3",
		"text: Tencent Cloud grew fast.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}

	out, err = runArgs(t, "eval", "-rules", shipped, "-gold", gold, "-json")
	if err != nil {
		t.Fatalf("eval -json: %v\n%s", err, out)
	}
	var rep rules.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval -json is not a report: %v\n%s", err, out)
	}
	if rep.Passages != 3 || rep.Entities.TP != 3 || rep.Entities.FN != 1 || len(rep.Errors) != 1 {
		t.Errorf("report: %d passages, entities %+v, %d errors", rep.Passages, rep.Entities, len(rep.Errors))
	}

	out, err = runArgs(t, "eval", "-rules", shipped, "-gold", gold, "-errors=false")
	if err != nil || strings.Contains(out, "FN cloud.baidu") {
		t.Errorf("eval -errors=false listed errors (err %v):\n%s", err, out)
	}

	bad := write(t, dir, "bad.jsonl", "{\"id\": \"x\", \"text\": \"t\", \"want\": []}\n{\"id\": \"y\", \"text\": \"t\"}\n")
	if _, err := runArgs(t, "eval", "-rules", shipped, "-gold", bad); err == nil || !strings.Contains(err.Error(), "bad.jsonl:2: y: no want") {
		t.Errorf("bad gold file: err = %v, want one naming bad.jsonl:2", err)
	}
	if _, err := runArgs(t, "eval", "-rules", shipped); err == nil || !strings.Contains(err.Error(), "no gold file") {
		t.Errorf("no -gold: err = %v", err)
	}
}
