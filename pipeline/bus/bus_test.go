package bus_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
)

func connect(t *testing.T) *bus.Client {
	t.Helper()
	s := natstest.StartSetUp(t)
	return natstest.Connect(t, s.ClientURL(), "test")
}

// The consumer passes on what the handler replies: a dropped message is
// never delivered again, a retried one comes again until it is acked.
func TestConsumeReplies(t *testing.T) {
	c := connect(t)
	ctx := context.Background()
	for _, id := range []string{"a:bad", "a:flaky", "a:good"} {
		if err := c.PublishArticle(ctx, &pipeline.Article{ID: id, URL: "https://example.com/" + id, Source: "example"}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	deliveries := map[string]int{}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- c.ConsumeArticles(cctx, 2, func(_ context.Context, d pipeline.Delivery) pipeline.Reply {
			data := d.Data
			var id string
			switch {
			case contains(data, "a:bad"):
				id = "a:bad"
			case contains(data, "a:flaky"):
				id = "a:flaky"
			default:
				id = "a:good"
			}
			mu.Lock()
			deliveries[id]++
			n := deliveries[id]
			mu.Unlock()
			if d.Attempt != n {
				t.Errorf("%s: delivery %d says attempt %d", id, n, d.Attempt)
			}
			switch {
			case id == "a:bad":
				return pipeline.Reply{Action: pipeline.Drop}
			case id == "a:flaky" && n < 3:
				return pipeline.Reply{Action: pipeline.Retry, Delay: 50 * time.Millisecond}
			}
			return pipeline.Reply{Action: pipeline.Ack}
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		flaky := deliveries["a:flaky"]
		mu.Unlock()
		if flaky >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // room for any wrong redelivery
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"a:bad": 1, "a:flaky": 3, "a:good": 1}
	for id, n := range want {
		if deliveries[id] != n {
			t.Errorf("%s delivered %d times, want %d (all: %v)", id, deliveries[id], n, deliveries)
		}
	}
}

func contains(data []byte, s string) bool { return strings.Contains(string(data), s) }

// Alerts with the same id are stored and delivered live once.
func TestAlertsOnce(t *testing.T) {
	c := connect(t)
	var mu sync.Mutex
	var live []string
	sub, err := c.Conn().Subscribe("alerts.>", func(m *nats.Msg) {
		mu.Lock()
		live = append(live, m.Subject)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	alert := pipeline.Alert{ID: "a:1:huawei", Subject: "alerts.cloud.huawei", Rule: "huawei", Category: "cloud"}
	for range 3 {
		if err := c.PublishAlerts(context.Background(), []pipeline.Alert{alert}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(live) != 1 || live[0] != "alerts.cloud.huawei" {
		t.Errorf("live deliveries: %v, want one on alerts.cloud.huawei", live)
	}
}

// What the stream stored and what it dropped as a duplicate (a retry with
// the same Msg-Id) are counted apart: the published count used to include
// both.
func TestArticleStatsStoredAndDuplicates(t *testing.T) {
	c := connect(t)
	ctx := context.Background()
	a := &pipeline.Article{ID: "a:once", URL: "https://example.com/once", Source: "example"}
	b := &pipeline.Article{ID: "a:other", URL: "https://example.com/other", Source: "example"}
	if err := c.PublishArticles(ctx, []*pipeline.Article{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := c.PublishArticles(ctx, []*pipeline.Article{a}); err != nil { // a retry
		t.Fatal(err)
	}
	s := c.ArticleStats()
	if s.Stored.Load() != 2 || s.Duplicates.Load() != 1 {
		t.Errorf("stored %d, duplicates %d; want 2 and 1", s.Stored.Load(), s.Duplicates.Load())
	}
}
