package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"newsmon/pipeline"
	"newsmon/pipeline/bus/natstest"
)

// natsServer builds the nats-server command from the module's own
// dependency, once per test run, as an operator would install it.
func natsServer(t *testing.T) string {
	t.Helper()
	dir := commands(t)
	bin := filepath.Join(dir, "nats-server")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build nats-server: %v\n%s", err, out)
	}
	return bin
}

// The shipped cluster config forms a cluster: three nats-server processes
// started from deploy/nats/cluster-node.conf as docs/operations.md tells
// (each with its own NATS_SERVER_NAME; ports and stores by flag to share
// one host) elect a leader, `newsmon setup -replicas 3` writes the
// topology, and ingest and tagger, each as its own user, carry a feed's
// article to an analyst's alert. (Before, every node was named
// "newsmon-$NATS_NODE", routes were refused as duplicate names and no
// leader was ever elected.)
func TestShippedClusterConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes: skipped with -short")
	}
	bin := natsServer(t)
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, u := range deployUsers {
		env = append(env, "NEWSMON_"+strings.ToUpper(u)+"_PASSWORD="+u+"-secret")
	}
	conf, err := filepath.Abs(filepath.Join("..", "deploy", "nats", "cluster-node.conf"))
	if err != nil {
		t.Fatal(err)
	}
	type node struct{ client, http, route int }
	nodes := make([]node, 3)
	var routes []string
	for i := range nodes {
		nodes[i] = node{natstest.FreePort(t), natstest.FreePort(t), natstest.FreePort(t)}
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", nodes[i].route))
	}
	var urls []string
	for i, n := range nodes {
		cmd := exec.Command(bin, "-c", conf, "-a", "127.0.0.1", "-p", fmt.Sprint(n.client), "-m", fmt.Sprint(n.http),
			"--cluster", fmt.Sprintf("nats://127.0.0.1:%d", n.route), "--routes", strings.Join(routes, ","))
		cmd.Env = append(env, fmt.Sprintf("NATS_SERVER_NAME=newsmon-%d", i+1), "NATS_STORE_DIR="+t.TempDir())
		var mu sync.Mutex
		var logs bytes.Buffer
		cmd.Stdout = lockedWriter{&mu, &logs}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				mu.Lock()
				t.Logf("newsmon-%d:\n%s", i+1, logs.String())
				mu.Unlock()
			}
		})
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", n.client))
	}
	natsURL := strings.Join(urls, ",")
	began := time.Now()
	// A meta leader, as the monitoring endpoint of any node reports it.
	natstest.WaitFor(t, 30*time.Second, "JetStream meta leader", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/jsz", nodes[0].http))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var jsz struct {
			Meta *struct {
				Leader string `json:"leader"`
			} `json:"meta_cluster"`
		}
		return json.NewDecoder(resp.Body).Decode(&jsz) == nil && jsz.Meta != nil && jsz.Meta.Leader != ""
	})

	t.Logf("meta leader after %s", time.Since(began).Round(time.Millisecond))
	user := func(name string) []string {
		return []string{"-nats", natsURL, "-nats-user", name, "-nats-password", name + "-secret", "-nats-inbox", "_INBOX_" + name}
	}
	out := run(t, "newsmon", append([]string{"setup", "-replicas", "3"}, user("setup")...)...)
	// "created" or, when a try's answer was lost in an election and the
	// next try found the stream made, "unchanged".
	if !strings.Contains(out, "stream ALERTS: ") {
		t.Fatalf("setup:\n%s", out)
	}

	t.Logf("set up after %s", time.Since(began).Round(time.Millisecond))
	analyst, err := nats.Connect(natsURL, nats.UserInfo("analyst", "analyst-secret"), nats.CustomInboxPrefix("_INBOX_analyst"))
	if err != nil {
		t.Fatal(err)
	}
	defer analyst.Close()
	alerts := make(chan *nats.Msg, 64)
	if _, err := analyst.ChanSubscribe("alerts.>", alerts); err != nil {
		t.Fatal(err)
	}
	analyst.Flush()

	web := site(t)
	ing := start(t, "ingest", append(user("ingest"), "-http", "", "-feed", web.URL+"/feed.xml", "-allow-networks", "loopback", "-robots=false")...)
	tag := start(t, "tagger", append(user("tagger"), "-http", "")...)
	select {
	case m := <-alerts:
		t.Logf("first alert after %s", time.Since(began).Round(time.Millisecond))
		var a pipeline.Alert
		if err := json.Unmarshal(m.Data, &a); err != nil || !strings.HasPrefix(a.Article.URL, web.URL) {
			t.Errorf("alert %s: %v", m.Data, err)
		}
	case <-time.After(60 * time.Second):
		_, ingErr := ing.output()
		_, tagErr := tag.output()
		t.Fatalf("no alert within 60s\ningest:\n%s\ntagger:\n%s", ingErr, tagErr)
	}
	for _, p := range []*proc{ing, tag} {
		p.cmd.Process.Signal(syscall.SIGTERM)
		if err := p.wait(t, 30*time.Second); err != nil {
			_, stderr := p.output()
			t.Errorf("%s: %v\n%s", p.cmd.Path, err, stderr)
		}
	}
}
