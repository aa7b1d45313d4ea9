package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/tagger"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startCluster runs a three-node JetStream cluster on loopback.
func startCluster(t *testing.T) []*server.Server {
	t.Helper()
	ports := []int{freePort(t), freePort(t), freePort(t)}
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	var nodes []*server.Server
	for i, p := range ports {
		s, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: t.TempDir(),
			Cluster: server.ClusterOpts{Name: "newsmon-test", Host: "127.0.0.1", Port: p},
			Routes:  routes,
			NoLog:   true, NoSigs: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		go s.Start()
		nodes = append(nodes, s)
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	}
	for _, s := range nodes {
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatal("cluster node not ready")
		}
	}
	// JetStream is usable once the meta group has a leader.
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, s := range nodes {
			if s.JetStreamIsLeader() {
				return nodes
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no JetStream meta leader within 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The pipeline on a three-node cluster with R3 streams keeps every article
// and alert, once, when the node leading the streams dies mid-run.
func TestClusterNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test: skipped with -short")
	}
	nodes := startCluster(t)
	var urls []string
	for _, s := range nodes {
		urls = append(urls, s.ClientURL())
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	connectR3 := func(name string) *bus.Client {
		o := bus.DefaultOptions()
		o.URL, o.Name, o.Replicas = strings.Join(urls, ","), name, 3
		o.AckWait, o.Backoff = 2*time.Second, []time.Duration{200 * time.Millisecond}
		var c *bus.Client
		var err error
		// Stream creation can race the cluster's first elections.
		for i := 0; i < 20; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			c, err = bus.Connect(ctx, o, log)
			cancel()
			if err == nil {
				t.Cleanup(c.Close)
				return c
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Fatalf("connect %s: %v", name, err)
		return nil
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
