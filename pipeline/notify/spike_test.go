package notify

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"newsmon/pipeline"
)

// feedHours plays hourly counts of articles mentioning Huawei Cloud into
// a detector, the clock following the articles, and returns the spikes.
func feedHours(d *Detector, start time.Time, counts []int) []pipeline.Alert {
	var spikes []pipeline.Alert
	n := 0
	for h, c := range counts {
		for i := range c {
			n++
			at := start.Add(time.Duration(h)*time.Hour + time.Duration(i*50/max(c, 1))*time.Minute)
			a := pipeline.Alert{ID: fmt.Sprintf("a:%d:huawei", n), Rule: "huawei", Category: "cloud", Name: "Huawei Cloud",
				Subject: "alerts.cloud.huawei", Article: pipeline.ArticleRef{ID: fmt.Sprintf("a:%d", n), Title: fmt.Sprintf("story %d", n), Published: &at},
				Matches: []pipeline.Match{{Entity: "cloud.huawei", Text: "Huawei Cloud", Field: "body", Snippet: "Huawei Cloud did something."}}}
			spikes = append(spikes, d.Observe(&a, EventTime(&a, at), at)...)
		}
	}
	return spikes
}

// steady is ten days of 1 to 5 articles an hour, a daily rhythm.
func steady(days int) []int {
	var c []int
	for h := range days * 24 {
		c = append(c, []int{1, 2, 3, 4, 5, 4, 3, 2}[h%8])
	}
	return c
}

func TestSpikeOnceOnABurst(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	counts := append(steady(10), 25, 22, 4, 3)
	spikes := feedHours(NewDetector(DefaultSpikeConfig()), start, counts)
	if len(spikes) != 1 {
		t.Fatalf("%d spike alerts, want 1: %+v", len(spikes), spikes)
	}
	s := spikes[0]
	burst := start.Add(10 * 24 * time.Hour)
	if s.Subject != "alerts.spike.huawei" || s.Category != "spike" || s.Rule != "huawei" || s.Name != "Spike: Huawei Cloud" ||
		s.ID != "spike:cloud.huawei:1h:"+burst.Format("2006-01-02T15") {
		t.Errorf("spike alert = %s %s %s %q %s", s.ID, s.Subject, s.Rule, s.Name, s.Category)
	}
	sp := s.Spike
	if sp == nil || sp.Window != "1h" || !sp.Start.Equal(burst) || sp.Entity != "cloud.huawei" {
		t.Fatalf("spike = %+v", sp)
	}
	// It fires on the article that crosses the threshold: the baseline is
	// a week of 3 an hour, spread sqrt(3)... so count >= 3 + 4*1.73.
	if sp.Count < 10 || sp.Count > 11 || sp.Baseline != 3 || sp.Score < 4 {
		t.Errorf("count %d baseline %.2f spread %.2f score %.2f", sp.Count, sp.Baseline, sp.Spread, sp.Score)
	}
	if len(s.Matches) != maxSpikeArticles || len(sp.Articles) != maxSpikeArticles || s.Article.ID != sp.Articles[0].ID {
		t.Errorf("%d matches, %d articles; want %d of each, newest first", len(s.Matches), len(sp.Articles), maxSpikeArticles)
	}
}

func TestNoSpikeOnSteadyCounts(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	if spikes := feedHours(NewDetector(DefaultSpikeConfig()), start, steady(20)); len(spikes) != 0 {
		t.Fatalf("%d spikes on steady counts: %+v", len(spikes), spikes[0].Spike)
	}
	// A quiet entity's first few mentions are no spike either: below
	// MinCount, and before a day of history nothing is judged.
	quiet := make([]int, 24*8)
	quiet[24*8-1] = 4
	if spikes := feedHours(NewDetector(DefaultSpikeConfig()), start, quiet); len(spikes) != 0 {
		t.Fatalf("%d spikes on 4 mentions of a quiet entity", len(spikes))
	}
	young := []int{1, 1, 30}
	if spikes := feedHours(NewDetector(DefaultSpikeConfig()), start, young); len(spikes) != 0 {
		t.Fatalf("%d spikes with two hours of history", len(spikes))
	}
}

