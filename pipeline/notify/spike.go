package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"newsmon/pipeline"
)

// SpikeWindow is one way of counting an entity's mentions: per Length
// (an hour or a day), against the Baseline windows before.
type SpikeWindow struct {
	Name     string        // "1h" or "24h"
	Length   time.Duration // one bucket
	Baseline int           // buckets the baseline spans
	History  int           // buckets of history needed before anything is judged
}

// SpikeConfig decides what a spike is (docs/delivery.md explains it).
type SpikeConfig struct {
	Windows  []SpikeWindow
	MinCount int     // no spike below this many articles in a window
	Score    float64 // (count - mean) / spread at or above this is a spike
	Severity string  // of the spike alerts
}

// DefaultSpikeConfig: hours against the week before, days against the
// two weeks before; a spike is at least 5 articles and 4 spreads above
// the mean.
func DefaultSpikeConfig() SpikeConfig {
	return SpikeConfig{
		Windows: []SpikeWindow{
			{Name: "1h", Length: time.Hour, Baseline: 7 * 24, History: 24},
			{Name: "24h", Length: 24 * time.Hour, Baseline: 14, History: 7},
		},
		MinCount: 5,
		Score:    4,
		Severity: "medium",
	}
}

// Span is how far back the detector needs history.
func (c SpikeConfig) Span() time.Duration {
	var d time.Duration
	for _, w := range c.Windows {
		d = max(d, time.Duration(w.Baseline+1)*w.Length)
	}
	return d
}

// maxSpikeArticles is how many articles a spike alert names.
const maxSpikeArticles = 5

type spikeBucket struct {
	count    int
	articles []pipeline.ArticleRef // the latest, newest first; only while the window can be announced
	snippets []string
}

// countedMemory is how many (entity, article) pairs the detector remembers
// having counted, so that one article's several alerts (an entity's own
// rule and the watch rules that name it) count once. They are published
// together by one tagger and arrive within seconds of each other; a copy
// the stream let through later still (beyond its duplicate window) would
// be counted again. A set per window kept as long as the window's counts
// (16 days) held every article id mentioned in that time: its memory grew
// with the alert rate for 16 days, and came back at every start with the
// replay (issue 14 item 6). About 100 bytes a pair.
const countedMemory = 1 << 16

// counted is a set of the last countedMemory pairs, oldest forgotten first.
type counted struct {
	set  map[string]struct{}
	ring []string
	next int
}

// add records key and reports whether it was new.
func (c *counted) add(key string) bool {
	if _, ok := c.set[key]; ok {
		return false
	}
	if c.set == nil {
		c.set = make(map[string]struct{}, countedMemory)
		c.ring = make([]string, countedMemory)
	}
	if old := c.ring[c.next]; old != "" {
		delete(c.set, old)
	}
	c.ring[c.next] = key
	c.next = (c.next + 1) % countedMemory
	c.set[key] = struct{}{}
	return true
}

type spikeState struct {
	buckets map[int64]*spikeBucket // bucket index -> counts
	fired   bool                   // inside a spike that was announced
	hot     int64                  // last bucket of that spike still above half the score
}

type spikeEntity struct {
	id      string // category.id
	name    string
	windows []*spikeState
}

// Detector counts each entity's mentions (distinct articles) per window
// and reports a spike once when the current window's count stands far
// above the entity's own baseline.
type Detector struct {
	cfg      SpikeConfig
	entities map[string]*spikeEntity
	counted  counted
	first    time.Time // the earliest mention seen: history starts there
	pruned   time.Time
}

// NewDetector returns an empty detector.
func NewDetector(cfg SpikeConfig) *Detector {
	return &Detector{cfg: cfg, entities: map[string]*spikeEntity{}}
}

// EventTime is when an alert's mention counts: the article's publication
// time when it is plausible (not after the alert was stored and at most
// two days before), else the time it was stored. A backlog ingested at
// once then spreads over the hours it was written in, instead of looking
// like a spike.
func EventTime(a *pipeline.Alert, stored time.Time) time.Time {
	if p := a.Article.Published; p != nil && !p.After(stored) && stored.Sub(*p) <= 48*time.Hour {
		return *p
	}
	return stored
}

