package rules

import (
	"strings"
	"testing"
)

func TestProminence(t *testing.T) {
	s := load(t, testEntities+`
rules:
  - {id: focus, category: w, name: Focus, severity: low, description: d, match: 'co.acme', min_prominence: 0.5}
  - {id: any, category: w, name: Any, severity: low, description: d, match: 'co.acme AND body.gov'}
`)
	filler := strings.Repeat("Nothing to see in this sentence. ", 29)
	cases := []struct {
		name        string
		doc         Doc
		acme, focus float64 // want; focus -1: the min_prominence rule must not fire
	}{
		// 0.4 title + 0.2 lead + 0.2×min(1,(3-1)/4) + 0.2×min(1, 3×2/2)
		{"title, lead and most sentences", Doc{Title: "Acme wins", Body: "Acme signed. Acme grew."}, 0.4 + 0.2 + 0.1 + 0.2, 0.9},
		// one mention in the last of 30 sentences, in the third paragraph: 0.2×(3×1/30)
		{"a passing mention", Doc{Body: "Lead.\n\n" + filler + "\n\nAcme was there."}, 0.02, -1},
		// the lead only, one sentence of one: 0.2 + 0.2
		{"a short text about it", Doc{Body: "Acme signed."}, 0.4, -1},
		// the title alone
		{"the title alone", Doc{Title: "Acme"}, 0.4, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]float64{}
			for _, h := range s.Match(c.doc) {
				got[h.Rule.Key()] = h.Prominence
			}
			if p, ok := got["co.acme"]; !ok || !near(p, c.acme) {
				t.Errorf("co.acme prominence %v (fired %v), want %v", p, ok, c.acme)
			}
			p, ok := got["w.focus"]
			switch {
			case c.focus < 0 && ok:
				t.Errorf("w.focus fired at %v, below its min_prominence 0.5", p)
			case c.focus >= 0 && (!ok || !near(p, c.focus)):
				t.Errorf("w.focus prominence %v (fired %v), want %v", p, ok, c.focus)
			}
		})
	}
	// A compound rule takes its most prominent entity's prominence.
	for _, h := range s.Match(Doc{Title: "Acme", Body: "The MOW met Acme."}) {
		if h.Rule.Key() == "w.any" && !near(h.Prominence, 0.4+0.2+0.05+0.2) {
			t.Errorf("w.any prominence %v, want Acme's 0.85", h.Prominence)
		}
	}
}
