// Command notify is newsmon's delivery service: it reads ALERTS through one
// durable consumer per sink, which `newsmon setup -sinks FILE` writes from
// the same sinks file, and delivers to webhooks, Slack and e-mail digests,
// with retries and dead letters; it also publishes spike alerts on
// alerts.spike.<entity-id> (docs/delivery.md).
//
//	notify [run] [flags]                   the service
//	notify check -sinks FILE               validate a sinks file
//	notify dead list [flags] SINK          a sink's dead letters, one JSON object a line
//	notify dead replay -sinks FILE SINK    send them again; delivered ones are removed
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/logflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/cmd/internal/notifyd"
	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/notify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "notify: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	cmd, args := envflag.Subcommand(args)
	switch cmd {
	case "run":
		return serve(ctx, args, getenv, stderr)
	case "check":
		return check(args, getenv, stdout, stderr)
	case "dead":
		return dead(ctx, args, getenv, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q: want run, check or dead", cmd)
	}
}

// serve is delivery: one runner per sink of -sinks on its own durable
// consumer of ALERTS, and the spike watcher; health and metrics on -http.
func serve(ctx context.Context, args []string, getenv envflag.Getenv, stderr io.Writer) error {
	env := envflag.New("notify", stderr, getenv)
	var (
		logc logflag.Flags
		natc natsconn.Flags
		notc notifyd.Settings
		ops  opsserver.Server
	)
	logc.Register(env)
	natc.Register(env)
	notc.Register(env)
	opsserver.Flag(env, &ops, "127.0.0.1:9104")
	if err := env.Parse(args); err != nil {
		return err
	}
	log, err := logc.Logger(stderr)
	if err != nil {
		return err
	}
	if v := getenv("NOTIFY_ACK_WAIT"); v != "" {
		// Retired when the sinks' consumers moved to newsmon setup: say so
		// rather than let an operator believe it still applies.
		log.Warn("NOTIFY_ACK_WAIT is no longer read: a sink's ack wait is its consumer's, set by newsmon setup -sink-ack-wait", "value", v)
	}
	cfg, err := notc.LoadSinks(getenv)
	if err != nil {
		return err
	}
	client, err := bus.Connect(ctx, natc.Options("notify"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	reg := opsserver.NewRegistry()
	ops.Reg, ops.Ready = reg, natsconn.Ready(client)
	return opsserver.Run(ctx, "notify", ops, log, func(ctx context.Context) error {
		return notifyd.Run(ctx, &notc, cfg, client, reg, log)
	})
}

func check(args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	env := envflag.New("notify check", stderr, getenv)
	var notc notifyd.Settings
	notc.Register(env)
	if err := env.Parse(args); err != nil {
		return err
	}
	if notc.Sinks == "" {
		return errors.New("check: give -sinks FILE")
	}
	cfg, err := notc.LoadSinks(getenv)
	if err != nil {
		return err
	}
	for _, s := range cfg.Sinks {
		fmt.Fprintf(stdout, "%s: %s, subjects %v\n", s.Name, s.Kind(), s.Subjects)
	}
	fmt.Fprintf(stdout, "%s: %d sinks\n", notc.Sinks, len(cfg.Sinks))
	return nil
}

// deadRecord is one line of `notify dead list` and `replay`.
type deadRecord struct {
	Seq    uint64             `json:"seq"`
	Stored time.Time          `json:"stored"`
	Result string             `json:"result,omitempty"` // replay: delivered or the reason it failed again
	Letter *notify.DeadLetter `json:"letter,omitempty"`
}

func dead(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		return errors.New("dead: want list or replay, then SINK")
	}
	verb := args[0]
	env := envflag.New("notify dead "+verb, stderr, getenv)
	var (
		logc logflag.Flags
		natc natsconn.Flags
		notc notifyd.Settings
	)
	logc.Register(env)
	natc.Register(env)
	notc.Register(env)
	if err := env.Parse(args[1:]); err != nil {
		return err
	}
	if env.FS.NArg() != 1 {
		return fmt.Errorf("dead %s: give one sink name", verb)
	}
	name := env.FS.Arg(0)
	log, err := logc.Logger(stderr)
	if err != nil {
		return err
	}
	var sink *notify.Sink
	if verb == "replay" {
		if notc.Sinks == "" {
			return errors.New("dead replay: give -sinks FILE, the sink's settings and secrets")
		}
		cfg, err := notc.LoadSinks(getenv)
		if err != nil {
			return err
		}
		for _, s := range cfg.Sinks {
			if s.Name == name {
				sink = s
			}
		}
		if sink == nil {
			return fmt.Errorf("dead replay: no sink %q in %s", name, notc.Sinks)
		}
	}
	client, err := bus.Connect(ctx, natc.Options("notify-dead"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.VerifyNotify(ctx, nil); err != nil {
		return err
	}
	letters, err := client.DeadLetters(ctx, name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	failed := 0
	for _, l := range letters {
		rec := deadRecord{Seq: l.Seq, Stored: l.Stored.UTC(), Letter: &notify.DeadLetter{}}
		if err := json.Unmarshal(l.Data, rec.Letter); err != nil {
			rec.Letter, rec.Result = nil, "not a dead letter: "+err.Error()
		}
		if verb == "replay" && rec.Letter != nil {
			rec.Result = replayOne(ctx, client, sink, l.Seq, rec.Letter, log)
			if rec.Result != "delivered" {
				failed++
			}
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("dead replay: %d of %d not delivered; they stay in %s", failed, len(letters), bus.DeadSubject(name))
	}
	return nil
}

func replayOne(ctx context.Context, client *bus.Client, sink *notify.Sink, seq uint64, dl *notify.DeadLetter, log *slog.Logger) string {
	d, err := dl.Delivery()
	if err != nil {
		return err.Error()
	}
	if _, err := notify.Send(ctx, sink, d, notify.Options{Log: log}); err != nil {
		return err.Error()
	}
	if err := client.DeleteDead(ctx, seq); err != nil {
		return "delivered, but not removed: " + err.Error()
	}
	return "delivered"
}
