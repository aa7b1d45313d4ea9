package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus/natstest"
)

// `newsmon setup -sinks FILE` writes each sink's consumer on ALERTS from
// notify's sinks file, without the sinks' secrets (none of the variables
// it names is set here); run again it changes nothing, with a sink's new
// subjects it updates only that, and a sink gone from the file is
// reported with the way to remove it, not removed. A bad sinks file stops
// it before anything is written, naming file:line.
func TestSetupSinks(t *testing.T) {
	url := natstest.Start(t).ClientURL()
	dir := t.TempDir()
	sinks := filepath.Join(dir, "sinks.yaml")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(sinks, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	setup := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"setup", "-nats", url}, args...), func(string) string { return "" }, &stdout, &stderr, nil)
		return stdout.String(), err
	}
	const two = `sinks:
  - name: hook
    subjects: [alerts.cloud.>]
    webhook: {url: {env: HOOK_URL}, secret: {file: hook.key}}
  - name: chat
    subjects: [alerts.spike.>]
    slack: {url: {env: SLACK_URL}}
`
	write(two)
	out, err := setup("-sinks", sinks, "-sink-ack-wait", "45s")
	if err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	for _, want := range []string{"consumer ALERTS > notify-hook: created\n", "consumer ALERTS > notify-chat: created\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("first setup lacks %q:\n%s", want, out)
		}
	}
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	hook, err := js.Consumer(ctx, pipeline.AlertsStream, "notify-hook")
	if err != nil {
		t.Fatal(err)
	}
	if cfg := hook.CachedInfo().Config; cfg.AckWait != 45*time.Second || strings.Join(cfg.FilterSubjects, " ") != "alerts.cloud.>" ||
		cfg.DeliverPolicy != jetstream.DeliverNewPolicy {
		t.Errorf("notify-hook: ack wait %s, filters %v, deliver %s", cfg.AckWait, cfg.FilterSubjects, cfg.DeliverPolicy)
	}

	out, err = setup("-sinks", sinks, "-sink-ack-wait", "45s")
	if err != nil || strings.Contains(out, "created") || strings.Contains(out, "updated") {
		t.Errorf("setup again with the same file: %v\n%s", err, out)
	}

	write(strings.Replace(two, "[alerts.cloud.>]", "[alerts.cloud.>, alerts.watch.>]", 1))
	out, err = setup("-sinks", sinks, "-sink-ack-wait", "45s")
	if want := "consumer ALERTS > notify-hook: updated (filter_subjects [alerts.cloud.>] -> [alerts.cloud.> alerts.watch.>])\n"; err != nil || !strings.Contains(out, want) || strings.Count(out, "updated") != 1 {
		t.Errorf("setup with a sink's new subjects: %v\n%s\nwant one update: %s", err, out, want)
	}

	write(strings.Split(two, "  - name: chat")[0])
	out, err = setup("-sinks", sinks, "-sink-ack-wait", "45s")
	if want := "consumer ALERTS > notify-chat: not in the sinks file; keep it by naming sink chat in the sinks file, or remove it with `nats consumer rm ALERTS notify-chat` as the setup user\n"; err != nil || !strings.Contains(out, want) {
		t.Errorf("setup without sink chat: %v\n%s\nwant %s", err, out, want)
	}
	if _, err := js.Consumer(ctx, pipeline.AlertsStream, "notify-chat"); err != nil {
		t.Errorf("setup removed notify-chat: %v", err)
	}

	write("sinks:\n  - name: Bad Name\n    subjects: [alerts.>]\n    slack: {url: {env: SLACK_URL}}\n")
	s2 := natstest.Start(t).ClientURL()
	var stdout, stderr bytes.Buffer
	err = run(ctx, []string{"setup", "-nats", s2, "-sinks", sinks}, func(string) string { return "" }, &stdout, &stderr, nil)
	if err == nil || !strings.Contains(err.Error(), sinks+`:2: sink name "Bad Name"`) {
		t.Errorf("setup with a bad sinks file: %v", err)
	}
	nc2, err := nats.Connect(s2)
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	js2, _ := jetstream.New(nc2)
	for name := range js2.StreamNames(ctx).Name() {
		t.Errorf("setup with a bad sinks file wrote stream %s", name)
	}
}
