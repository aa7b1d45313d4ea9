package e2e

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
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

// deployUsers are the users of deploy/nats/accounts.conf.
var deployUsers = []string{"setup", "ingest", "tagger", "desk", "notify", "analyst", "analyst2", "sys"}

// startFromConfig runs a server from a file in deploy/nats, on a free
// loopback port and a temporary store.
func startFromConfig(t *testing.T, name string) *server.Server {
	t.Helper()
	for _, v := range deployUsers {
		t.Setenv("NEWSMON_"+strings.ToUpper(v)+"_PASSWORD", v+"-secret")
	}
	t.Setenv("NATS_SERVER_NAME", "newsmon-1")
	t.Setenv("NATS_STORE_DIR", t.TempDir())
	opts, err := server.ProcessConfigFile(filepath.Join("..", "deploy", "nats", name))
	if err != nil {
		t.Fatalf("deploy/nats/%s: %v", name, err)
	}
	opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", -1, 0
	opts.StoreDir, opts.NoLog, opts.NoSigs = t.TempDir(), true, true
	opts.Cluster = server.ClusterOpts{}
	opts.Routes = nil
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	setupAs(t, s.ClientURL(), "setup", natstest.Topology())
	return s
}

// setupAs writes top to the server as user, as `newsmon setup` would.
func setupAs(t *testing.T, url, user string, top bus.Topology) {
	t.Helper()
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.InboxPrefix = url, "setup", user, user+"-secret", "_INBOX_"+user
	c, err := bus.Connect(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("%s connects: %v", user, err)
	}
	defer c.Close()
	if _, err := c.Setup(context.Background(), top); err != nil {
		t.Fatalf("setup as %s: %v", user, err)
	}
}

func TestDeployConfigsParse(t *testing.T) {
	for _, name := range []string{"nats-server.conf", "cluster-node.conf"} {
		t.Setenv("NATS_SERVER_NAME", "newsmon-2")
		t.Setenv("NATS_STORE_DIR", t.TempDir())
		for _, v := range deployUsers {
			t.Setenv("NEWSMON_"+strings.ToUpper(v)+"_PASSWORD", "x")
		}
		opts, err := server.ProcessConfigFile(filepath.Join("..", "deploy", "nats", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !opts.JetStream {
			t.Errorf("%s: JetStream is off", name)
		}
	}
}

// violations collects the server's permission errors for one connection.
type violations struct {
	mu   sync.Mutex
	errs []string
}

func (v *violations) handler(_ *nats.Conn, _ *nats.Subscription, err error) {
	v.mu.Lock()
	v.errs = append(v.errs, err.Error())
	v.mu.Unlock()
}

func (v *violations) waitFor(t *testing.T, sub string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		v.mu.Lock()
		for _, e := range v.errs {
			if strings.Contains(e, "Permissions Violation") && strings.Contains(e, sub) {
				v.mu.Unlock()
				return
			}
		}
		v.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("no permissions violation for %q", sub)
}

// The deployment's server config lets each service do its job and nothing
// else: ingest publishes articles, the tagger consumes them and publishes
// alerts, analysts read and replay alerts.
func TestDeployPermissions(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	service := func(user, inbox string, v *violations) *bus.Client {
		o := bus.DefaultOptions()
		o.URL, o.Name, o.User, o.Password, o.InboxPrefix = s.ClientURL(), user, user, user+"-secret", inbox
		o.NATS = []nats.Option{nats.ErrorHandler(v.handler)}
		c, err := bus.Connect(ctx, o, log)
		if err != nil {
			t.Fatalf("%s connects: %v", user, err)
		}
		t.Cleanup(c.Close)
		return c
	}
	var ingV, tagV, anaV violations
	ing := service("ingest", "_INBOX_ingest", &ingV)
	tag := service("tagger", "_INBOX_tagger", &tagV)

	analyst, err := nats.Connect(s.ClientURL(), nats.UserInfo("analyst", "analyst-secret"), nats.CustomInboxPrefix("_INBOX_analyst"), nats.ErrorHandler(anaV.handler))
	if err != nil {
		t.Fatal(err)
	}
	defer analyst.Close()
	live := make(chan *nats.Msg, 10)
	if _, err := analyst.ChanSubscribe("alerts.>", live); err != nil {
		t.Fatal(err)
	}
	analyst.Flush()

	// Ingest: publish an article, use the seen bucket.
	a := &pipeline.Article{ID: "a:perm", URL: "https://example.com/p", Source: "example", Title: "Huawei Cloud", Text: "Huawei Cloud opened a region."}
	if err := ing.PublishArticle(ctx, a); err != nil {
		t.Fatalf("ingest publishes an article: %v", err)
	}
	seen := bus.NewSeen(ing)
	if err := seen.MarkSeenAll(ctx, map[string]string{"perm": a.ID}); err != nil {
		t.Fatalf("ingest marks seen: %v", err)
	}
	if got, err := seen.SeenAll(ctx, []string{"perm"}); err != nil || got["perm"] != a.ID {
		t.Fatalf("ingest reads seen: %v %v", got, err)
	}

	// Tagger: consume and publish the alert.
	tg := tagger.New(shippedRules(t), tag, log)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- tag.ConsumeArticles(cctx, 1, tg.Reply) }()
	select {
	case m := <-live:
		var al pipeline.Alert
		if err := json.Unmarshal(m.Data, &al); err != nil || al.Article.ID != "a:perm" {
			t.Errorf("analyst got %s: %v", m.Data, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("analyst received no alert")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Analyst: replay from the stream through a consumer of its own name.
	js, err := jetstream.New(analyst)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := js.CreateOrUpdateConsumer(ctx, pipeline.AlertsStream, jetstream.ConsumerConfig{
		Name: "analyst", AckPolicy: jetstream.AckNonePolicy, FilterSubject: "alerts.cloud.>", InactiveThreshold: time.Minute})
	if err != nil {
		t.Fatalf("analyst creates a replay consumer: %v", err)
	}
	m, err := oc.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("analyst replays: %v", err)
	}
	if m.Subject() != "alerts.cloud.huawei" {
		t.Errorf("replayed subject %q", m.Subject())
	}

	// What each may not do.
	ing.Conn().Publish("tagged.alerts.cloud.fake", []byte("{}"))
	ingV.waitFor(t, "tagged.alerts.cloud.fake")
	tag.Conn().Publish("news.articles.fake", []byte("{}"))
	tagV.waitFor(t, "news.articles.fake")
	analyst.Publish("news.articles.fake", []byte("{}"))
	anaV.waitFor(t, "news.articles.fake")
	analyst.Subscribe("news.articles.>", func(*nats.Msg) {})
	anaV.waitFor(t, "news.articles.>")
	// A denied API request gets no answer: a short wait is enough.
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	defer cancelShort()
	if err := js.DeleteStream(short, pipeline.AlertsStream); err == nil {
		t.Error("analyst deleted the ALERTS stream")
	}
	ingJS, _ := jetstream.New(ing.Conn())
	if err := ingJS.DeleteStream(short, pipeline.ArticlesStream); err == nil {
		t.Error("ingest deleted the ARTICLES stream")
	}
}
