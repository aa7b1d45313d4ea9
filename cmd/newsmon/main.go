// Command newsmon runs the whole pipeline on one machine: an embedded NATS
// server with JetStream, the ingester, the tagger, the desk (the analysts'
// console, whose address it prints at start) and delivery (notify: the
// sinks of -sinks, if any, and spike alerts) in one process, and every
// alert printed on stdout as one readable line. The embedded server
// listens on 127.0.0.1:4222, so `nats sub 'alerts.>'` works beside it.
//
//	newsmon [run] [flags]     everything in one process, on an embedded server it sets up itself
//	newsmon setup [flags]     write the NATS topology (streams, buckets, shared consumers, and with
//	                          -sinks FILE each notify sink's consumer) to a server or cluster
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"newsmon/cmd/internal/deskd"
	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/ingestd"
	"newsmon/cmd/internal/logflag"
	"newsmon/cmd/internal/notifyd"
	"newsmon/cmd/internal/opsserver"
	"newsmon/cmd/internal/taggerd"
	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/embedded"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, hup); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "newsmon: %v\n", err)
		}
		os.Exit(1)
	}
}

// defaultFeeds is the feed list used when no feed is named.
const defaultFeeds = "deploy/feeds.txt"

func run(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer, hup <-chan os.Signal) error {
	cmd, args := envflag.Subcommand(args)
	switch cmd {
	case "run":
		return runAll(ctx, args, getenv, stdout, stderr, hup)
	case "setup":
		return runSetup(ctx, args, getenv, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: want run or setup", cmd)
	}
}

// runAll is every service in one process, each built by the package the
// single-service command builds it with (taggerd, ingestd, notifyd,
// deskd), on its own client of an embedded server set up here.
func runAll(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer, hup <-chan os.Signal) error {
	env := envflag.New("newsmon", stderr, getenv)
	var (
		logc   logflag.Flags
		ingc   ingestd.Settings
		tagc   taggerd.Settings
		notc   notifyd.Settings
		deskc  deskd.Settings
		demo   bool
		data   string
		listen string
		ops    opsserver.Server
		top    bus.Topology
	)
	logc.Register(env)
	ingc.Register(env)
	tagc.Register(env)
	notc.Register(env)
	deskc.Register(env, "desk-")
	env.Bool(&demo, "demo", "NEWSMON_DEMO", false, "add a sample news site served on loopback, so the console fills with alerts within seconds, without the internet")
	sizes := topologyFlags(env, &top, false)
	env.String(&data, "data", "NEWSMON_DATA", "data", "folder of the JetStream store")
	env.String(&listen, "nats-listen", "NEWSMON_NATS_LISTEN", "127.0.0.1:4222", "address the embedded NATS server listens on")
	opsserver.Flag(env, &ops, "127.0.0.1:9100")
	if err := env.Parse(args); err != nil {
		return err
	}
	sizes()
	if err := top.Validate(); err != nil {
		return err
	}

	// One process, one machine: the services' defaults point at each other.
	if _, port, _ := net.SplitHostPort(deskc.Listen); notc.DeskURL == "" && port != "" && port != "0" {
		notc.DeskURL = "http://" + deskc.Listen // summaries link to this process's own desk
	}
	if len(ingc.Feeds) == 0 && ingc.FeedsFile == "" && !demo {
		ingc.FeedsFile = defaultFeeds // with -demo alone, only the sample site
	}
	if deskc.Index == "" {
		deskc.Index = filepath.Join(data, "desk.db")
	}
	if deskc.Rules == "rules" { // -desk-rules not given: the tagger's folder
		deskc.Rules = tagc.Rules
	}
	if err := deskc.Validate(); err != nil {
		return err
	}
	if demo {
		site, err := startDemo(&ingc)
		if err != nil {
			return err
		}
		defer site.Close()
	}
	host, port, err := splitHostPort(listen)
	if err != nil {
		return err
	}
	if err := ingc.Validate(); err != nil {
		return err
	}
	log, err := logc.Logger(stderr)
	if err != nil {
		return err
	}
	set, err := tagc.LoadRules()
	if err != nil {
		return err
	}
	sinks, err := notc.LoadSinks(getenv)
	if err != nil {
		return err
	}
	// Setup writes the sinks' consumers, as `newsmon setup -sinks` does.
	top.Sinks = notifyd.TopologySinks(sinks)

	srv, err := startNATS(ctx, host, port, data, top, log)
	if err != nil {
		return err
	}
	defer func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	}()
	connect := func(name string) (*bus.Client, error) { return bus.Connect(ctx, inProcess(srv, name), log) }
	ingClient, err := connect("newsmon-ingest")
	if err != nil {
		return err
	}
	defer ingClient.Close()
	tagClient, err := connect("newsmon-tagger")
	if err != nil {
		return err
	}
	defer tagClient.Close()
	notClient, err := connect("newsmon-notify")
	if err != nil {
		return err
	}
	defer notClient.Close()
	deskClient, err := connect("newsmon-desk")
	if err != nil {
		return err
	}
	defer deskClient.Close()

	sub, err := tagClient.Conn().Subscribe(pipeline.AlertsSubject+".>", func(m *nats.Msg) {
		printAlert(stdout, m.Data)
	})
	if err != nil {
		return fmt.Errorf("subscribe to alerts: %w", err)
	}
	defer sub.Unsubscribe()

	tagHup, ingHup := make(chan os.Signal, 1), make(chan os.Signal, 1)
	reg := opsserver.NewRegistry()
	ops.Reg, ops.Ready = reg, func() error {
		if !srv.JetStreamEnabled() {
			return errors.New("JetStream not enabled")
		}
		return nil
	}
	return opsserver.Run(ctx, "newsmon", ops, log,
		func(ctx context.Context) error { fanOut(ctx, hup, tagHup, ingHup); return nil },
		func(ctx context.Context) error { return taggerd.Run(ctx, &tagc, set, tagClient, reg, log, tagHup) },
		func(ctx context.Context) error { return ingestd.Run(ctx, &ingc, ingClient, reg, log, ingHup) },
		func(ctx context.Context) error { return notifyd.Run(ctx, &notc, sinks, notClient, reg, log) },
		func(ctx context.Context) error {
			return deskd.Run(ctx, &deskc, deskClient, reg, log, func(addr string) {
				fmt.Fprintf(stdout, "console: http://%s\n", addr)
			})
		})
}