// Observe counts the entities an alert mentions at time at and returns
// the spike alerts that this makes, judging only windows that are current
// at now (older windows are counted for the baseline, never announced).
func (d *Detector) Observe(a *pipeline.Alert, at, now time.Time) []pipeline.Alert {
	if a.Category == pipeline.SpikeCategory {
		return nil
	}
	if d.first.IsZero() || at.Before(d.first) {
		d.first = at
	}
	var out []pipeline.Alert
	done := map[string]bool{}
	for _, m := range a.Matches {
		id := m.Entity
		if id == "" || done[id] {
			continue
		}
		done[id] = true
		e := d.entities[id]
		if e == nil {
			e = &spikeEntity{id: id, name: id}
			for range d.cfg.Windows {
				e.windows = append(e.windows, &spikeState{buckets: map[int64]*spikeBucket{}})
			}
			d.entities[id] = e
		}
		// The entity's own rule (alerts.<category>.<entity-id>) carries
		// its display name.
		if a.Category+"."+a.Rule == id && a.Name != "" {
			e.name = a.Name
		}
		if !d.counted.add(id + "\x00" + a.Article.ID) {
			continue // this article was counted for this entity already
		}
		for wi, w := range d.cfg.Windows {
			if sp := d.count(e, wi, w, a, m, at, now); sp != nil {
				out = append(out, *sp)
			}
		}
	}
	if now.Sub(d.pruned) > time.Hour {
		d.prune(now)
	}
	return out
}

func (d *Detector) count(e *spikeEntity, wi int, w SpikeWindow, a *pipeline.Alert, m pipeline.Match, at, now time.Time) *pipeline.Alert {
	st := e.windows[wi]
	idx := at.UnixNano() / int64(w.Length)
	b := st.buckets[idx]
	if b == nil {
		b = &spikeBucket{}
		st.buckets[idx] = b
	}
	b.count++
	start := time.Unix(0, idx*int64(w.Length)).UTC()
	// Only a current window is announced (below), so only its bucket
	// keeps articles to name.
	current := start.Add(2 * w.Length).After(now)
	if current {
		b.articles = append([]pipeline.ArticleRef{a.Article}, b.articles...)
		b.snippets = append([]string{m.Snippet}, b.snippets...)
		if len(b.articles) > maxSpikeArticles {
			b.articles, b.snippets = b.articles[:maxSpikeArticles], b.snippets[:maxSpikeArticles]
		}
	}
	score, mean, spread, ok := d.judge(st, w, idx)
	if !ok {
		return nil
	}
	// Once per spike: a spike stays the same one while each window that
	// follows stays at half the score or more.
	if st.fired && idx-st.hot > 1 {
		st.fired = false
	}
	hot := score >= d.cfg.Score/2
	if st.fired {
		if hot && idx > st.hot {
			st.hot = idx
		}
		return nil
	}
	if b.count < d.cfg.MinCount || score < d.cfg.Score {
		return nil
	}
	st.fired, st.hot = true, idx
	if !current {
		return nil // a window long past (a replay at start): counted, not announced
	}
	return d.alert(e, w, b, start, score, mean, spread, now)
}

// judge scores bucket idx against the Baseline buckets before it:
// (count - mean) / spread, where spread is the baseline's standard
// deviation but never less than the square root of the mean (the
// deviation of a Poisson count with that mean) nor less than 1.
func (d *Detector) judge(st *spikeState, w SpikeWindow, idx int64) (score, mean, spread float64, ok bool) {
	firstIdx := d.first.UnixNano() / int64(w.Length)
	n := min(int64(w.Baseline), idx-firstIdx)
	if n < int64(w.History) {
		return 0, 0, 0, false
	}
	var sum, sq float64
	for i := idx - n; i < idx; i++ {
		if b := st.buckets[i]; b != nil {
			sum += float64(b.count)
		}
	}
	mean = sum / float64(n)
	for i := idx - n; i < idx; i++ {
		c := 0.0
		if b := st.buckets[i]; b != nil {
			c = float64(b.count)
		}
		sq += (c - mean) * (c - mean)
	}
	spread = max(math.Sqrt(sq/float64(n)), math.Sqrt(mean), 1)
	return (float64(st.buckets[idx].count) - mean) / spread, mean, spread, true
}

