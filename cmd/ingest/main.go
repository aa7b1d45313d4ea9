// Command ingest is newsmon's ingest service: it polls feeds, fetches and
// extracts each new article and publishes it to NATS JetStream.
//
//	ingest [run] [flags]                     the service
//	ingest extract [--url URL] FILE|URL...   one Article JSON line per page, as the service builds it (same id)
//	ingest extract -feed FILE|URL            the Articles of a feed's items, as the service publishes them
//	ingest feeds status|export|add|remove|pause|resume   the feed list and its health, through NATS
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/ingestd"
	"newsmon/cmd/internal/logflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "ingest: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	cmd, args := envflag.Subcommand(args)
	switch cmd {
	case "run":
		return serve(ctx, args, getenv, stderr)
	case "extract":
		return runExtract(ctx, args, getenv, stdout, stderr)
	case "feeds":
		return runFeeds(ctx, args, getenv, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: want run, extract or feeds", cmd)
	}
}

// memoryLimit is the ingest process's soft memory limit unless GOMEMLIMIT
// says otherwise: the 300 MB ceiling, less the runtime's own overhead.
const memoryLimit = 250 << 20

// serve is the ingest service: the feeds of -feed and -feeds polled on
// their schedules, shared with any other replica through NATS, and their
// new articles published to ARTICLES; health and metrics on -http.
func serve(ctx context.Context, args []string, getenv envflag.Getenv, stderr io.Writer) error {
	env := envflag.New("ingest", stderr, getenv)
	var (
		logc logflag.Flags
		natc natsconn.Flags
		ingc ingestd.Settings
		ops  opsserver.Server
	)
	logc.Register(env)
	natc.Register(env)
	ingc.Register(env)
	opsserver.Flag(env, &ops, "127.0.0.1:9101")
	if err := env.Parse(args); err != nil {
		return err
	}
	if err := ingc.Validate(); err != nil {
		return err
	}
	// Peak memory stays under its ceiling with the worst feeds at full
	// concurrency when the GC works harder near it (docs/benchmarks.md,
	// "Memory"); a GOMEMLIMIT of the operator's wins.
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
	log, err := logc.Logger(stderr)
	if err != nil {
		return err
	}
	client, err := bus.Connect(ctx, natc.Options("ingest"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	hup := make(chan os.Signal, 1) // SIGHUP reads the feed list again
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reg := opsserver.NewRegistry()
	ops.Reg, ops.Ready = reg, natsconn.Ready(client)
	return opsserver.Run(ctx, "ingest", ops, log, func(ctx context.Context) error {
		return ingestd.Run(ctx, &ingc, client, reg, log, hup)
	})
}
