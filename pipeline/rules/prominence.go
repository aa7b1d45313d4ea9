package rules

import "math"

// Prominence says how much an article is about what a rule matched, from 0
// (a passing mention deep in a long text) to 1 (the story is about it):
//
//	0.40  mentioned in the title
//	0.20  mentioned in the lead (the first paragraph of the body)
//	0.20  × min(1, (mentions − 1) / 4): five mentions or more score it all
//	0.20  × min(1, 3 × share), share being the part of the body's sentences
//	      that mention it: a third of them or more score it all
//
// For an entity's own rule the mentions are the entity's; for a compound
// rule, the prominence of the most prominent entity among its matches (of
// its quoted words, when it matched no entity). It is rounded to two
// decimals. A rule's min_prominence drops hits below it (docs/rules.md).
const (
	weightTitle    = 0.40
	weightLead     = 0.20
	weightMentions = 0.20
	weightShare    = 0.20
)

// prominence scores occurrences of one thing, in text order.
func (x *scratch) prominence(occs []occ) float64 {
	if len(occs) == 0 {
		return 0
	}
	var title, lead bool
	mentions, sentences := 0, 0
	prevSent := int32(-1)
	for i := range occs {
		o := &occs[i]
		if i > 0 && o.field == occs[i-1].field && o.start == occs[i-1].start {
			continue // the same place, matched twice (an entity and a term)
		}
		mentions++
		if o.field == 0 {
			title = true
			continue
		}
		if o.para == 0 {
			lead = true
		}
		if o.sent != prevSent {
			sentences++
			prevSent = o.sent
		}
	}
	p := 0.0
	if title {
		p += weightTitle
	}
	if lead {
		p += weightLead
	}
	p += weightMentions * math.Min(1, float64(mentions-1)/4)
	if total := len(x.sc[1].sentStarts); sentences > 0 && total > 0 {
		p += weightShare * math.Min(1, 3*float64(sentences)/float64(total))
	}
	return math.Round(p*100) / 100
}

// ruleProminence scores a compound rule's matches: the most prominent
// entity among them, with all of its mentions in the article, or the
// matched words when there is no entity.
func (x *scratch) ruleProminence(found []occ) float64 {
	best, any := 0.0, false
	for i := range found {
		o := &found[i]
		if x.s.phrases[o.ph].entity < 0 {
			continue
		}
		any = true
		if p := x.prominence(x.ents[x.entLo[o.id]:x.entHi[o.id]]); p > best {
			best = p
		}
	}
	if !any {
		return x.prominence(found)
	}
	return best
}
