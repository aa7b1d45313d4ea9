package desk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"testing/fstest"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
)

// BacktestRequest asks what rules would have flagged among the articles
// indexed in a period. Either Rules, one rule file loaded beside the
// desk's rule folder (its new rules are tried), or Files, a whole rule
// folder by file name (every rule in it is tried: `tagger backtest`).
type BacktestRequest struct {
	Rules string            `json:"rules,omitempty"`
	Files map[string]string `json:"files,omitempty"`
	Since string            `json:"since"` // 24h, 7d; default 7d
}

// BacktestResult is what the rules would have done.
type BacktestResult struct {
	Since     time.Time      `json:"since"`
	Articles  int            `json:"articles"`  // articles read
	Truncated bool           `json:"truncated"` // the article cap was reached
	Rules     []BacktestRule `json:"rules"`
	Hits      []BacktestHit  `json:"hits"` // newest first, at most 500
	Took      string         `json:"took"`
}

// BacktestRule sums up one rule: the articles it flags now against the
// alerts it raised in the period.
type BacktestRule struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Flagged int    `json:"flagged"` // articles the rule flags
	Alerted int    `json:"alerted"` // of the articles read, those it alerted on at the time
	New     int    `json:"new"`     // flagged now, not alerted then
	Gone    int    `json:"gone"`    // alerted then, not flagged now
}

// BacktestHit is one article a rule flags.
type BacktestHit struct {
	Rule    string              `json:"rule"`
	Article pipeline.ArticleRef `json:"article"`
	Matches []pipeline.Match    `json:"matches"`
	New     bool                `json:"new"` // no alert of this rule at the time
}

const maxBacktestHits = 500

// compileTry loads the rules of a request: a pasted file beside the desk's
// rule folder, or a whole folder. It returns the set and the keys of the
// rules to report.
func compileTry(dir string, req *BacktestRequest) (*rules.Set, []string, error) {
	if len(req.Files) > 0 {
		m := fstest.MapFS{}
		for name, text := range req.Files {
			if path.Base(name) != name || !strings.HasSuffix(name, ".yaml") {
				return nil, nil, &paramError{"files", name, "want file names ending in .yaml, no folders"}
			}
			m[name] = &fstest.MapFile{Data: []byte(text)}
		}
		set, err := rules.Load(m)
		if err != nil {
			return nil, nil, &RuleError{Err: err}
		}
		var keys []string
		for _, r := range set.Rules() {
			keys = append(keys, r.Key())
		}
		return set, keys, nil
	}
	if strings.TrimSpace(req.Rules) == "" {
		return nil, nil, &paramError{"rules", "", "paste a rule file (YAML)"}
	}
	base := fstest.MapFS{}
	if dir != "" {
		names, err := fs.Glob(os.DirFS(dir), "*.yaml")
		if err != nil {
			return nil, nil, err
		}
		for _, n := range names {
			data, err := os.ReadFile(path.Join(dir, n))
			if err != nil {
				return nil, nil, err
			}
			base[n] = &fstest.MapFile{Data: data}
		}
	}
	known := map[string]bool{}
	if len(base) > 0 {
		set, err := rules.Load(base)
		if err != nil {
			return nil, nil, fmt.Errorf("the desk's rule folder %s does not load: %w", dir, err)
		}
		for _, r := range set.Rules() {
			known[r.Key()] = true
		}
	}
	const tryName = "try.yaml"
	base[tryName] = &fstest.MapFile{Data: []byte(req.Rules)}
	set, err := rules.Load(base)
	if err != nil {
		return nil, nil, &RuleError{Err: err, File: tryName}
	}
	var keys []string
	for _, r := range set.Rules() {
		if !known[r.Key()] {
			keys = append(keys, r.Key())
		}
	}
	if len(keys) == 0 {
		return nil, nil, &RuleError{Err: errors.New(tryName + ":1: no new rule or entity: give it an id the rules in use do not have")}
	}
	return set, keys, nil
}

// RuleError is a rule file that does not load; the API answers 400 with
// every problem.
type RuleError struct {
	Err  error
	File string // the pasted file's name in messages, if any
}

func (e *RuleError) Error() string { return e.Err.Error() }

// Problems lists each problem on its own, as file:line: reason.
func (e *RuleError) Problems() []string {
	var j interface{ Unwrap() []error }
	if errors.As(e.Err, &j) {
		var out []string
		for _, err := range j.Unwrap() {
			out = append(out, err.Error())
		}
		return out
	}
	return []string{e.Err.Error()}
}

// Backtest runs the request over the articles indexed since the period
// began, reading at most max articles.
func Backtest(ctx context.Context, idx Index, rulesDir string, req *BacktestRequest, now time.Time, maxArticles int) (*BacktestResult, error) {
	started := time.Now()
	since := req.Since
	if since == "" {
		since = "7d"
	}
	d, err := parseSince(since)
	if err != nil {
		return nil, &paramError{"since", since, "want a duration such as 24h or 7d"}
	}
	set, keys, err := compileTry(rulesDir, req)
	if err != nil {
		return nil, err
	}
	res := &BacktestResult{Since: now.Add(-d).UTC(), Hits: []BacktestHit{}}
	want := map[string]int{}
	names := map[string]string{}
	for i, k := range keys {
		want[k] = i
	}
	for _, r := range set.Rules() {
		names[r.Key()] = r.Name
	}
	res.Rules = make([]BacktestRule, len(keys))
	for i, k := range keys {
		res.Rules[i] = BacktestRule{Key: k, Name: names[k]}
	}
	alerted := make([]map[string]bool, len(keys))
	for i, k := range keys {
		if alerted[i], err = idx.RuleArticles(ctx, k, res.Since); err != nil {
			return nil, err
		}
	}
	read := map[string]bool{}
	err = idx.Articles(ctx, res.Since, func(a *pipeline.Article) bool {
		if ctx.Err() != nil {
			return false
		}
		if res.Articles >= maxArticles {
			res.Truncated = true
			return false
		}
		res.Articles++
		read[a.ID] = true
		for _, h := range set.Match(rules.Doc{Title: a.Title, Body: a.Text}) {
			i, ok := want[h.Rule.Key()]
			if !ok {
				continue
			}
			r := &res.Rules[i]
			r.Flagged++
			isNew := !alerted[i][a.ID]
			if isNew {
				r.New++
			}
			if len(res.Hits) < maxBacktestHits {
				res.Hits = append(res.Hits, BacktestHit{Rule: r.Key, New: isNew, Matches: h.Matches,
					Article: pipeline.ArticleRef{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, Published: a.Published}})
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("backtest: %w", ctx.Err())
	}
	for i := range res.Rules {
		for id := range alerted[i] {
			if read[id] {
				res.Rules[i].Alerted++
			}
		}
		res.Rules[i].Gone = res.Rules[i].Alerted - (res.Rules[i].Flagged - res.Rules[i].New)
	}
	sort.SliceStable(res.Rules, func(i, j int) bool { return res.Rules[i].Flagged > res.Rules[j].Flagged })
	slices.SortStableFunc(res.Hits, func(a, b BacktestHit) int { return strings.Compare(a.Rule, b.Rule) })
	res.Took = time.Since(started).Round(time.Millisecond).String()
	return res, nil
}
