package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsmon/cmd/internal/envflag/envflagtest"
	"newsmon/pipeline"
)

func runArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut, nil)
	return out.String() + errOut.String(), err
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tagger match reads text, HTML and Article JSON, and prints one Alert a
// line with its subject.
func TestMatch(t *testing.T) {
	dir := t.TempDir()
	text := write(t, dir, "a.txt", "Huawei Cloud was named in the FCC order on Tuesday.")
	page := write(t, dir, "b.html", `<html><head><title>Amazon drought</title></head><body><article>
<p>Low water on the Amazon river stranded boats across the rainforest this week, villagers said.</p>
<p>Scientists blamed warm seas for the drought, the worst in the basin for a century.</p></article></body></html>`)
	art := write(t, dir, "c.json", `{"id":"a:x","url":"https://example.com/x","title":"Tencent Cloud expands","text":"The company opened a region."}`)
	out, err := runArgs(t, "match", "-rules", filepath.Join("..", "..", "rules"), text, page, art)
	if err != nil {
		t.Fatalf("match: %v\n%s", err, out)
	}
	var subjects []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var a pipeline.Alert
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		subjects = append(subjects, a.Subject+" "+a.Article.URL)
	}
	got := strings.Join(subjects, "\n")
	for _, want := range []string{"alerts.cloud.huawei file://", "alerts.policy.fcc file://", "alerts.cloud.tencent https://example.com/x"} {
		if !strings.Contains(got, want) {
			t.Errorf("match output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "b.html") {
		t.Errorf("the Amazon river page raised an alert:\n%s", got)
	}
}

func TestCheckNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "broken.yaml", "entities:\n  - id: acme\n    category: cloud\n    name: Acme\n    aliases: [Acme Cloud]\n    colour: blue\n")
	out, err := runArgs(t, "check", "-rules", dir)
	if err == nil {
		t.Fatalf("check accepted a file with an unknown key:\n%s", out)
	}
	if !strings.Contains(out+err.Error(), "broken.yaml:6") {
		t.Errorf("check output does not name broken.yaml:6:\n%s\n%v", out, err)
	}
}

func TestShippedRulesCheck(t *testing.T) {
	if out, err := runArgs(t, "check", "-rules", filepath.Join("..", "..", "rules")); err != nil {
		t.Fatalf("check of shipped rules: %v\n%s", err, out)
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, err := runArgs(t, "frobnicate"); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("err = %v, want one naming the command", err)
	}
}

// A rule folder that is not there stops the service before it connects,
// with an error that names the folder and how to give one.
func TestMissingRulesFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-such-rules")
	_, err := runArgs(t, "run", "-rules", dir, "-nats", "nats://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "-rules DIR") {
		t.Errorf("err = %v, want one naming %s and -rules DIR", err, dir)
	}
}

// Every variable deploy/env/tagger.env sets is one `tagger -h` names.
func TestDeployEnvFile(t *testing.T) {
	var help bytes.Buffer
	run(context.Background(), []string{"-h"}, func(string) string { return "" }, io.Discard, &help, nil)
	envflagtest.CheckEnvFile(t, filepath.Join("..", "..", "deploy", "env", "tagger.env"), help.String())
}
