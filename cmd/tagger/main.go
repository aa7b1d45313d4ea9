// Command tagger is newsmon's tagger service: it consumes articles from
// NATS JetStream, matches them against the rule files and publishes alerts.
// Its subcommands work offline on rule files:
//
//	tagger [run] [flags]                 the service
//	tagger match -rules DIR FILE...      the alerts the service would publish for each file
//	tagger check -rules DIR              validate the rule files
//	tagger test -rules DIR               run the examples every rule file carries
//	tagger eval -rules DIR -gold FILE    precision and recall on labelled passages
//	tagger backtest -rules DIR -since 7d what the rules would flag among a desk's articles
//	tagger feedback export -rules DIR    analysts' verdicts (FEEDBACK) into rule-file examples
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/logflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/cmd/internal/opsserver"
	"newsmon/cmd/internal/taggerd"
	"newsmon/pipeline/bus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, hup); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "tagger: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer, hup <-chan os.Signal) error {
	cmd, args := envflag.Subcommand(args)
	switch cmd {
	case "run":
		return serve(ctx, args, getenv, stderr, hup)
	case "match":
		return runMatch(args, stdout, stderr)
	case "check":
		return runCheck(args, stdout, stderr)
	case "test":
		return runTest(args, stdout, stderr)
	case "eval":
		return runEval(args, stdout, stderr)
	case "backtest":
		return runBacktest(ctx, args, getenv, stdout, stderr)
	case "feedback":
		return runFeedback(ctx, args, getenv, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: want run, match, check, test, eval, backtest or feedback", cmd)
	}
}

// serve is the tagger service: the rules, loaded whole or not at all,
// matched against every article on ARTICLES; health and metrics on -http.
func serve(ctx context.Context, args []string, getenv envflag.Getenv, stderr io.Writer, hup <-chan os.Signal) error {
	env := envflag.New("tagger", stderr, getenv)
	var (
		logc logflag.Flags
		natc natsconn.Flags
		tagc taggerd.Settings
		ops  opsserver.Server
	)
	logc.Register(env)
	natc.Register(env)
	tagc.Register(env)
	opsserver.Flag(env, &ops, "127.0.0.1:9102")
	if err := env.Parse(args); err != nil {
		return err
	}
	log, err := logc.Logger(stderr)
	if err != nil {
		return err
	}
	// A broken rule set stops the tagger before it starts, with every
	// problem as file:line: reason.
	set, err := tagc.LoadRules()
	if err != nil {
		return err
	}
	client, err := bus.Connect(ctx, natc.Options("tagger"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	reg := opsserver.NewRegistry()
	ops.Reg, ops.Ready = reg, natsconn.Ready(client)
	return opsserver.Run(ctx, "tagger", ops, log, func(ctx context.Context) error {
		return taggerd.Run(ctx, &tagc, set, client, reg, log, hup)
	})
}
