package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
)

func sinkAlerts(n int, subject string) []pipeline.Alert {
	var out []pipeline.Alert
	for i := range n {
		out = append(out, pipeline.Alert{Schema: 1, ID: fmt.Sprintf("a:%d:%s", i, subject), Subject: subject, Rule: "x", Category: "cloud",
			Article: pipeline.ArticleRef{ID: fmt.Sprintf("a:%d", i)}})
	}
	return out
}

// A sink's consumer, as setup writes it from the sinks file: it starts
// with the alerts stored after its creation, filters on its subjects,
// hands over what waits through Fetch without waiting for more; setup
// run again with a wider filter updates it and keeps its position.
func TestSinkStream(t *testing.T) {
	s := natstest.StartSetUp(t)
	c := natstest.Connect(t, s.ClientURL(), "notify")
	ctx := context.Background()
	if err := c.PublishAlerts(ctx, sinkAlerts(3, "alerts.cloud.before")); err != nil {
		t.Fatal(err)
	}
	top := natstest.Topology()
	top.SinkAckWait = time.Minute
	top.Sinks = []bus.Sink{{Name: "digest", Subjects: []string{"alerts.cloud.>"}}}
	natstest.Setup(t, s.ClientURL(), top)
	st, err := c.SinkStream(ctx, "digest")
	if err != nil {
		t.Fatal(err)
	}
	if st.AckWait() != time.Minute {
		t.Errorf("ack wait %s, want the topology's 1m", st.AckWait())
	}
	if err := c.PublishAlerts(ctx, append(sinkAlerts(5, "alerts.cloud.huawei"), pipeline.Alert{Schema: 1, ID: "p:1", Subject: "alerts.policy.fcc"})); err != nil {
		t.Fatal(err)
	}
	// The publish ack says the alerts are stored; the consumer learns of
	// them a moment later, so a fetch that does not wait may come back
	// empty right after it. The test fetches until they are there.
	var got []bus.AlertMsg
	for deadline := time.Now().Add(5 * time.Second); len(got) < 5; {
		batch, err := st.Fetch(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) > 3 {
			t.Fatalf("Fetch(3) gave %d", len(batch))
		}
		if len(batch) == 0 && time.Now().After(deadline) {
			t.Fatalf("Fetch gave nothing after %d of 5 for 5s", len(got))
		}
		if len(batch) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		got = append(got, batch...)
	}
	for i, m := range got {
		if m.Seq != uint64(4+i) || m.Stored.IsZero() {
			t.Errorf("message %d: seq %d stored %s, want seq %d", i, m.Seq, m.Stored, 4+i)
		}
		if err := m.Ack(); err != nil {
			t.Fatal(err)
		}
	}
	if batch, err := st.Fetch(ctx, 10); err != nil || len(batch) != 0 {
		t.Fatalf("Fetch with nothing waiting: %d messages, %v", len(batch), err)
	}
	// Set up again with a wider filter: the consumer is updated, its
	// position stays (no alert comes twice); new alerts on the added
	// subjects come, those stored before the change do not.
	top.Sinks[0].Subjects = []string{"alerts.>"}
	changes, err := natstest.Connect(t, s.ClientURL(), "setup").Setup(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	if ch := changeOf(changes, "consumer ALERTS > notify-digest"); ch.String() != "consumer ALERTS > notify-digest: updated (filter_subjects [alerts.cloud.>] -> [alerts.>])" {
		t.Errorf("setup with a wider filter: %s", ch)
	}
	if err := c.PublishAlerts(ctx, []pipeline.Alert{{Schema: 1, ID: "p:2", Subject: "alerts.policy.fcc"}}); err != nil {
		t.Fatal(err)
	}
	var again []bus.AlertMsg
	for range 100 {
		batch, _ := st.Fetch(ctx, 10)
		again = append(again, batch...)
		if len(again) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(again) != 1 || again[0].Seq != 10 {
		t.Errorf("after the update: %d messages %+v, want only the new policy alert (seq 10)", len(again), again)
	}
}

func changeOf(changes []bus.Change, object string) bus.Change {
	for _, ch := range changes {
		if ch.Object == object {
			return ch
		}
	}
	return bus.Change{Object: object, Action: "not reported"}
}

// Notify binds to its sinks' consumers and creates none: a sink setup has
// not written, or written with other subjects than the sinks file's now,
// stops it at start, naming the sink and `newsmon setup -sinks`; nothing
// is created or changed.
func TestVerifyNotifySinks(t *testing.T) {
	s := natstest.Start(t)
	top := natstest.Topology()
	top.Sinks = []bus.Sink{{Name: "hook", Subjects: []string{"alerts.cloud.>"}}}
	natstest.Setup(t, s.ClientURL(), top)
	c := natstest.Connect(t, s.ClientURL(), "notify")
	ctx := context.Background()
	if err := c.VerifyNotify(ctx, top.Sinks); err != nil {
		t.Fatalf("verify after setup with the same sinks: %v", err)
	}
	file := []bus.Sink{{Name: "hook", Subjects: []string{"alerts.>"}}, {Name: "chat", Subjects: []string{"alerts.spike.>"}}}
	err := c.VerifyNotify(ctx, file)
	if !errors.Is(err, bus.ErrNotSetUp) {
		t.Fatalf("verify with sinks setup did not write: %v, want ErrNotSetUp", err)
	}
	for _, want := range []string{
		"sink hook: consumer ALERTS > notify-hook: filters [alerts.cloud.>], the sinks file wants [alerts.>]",
		"sink chat: consumer ALERTS > notify-chat does not exist",
		"`newsmon setup -sinks FILE`",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, err := c.SinkStream(ctx, "chat"); !errors.Is(err, bus.ErrNotSetUp) || !strings.Contains(err.Error(), "sink chat") {
		t.Errorf("binding to a sink setup did not write: %v", err)
	}
	js, _ := jetstream.New(c.Conn())
	alerts, err := js.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for n := range alerts.ConsumerNames(ctx).Name() {
		names[n] = true
	}
	if len(names) != 1 || !names["notify-hook"] {
		t.Errorf("consumers on ALERTS after verify: %v, want notify-hook alone", names)
	}
	cons, _ := js.Consumer(ctx, pipeline.AlertsStream, "notify-hook")
	if f := cons.CachedInfo().Config.FilterSubjects; len(f) != 1 || f[0] != "alerts.cloud.>" {
		t.Errorf("verify changed notify-hook's filters: %v", f)
	}
}

// Setup writes a sink's consumer as notify relies on it (explicit acks,
// no delivery limit, the topology's ack wait, alerts from its creation
// on), and reports a sink's consumer the sinks file no longer names
// without removing it.
func TestSetupSinks(t *testing.T) {
	s := natstest.Start(t)
	c := natstest.Connect(t, s.ClientURL(), "setup")
	ctx := context.Background()
	top := natstest.Topology()
	top.SinkAckWait = 45 * time.Second
	top.Sinks = []bus.Sink{{Name: "hook", Subjects: []string{"alerts.cloud.>", "alerts.watch.>"}}, {Name: "old", Subjects: []string{"alerts.>"}}}
	if _, err := c.Setup(ctx, top); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(c.Conn())
	cons, err := js.Consumer(ctx, pipeline.AlertsStream, "notify-hook")
	if err != nil {
		t.Fatal(err)
	}
	cfg := cons.CachedInfo().Config
	if cfg.AckPolicy != jetstream.AckExplicitPolicy || cfg.MaxDeliver != -1 || cfg.AckWait != 45*time.Second ||
		cfg.DeliverPolicy != jetstream.DeliverNewPolicy || strings.Join(cfg.FilterSubjects, " ") != "alerts.cloud.> alerts.watch.>" {
		t.Errorf("notify-hook: ack %s, max deliver %d, ack wait %s, deliver %s, filters %v",
			cfg.AckPolicy, cfg.MaxDeliver, cfg.AckWait, cfg.DeliverPolicy, cfg.FilterSubjects)
	}

	top.Sinks = top.Sinks[:1]
	changes, err := c.Setup(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	if ch := changeOf(changes, "consumer ALERTS > notify-hook"); ch.Action != "unchanged" {
		t.Errorf("setup again: %s", ch)
	}
	ch := changeOf(changes, "consumer ALERTS > notify-old")
	if ch.Action != bus.NotInSinks || !strings.Contains(ch.String(), "notify-old: not in the sinks file; ") ||
		!strings.Contains(ch.Hint, "nats consumer rm ALERTS notify-old") {
		t.Errorf("setup without sink old: %s", ch)
	}
	if _, err := js.Consumer(ctx, pipeline.AlertsStream, "notify-old"); err != nil {
		t.Errorf("setup removed the consumer of a sink no longer in the file: %v", err)
	}
	// An analyst's consumer on ALERTS is not a sink's.
	if _, err := js.CreateConsumer(ctx, pipeline.AlertsStream, jetstream.ConsumerConfig{Durable: "analyst", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	changes, err = c.Setup(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	if ch := changeOf(changes, "consumer ALERTS > analyst"); ch.Action != "not reported" {
		t.Errorf("an analyst's consumer: %s", ch)
	}

	top.Sinks = append(top.Sinks, bus.Sink{Name: "hook", Subjects: []string{"alerts.>"}})
	if err := top.Validate(); err == nil || !strings.Contains(err.Error(), `sink "hook": named twice`) {
		t.Errorf("validate with a sink named twice: %v", err)
	}
}

// The spike watcher's read of ALERTS: from the first alert stored at or
// after a time, then live, by get requests (no consumer on ALERTS).
func TestReadAlertsSince(t *testing.T) {
	s := natstest.StartSetUp(t)
	c := natstest.Connect(t, s.ClientURL(), "notify")
	ctx := context.Background()
	if err := c.PublishAlerts(ctx, sinkAlerts(4, "alerts.cloud.old")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	since := time.Now()
	if err := c.PublishAlerts(ctx, sinkAlerts(3, "alerts.cloud.new")); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		id      string
		pending uint64
	}
	got := make(chan seen, 10)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- c.ReadAlerts(rctx, since, func(data []byte, stored time.Time, pending uint64) {
			var a pipeline.Alert
			if err := json.Unmarshal(data, &a); err != nil || stored.Before(since) {
				t.Errorf("alert %s stored %s, before %s (%v)", data, stored, since, err)
			}
			got <- seen{a.ID, pending}
		})
	}()
	next := func() seen {
		t.Helper()
		select {
		case s := <-got:
			return s
		case <-time.After(20 * time.Second):
			t.Fatal("no alert within 20 s")
			return seen{}
		}
	}
	want := []seen{{"a:0:alerts.cloud.new", 2}, {"a:1:alerts.cloud.new", 1}, {"a:2:alerts.cloud.new", 0}}
	for _, w := range want {
		if g := next(); g != w {
			t.Errorf("got %+v, want %+v", g, w)
		}
	}
	if err := c.PublishAlerts(ctx, sinkAlerts(1, "alerts.cloud.live")); err != nil {
		t.Fatal(err)
	}
	if g := next(); g.id != "a:0:alerts.cloud.live" {
		t.Errorf("live: got %+v", g)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ReadAlerts: %v", err)
	}
	js, _ := jetstream.New(c.Conn())
	alerts, err := js.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		t.Fatal(err)
	}
	for n := range alerts.ConsumerNames(ctx).Name() {
		t.Errorf("ReadAlerts left consumer %s on ALERTS", n)
	}
}

// Dead letters are stored with their reason, listed per sink, and removed
// once replayed; a second store of the same delivery is dropped.
func TestDeadLetters(t *testing.T) {
	c := connect(t)
	ctx := context.Background()
	for _, d := range []struct{ sink, id string }{{"hook", "a:1:x"}, {"chat", "a:2:x"}, {"hook", "a:3:x"}, {"hook", "a:1:x"}} {
		if err := c.PublishDead(ctx, d.sink, d.id, "receiver answered 503", []byte(`{"id":"`+d.id+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	dead, err := c.DeadLetters(ctx, "hook")
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 2 || dead[0].Reason != "receiver answered 503" || string(dead[1].Data) != `{"id":"a:3:x"}` {
		t.Fatalf("dead letters of hook = %+v", dead)
	}
	if err := c.DeleteDead(ctx, dead[0].Seq); err != nil {
		t.Fatal(err)
	}
	if dead, _ := c.DeadLetters(ctx, "hook"); len(dead) != 1 {
		t.Errorf("%d left after removing one of two", len(dead))
	}
	if dead, _ := c.DeadLetters(ctx, "none"); len(dead) != 0 {
		t.Errorf("a sink with no dead letters has %d", len(dead))
	}
}
