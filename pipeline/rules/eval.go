package rules

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"newsmon/pipeline"
)

// This file measures a rule set against labelled passages: the gold files
// of rules/testdata, labelled by the policy in docs/rules.md.

// Gold is one labelled passage: the rules (category.id) that should fire
// on its title and text, and no others.
type Gold struct {
	ID    string   `json:"id"`
	Title string   `json:"title,omitempty"`
	Text  string   `json:"text"`
	Want  []string `json:"want"`
	Hard  bool     `json:"hard,omitempty"` // a hard negative: a namesake or another sense of a name
	Note  string   `json:"note,omitempty"`
}

// Limits on a gold file, which is outside input.
const (
	maxGoldLine     = 1 << 20
	maxGoldPassages = 100000
)

// ReadGold reads a gold file: one JSON object a line, blank lines
// skipped. Errors name the file and line.
func ReadGold(r io.Reader, name string) ([]Gold, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxGoldLine)
	var (
		out  []Gold
		errs []error
		ids  = map[string]int{}
	)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if len(out) == maxGoldPassages {
			return nil, fmt.Errorf("%s:%d: more than %d passages", name, line, maxGoldPassages)
		}
		var g Gold
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&g); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %v", name, line, err))
			continue
		}
		if dec.More() {
			errs = append(errs, fmt.Errorf("%s:%d: more than one JSON value on the line", name, line))
			continue
		}
		switch {
		case g.ID == "":
			errs = append(errs, fmt.Errorf("%s:%d: no id", name, line))
			continue
		case g.Title == "" && g.Text == "":
			errs = append(errs, fmt.Errorf("%s:%d: %s: no title and no text", name, line, g.ID))
			continue
		case g.Want == nil:
			errs = append(errs, fmt.Errorf("%s:%d: %s: no want (write [] for a passage where nothing should fire)", name, line, g.ID))
			continue
		}
		if prev, dup := ids[g.ID]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: id %s already used on line %d", name, line, g.ID, prev))
			continue
		}
		ids[g.ID] = line
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("a line is longer than %d bytes", maxGoldLine)
		}
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// Score counts one rule's, or a group of rules', agreement with the gold
// labels, passage by passage.
type Score struct {
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func (s *Score) add(o Score) { s.TP, s.FP, s.FN = s.TP+o.TP, s.FP+o.FP, s.FN+o.FN }

// finish computes the ratios. With nothing to find and nothing found, all
// three are 1: there was nothing to get wrong.
func (s *Score) finish() {
	s.Precision, s.Recall = ratio(s.TP, s.TP+s.FP), ratio(s.TP, s.TP+s.FN)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// RuleScore is the score of one rule.
type RuleScore struct {
	Rule   string `json:"rule"`   // category.id
	Entity bool   `json:"entity"` // an entity's own rule, else a compound (watch) rule
	Score
}

// EvalError is one passage on which one rule disagreed with the gold
// labels: it fired and should not have (fp), or should have and did not
// (fn). A false positive carries the matches that made it fire, each with
// its sentence.
type EvalError struct {
	Passage string           `json:"passage"`
	Rule    string           `json:"rule"`
	Kind    string           `json:"kind"` // "fp" or "fn"
	Hard    bool             `json:"hard,omitempty"`
	Title   string           `json:"title,omitempty"`
	Text    string           `json:"text,omitempty"` // for fn: the passage, shortened
	Matches []pipeline.Match `json:"matches,omitempty"`
}

// Report is what Evaluate found.
type Report struct {
	Passages int         `json:"passages"`
	Hard     int         `json:"hard"`
	Entities Score       `json:"entities"` // every entity rule, pooled
	Watch    Score       `json:"watch"`    // every compound rule, pooled
	Overall  Score       `json:"overall"`
	Rules    []RuleScore `json:"rules"` // in subject order
	Errors   []EvalError `json:"errors"`
}

// maxErrorText caps the passage text an fn error quotes, in bytes.
const maxErrorText = 600

// Evaluate matches every passage and compares what fired with its labels.
// Every rule of the set is scored on every passage: a rule no passage
// wants counts its firings as false positives. Labels naming a rule the
// set does not have are an error.
func (s *Set) Evaluate(gold []Gold) (*Report, error) {
	var errs []error
	for _, g := range gold {
		for _, w := range g.Want {
			if _, ok := s.byKey[w]; !ok {
				errs = append(errs, fmt.Errorf("%s: want names unknown rule %q", g.ID, w))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	rep := &Report{Passages: len(gold), Errors: []EvalError{}}
	scores := make([]Score, len(s.rules))
	for _, g := range gold {
		if g.Hard {
			rep.Hard++
		}
		fired := map[string]Hit{}
		for _, h := range s.Match(Doc{Title: g.Title, Body: g.Text}) {
			fired[h.Rule.Key()] = h
		}
		for i, r := range s.rules {
			k := r.Key()
			h, got := fired[k]
			want := slices.Contains(g.Want, k)
			switch {
			case got && want:
				scores[i].TP++
			case got:
				scores[i].FP++
				rep.Errors = append(rep.Errors, EvalError{Passage: g.ID, Rule: k, Kind: "fp", Hard: g.Hard, Title: g.Title, Matches: h.Matches})
			case want:
				scores[i].FN++
				rep.Errors = append(rep.Errors, EvalError{Passage: g.ID, Rule: k, Kind: "fn", Hard: g.Hard, Title: g.Title, Text: shorten(g.Text, maxErrorText)})
			}
		}
	}
	for i, r := range s.rules {
		sc := scores[i]
		entity := s.info[i].entity >= 0
		if entity {
			rep.Entities.add(sc)
		} else {
			rep.Watch.add(sc)
		}
		rep.Overall.add(sc)
		sc.finish()
		rep.Rules = append(rep.Rules, RuleScore{Rule: r.Key(), Entity: entity, Score: sc})
	}
	rep.Entities.finish()
	rep.Watch.finish()
	rep.Overall.finish()
	return rep, nil
}

// shorten cuts s to at most n bytes at a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n]) + " …"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