func (d *Detector) alert(e *spikeEntity, w SpikeWindow, b *spikeBucket, start time.Time, score, mean, spread float64, now time.Time) *pipeline.Alert {
	entityID := e.id
	_, id, ok := strings.Cut(entityID, ".")
	if !ok {
		id = entityID
	}
	name := e.name
	a := pipeline.Alert{
		Schema:      pipeline.SchemaVersion,
		ID:          fmt.Sprintf("spike:%s:%s:%s", entityID, w.Name, start.Format("2006-01-02T15")),
		Subject:     pipeline.AlertSubject(pipeline.SpikeCategory, id),
		Rule:        pipeline.SubjectToken(id),
		Category:    pipeline.SpikeCategory,
		Name:        "Spike: " + name,
		Severity:    d.cfg.Severity,
		Description: fmt.Sprintf("%s: %d articles in %s from %s; baseline %.1f", name, b.count, w.Name, start.Format(time.RFC3339), mean),
		Article:     b.articles[0],
		Count:       b.count,
		TaggedAt:    now.UTC(),
		Spike: &pipeline.Spike{
			Entity: entityID, Window: w.Name, Start: start, Count: b.count,
			Baseline: round2(mean), Spread: round2(spread), Score: round2(score),
			Articles: append([]pipeline.ArticleRef(nil), b.articles...),
		},
	}
	for i, r := range b.articles {
		a.Matches = append(a.Matches, pipeline.Match{Entity: entityID, Text: r.Title, Field: "title", End: len(r.Title), Snippet: b.snippets[i]})
	}
	return &a
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// prune forgets buckets older than every baseline, and the articles of
// buckets no longer current.
func (d *Detector) prune(now time.Time) {
	d.pruned = now
	for _, e := range d.entities {
		for wi, w := range d.cfg.Windows {
			oldest := now.Add(-time.Duration(w.Baseline+2)*w.Length).UnixNano() / int64(w.Length)
			for idx, b := range e.windows[wi].buckets {
				switch start := time.Unix(0, idx*int64(w.Length)); {
				case idx < oldest:
					delete(e.windows[wi].buckets, idx)
				case !start.Add(2 * w.Length).After(now):
					b.articles, b.snippets = nil, nil // no longer announced
				}
			}
		}
	}
}

// AlertReader reads ALERTS from a start time, then live.
type AlertReader interface {
	ReadAlerts(ctx context.Context, since time.Time, handle func(data []byte, stored time.Time, pending uint64)) error
}

// Publisher stores alerts in ALERTS (through the tagger's intake
// subjects, with their ids as Msg-Ids).
type Publisher interface {
	PublishAlerts(ctx context.Context, alerts []pipeline.Alert) error
}

// SpikeStats are the spike watcher's counters.
type SpikeStats struct {
	Alerts    atomic.Int64 // alerts counted
	Spikes    atomic.Int64 // spike alerts published
	Failed    atomic.Int64 // spike alerts that could not be published
	CaughtUp  atomic.Bool  // the replay of the baseline span is done
	Malformed atomic.Int64
}

// SpikeWatcher feeds ALERTS to a Detector and publishes the spikes.
type SpikeWatcher struct {
	det   *Detector
	cfg   SpikeConfig
	read  AlertReader
	pub   Publisher
	now   func() time.Time
	log   *slog.Logger
	stats SpikeStats
}

// NewSpikeWatcher returns a watcher; now is the clock (nil: time.Now).
func NewSpikeWatcher(cfg SpikeConfig, read AlertReader, pub Publisher, now func() time.Time, log *slog.Logger) *SpikeWatcher {
	if now == nil {
		now = time.Now
	}
	return &SpikeWatcher{det: NewDetector(cfg), cfg: cfg, read: read, pub: pub, now: now, log: log}
}

// Stats are the watcher's counters.
func (w *SpikeWatcher) Stats() *SpikeStats { return &w.stats }

// Run replays the baseline span of ALERTS to rebuild the counts, then
// follows new alerts until ctx ends. A spike found during the replay in a
// current window is published again with the same id, which the stream's
// duplicate window drops if it was published before a restart.
func (w *SpikeWatcher) Run(ctx context.Context) error {
	since := w.now().Add(-w.cfg.Span())
	w.log.Info("spike watcher running", "since", since.UTC().Format(time.RFC3339))
	return w.read.ReadAlerts(ctx, since, func(data []byte, stored time.Time, pending uint64) {
		var a pipeline.Alert
		if err := json.Unmarshal(data, &a); err != nil {
			w.stats.Malformed.Add(1)
			return
		}
		w.stats.Alerts.Add(1)
		if pending == 0 && !w.stats.CaughtUp.Load() {
			w.stats.CaughtUp.Store(true)
			w.log.Info("spike watcher caught up", "alerts", w.stats.Alerts.Load())
		}
		spikes := w.det.Observe(&a, EventTime(&a, stored), w.now())
		if len(spikes) == 0 {
			return
		}
		for try := 0; ; try++ {
			err := w.pub.PublishAlerts(ctx, spikes)
			if err == nil {
				w.stats.Spikes.Add(int64(len(spikes)))
				for _, s := range spikes {
					w.log.Info("spike", "id", s.ID, "count", s.Spike.Count, "baseline", s.Spike.Baseline, "score", s.Spike.Score)
				}
				return
			}
			if try == 4 || ctx.Err() != nil {
				w.stats.Failed.Add(int64(len(spikes)))
				w.log.Error("spike alert not published", "id", spikes[0].ID, "err", err)
				return
			}
			time.Sleep(time.Duration(1<<try) * 200 * time.Millisecond)
		}
	})
}
