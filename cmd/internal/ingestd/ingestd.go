// Package ingestd wires the ingest service for the two commands that run
// it, cmd/ingest alone and cmd/newsmon beside the others: its settings
// (flags with variables, or an -ingest-config file of the same names), the
// feed list they name, the ingester built from them over a bus client and
// its stores in NATS, and its metrics. Polling is package ingest's.
package ingestd

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"newsmon/pipeline/bus"
	"newsmon/pipeline/ingest"
)

// The bus client publishes the articles; the ingester's stores are bus
// types over it.
var (
	_ ingest.Publisher  = (*bus.Client)(nil)
	_ ingest.SeenStore  = (*bus.Seen)(nil)
	_ ingest.StateStore = (*bus.FeedStates)(nil)
	_ ingest.JobQueue   = (*bus.PollJobs)(nil)
	_ ingest.NearIndex  = (*bus.Near)(nil)
)

// Run runs the ingester until ctx ends. Feed state, poll jobs and the
// near-duplicate index live in NATS, so any number of replicas can run it
// on the same feed list (docs/feeds.md).
//
// The feed list is read again on hup and, every c.ListPoll, when the
// -feeds file changed; a list that does not read keeps the current one.
func Run(ctx context.Context, c *Settings, client *bus.Client, reg *prometheus.Registry, log *slog.Logger, hup <-chan os.Signal) error {
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
	metrics(reg, in, client.ArticleStats())
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
