package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/cmd/internal/notifyd"
	"newsmon/pipeline"
	"newsmon/pipeline/bus"
)

// startDeployServer runs a server from deploy/nats/nats-server.conf, the
// users and permissions operators get, with the topology and the
// consumers of sinksFile's sinks set up by the setup user.
func startDeployServer(t *testing.T, sinksFile string) string {
	t.Helper()
	for _, u := range []string{"setup", "ingest", "tagger", "desk", "notify", "analyst", "analyst2", "sys"} {
		t.Setenv("NEWSMON_"+strings.ToUpper(u)+"_PASSWORD", u+"-secret")
	}
	t.Setenv("NATS_SERVER_NAME", "newsmon-1")
	t.Setenv("NATS_STORE_DIR", t.TempDir())
	opts, err := server.ProcessConfigFile(filepath.Join("..", "..", "deploy", "nats", "nats-server.conf"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", -1, 0
	opts.StoreDir, opts.NoLog, opts.NoSigs = t.TempDir(), true, true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	top := bus.DefaultTopology()
	if top.Sinks, err = notifyd.LoadSinksForSetup(sinksFile); err != nil {
		t.Fatal(err)
	}
	setup := userClient(t, s.ClientURL(), "setup")
	if _, err := setup.Setup(context.Background(), top); err != nil {
		t.Fatal(err)
	}
	return s.ClientURL()
}

func userClient(t *testing.T, url, user string) *bus.Client {
	t.Helper()
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.InboxPrefix = url, user, user, user+"-secret", "_INBOX_"+user
	c, err := bus.Connect(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("%s connects: %v", user, err)
	}
	t.Cleanup(c.Close)
	return c
}

// notify as the deploy config's notify user, on the sink's consumer the
// setup user wrote: it delivers the tagger's alerts, detects a spike
// (reading ALERTS by get requests) and publishes it (delivered to the
// same sink like any alert), stores dead letters, and lists and replays
// them, with no permission refused.
func TestUnderDeployPermissions(t *testing.T) {
	rec, srv := newReceiver(t)
	var down bool
	rec.fail = func(_ int, id string) int {
		if down && strings.HasPrefix(id, "a:dead") {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	env := map[string]string{"HOOK_URL": srv.URL, "HOOK_SECRET": testSecret, "NATS_PASSWORD": "notify-secret"}
	sinks := writeSinks(t, `sinks:
  - name: hook
    subjects: [alerts.>]
    retry: {attempts: 2, first: 10ms, max: 10ms}
    webhook:
      url: {env: HOOK_URL}
      secret: {env: HOOK_SECRET}
`)
	url := startDeployServer(t, sinks)
	natsFlags := []string{"-nats", url, "-nats-user", "notify", "-nats-inbox", "_INBOX_notify"}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	logs := &lockedWriter{w: &stderr}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(append([]string{}, natsFlags...), "-sinks", sinks, "-http", ""), func(k string) string { return env[k] }, io.Discard, logs)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("notify: %v", err)
		}
		if strings.Contains(stderr.String(), "ermission") {
			t.Errorf("permission refused:\n%s", stderr.String())
		}
	}()
	waitRunning(t, url, "notify-hook", done, nats.UserInfo("notify", "notify-secret"), nats.CustomInboxPrefix("_INBOX_notify"))

	// History: three articles an hour about Huawei Cloud for 46 hours,
	// then twelve in the current hour.
	tagger := userClient(t, url, "tagger")
	now := time.Now().UTC()
	var batch []pipeline.Alert
	mk := func(id string, at time.Time) pipeline.Alert {
		return pipeline.Alert{Schema: 1, ID: id + ":huawei", Subject: "alerts.cloud.huawei", Rule: "huawei", Category: "cloud",
			Name: "Huawei Cloud", Article: pipeline.ArticleRef{ID: id, URL: "https://example.com/" + id, Title: id, Published: &at},
			Matches: []pipeline.Match{{Entity: "cloud.huawei", Text: "Huawei Cloud", Field: "body", Snippet: "Huawei Cloud grew."}}, TaggedAt: now}
	}
	for h := 46; h >= 1; h-- {
		for i := range 3 {
			batch = append(batch, mk(fmt.Sprintf("a:h%02d%d", h, i), now.Add(-time.Duration(h)*time.Hour)))
		}
	}
	for i := range 12 {
		batch = append(batch, mk(fmt.Sprintf("a:burst%02d", i), now))
	}
	if err := tagger.PublishAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var spike string
	waitFor(t, "the alerts and one spike alert", 20*time.Second, func() bool {
		got := rec.accepted()
		for _, id := range got {
			if strings.HasPrefix(id, "spike:") {
				spike = id
			}
		}
		return len(got) >= len(batch)+1 && spike != ""
	})
	hour := now.Truncate(time.Hour).Format("2006-01-02T15")
	if want := "spike:cloud.huawei:1h:" + hour; spike != want {
		t.Errorf("spike alert %q, want %q", spike, want)
	}
	if n := len(rec.accepted()); n != len(batch)+1 {
		t.Errorf("%d deliveries, want %d alerts and one spike", n, len(batch)+1)
	}

	// Every delivered alert was acknowledged (an ack refused by a
	// permission would leave it pending).
	nc, err := nats.Connect(url, nats.UserInfo("notify", "notify-secret"), nats.CustomInboxPrefix("_INBOX_notify"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	waitFor(t, "every delivery acknowledged", 10*time.Second, func() bool {
		c, err := js.Consumer(ctx, pipeline.AlertsStream, "notify-hook")
		if err != nil {
			return false
		}
		info, err := c.Info(ctx)
		return err == nil && info.NumAckPending == 0 && info.NumPending == 0 && info.AckFloor.Stream >= uint64(len(batch)+1)
	})

	// Dead letters, listed and replayed as the notify user.
	rec.mu.Lock()
	down = true
	rec.mu.Unlock()
	if err := tagger.PublishAlerts(ctx, []pipeline.Alert{mk("a:dead", now)}); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string { return env[k] }
	waitFor(t, "a dead letter", 10*time.Second, func() bool {
		var out bytes.Buffer
		run(context.Background(), append([]string{"dead", "list"}, append(natsFlags, "hook")...), getenv, &out, io.Discard)
		return strings.Contains(out.String(), `"id":"a:dead:huawei"`)
	})
	rec.mu.Lock()
	down = false
	rec.mu.Unlock()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"dead", "replay", "-sinks", sinks}, append(natsFlags, "hook")...), getenv, &out, io.Discard); err != nil {
		t.Fatalf("dead replay: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), `"result":"delivered"`) {
		t.Errorf("replay: %s", out.String())
	}
}
