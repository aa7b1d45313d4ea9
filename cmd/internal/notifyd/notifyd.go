// Package notifyd wires delivery for the two commands that run it,
// cmd/notify alone and cmd/newsmon beside the others: its settings (flags
// with variables), the sinks file, one runner per sink on its own durable
// consumer, the spike watcher, and their metrics. Sending, retrying and
// digesting are package notify's.
package notifyd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/notify"
)

// The bus is what delivery reads from and writes to.
var (
	_ notify.DeadLetters = (*bus.Client)(nil)
	_ notify.Publisher   = (*bus.Client)(nil)
	_ notify.AlertReader = (*bus.Client)(nil)
	_ notify.Stream      = sinkStream{}
)

// Settings is the delivery service's settings. How long an alert a
// crashed notify held waits before it comes back is its sink consumer's
// ack wait, the topology's (`newsmon setup -sink-ack-wait`).
type Settings struct {
	Sinks   string // the sinks file; empty: no sinks
	DeskURL string
	Lanes   int
	Spikes  bool
}

// Register defines the delivery flags.
func (n *Settings) Register(e *envflag.FlagSet) {
	e.String(&n.Sinks, "sinks", "NOTIFY_SINKS", "", "sinks file (YAML, docs/delivery.md); empty: no sinks, spike detection only")
	e.String(&n.DeskURL, "desk-url", "NOTIFY_DESK_URL", "", "base URL of the desk, for links in summary messages (e.g. http://127.0.0.1:9103)")
	e.Int(&n.Lanes, "lanes", "NOTIFY_LANES", 8, "deliveries in flight per sink (alerts of one article share a lane)")
	e.Bool(&n.Spikes, "spikes", "NOTIFY_SPIKES", true, "detect spikes in entity mentions and publish them on alerts.spike.<entity-id>")
}

// LoadSinks reads the sinks file; a bad one stops the service before it
// starts, with every problem as file:line: reason.
func (n *Settings) LoadSinks(getenv envflag.Getenv) (*notify.Config, error) {
	if n.Sinks == "" {
		return &notify.Config{}, nil
	}
	return notify.Load(n.Sinks, getenv)
}

// LoadSinksForSetup reads the sinks file for `newsmon setup`: each sink's
// name and subjects, checked as notify checks them, no secret read.
func LoadSinksForSetup(path string) ([]bus.Sink, error) {
	if path == "" {
		return nil, nil
	}
	cfg, err := notify.LoadWithoutSecrets(path)
	if err != nil {
		return nil, err
	}
	return TopologySinks(cfg), nil
}

// TopologySinks are the sinks of cfg as the topology names them.
func TopologySinks(cfg *notify.Config) []bus.Sink {
	var out []bus.Sink
	for _, s := range cfg.Sinks {
		out = append(out, bus.Sink{Name: s.Name, Subjects: s.Subjects})
	}
	return out
}

// sinkStream adapts a sink's consumer to notify.Stream.
type sinkStream struct{ s *bus.SinkStream }

func (a sinkStream) Consume(ctx context.Context, handle func(notify.Msg)) error {
	return a.s.Consume(ctx, func(m bus.AlertMsg) { handle(notify.Msg(m)) })
}

func (a sinkStream) Fetch(ctx context.Context, n int) ([]notify.Msg, error) {
	ms, err := a.s.Fetch(ctx, n)
	out := make([]notify.Msg, len(ms))
	for i, m := range ms {
		out[i] = notify.Msg(m)
	}
	return out, err
}

// SinkStream binds to a sink's consumer, as setup wrote it, as notify
// reads it.
func SinkStream(ctx context.Context, client *bus.Client, s *notify.Sink) (notify.Stream, error) {
	st, err := client.SinkStream(ctx, s.Name)
	if err != nil {
		return nil, err
	}
	return sinkStream{st}, nil
}

