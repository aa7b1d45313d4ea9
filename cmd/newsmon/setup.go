package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/cmd/internal/notifyd"
	"newsmon/pipeline/bus"
)

// topologyFlags defines the deployment's NATS settings on env, starting
// from bus.DefaultTopology. Replicas are a flag only where they can differ
// from 1: `newsmon setup` against a cluster.
func topologyFlags(env *envflag.FlagSet, t *bus.Topology, replicas bool) func() {
	*t = bus.DefaultTopology()
	if replicas {
		env.Int(&t.Replicas, "replicas", "NEWSMON_REPLICAS", t.Replicas, "replicas of every stream, bucket and consumer (0: keep each object's; new ones get 3 on a cluster, 1 on one server)")
	}
	var articlesMiB, alertsMiB, feedbackMiB, deadMiB int
	env.Duration(&t.Articles.MaxAge, "articles-max-age", "NEWSMON_ARTICLES_MAX_AGE", t.Articles.MaxAge, "how long ARTICLES keeps an article")
	env.Duration(&t.ArticlesDuplicates, "articles-duplicates", "NEWSMON_ARTICLES_DUPLICATES", t.ArticlesDuplicates, "how long ARTICLES remembers an article id (held in the server's memory); at most -articles-max-age")
	env.Int(&articlesMiB, "articles-max-mib", "NEWSMON_ARTICLES_MAX_MIB", 0, "size limit of ARTICLES in MiB, oldest dropped first (0: none)")
	env.Duration(&t.Alerts.MaxAge, "alerts-max-age", "NEWSMON_ALERTS_MAX_AGE", t.Alerts.MaxAge, "how long ALERTS keeps an alert")
	env.Int(&alertsMiB, "alerts-max-mib", "NEWSMON_ALERTS_MAX_MIB", 0, "size limit of ALERTS in MiB (0: none)")
	env.Duration(&t.AlertsDuplicates, "alerts-duplicates", "NEWSMON_ALERTS_DUPLICATES", t.AlertsDuplicates, "how long ALERTS remembers an alert id (held in the server's memory); longer than an article's redeliveries, at most -alerts-max-age")
	env.Duration(&t.Feedback.MaxAge, "feedback-max-age", "NEWSMON_FEEDBACK_MAX_AGE", t.Feedback.MaxAge, "how long FEEDBACK keeps analysts' feedback")
	env.Int(&feedbackMiB, "feedback-max-mib", "NEWSMON_FEEDBACK_MAX_MIB", 0, "size limit of FEEDBACK in MiB (0: none)")
	env.Duration(&t.Dead.MaxAge, "dead-max-age", "NEWSMON_DEAD_MAX_AGE", t.Dead.MaxAge, "how long NOTIFY_DEAD keeps a delivery notify gave up on")
	env.Int(&deadMiB, "dead-max-mib", "NEWSMON_DEAD_MAX_MIB", 0, "size limit of NOTIFY_DEAD in MiB (0: none)")
	env.Duration(&t.SeenTTL, "seen-ttl", "NEWSMON_SEEN_TTL", t.SeenTTL, "how long SEEN remembers a published item")
	env.Duration(&t.NearTTL, "near-ttl", "NEWSMON_NEAR_TTL", t.NearTTL, "how long a published text is remembered for near-duplicate detection")
	env.Duration(&t.TaggerAckWait, "tagger-ack-wait", "NEWSMON_TAGGER_ACK_WAIT", t.TaggerAckWait, "how long a tagger may work on an article before another gets it")
	env.Int(&t.TaggerMaxDeliver, "tagger-max-deliver", "NEWSMON_TAGGER_MAX_DELIVER", t.TaggerMaxDeliver, "deliveries of one article at most")
	env.Duration(&t.PollAckWait, "poll-ack-wait", "NEWSMON_POLL_ACK_WAIT", t.PollAckWait, "how soon a dead ingest replica's poll job goes to another replica")
	env.Duration(&t.SinkAckWait, "sink-ack-wait", "NEWSMON_SINK_ACK_WAIT", t.SinkAckWait, "how long an alert a crashed notify held waits before it is delivered again (each sink's consumer)")
	// The sizes are read once the flags are parsed.
	return func() {
		t.Articles.MaxBytes = int64(articlesMiB) << 20
		t.Alerts.MaxBytes = int64(alertsMiB) << 20
		t.Feedback.MaxBytes = int64(feedbackMiB) << 20
		t.Dead.MaxBytes = int64(deadMiB) << 20
	}
}

// runSetup is `newsmon setup`: it writes the topology to a NATS server or
// cluster and prints what it did to each object. It is the one step that
// creates or changes streams, buckets, shared consumers and notify's sink
// consumers (from -sinks); services only check them. A sink consumer
// whose sink the file no longer names is reported, not removed.
func runSetup(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	env := envflag.New("newsmon setup", stderr, getenv)
	var (
		natc    natsconn.Flags
		top     bus.Topology
		timeout time.Duration
		sinks   string
	)
	natc.Register(env)
	sizes := topologyFlags(env, &top, true)
	env.Duration(&timeout, "timeout", "NEWSMON_SETUP_TIMEOUT", time.Minute, "give up after this long (a cluster may still be electing leaders)")
	env.String(&sinks, "sinks", "NEWSMON_SINKS", "", "notify's sinks file (docs/delivery.md): each sink gets its consumer on ALERTS; its secrets are not read")
	if err := env.Parse(args); err != nil {
		return err
	}
	sizes()
	var err error
	if top.Sinks, err = notifyd.LoadSinksForSetup(sinks); err != nil {
		return err
	}
	if err := top.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, err := bus.Connect(ctx, natc.Options("newsmon-setup"), log)
	if err != nil {
		return err
	}
	defer client.Close()
	// A cluster that has just started may still be electing its leaders:
	// setup is tried again until it succeeds or the timeout ends.
	// A try cut short may already have created or updated some objects,
	// which the next try then finds unchanged: what a try did is kept, so
	// the report says what setup did, not what its last try found.
	done := map[string]bus.Change{}
	for {
		// Each try has its own deadline: a request lost in an election
		// gets no answer at all.
		try, cancel := context.WithTimeout(ctx, 10*time.Second)
		changes, err := client.Setup(try, top)
		cancel()
		for _, ch := range changes {
			if _, ok := done[ch.Object]; !ok || ch.Action != "unchanged" {
				done[ch.Object] = ch
			}
		}
		if err == nil {
			for _, ch := range changes {
				fmt.Fprintln(stdout, done[ch.Object])
			}
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		log.Warn("setup; retrying", "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}
