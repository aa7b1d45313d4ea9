// Package natstest starts real NATS servers for tests: one server with
// JetStream inside the test process, or a cluster of them on loopback,
// each on a free port and a temporary store, and writes the newsmon
// topology to them as `newsmon setup` would. Every test that needs NATS
// uses it, so there is one way to start a server in the repository.
package natstest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/embedded"
)

// Start runs one server with JetStream, stopped when the test ends.
func Start(t testing.TB) *server.Server {
	t.Helper()
	s, err := embedded.Start(embedded.Config{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// Topology is the default topology with waits short enough for tests: an
// article or poll job whose handler died comes back within a second.
func Topology() bus.Topology {
	t := bus.DefaultTopology()
	t.TaggerAckWait = time.Second
	t.PollAckWait = time.Second
	return t
}

// Setup writes top to the server at url, as `newsmon setup` does.
func Setup(t testing.TB, url string, top bus.Topology) {
	t.Helper()
	if err := top.Validate(); err != nil {
		t.Fatal(err)
	}
	o := bus.DefaultOptions()
	o.URL, o.Name = url, "natstest-setup"
	c, err := bus.Connect(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// On a cluster the first requests can race the first elections, and
	// a request lost in one gets no answer: each try has its own deadline.
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = c.Setup(ctx, top)
		cancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
}

// StartSetUp runs one server with the test topology written to it.
func StartSetUp(t testing.TB) *server.Server {
	t.Helper()
	s := Start(t)
	Setup(t, s.ClientURL(), Topology())
	return s
}

// Connect returns a client of the server at url, closed when the test ends.
func Connect(t testing.TB, url, name string) *bus.Client {
	t.Helper()
	o := bus.DefaultOptions()
	o.URL, o.Name = url, name
	c, err := bus.Connect(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// Ingest is the ingest service's stores on one client, opened as the
// service opens them.
type Ingest struct {
	States *bus.FeedStates
	Jobs   *bus.PollJobs
	Near   *bus.Near
	Seen   *bus.Seen
}

// OpenIngest verifies the ingest side's objects (bus.IngestNeeds) and
// opens its stores on c.
func OpenIngest(t testing.TB, c *bus.Client) Ingest {
	t.Helper()
	ctx := context.Background()
	if err := c.Verify(ctx, bus.IngestNeeds); err != nil {
		t.Fatal(err)
	}
	states, err := bus.OpenFeedStates(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := bus.OpenPollJobs(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	return Ingest{States: states, Jobs: jobs, Near: bus.NewNear(c), Seen: bus.NewSeen(c)}
}

// FreePort returns a loopback TCP port nobody listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Cluster runs n JetStream servers routed to each other on loopback and
// returns once the cluster has a meta leader. Nodes are stopped when the
// test ends (Shutdown on a node already stopped is harmless).
func Cluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	var routes []*url.URL
	for i := range ports {
		ports[i] = FreePort(t)
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", ports[i])})
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
	WaitFor(t, 20*time.Second, "a JetStream meta leader", func() bool {
		for _, s := range nodes {
			if s.JetStreamIsLeader() {
				return true
			}
		}
		return false
	})
	return nodes
}

// URLs joins the client URLs of servers as a cluster URL list.
func URLs(servers []*server.Server) string {
	var u []string
	for _, s := range servers {
		if s.Running() {
			u = append(u, s.ClientURL())
		}
	}
	return strings.Join(u, ",")
}

// WaitFor polls cond until it holds, failing the test after timeout with
// what was awaited.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
