// Command spikes replays real feed items through the rules and notify's
// spike detector, in order of publication with the clock following them,
// and prints what the detector saw: each entity's mentions, the highest
// score each reached, and every spike alert with its counts. It shows the
// statistic of docs/delivery.md at work on real items (testdata/feeds:
// captured feeds of real publishers). Each item is one article; its text
// is the feed's content, else its summary; items without a date are left
// out, since the detector counts by publication time.
//
//	go run ./bench/spikes -feeds testdata/feeds -rules rules
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/alert"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/notify"
	"newsmon/pipeline/rules"
)

func main() {
	dir := flag.String("feeds", "testdata/feeds", "folder of feed documents, walked recursively")
	rulesDir := flag.String("rules", "rules", "rule folder")
	flag.Parse()
	if err := run(*dir, *rulesDir); err != nil {
		log.Fatal(err)
	}
}

type event struct {
	at time.Time
	a  pipeline.Alert
}

func run(dir, rulesDir string) error {
	set, err := rules.LoadDir(rulesDir)
	if err != nil {
		return err
	}
	var events []event
	files, items, dated := 0, 0, 0
	seen := map[string]bool{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".json") && strings.Contains(path, "expected") {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil || len(body) > 8<<20 {
			return nil
		}
		f, err := feed.Parse(body, "", "file:///"+filepath.ToSlash(path))
		if err != nil {
			return nil // not a feed (OPML, HTML, broken on purpose)
		}
		files++
		for _, it := range f.Items {
			items++
			if it.Published.IsZero() {
				continue
			}
			key := it.Link + "\x00" + it.GUID + "\x00" + it.Title
			if seen[key] {
				continue // the same item in two copies of a feed
			}
			seen[key] = true
			dated++
			text := extract.FragmentText(it.Content)
			if text == "" {
				text = extract.FragmentText(it.Summary)
			}
			pub := it.Published
			art := &pipeline.Article{ID: pipeline.ArticleID(key), URL: it.Link, Title: it.Title, Source: sourceOf(path), Published: &pub, Text: text}
			hits := set.Match(rules.Doc{Title: art.Title, Body: art.Text})
			for _, al := range alert.Build(art, hits, pub) {
				events = append(events, event{at: pub, a: al})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	fmt.Printf("%d feeds, %d items, %d with a date (distinct), %d alerts, %s to %s\n\n", files, items, dated, len(events),
		day(events[0].at), day(events[len(events)-1].at))

	cfg := notify.DefaultSpikeConfig()
	det := notify.NewDetector(cfg)
	mentions := map[string]map[string]bool{}
	daily := map[string]map[string]int{} // entity -> day -> articles
	var spikes []pipeline.Alert
	for _, e := range events {
		// The clock follows the items: each window is judged as it would
		// have been live.
		spikes = append(spikes, det.Observe(&e.a, e.at, e.at)...)
		for _, m := range e.a.Matches {
			if m.Entity == "" {
				continue
			}
			if mentions[m.Entity] == nil {
				mentions[m.Entity] = map[string]bool{}
			}
			if !mentions[m.Entity][e.a.Article.ID] {
				if daily[m.Entity] == nil {
					daily[m.Entity] = map[string]int{}
				}
				daily[m.Entity][day(e.at)]++
			}
			mentions[m.Entity][e.a.Article.ID] = true
		}
	}
	var ents []string
	for e := range mentions {
		ents = append(ents, e)
	}
	sort.Slice(ents, func(i, j int) bool { return len(mentions[ents[i]]) > len(mentions[ents[j]]) })
	fmt.Println("| entity | articles |")
	fmt.Println("|---|---|")
	for _, e := range ents[:min(12, len(ents))] {
		fmt.Printf("| %s | %d |\n", e, len(mentions[e]))
	}
	fmt.Printf("\n%d spike alerts (hour windows against 168 hours, day windows against 14 days; count >= %d, score >= %.0f):\n\n",
		len(spikes), cfg.MinCount, cfg.Score)
	fmt.Println("| subject | window start | window | count | baseline | spread | score | latest article |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, s := range spikes {
		sp := s.Spike
		fmt.Printf("| %s | %s | %s | %d | %.2f | %.2f | %.1f | %s |\n", s.Subject, sp.Start.Format("2006-01-02 15:04"), sp.Window,
			sp.Count, sp.Baseline, sp.Spread, sp.Score, clip(s.Article.Title, 70))
	}
	var busy []string
	for e, days := range daily {
		for d, c := range days {
			if c >= cfg.MinCount {
				busy = append(busy, fmt.Sprintf("%s %s (%d)", e, d, c))
			}
		}
	}
	sort.Strings(busy)
	fmt.Printf("\nDays on which one entity had %d articles or more: %s\n", cfg.MinCount, strings.Join(busy, ", "))
	fmt.Println("\nEach spike's entity, articles a day: the 14 days before | the day | the 2 days after:")
	fmt.Println()
	for _, sp := range spikes {
		d := sp.Spike.Start
		var before, after []string
		for i := 14; i >= 1; i-- {
			before = append(before, fmt.Sprint(daily[sp.Spike.Entity][day(d.AddDate(0, 0, -i))]))
		}
		for i := 1; i <= 2; i++ {
			after = append(after, fmt.Sprint(daily[sp.Spike.Entity][day(d.AddDate(0, 0, i))]))
		}
		fmt.Printf("    %-18s %s  %s | %d | %s\n", sp.Spike.Entity, day(d), strings.Join(before, " "), daily[sp.Spike.Entity][day(d)], strings.Join(after, " "))
	}
	return nil
}

func sourceOf(path string) string {
	return pipeline.SubjectToken(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
