// Package taggerd wires the tagger service for the two commands that run
// it, cmd/tagger alone and cmd/newsmon beside the others: its settings
// (flags with variables), the loop built from them over a bus client, and
// its metrics. The matching is package tagger's; the rules, package rules'.
package taggerd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/rules"
	"newsmon/pipeline/tagger"
)

// The bus client is what the tagger publishes alerts to.
var _ tagger.Publisher = (*bus.Client)(nil)

// Settings is the tagger's settings.
type Settings struct {
	Rules      string
	ReloadPoll time.Duration
	Workers    int
}

// Register defines the tagger flags.
func (s *Settings) Register(e *envflag.FlagSet) {
	e.String(&s.Rules, "rules", "TAGGER_RULES", "rules", "folder of rule files (*.yaml)")
	e.Duration(&s.ReloadPoll, "reload-poll", "TAGGER_RELOAD_POLL", 5*time.Second, "how often the rules folder is checked for changes (0: only on SIGHUP)")
	e.Int(&s.Workers, "tagger-workers", "TAGGER_WORKERS", 4, "articles matched at once")
}

// LoadRules loads the rule folder of -rules. A folder that is not there is
// the first thing a newcomer running the command outside the repository
// meets, so the error says how to name one.
func (s *Settings) LoadRules() (*rules.Set, error) {
	set, err := rules.LoadDir(s.Rules)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (the rules shipped with newsmon are in the repository's rules/: run from its root, or give -rules DIR or TAGGER_RULES)", err)
	}
	return set, err
}

// Run consumes articles with the rule set loaded from s.Rules until ctx
// ends, after checking that the stream and consumer it needs exist. It
// reads the rules again on hup or when the folder changes; a set that does
// not load keeps the one in force.
func Run(ctx context.Context, s *Settings, set *rules.Set, client *bus.Client, reg *prometheus.Registry, log *slog.Logger, hup <-chan os.Signal) error {
	t := tagger.New(set, client, log)
	if err := client.VerifyTagger(ctx, t.RetryDelays); err != nil {
		return err
	}
	metrics(reg, t.Stats())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		t.WatchRules(gctx, s.Rules, hup, s.ReloadPoll)
		return nil
	})
	g.Go(func() error {
		log.Info("tagger running", "rules_dir", s.Rules, "rules", len(set.Rules()))
		return client.ConsumeArticles(gctx, s.Workers, t.Reply)
	})
	return g.Wait()
}

// metrics exports the tagger's counters.
func metrics(reg *prometheus.Registry, s *tagger.Stats) {
	opsserver.Counter(reg, "newsmon_tagger_articles_total", "Articles matched.", s.Articles.Load)
	opsserver.Counter(reg, "newsmon_tagger_alerts_total", "Alerts published.", s.Alerts.Load)
	opsserver.Counter(reg, "newsmon_tagger_malformed_total", "Article messages that could not be decoded (terminated).", s.Malformed.Load)
	opsserver.Counter(reg, "newsmon_tagger_failed_total", "Articles whose alerts could not be stored (retried).", s.Failed.Load)
	opsserver.Counter(reg, "newsmon_tagger_duplicates_total", "Near-duplicate articles tagged (published by ingest only with -publish-duplicates); their alerts carry duplicate_of.", s.Copies.Load)
	opsserver.Counter(reg, "newsmon_tagger_reloads_total", "Rule sets swapped in.", s.Reloads.Load)
	opsserver.Counter(reg, "newsmon_tagger_reloads_refused_total", "Rule sets refused because they did not load.", s.Refused.Load)
}