// startNATS starts the embedded server, storing in data, and writes the
// topology to it.
func startNATS(ctx context.Context, host string, port int, data string, top bus.Topology, log *slog.Logger) (*server.Server, error) {
	srv, err := embedded.Start(embedded.Config{Host: host, Port: port, StoreDir: data})
	if err != nil {
		return nil, err
	}
	log.Info("embedded NATS listening", "url", srv.ClientURL(), "store", data)
	if err := setupEmbedded(ctx, srv, top, log); err != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, err
	}
	return srv, nil
}

// setupEmbedded writes the topology to the embedded server, as `newsmon
// setup` does to a cluster, and logs what it changed.
func setupEmbedded(ctx context.Context, srv *server.Server, top bus.Topology, log *slog.Logger) error {
	client, err := bus.Connect(ctx, inProcess(srv, "newsmon-setup"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	changes, err := client.Setup(ctx, top)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		switch ch.Action {
		case "unchanged":
		case bus.NotInSinks:
			log.Warn("NATS topology", "object", ch.Object, "action", ch.Action, "hint", ch.Hint)
		default:
			log.Info("NATS topology", "object", ch.Object, "action", ch.Action, "fields", strings.Join(ch.Fields, ", "))
		}
	}
	return nil
}

// inProcess is the options of a client called name of the embedded server.
func inProcess(srv *server.Server, name string) bus.Options {
	o := bus.DefaultOptions()
	o.Name = name
	o.NATS = []nats.Option{nats.InProcessServer(srv)}
	return o
}

func splitHostPort(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, fmt.Errorf("-nats-listen %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("-nats-listen %q: bad port", listen)
	}
	return host, port, nil
}

// printAlert writes one readable line for an alert, with the first match's
// sentence, for the person watching the terminal.
func printAlert(w io.Writer, data []byte) {
	var a pipeline.Alert
	if err := json.Unmarshal(data, &a); err != nil {
		fmt.Fprintf(w, "alert (undecodable: %v)\n", err)
		return
	}
	fmt.Fprintln(w, FormatAlert(&a))
}

// FormatAlert renders an alert as one line.
func FormatAlert(a *pipeline.Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", a.TaggedAt.Format("15:04:05"), a.Subject)
	if a.Severity != "" {
		fmt.Fprintf(&b, " [%s]", a.Severity)
	}
	fmt.Fprintf(&b, " %q %s", a.Article.Title, a.Article.URL)
	if len(a.Matches) > 0 {
		m := a.Matches[0]
		snippet := strings.Join(strings.Fields(m.Snippet), " ")
		if r := []rune(snippet); len(r) > 200 {
			snippet = string(r[:200]) + "…"
		}
		fmt.Fprintf(&b, " | %q in %s: %s", m.Text, m.Field, snippet)
	}
	return b.String()
}

// fanOut passes each signal from in to every one of outs (SIGHUP: the
// tagger reads its rules again, ingest its feed list) until ctx ends.
func fanOut(ctx context.Context, in <-chan os.Signal, outs ...chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-in:
			for _, out := range outs {
				select {
				case out <- s:
				default: // one already waiting is enough
				}
			}
		}
	}
}
