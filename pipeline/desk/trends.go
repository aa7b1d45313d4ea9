package desk

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"time"
)

// Trend windows: hourly and daily counts over the last 30 days; a day is
// compared with the 14 days before it.
const (
	trendDays    = 30
	baselineDays = 14
	spikeMinimum = 5   // fewer mentions than this in a day is never a spike
	spikeZ       = 3.0 // how far above its baseline a day must be
)

// Trend is one entity's mentions over the last 30 days. Days are 24-hour
// windows ending at the end of the current hour, oldest first; the last is
// "today", the 24 hours up to now.
type Trend struct {
	Entity string    `json:"entity"`
	Name   string    `json:"name"`
	Start  time.Time `json:"start"`  // start of the first hour
	Hourly []int     `json:"hourly"` // 720 hours
	Daily  []Day     `json:"daily"`  // 30 days
	Total  int       `json:"total"`
	// Spike is true when today is a spike against the entity's baseline.
	Spike bool `json:"spike"`
}

// Day is one 24-hour window and how it compares with the 14 before it.
type Day struct {
	Start    time.Time `json:"start"`
	N        int       `json:"n"`
	Baseline float64   `json:"baseline"` // mean of the 14 days before
	Score    float64   `json:"score"`    // (n - baseline) / spread
	Spike    bool      `json:"spike"`
}

// spikeScore is the statistic of docs/desk.md: how many spreads a day's
// count is above the mean of the baseline days, where the spread is the
// baseline's standard deviation but at least the square root of its mean
// (the spread of a Poisson count) and at least 1, so a quiet entity with a
// flat baseline does not spike on two mentions.
func spikeScore(n int, baseline []int) (mean, score float64) {
	if len(baseline) == 0 {
		return 0, 0
	}
	var sum float64
	for _, b := range baseline {
		sum += float64(b)
	}
	mean = sum / float64(len(baseline))
	var ss float64
	for _, b := range baseline {
		d := float64(b) - mean
		ss += d * d
	}
	sd := 0.0
	if len(baseline) > 1 {
		sd = math.Sqrt(ss / float64(len(baseline)-1))
	}
	spread := max(sd, math.Sqrt(mean), 1)
	return mean, (float64(n) - mean) / spread
}

// isSpike applies the thresholds to a day.
func isSpike(n int, score float64) bool { return n >= spikeMinimum && score >= spikeZ }

// Trends computes every entity's trend at now.
func Trends(ctx context.Context, idx Index, now time.Time) ([]Trend, error) {
	end := now.UTC().Truncate(time.Hour).Add(time.Hour)
	hours := trendDays * 24
	// Baselines of the oldest days reach back before the window.
	from := end.Add(-time.Duration(hours+baselineDays*24) * time.Hour)
	ms, err := idx.Mentions(ctx, from, end)
	if err != nil {
		return nil, err
	}
	type series struct {
		name string
		h    []int // hours from `from`
	}
	all := map[string]*series{}
	total := hours + baselineDays*24
	for _, m := range ms {
		s := all[m.Entity]
		if s == nil {
			s = &series{name: m.Name, h: make([]int, total)}
			all[m.Entity] = s
		}
		if i := int(m.Hour.Sub(from) / time.Hour); i >= 0 && i < total {
			s.h[i] += m.N
		}
	}
	var out []Trend
	for e, s := range all {
		t := Trend{Entity: e, Name: s.name, Start: end.Add(-time.Duration(hours) * time.Hour), Hourly: s.h[baselineDays*24:]}
		days := make([]int, trendDays+baselineDays)
		for i, n := range s.h {
			days[i/24] += n
		}
		for d := baselineDays; d < len(days); d++ {
			mean, score := spikeScore(days[d], days[d-baselineDays:d])
			t.Daily = append(t.Daily, Day{Start: from.Add(time.Duration(d*24) * time.Hour), N: days[d],
				Baseline: math.Round(mean*100) / 100, Score: math.Round(score*100) / 100, Spike: isSpike(days[d], score)})
			t.Total += days[d]
		}
		if t.Total == 0 {
			continue
		}
		t.Spike = t.Daily[len(t.Daily)-1].Spike
		out = append(out, t)
	}
	// Spiking entities first, then the busiest.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Spike != out[j].Spike {
			return out[i].Spike
		}
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Entity < out[j].Entity
	})
	return out, nil
}

// Chart sizes, in SVG user units.
const (
	chartW = 600
	chartH = 64
)

// DailySVG draws a trend's days as bars, spikes in the spike colour, with
// the baseline of each day as a tick.
func (t *Trend) DailySVG() template.HTML {
	var b strings.Builder
	peak := 1
	for _, d := range t.Daily {
		peak = max(peak, d.N, int(math.Ceil(d.Baseline)))
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s: mentions per day, last %d days">`, chartW, chartH+14, template.HTMLEscapeString(t.Name), trendDays)
	bw := float64(chartW) / float64(len(t.Daily))
	for i, d := range t.Daily {
		h := float64(d.N) / float64(peak) * chartH
		class := "bar"
		if d.Spike {
			class = "bar spike"
		}
		x := float64(i) * bw
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d (baseline %.1f, score %.1f)</title></rect>`,
			class, x+1, chartH-h, bw-2, math.Max(h, 0.5), d.Start.Format("Jan 2 15:04"), d.N, d.Baseline, d.Score)
		by := chartH - d.Baseline/float64(peak)*chartH
		fmt.Fprintf(&b, `<line class="base" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x+1, x+bw-1, by, by)
	}
	fmt.Fprintf(&b, `<text class="axis" x="0" y="%d">%s</text><text class="axis" x="%d" y="%d" text-anchor="end">today</text>`,
		chartH+12, t.Daily[0].Start.Format("Jan 2"), chartW, chartH+12)
	fmt.Fprintf(&b, `<text class="axis" x="%d" y="10" text-anchor="end">%d</text></svg>`, chartW, peak)
	return template.HTML(b.String())
}

// HourlySVG draws a trend's hours as a filled line.
func (t *Trend) HourlySVG() template.HTML {
	var b strings.Builder
	peak := 1
	for _, n := range t.Hourly {
		peak = max(peak, n)
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s: mentions per hour, last %d days">`, chartW, chartH+14, template.HTMLEscapeString(t.Name), trendDays)
	dx := float64(chartW) / float64(len(t.Hourly)-1)
	b.WriteString(`<path class="area" d="M0 ` + fmt.Sprint(chartH))
	for i, n := range t.Hourly {
		fmt.Fprintf(&b, " L%.1f %.1f", float64(i)*dx, chartH-float64(n)/float64(peak)*chartH)
	}
	fmt.Fprintf(&b, ` L%d %d Z"/>`, chartW, chartH)
	fmt.Fprintf(&b, `<text class="axis" x="0" y="%d">%s</text><text class="axis" x="%d" y="%d" text-anchor="end">now</text>`,
		chartH+12, t.Start.Format("Jan 2"), chartW, chartH+12)
	fmt.Fprintf(&b, `<text class="axis" x="%d" y="10" text-anchor="end">%d/h</text></svg>`, chartW, peak)
	return template.HTML(b.String())
}

// Today is the last day's count.
func (t *Trend) Today() Day { return t.Daily[len(t.Daily)-1] }
