package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/tagger"
)

// The pipeline on a three-node cluster with R3 streams keeps every article
// and alert, once, when the node leading the streams dies mid-run.
func TestClusterNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test: skipped with -short")
	}
	nodes := natstest.Cluster(t, 3)
	urls := natstest.URLs(nodes)
	top := natstest.Topology()
	top.Replicas, top.TaggerAckWait = 3, 2*time.Second
	natstest.Setup(t, urls, top)
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	connectR3 := func(name string) *bus.Client {
		o := bus.DefaultOptions()
		o.URL, o.Name = urls, name
		o.RetryDelays = []time.Duration{200 * time.Millisecond}
		c, err := bus.Connect(context.Background(), o, log)
		if err != nil {
			t.Fatalf("connect %s: %v", name, err)
		}
		t.Cleanup(c.Close)
		return c
	}
	ing := connectR3("ingest")
	tag := connectR3("tagger")

	// The node to kill: the one leading ARTICLES.
	js, _ := jetstream.New(ing.Conn())
	info, err := js.Stream(context.Background(), pipeline.ArticlesStream)
	if err != nil {
		t.Fatal(err)
	}
	var victim, survivor *server.Server
	for _, s := range nodes {
		if s.Name() == info.CachedInfo().Cluster.Leader {
			victim = s
		} else {
			survivor = s
		}
	}
	if victim == nil {
		t.Fatalf("ARTICLES leader %q is not a node", info.CachedInfo().Cluster.Leader)
	}

	// Count alerts as an analyst would see them, live, connected to a node
	// that stays up: core NATS delivers at most once, so a subscriber whose
	// own server dies misses what is sent meanwhile (replay covers that).
	var mu sync.Mutex
	seen := map[string]int{}
	watcher, err := nats.Connect(survivor.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	if _, err := watcher.Subscribe("alerts.cloud.huawei", func(m *nats.Msg) {
		mu.Lock()
		seen[string(m.Header.Get(jetstream.MsgIDHeader))]++
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	watcher.Flush()

	tg := tagger.New(shippedRules(t), tag, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tag.ConsumeArticles(ctx, 2, tg.Handle) }()

	publish := func(from, to int) {
		for i := from; i < to; i++ {
			a := &pipeline.Article{ID: fmt.Sprintf("a:%03d", i), URL: fmt.Sprintf("https://example.com/%d", i), Source: "example",
				Title: "Cloud news", Text: fmt.Sprintf("Story %d: Huawei Cloud opened another region this week.", i)}
			var err error
			for try := 0; try < 50; try++ { // the client retries through the leader change
				pctx, pcancel := context.WithTimeout(context.Background(), 2*time.Second)
				err = ing.PublishArticle(pctx, a)
				pcancel()
				if err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("publish %s: %v", a.ID, err)
			}
		}
	}
	publish(0, 50)

	// Kill the node that leads ARTICLES.
	victim.Shutdown()
	t.Logf("killed %s, the ARTICLES leader", victim.Name())
	publish(50, 100)

	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n >= 100 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("tagger: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 100 {
		st := tg.Stats()
		t.Errorf("analyst saw alerts for %d articles, want 100 (tagger: %d articles, %d alerts, %d failed; watcher connected to %s)",
			len(seen), st.Articles.Load(), st.Alerts.Load(), st.Failed.Load(), watcher.ConnectedServerName())
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("alert %s delivered %d times", id, n)
		}
	}
	ai, err := js.Stream(context.Background(), pipeline.AlertsStream)
	if err != nil {
		t.Fatal(err)
	}
	if n := ai.CachedInfo().State.Msgs; n != 100 {
		t.Errorf("ALERTS stores %d alerts, want 100", n)
	}
}
