package rules

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadGold(t *testing.T) {
	good := `{"id": "a", "title": "T", "text": "Acme signed.", "want": ["co.acme"]}

{"id": "b", "text": "Nothing here.", "want": [], "hard": true, "note": "a namesake"}
`
	gold, err := ReadGold(strings.NewReader(good), "g.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []Gold{{ID: "a", Title: "T", Text: "Acme signed.", Want: []string{"co.acme"}},
		{ID: "b", Text: "Nothing here.", Want: []string{}, Hard: true, Note: "a namesake"}}
	if diff := cmp.Diff(want, gold); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	cases := []struct{ name, in, want string }{
		{"not json", "{\"id\": \"a\", \"text\": \"x\", \"want\": []}\nnot json\n", "g.jsonl:2: invalid character"},
		{"unknown field", `{"id": "a", "text": "x", "want": [], "wnat": []}`, `g.jsonl:1: json: unknown field "wnat"`},
		{"no id", `{"text": "x", "want": []}`, "g.jsonl:1: no id"},
		{"no text", `{"id": "a", "want": []}`, "g.jsonl:1: a: no title and no text"},
		{"no want", `{"id": "a", "text": "x"}`, "g.jsonl:1: a: no want"},
		{"two values", `{"id": "a", "text": "x", "want": []} {}`, "g.jsonl:1: more than one JSON value"},
		{"duplicate id", "{\"id\": \"a\", \"text\": \"x\", \"want\": []}\n{\"id\": \"a\", \"text\": \"y\", \"want\": []}", "g.jsonl:2: id a already used on line 1"},
		{"long line", `{"id": "a", "text": "` + strings.Repeat("x", maxGoldLine) + `", "want": []}`, "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadGold(strings.NewReader(c.in), "g.jsonl")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func FuzzReadGold(f *testing.F) {
	f.Add(`{"id": "a", "title": "T", "text": "Acme signed.", "want": ["co.acme"]}`)
	f.Add("{\"id\": \"b\", \"text\": \"x\", \"want\": [], \"hard\": true}\n\n{}")
	f.Add(`{"id": 3}`)
	s := load(f, testEntities)
	f.Fuzz(func(t *testing.T, in string) {
		gold, err := ReadGold(strings.NewReader(in), "f.jsonl")
		if err != nil {
			return
		}
		for _, g := range gold {
			if g.ID == "" || g.Want == nil || (g.Title == "" && g.Text == "") {
				t.Fatalf("accepted an incomplete passage: %+v", g)
			}
		}
		if rep, err := s.Evaluate(gold); err == nil && rep.Passages != len(gold) {
			t.Fatalf("report counts %d passages of %d", rep.Passages, len(gold))
		}
	})
}

func TestEvaluate(t *testing.T) {
	s := load(t, testEntities+`
rules:
  - {id: pair, category: w, name: Pair, severity: low, description: d, match: 'co.acme AND body.gov'}
`)
	gold := []Gold{
		{ID: "1", Text: "Acme met MOW.", Want: []string{"co.acme", "body.gov", "w.pair"}},    // all right
		{ID: "2", Text: "Acme signed.", Want: []string{}, Hard: true},                        // acme fp
		{ID: "3", Text: "The widget ministry spoke.", Want: []string{"body.gov"}},            // gov fn
		{ID: "4", Text: "Zetacorp and the Ministry of Widgets.", Want: []string{"body.gov"}}, // zeta fp
	}
	rep, err := s.Evaluate(gold)
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string]Score{}
	for _, r := range rep.Rules {
		byRule[r.Rule] = r.Score
	}
	check := func(name string, got Score, tp, fp, fn int, p, r float64) {
		t.Helper()
		if got.TP != tp || got.FP != fp || got.FN != fn {
			t.Errorf("%s: tp/fp/fn %d/%d/%d, want %d/%d/%d", name, got.TP, got.FP, got.FN, tp, fp, fn)
		}
		if !near(got.Precision, p) || !near(got.Recall, r) || !near(got.F1, f1(p, r)) {
			t.Errorf("%s: p/r/f1 %.3f/%.3f/%.3f, want %.3f/%.3f/%.3f", name, got.Precision, got.Recall, got.F1, p, r, f1(p, r))
		}
	}
	check("co.acme", byRule["co.acme"], 1, 1, 0, 0.5, 1)
	check("body.gov", byRule["body.gov"], 2, 0, 1, 1, 2.0/3)
	check("co.zeta", byRule["co.zeta"], 0, 1, 0, 0, 1)
	check("w.pair", byRule["w.pair"], 1, 0, 0, 1, 1)
	check("entities", rep.Entities, 3, 2, 1, 0.6, 0.75)
	check("watch", rep.Watch, 1, 0, 0, 1, 1)
	check("overall", rep.Overall, 4, 2, 1, 4.0/6, 0.8)
	if rep.Passages != 4 || rep.Hard != 1 {
		t.Errorf("passages %d hard %d, want 4 and 1", rep.Passages, rep.Hard)
	}
	var errs []string
	for _, e := range rep.Errors {
		line := e.Kind + " " + e.Rule + " " + e.Passage
		for _, m := range e.Matches {
			line += " [" + m.Text + " | " + m.Snippet + "]"
		}
		if e.Kind == "fn" {
			line += " {" + e.Text + "}"
		}
		errs = append(errs, line)
	}
	wantErrs := []string{
		"fp co.acme 2 [Acme | Acme signed.]",
		"fn body.gov 3 {The widget ministry spoke.}",
		"fp co.zeta 4 [Zetacorp | Zetacorp and the Ministry of Widgets.]",
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	if _, err := s.Evaluate([]Gold{{ID: "x", Text: "t", Want: []string{"co.nope"}}}); err == nil || !strings.Contains(err.Error(), `x: want names unknown rule "co.nope"`) {
		t.Errorf("unknown rule in want: err = %v", err)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
