package ingestd

import (
	"github.com/prometheus/client_golang/prometheus"

	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/ingest"
)

// metrics exports the ingester's counters and the health of its
// feeds (as `ingest feeds status` shows them, counted by state).
func metrics(reg *prometheus.Registry, in *ingest.Ingester, pub *bus.PublishStats) {
	s := in.Stats()
	opsserver.Counter(reg, "newsmon_ingest_polls_total", "Feed fetches attempted.", s.Polls.Load)
	opsserver.Counter(reg, "newsmon_ingest_poll_errors_total", "Feed fetches or parses that failed.", s.PollErrors.Load)
	opsserver.Counter(reg, "newsmon_ingest_not_modified_total", "Feed fetches answered 304 Not Modified.", s.NotMod.Load)
	opsserver.Counter(reg, "newsmon_ingest_items_total", "Feed items read.", s.Items.Load)
	opsserver.Counter(reg, "newsmon_ingest_published_total", "Articles stored in ARTICLES.", pub.Stored.Load)
	opsserver.Counter(reg, "newsmon_ingest_publish_duplicates_total", "Articles sent again (a retry) that ARTICLES dropped as duplicates of one it stored.", pub.Duplicates.Load)
	opsserver.Counter(reg, "newsmon_ingest_duplicates_total", "Items recorded as near-duplicates of published articles.", s.Duplicates.Load)
	opsserver.Counter(reg, "newsmon_ingest_page_errors_total", "Article pages that failed; the feed's text was used.", s.PageErrors.Load)
	opsserver.Counter(reg, "newsmon_ingest_skipped_total", "Feed items skipped as bad input.", s.Skipped.Load)
	for reason, v := range map[string]func() int64{"no link": s.Skipped.Load, "listed twice in the document": s.Twice.Load, "failed to publish": s.Failed.Load} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "newsmon_ingest_items_dropped_total",
			Help:        "Feed items not published, by reason.",
			ConstLabels: prometheus.Labels{"reason": reason},
		}, func() float64 { return float64(v()) }))
	}
	opsserver.Counter(reg, "newsmon_ingest_items_deferred_total", "New feed items left for a later poll (the poll's page budget was spent).", s.Deferred.Load)
	opsserver.Counter(reg, "newsmon_ingest_articles_truncated_total", "Articles whose text was cut to fit a message.", s.Truncated.Load)
	opsserver.Counter(reg, "newsmon_ingest_feeds_repaired_total", "Feed documents read with a repair or a warning.", s.Repaired.Load)
	opsserver.Counter(reg, "newsmon_ingest_feeds_cut_total", "Feed documents cut at the item, element or nesting limit.", s.ItemsCut.Load)
	opsserver.Counter(reg, "newsmon_ingest_list_reloads_total", "Feed list files read again (SIGHUP, or the file changed).", s.ListReloads.Load)
	opsserver.Counter(reg, "newsmon_ingest_list_reloads_refused_total", "Feed list reloads refused: the file did not read; the list in force stayed.", s.ListErrors.Load)
	opsserver.Counter(reg, "newsmon_ingest_poll_jobs_total", "Poll jobs (one host each) run by this replica.", s.Jobs.Load)
	opsserver.Counter(reg, "newsmon_ingest_feeds_moved_total", "Feeds whose address a permanent redirect changed.", s.Moved.Load)
	for _, state := range []string{ingest.StateNew, ingest.StateOK, ingest.StateFailing, ingest.StateDisabled} {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "newsmon_ingest_feeds",
			Help:        "Listed feeds by state (new, ok, failing, disabled), as all replicas wrote it.",
			ConstLabels: prometheus.Labels{"state": state},
		}, func() float64 {
			by, _ := in.Health()
			return float64(by[state])
		}))
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "newsmon_ingest_feeds_overdue",
		Help: "Listed feeds more than a minute past their next poll: polling is falling behind.",
	}, func() float64 {
		_, overdue := in.Health()
		return float64(overdue)
	}))
}