// Run delivers every sink of cfg and watches for spikes until ctx
// ends. Each sink's consumer must have been written by `newsmon setup
// -sinks` from the same sinks file: Run refuses to start otherwise,
// naming every sink whose consumer is missing or differs.
func Run(ctx context.Context, n *Settings, cfg *notify.Config, client *bus.Client, reg *prometheus.Registry, log *slog.Logger) error {
	if err := client.VerifyNotify(ctx, TopologySinks(cfg)); err != nil {
		if n.Sinks != "" {
			return fmt.Errorf("sinks file %s: %w", n.Sinks, err)
		}
		return err
	}
	m := newNotifyMetrics(reg)
	g, gctx := errgroup.WithContext(ctx)
	for _, s := range cfg.Sinks {
		bs, err := client.SinkStream(ctx, s.Name)
		if err != nil {
			return err
		}
		st := sinkStream{bs}
		opts := notify.Options{DeskURL: n.DeskURL, Lanes: n.Lanes, Log: log, KeepAlive: max(bs.AckWait(), time.Second) / 4,
			Latency: func(d time.Duration) { m.latency.WithLabelValues(s.Name).Observe(d.Seconds()) }}
		var run func(context.Context) error
		var stats *notify.Stats
		if s.Email != nil {
			r := notify.NewDigestRunner(s, st, client, opts)
			run, stats = r.Run, r.Stats()
		} else {
			r, err := notify.NewRunner(s, st, client, opts)
			if err != nil {
				return err
			}
			run, stats = r.Run, r.Stats()
		}
		m.sink(s.Name, s.Kind(), stats)
		g.Go(func() error {
			if err := run(gctx); err != nil {
				return fmt.Errorf("sink %s: %w", s.Name, err)
			}
			return nil
		})
	}
	if n.Spikes {
		w := notify.NewSpikeWatcher(notify.DefaultSpikeConfig(), client, client, nil, log)
		m.spikes(w.Stats())
		g.Go(func() error { return w.Run(gctx) })
	}
	log.Info("notify running", "sinks", len(cfg.Sinks), "spikes", n.Spikes)
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

type notifyMetrics struct {
	reg     *prometheus.Registry
	latency *prometheus.HistogramVec
}

func newNotifyMetrics(reg *prometheus.Registry) *notifyMetrics {
	m := &notifyMetrics{reg: reg, latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "newsmon_notify_latency_seconds",
		Help:    "Time from an alert's storing in ALERTS to its receiver's 2xx, by sink.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400},
	}, []string{"sink"})}
	reg.MustRegister(m.latency)
	return m
}

func (m *notifyMetrics) sink(name, kind string, s *notify.Stats) {
	labels := prometheus.Labels{"sink": name, "kind": kind}
	for _, c := range []struct {
		name, help string
		v          func() int64
	}{
		{"newsmon_notify_delivered_total", "Alerts delivered (a 2xx or an accepted mail), folded ones included.", s.Delivered.Load},
		{"newsmon_notify_messages_total", "Messages receivers accepted.", s.Messages.Load},
		{"newsmon_notify_retried_total", "Delivery attempts after a failure.", s.Retried.Load},
		{"newsmon_notify_dead_lettered_total", "Alerts stored on notify.dead.<sink> after the last attempt failed.", s.Dead.Load},
		{"newsmon_notify_folded_total", "Alerts folded into a summary (rate limit) or another article's message (near-duplicates).", s.Folded.Load},
		{"newsmon_notify_skipped_total", "Alerts below the sink's minimum severity.", s.Skipped.Load},
		{"newsmon_notify_malformed_total", "Messages on ALERTS that were not alerts (dead-lettered).", s.Malformed.Load},
	} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help, ConstLabels: labels},
			func() float64 { return float64(c.v()) }))
	}
}

func (m *notifyMetrics) spikes(s *notify.SpikeStats) {
	opsserver.Counter(m.reg, "newsmon_notify_spike_alerts_read_total", "Alerts counted by the spike detector.", s.Alerts.Load)
	opsserver.Counter(m.reg, "newsmon_notify_spikes_total", "Spike alerts published.", s.Spikes.Load)
	opsserver.Counter(m.reg, "newsmon_notify_spikes_failed_total", "Spike alerts that could not be published.", s.Failed.Load)
}