// Two bursts a day apart are two spikes; the same article counted twice
// (an entity alert and a watch rule) is one mention.
func TestTwoBurstsTwoSpikes(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	counts := append(steady(8), 25)
	counts = append(counts, steady(1)...)
	counts = append(counts, 30)
	d := NewDetector(DefaultSpikeConfig())
	if spikes := feedHours(d, start, counts); len(spikes) != 2 {
		t.Fatalf("%d spikes, want 2", len(spikes))
	}
	at := start.Add(time.Duration(len(counts)) * time.Hour)
	for i := range 20 {
		for _, rule := range []string{"huawei", "china-cloud-us-policy"} {
			a := pipeline.Alert{Rule: rule, Category: "cloud", Article: pipeline.ArticleRef{ID: fmt.Sprintf("b:%d", i)},
				Matches: []pipeline.Match{{Entity: "cloud.huawei"}}}
			d.Observe(&a, at, at)
		}
	}
	if c := d.entities["cloud.huawei"].windows[0].buckets[at.UnixNano()/int64(time.Hour)].count; c != 20 {
		t.Errorf("20 articles under two rules counted %d times", c)
	}
}

// A replay of old alerts rebuilds the counts but announces nothing that
// is not current.
func TestReplayAnnouncesOnlyCurrentWindows(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	counts := append(steady(10), 25)
	counts = append(counts, steady(2)...)
	d := NewDetector(DefaultSpikeConfig())
	now := start.Add(time.Duration(len(counts)) * time.Hour)
	n := 0
	for h, c := range counts {
		for i := range c {
			n++
			at := start.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Minute)
			a := pipeline.Alert{Rule: "huawei", Category: "cloud", Article: pipeline.ArticleRef{ID: fmt.Sprint(n)}, Matches: []pipeline.Match{{Entity: "cloud.huawei"}}}
			if s := d.Observe(&a, at, now); len(s) != 0 {
				t.Fatalf("replay announced %s", s[0].ID)
			}
		}
	}
}

func TestEventTime(t *testing.T) {
	stored := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		published *time.Time
		want      time.Time
	}{
		{nil, stored},
		{ptr(stored.Add(-3 * time.Hour)), stored.Add(-3 * time.Hour)},
		{ptr(stored.Add(time.Hour)), stored},       // in the future: the feed's clock is wrong
		{ptr(stored.Add(-72 * time.Hour)), stored}, // too old to be this article's first appearance
	} {
		a := pipeline.Alert{Article: pipeline.ArticleRef{Published: c.published}}
		if got := EventTime(&a, stored); !got.Equal(c.want) {
			t.Errorf("published %v: event time %s, want %s", c.published, got, c.want)
		}
	}
}

func ptr(t time.Time) *time.Time { return &t }

// The detector's memory does not grow with every article it counts: 200,000
// mentions over ten days (a day of a busy deployment's alerts several times
// over) leave it holding a bounded set of recent articles and counts, not
// every article id of the last 16 days (issue 14 item 6: that set grew
// with the alert rate and came back with the replay at every start).
func TestDetectorMemoryBounded(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	const n = 200_000
	before := liveHeap()
	d := NewDetector(DefaultSpikeConfig())
	for i := range n {
		at := start.Add(time.Duration(i) * 10 * 24 * time.Hour / n)
		a := pipeline.Alert{Rule: "huawei", Category: "cloud", Name: "Huawei Cloud",
			Article: pipeline.ArticleRef{ID: fmt.Sprintf("a:%032x", i), Title: "A story of the soak", URL: fmt.Sprintf("https://example.com/story/%d", i)},
			Matches: []pipeline.Match{{Entity: "cloud.huawei", Snippet: "Huawei Cloud did something."}, {Entity: "policy.us-commerce", Snippet: "The Commerce Department did too."}}}
		d.Observe(&a, at, at)
	}
	grew := int64(liveHeap()) - int64(before)
	t.Logf("%d mentions of 2 entities: live heap +%.1f MiB", n, float64(grew)/(1<<20))
	if grew > 24<<20 {
		t.Errorf("the detector holds %.1f MiB after %d mentions; want at most 24 MiB whatever the count", float64(grew)/(1<<20), n)
	}
	// Every article was counted once per entity and window.
	for _, id := range []string{"cloud.huawei", "policy.us-commerce"} {
		for wi := range d.cfg.Windows {
			total := 0
			for _, b := range d.entities[id].windows[wi].buckets {
				total += b.count
			}
			if total != n {
				t.Errorf("%s window %d: %d counted, want %d", id, wi, total, n)
			}
		}
	}
	runtime.KeepAlive(d)
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
