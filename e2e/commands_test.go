package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// commands builds the repository's binaries once per test run, as an
// operator would install them.
func commands(t *testing.T) string {
	t.Helper()
	if raceEnabled {
		t.Skip("runs the commands as processes: not under -race (go test ./... runs it)")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "newsmon-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), "./cmd/ingest", "./cmd/tagger", "./cmd/newsmon")
		cmd.Dir = ".."
		var out []byte
		out, buildErr = cmd.CombinedOutput()
		if buildErr != nil {
			buildErr = &buildError{buildErr, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build commands: %v", buildErr)
	}
	return binDir
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// proc is a command started from the repository root, as an operator runs it.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer
	done   chan error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(filepath.Join(commands(t), name), args...), done: make(chan error, 1)}
	p.cmd.Dir = ".."
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no NATS_* or INGEST_* from the caller
	p.cmd.Stdout = lockedWriter{&p.mu, &p.stdout}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) output() (stdout, stderr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String(), p.stderr.String()
}

// wait waits for the process to exit and returns its error.
func (p *proc) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(timeout):
		_, stderr := p.output()
		t.Fatalf("%s did not exit within %s; stderr:\n%s", p.cmd.Path, timeout, stderr)
		return nil
	}
}

// waitLog waits until the process has logged s.
func (p *proc) waitLog(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, stderr := p.output()
		if strings.Contains(stderr, s) {
			return
		}
		if p.cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("%s never logged %q; stderr:\n%s", filepath.Base(p.cmd.Path), s, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run runs a command to its end and returns its output, failing the test
// when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	p := start(t, name, args...)
	if err := p.wait(t, time.Minute); err != nil {
		stdout, stderr := p.output()
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout, stderr)
	}
	stdout, _ := p.output()
	return stdout
}

// topologyState is every stream's and consumer's configuration on the server.
type topologyState struct {
	streams   map[string]jetstream.StreamConfig
	consumers map[string]jetstream.ConsumerConfig
}

func readTopology(t *testing.T, url string) topologyState {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st := topologyState{streams: map[string]jetstream.StreamConfig{}, consumers: map[string]jetstream.ConsumerConfig{}}
	streams := js.ListStreams(ctx)
	for info := range streams.Info() {
		st.streams[info.Config.Name] = info.Config
		s, err := js.Stream(ctx, info.Config.Name)
		if err != nil {
			t.Fatal(err)
		}
		cl := s.ListConsumers(ctx)
		for ci := range cl.Info() {
			if ci.Config.Durable != "" {
				st.consumers[info.Config.Name+" > "+ci.Name] = ci.Config
			}
		}
		if err := cl.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := streams.Err(); err != nil {
		t.Fatal(err)
	}
	return st
}

// The topology trap: on an R3 cluster set up once, every command run with
// its default flags leaves every stream at R3 and every shared consumer's
// settings as they were (before, any process started with the default
// -replicas 1 rewrote the cluster's streams to R1).
func TestCommandsLeaveTheTopologyAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the commands: skipped with -short")
	}
	commands(t)
	nodes := natstest.Cluster(t, 3)
	urls := natstest.URLs(nodes)
	top := bus.DefaultTopology()
	top.Replicas = 3
	natstest.Setup(t, urls, top)
	before := readTopology(t, urls)
	if len(before.streams) != 8 || len(before.consumers) != 2 {
		t.Fatalf("after setup: %d streams, %d shared consumers; want 8 (5 and 3 buckets) and 2", len(before.streams), len(before.consumers))
	}
	for name, cfg := range before.streams {
		if cfg.Replicas != 3 {
			t.Fatalf("setup made %s R%d", name, cfg.Replicas)
		}
	}

	// Setup is the one command meant to change the topology; without
	// -replicas it keeps each object's replicas.
	out := run(t, "newsmon", "setup", "-nats", urls)
	if strings.Count(out, ": unchanged\n") != 10 {
		t.Errorf("newsmon setup with default flags on a cluster set up with default settings at R3:\n%s", out)
	}
	run(t, "ingest", "feeds", "status", "-nats", urls)
	run(t, "ingest", "feeds", "export", "-nats", urls)
	for _, svc := range []struct {
		name, ready string
		args        []string
	}{
		{"ingest", "ingest running", []string{"-nats", urls, "-http", "127.0.0.1:0", "-feed", "http://127.0.0.1:9/feed.xml"}},
		{"tagger", "tagger running", []string{"-nats", urls, "-http", "127.0.0.1:0"}},
	} {
		p := start(t, svc.name, svc.args...)
		p.waitLog(t, svc.ready, 30*time.Second)
		p.cmd.Process.Signal(syscall.SIGTERM)
		if err := p.wait(t, 30*time.Second); err != nil {
			_, stderr := p.output()
			t.Errorf("%s: %v\n%s", svc.name, err, stderr)
		}
	}

	after := readTopology(t, urls)
	if !reflect.DeepEqual(before.streams, after.streams) {
		for name, cfg := range after.streams {
			if !reflect.DeepEqual(cfg, before.streams[name]) {
				t.Errorf("stream %s changed:\nbefore %+v\nafter  %+v", name, before.streams[name], cfg)
			}
		}
	}
	if !reflect.DeepEqual(before.consumers, after.consumers) {
		t.Errorf("shared consumers changed:\nbefore %+v\nafter  %+v", before.consumers, after.consumers)
	}
}

// A service started against a server nobody set up refuses to run, says
// what is missing and what to do, and creates nothing.
func TestServiceRefusesAServerNotSetUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the commands: skipped with -short")
	}
	s := natstest.Start(t)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"tagger", []string{"-nats", s.ClientURL(), "-http", ""}, "consumer ARTICLES > tagger does not exist"},
		{"ingest", []string{"-nats", s.ClientURL(), "-http", "", "-feed", "http://127.0.0.1:9/feed.xml"}, "stream POLL does not exist"},
		{"ingest", []string{"feeds", "status", "-nats", s.ClientURL()}, "bucket FEEDS does not exist"},
	} {
		p := start(t, c.name, c.args...)
		err := p.wait(t, 30*time.Second)
		_, stderr := p.output()
		if err == nil || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "newsmon setup") {
			t.Errorf("%s %v: exit %v, stderr:\n%s\nwant a refusal naming %q and newsmon setup", c.name, c.args, err, stderr, c.want)
		}
	}
	if st := readTopology(t, s.ClientURL()); len(st.streams) != 0 {
		t.Errorf("services created %d streams on a server not set up", len(st.streams))
	}
}
