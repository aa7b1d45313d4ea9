package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"newsmon/pipeline/bus"
	"newsmon/pipeline/ingest"
	"newsmon/pipeline/rules"
	"newsmon/pipeline/tagger"
)

// The bus client is what both loops publish to and read from.
var (
	_ ingest.Publisher  = (*bus.Client)(nil)
	_ ingest.SeenStore  = (*bus.Seen)(nil)
	_ ingest.StateStore = (*bus.FeedStates)(nil)
	_ ingest.JobQueue   = (*bus.PollJobs)(nil)
	_ ingest.NearIndex  = (*bus.Near)(nil)
	_ tagger.Publisher  = (*bus.Client)(nil)
)

// RunIngest runs the ingester until ctx ends. Feed state, poll jobs and the
// near-duplicate index live in NATS, so any number of replicas can run it
// on the same feed list (docs/feeds.md).
//
// The feed list is read again on hup and, every c.ListPoll, when the
// -feeds file changed; a list that does not read keeps the current one.
func RunIngest(ctx context.Context, c *Ingest, client *bus.Client, reg *prometheus.Registry, log *slog.Logger, hup <-chan os.Signal) error {
	cfg, err := c.Config()
	if err != nil {
		return err
	}
	if err := client.Verify(ctx, bus.IngestNeeds); err != nil {
		return err
	}
	if cfg.State, err = bus.OpenFeedStates(ctx, client); err != nil {
		return err
	}
	if cfg.Jobs, err = bus.OpenPollJobs(ctx, client); err != nil {
		return err
	}
	cfg.Near = bus.NewNear(client)
	in, err := ingest.New(cfg, client, bus.NewSeen(client), log)
	if err != nil {
		return err
	}
	IngestMetrics(reg, in, client.ArticleStats())
	log.Info("ingest running", "feeds", len(cfg.Sources), "interval", cfg.Interval.String(), "workers", cfg.Workers, "per_host", cfg.PerHost)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		stamp := func() string { return "" }
		poll := time.Duration(0)
		if c.FeedsFile != "" {
			stamp, poll = ingest.FileStamp(c.FeedsFile), c.ListPoll
		}
		in.WatchList(gctx, c.Sources, stamp, hup, poll)
		return nil
	})
	g.Go(func() error { return in.Run(gctx) })
	return g.Wait()
}

// LoadRules loads the rule folder; a broken set stops the tagger before it
// starts, with every problem as file:line: reason.
func LoadRules(dir string) (*rules.Set, error) {
	return rules.LoadDir(dir)
}

// RunTagger consumes articles until ctx ends, reloading the rules on hup or
// when the folder changes.
func RunTagger(ctx context.Context, c *Tagger, set *rules.Set, client *bus.Client, reg *prometheus.Registry, log *slog.Logger, hup <-chan os.Signal) error {
	t := tagger.New(set, client, log)
	if err := client.VerifyTagger(ctx, t.RetryDelays); err != nil {
		return err
	}
	TaggerMetrics(reg, t.Stats())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		t.WatchRules(gctx, c.Rules, hup, c.ReloadPoll)
		return nil
	})
	g.Go(func() error {
		log.Info("tagger running", "rules_dir", c.Rules, "rules", len(set.Rules()))
		return client.ConsumeArticles(gctx, c.Workers, t.Reply)
	})
	return g.Wait()
}

// Subcommand splits args into the subcommand named first and the rest;
// "run" when args start with a flag or are empty.
func Subcommand(args []string) (string, []string) {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "run", args
}

// Connected is a readiness check: ready while client is connected to NATS.
func Connected(client *bus.Client) func() error {
	return func() error {
		if !client.Conn().IsConnected() {
			return errors.New("not connected to NATS")
		}
		return nil
	}
}

// Serve runs a process's loops beside its operations server until ctx ends
// or any of them fails.
func Serve(ctx context.Context, name string, ops Ops, log *slog.Logger, loops ...func(context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return ops.Serve(gctx, log) })
	for _, loop := range loops {
		g.Go(func() error { return loop(gctx) })
	}
	err := g.Wait()
	log.Info(name + " stopped")
	return err
}
