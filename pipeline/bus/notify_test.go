package bus_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
)

func sinkAlerts(n int, subject string) []pipeline.Alert {
	var out []pipeline.Alert
	for i := range n {
		out = append(out, pipeline.Alert{Schema: 1, ID: fmt.Sprintf("a:%d:%s", i, subject), Subject: subject, Rule: "x", Category: "cloud",
			Article: pipeline.ArticleRef{ID: fmt.Sprintf("a:%d", i)}})
	}
	return out
}

// A sink's consumer: starts at the time given, filters on its subjects,
// hands over what waits through Fetch without waiting for more, and keeps
// its position (and start) when declared again with other subjects.
func TestSinkStream(t *testing.T) {
	c := connect(t)
	ctx := context.Background()
	if err := c.PublishAlerts(ctx, sinkAlerts(3, "alerts.cloud.before")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	s, err := c.SinkStream(ctx, "digest", []string{"alerts.cloud.>"}, time.Minute, start)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PublishAlerts(ctx, append(sinkAlerts(5, "alerts.cloud.huawei"), pipeline.Alert{Schema: 1, ID: "p:1", Subject: "alerts.policy.fcc"})); err != nil {
		t.Fatal(err)
	}
	var got []bus.AlertMsg
	for len(got) < 5 {
		batch, err := s.Fetch(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			t.Fatalf("Fetch gave nothing after %d of 5", len(got))
		}
		got = append(got, batch...)
	}
	for i, m := range got {
		if m.Seq != uint64(4+i) || m.Stored.Before(start) || m.Stored.IsZero() {
			t.Errorf("message %d: seq %d stored %s", i, m.Seq, m.Stored)
		}
		if err := m.Ack(); err != nil {
			t.Fatal(err)
		}
	}
	if batch, err := s.Fetch(ctx, 10); err != nil || len(batch) != 0 {
		t.Fatalf("Fetch with nothing waiting: %d messages, %v", len(batch), err)
	}
	// Declared again later with a wider filter: the position stays (no
	// alert comes twice); new alerts on the added subjects come, those
	// stored before the change do not.
	time.Sleep(50 * time.Millisecond)
	s, err = c.SinkStream(ctx, "digest", []string{"alerts.>"}, time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PublishAlerts(ctx, []pipeline.Alert{{Schema: 1, ID: "p:2", Subject: "alerts.policy.fcc"}}); err != nil {
		t.Fatal(err)
	}
	var again []bus.AlertMsg
	for range 20 {
		batch, _ := s.Fetch(ctx, 10)
		again = append(again, batch...)
		if len(again) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(again) != 1 || again[0].Seq != 10 {
		t.Errorf("after the redeclaration: %d messages %+v, want only the new policy alert (seq 10)", len(again), again)
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
