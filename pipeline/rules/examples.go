package rules

import (
	"fmt"
	"slices"
	"strings"
)

// ExampleFailure is an example in a rule file that did not come out as it
// says.
type ExampleFailure struct {
	File   string
	Line   int
	Text   string // the example's title and text
	Reason string // what was wanted and what fired
}

func (f ExampleFailure) String() string {
	return fmt.Sprintf("%s:%d: %s\n\ttext: %s", f.File, f.Line, f.Reason, f.Text)
}

// Examples counts the examples in every file.
func (s *Set) Examples() int {
	n := 0
	for _, f := range s.files {
		n += len(f.examples)
	}
	return n
}

// RunExamples checks every example of every file. An example passes when
// every rule under want fires, no rule under not fires, and, when want is
// given (even empty), no other rule defined in the same file fires.
func (s *Set) RunExamples() []ExampleFailure {
	var fails []ExampleFailure
	for _, f := range s.files {
		for _, x := range f.examples {
			hits := s.Match(Doc{Title: x.title, Body: x.text})
			fired := map[string]Hit{}
			for _, h := range hits {
				fired[h.Rule.Key()] = h
			}
			var problems []string
			for _, w := range x.want {
				if _, ok := fired[w.ref]; !ok {
					problems = append(problems, "want "+w.ref+", it did not fire")
				}
			}
			for _, n := range x.not {
				if h, ok := fired[n.ref]; ok {
					problems = append(problems, "not "+n.ref+", it fired on "+describe(h))
				}
			}
			if x.wantGiven {
				for _, h := range hits {
					k := h.Rule.Key()
					if s.info[s.byKey[k]].file != f.name || slices.ContainsFunc(x.want, func(r refSpec) bool { return r.ref == k }) {
						continue
					}
					if slices.ContainsFunc(x.not, func(r refSpec) bool { return r.ref == k }) {
						continue // already reported
					}
					problems = append(problems, "unexpected "+k+" fired on "+describe(h))
				}
			}
			if len(problems) > 0 {
				text := x.text
				if x.title != "" {
					text = "[title] " + x.title + " [text] " + x.text
				}
				fails = append(fails, ExampleFailure{File: f.name, Line: x.line, Text: text,
					Reason: strings.Join(problems, "; ") + "; fired: " + firedList(hits)})
			}
		}
	}
	return fails
}

func describe(h Hit) string {
	var parts []string
	for _, m := range h.Matches {
		parts = append(parts, fmt.Sprintf("%q (%s %d-%d)", m.Text, m.Field, m.Start, m.End))
	}
	return strings.Join(parts, ", ")
}

func firedList(hits []Hit) string {
	if len(hits) == 0 {
		return "nothing"
	}
	var keys []string
	for _, h := range hits {
		keys = append(keys, h.Rule.Key())
	}
	return strings.Join(keys, ", ")
}

// Stats counts what a Set holds.
type Stats struct {
	Files, Entities, Aliases, Rules, Examples int
	Words                                     int // distinct words in aliases and terms, in each lexicon
}

// Stats counts the files, entities, aliases, rules (entity and compound)
// and examples of s.
func (s *Set) Stats() Stats {
	st := Stats{Files: len(s.files), Entities: len(s.entities), Rules: len(s.rules), Examples: s.Examples(),
		Words: len(s.main.words.offs) - 1 + len(s.sense.words.offs) - 1}
	seen := map[*aliasInfo]bool{} // an alias's other spellings share its info
	for _, p := range s.phrases {
		if p.entity >= 0 && !seen[p.alias] {
			seen[p.alias] = true
			st.Aliases++
		}
	}
	return st
}

// Lint reports what tagger check asks of a rule folder beyond what Load
// requires: every file that defines entities or rules carries at least one
// example that must match and one that must not, and every entity and rule
// is wanted by some example, so that each ships with its evidence. Each
// problem reads "file:line: reason".
func (s *Set) Lint() []string {
	wanted := map[string]bool{}
	for _, f := range s.files {
		for _, x := range f.examples {
			for _, r := range x.want {
				wanted[r.ref] = true
			}
		}
	}
	var out []string
	for _, f := range s.files {
		if len(f.entities) == 0 && len(f.rules) == 0 {
			continue
		}
		pos, neg := false, false
		for _, x := range f.examples {
			pos = pos || len(x.want) > 0
			neg = neg || len(x.not) > 0 || (x.wantGiven && len(x.want) == 0)
		}
		if !pos {
			out = append(out, fmt.Sprintf("%s:1: no example that must match (want: [category.id])", f.name))
		}
		if !neg {
			out = append(out, fmt.Sprintf("%s:1: no example that must not match (want: [] or not: [category.id])", f.name))
		}
		for _, e := range f.entities {
			if k := e.category + "." + e.id; !wanted[k] {
				out = append(out, fmt.Sprintf("%s:%d: no example wants %s", f.name, e.lineNo, k))
			}
		}
		for _, r := range f.rules {
			if k := r.category + "." + r.id; !wanted[k] {
				out = append(out, fmt.Sprintf("%s:%d: no example wants %s", f.name, r.line, k))
			}
		}
	}
	return out
}
