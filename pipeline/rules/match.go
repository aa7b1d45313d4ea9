package rules

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"newsmon/pipeline"
)

// occ is one occurrence of an entity (through one of its aliases) or of a
// term.
type occ struct {
	id         int32 // entity or term
	ph         int32 // the phrase that matched
	field      uint8 // 0 title, 1 body
	lower      bool  // a name written as ordinary words in lower case (see sense.go)
	pos0, pos1 int32 // first and last word
	start, end int32 // byte offsets in the field
	sent, para int32
}

var fieldNames = [2]string{"title", "body"}

// maxPhraseWords bounds aliases and terms; the matcher remembers that many
// recent words.
const maxPhraseWords = 32

type recent struct {
	start, end int32
	sent, para int32
	flags      uint8
}

// state is a partial phrase match: a trie node and the word it began at.
type state struct {
	node  int32
	first int32
}

// scratch holds the buffers of one Match call; Sets pool them.
type scratch struct {
	s       *Set
	sc      [2]scanner
	field   uint8
	text    string
	ring    [maxPhraseWords]recent
	act     [maxPhraseWords]state
	nact    int
	lastPos int32
	ents    []occ
	terms   []occ
	texts   [2]string

	gen     uint32
	entGen  []uint32 // per entity: gen when entLo/entHi are valid
	entLo   []int32
	entHi   []int32
	trmGen  []uint32
	trmLo   []int32
	trmHi   []int32
	candBit []uint64 // rules to evaluate, one bit each
	arena   []pipeline.Match
	present []int32 // entities found, in order of first appearance
	termIDs []int32 // terms found
	spare   []occ
	near    []occ
	found   []occ

	// The lexicon being read, the scanner reading, and, in the sense pass,
	// where the slice being read starts in its field.
	lex                *lexicon
	cur                *scanner
	off                int32
	sentBase, paraBase int32
	senseSc            scanner
	spans              [][2]int32 // sentence spans to read in the sense pass, per field in turn

	// For resolve (sense.go).
	verdict   []uint8
	caseClass [2]uint8
	defs      []def
	townNames []*aliasInfo // names the text shows to be a town's (White House, Tenn.)
	// builtOn: single ordinary words the text shows inside another body's
	// longer name (the Electoral Commission, the House of Lords).
	builtOn []*aliasInfo
}

func newScratch(s *Set) any {
	return &scratch{s: s,
		entGen: make([]uint32, len(s.entities)), entLo: make([]int32, len(s.entities)), entHi: make([]int32, len(s.entities)),
		trmGen: make([]uint32, len(s.terms)), trmLo: make([]int32, len(s.terms)), trmHi: make([]int32, len(s.terms)),
		candBit: make([]uint64, (len(s.rules)+63)/64),
	}
}

// Match returns the rules that fire on d, ordered by rule subject.
func (s *Set) Match(d Doc) []Hit {
	x := s.pool.Get().(*scratch)
	defer s.pool.Put(x)
	x.find(d)
	return x.rulesHit()
}

// find fills x.ents and x.terms with the occurrences in both fields.
func (x *scratch) find(d Doc) {
	x.ents, x.terms = x.ents[:0], x.terms[:0]
	x.texts = [2]string{d.Title, d.Body}
	x.lex, x.off, x.sentBase, x.paraBase = &x.s.main, 0, 0, 0
	for f := range 2 {
		x.field, x.text, x.nact, x.lastPos = uint8(f), x.texts[f], 0, -2
		sc := &x.sc[f]
		x.cur = sc
		sc.filter, sc.sh = x.lex.words.filter, x.lex.words.sh
		sc.scan(x.text, x)
	}
	x.resolve()
}

// groupTerms groups the term occurrences by id (see group), for resolve
// and the rules, under a new generation.
func (x *scratch) groupTerms() {
	x.gen++
	if x.gen == 0 { // wrapped: stale marks could look current
		clear(x.entGen)
		clear(x.trmGen)
		x.gen = 1
	}
	x.termIDs = x.termIDs[:0]
	x.terms, x.spare = group(x.terms, x.spare, x.trmGen, x.trmLo, x.trmHi, x.gen, &x.termIDs)
}

// word advances the trie of the lexicon being read by one word of the
// text. The scanner calls it only for words that may start a phrase, and
// for words that may continue one while one is under way.
func (x *scratch) word(w *word) {
	lex := x.lex
	if w.pos != x.lastPos+1 || w.flags&fBreak != 0 {
		x.nact = 0 // words in between, or punctuation: no phrase goes on
	}
	x.lastPos = w.pos
	id := lex.words.lookup(w)
	if id < 0 {
		x.nact = 0
		x.cur.active = false
		return
	}
	x.ring[uint32(w.pos)%maxPhraseWords] = recent{start: w.start, end: w.end, sent: w.sent, para: w.para, flags: w.flags}
	k := 0
	for _, st := range x.act[:x.nact] {
		if v := lex.next.step(st.node, id); v >= 0 {
			next := v &^ outFlag
			x.act[k] = state{next, st.first}
			k++
			if v&outFlag != 0 {
				for _, pi := range lex.outIDs[lex.outOff[next]:lex.outOff[next+1]] {
					x.accept(pi, st.first, w.pos)
				}
			}
		}
	}
	if v := lex.root[id]; v >= 0 && k < len(x.act) {
		node := v &^ outFlag
		x.act[k] = state{node, w.pos}
		k++
		if v&outFlag != 0 {
			for _, pi := range lex.outIDs[lex.outOff[node]:lex.outOff[node+1]] {
				x.accept(pi, w.pos, w.pos)
			}
		}
	}
	x.nact = k
	x.cur.active = k > 0
}

// accept records phrase pi found on words first..last if its case and
// hyphen conditions hold.
func (x *scratch) accept(pi int32, first, last int32) {
	p := &x.s.phrases[pi]
	a, b := &x.ring[uint32(first)%maxPhraseWords], &x.ring[uint32(last)%maxPhraseWords]
	lowered := false
	if p.exact != nil {
		for k, e := range p.exact {
			if e == "" {
				continue
			}
			t := &x.ring[uint32(first+int32(k))%maxPhraseWords]
			w := x.text[t.start:t.end]
			if w != e && w != p.exactUpper[k] {
				// A name written in lower case ("the commerce department",
				// "amazon" in a line typed without capitals) is kept for
				// resolve to judge; other spellings are not the name.
				if p.alias == nil || !p.alias.lowerOK || !isLowerOf(w, e) {
					return
				}
				lowered = true
			}
		}
	}
	// A hyphen glues an ordinary word into a longer one ("e-commerce
	// department"), unless the word is a name, written as one (a White
	// House-backed bill).
	if (p.commonFirst && a.flags&fGluedPrev != 0 && (p.exact == nil || p.exact[0] == "")) ||
		(p.commonLast && b.flags&fGluedNext != 0 && (p.exact == nil || p.exact[len(p.exact)-1] == "")) {
		return
	}
	// After a single letter the hyphen makes a compound even of a
	// capitalised word: E-Commerce in a headline in title case.
	if p.commonFirst && a.flags&fGluedPrev != 0 && singleLetterBefore(x.text, int(a.start)) {
		return
	}
	// In the sense pass the text is a slice of the field: offsets and
	// sentence and paragraph numbers are moved back to the field's.
	o := occ{ph: pi, field: x.field, lower: lowered, pos0: first, pos1: last, start: a.start + x.off, end: b.end + x.off,
		sent: a.sent + x.sentBase, para: a.para + x.paraBase}
	if p.entity >= 0 {
		o.id = p.entity
		x.ents = append(x.ents, o)
	} else {
		if x.lex == &x.s.sense && x.s.termMain[p.term] {
			return // the main pass has it
		}
		o.id = p.term
		x.terms = append(x.terms, o)
	}
}

// rulesHit evaluates the rules over the occurrences found.
func (x *scratch) rulesHit() []Hit {
	s := x.s
	if len(x.ents) == 0 && len(x.terms) == 0 {
		return nil
	}
	gen := x.gen // set by find
	x.present = x.present[:0]
	ncand := 0
	x.ents, x.spare = group(x.ents, x.spare, x.entGen, x.entLo, x.entHi, gen, &x.present)
	for _, id := range x.present {
		x.entHi[id] = x.entLo[id] + int32(len(dedupContained(x.ents[x.entLo[id]:x.entHi[id]])))
		r := s.entities[id].rule
		x.candBit[r/64] |= 1 << (r % 64)
		for _, r := range s.entities[id].compound {
			x.candBit[r/64] |= 1 << (r % 64)
		}
		ncand++
	}
	for _, id := range x.termIDs {
		for _, r := range s.termRules[id] {
			x.candBit[r/64] |= 1 << (r % 64)
			ncand++
		}
	}
	if ncand == 0 {
		return nil
	}
	// Matches of all hits share a few allocations.
	x.arena = make([]pipeline.Match, 0, len(x.ents)+8)
	hits := make([]Hit, 0, len(x.present)+2)
	found := x.found
	// Candidates in rule order, which is subject order.
	for wi, bitsw := range x.candBit {
		if bitsw == 0 {
			continue
		}
		x.candBit[wi] = 0
		for bitsw != 0 {
			ri := int32(wi*64 + bits.TrailingZeros64(bitsw))
			bitsw &= bitsw - 1
			inf := &s.info[ri]
			if inf.expr == nil {
				e := inf.entity
				occs := x.ents[x.entLo[e]:x.entHi[e]]
				hits = append(hits, Hit{Rule: s.rules[ri], Matches: x.matches(occs), Prominence: x.prominence(occs)})
				continue
			}
			found = found[:0]
			if x.eval(inf.expr, scopeAll, &found) {
				slices.SortFunc(found, byFieldStart)
				found = slices.CompactFunc(found, func(a, b occ) bool {
					return a.field == b.field && a.start == b.start && a.end == b.end && a.id == b.id &&
						(s.phrases[a.ph].entity < 0) == (s.phrases[b.ph].entity < 0)
				})
				p := x.ruleProminence(found)
				if p < inf.minProminence {
					continue
				}
				hits = append(hits, Hit{Rule: s.rules[ri], Matches: x.matches(found), Prominence: p})
			}
		}
	}
	x.found = found[:0]
	return hits
}

// group reorders occs so that the occurrences of each id are contiguous and
// in text order, in linear time, setting lo and hi for every id present and
// appending the ids to ids in order of first appearance. It returns the
// reordered slice and the spare buffer.
func group(occs, spare []occ, gens []uint32, lo, hi []int32, gen uint32, ids *[]int32) ([]occ, []occ) {
	for i := range occs {
		id := occs[i].id
		if gens[id] != gen {
			gens[id] = gen
			hi[id] = 0
			*ids = append(*ids, id)
		}
		hi[id]++
	}
	off := int32(0)
	for _, id := range *ids {
		lo[id] = off
		off += hi[id]
		hi[id] = lo[id] // from here on, the next free place of id
	}
	spare = slices.Grow(spare[:0], len(occs))[:len(occs)]
	for i := range occs {
		id := occs[i].id
		spare[hi[id]] = occs[i]
		hi[id]++
	}
	return spare, occs[:0]
}

func byFieldStart(a, b occ) int {
	return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end))
}

// dedupContained keeps, of one entity's occurrences in text order, only
// the longest of nested alias matches: "Alibaba Cloud" rather than the
// "Alibaba" inside it. The matcher reports a phrase when its last word
// arrives, so a longer phrase may follow the shorter one it contains.
func dedupContained(occs []occ) []occ {
	out := occs[:0]
	for _, o := range occs {
		for n := len(out); n > 0; n-- {
			p := &out[n-1]
			if p.field != o.field || p.start < o.start || p.end > o.end {
				break
			}
			out = out[:n-1] // o contains p
		}
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.field == o.field && o.start >= p.start && o.end <= p.end {
				continue // p contains o
			}
		}
		out = append(out, o)
	}
	slices.SortFunc(out, byFieldStart) // usually sorted already: cheap
	return out
}

// matches turns occurrences into the pipeline's Match values.
func (x *scratch) matches(os []occ) []pipeline.Match {
	if cap(x.arena)-len(x.arena) < len(os) {
		x.arena = make([]pipeline.Match, 0, max(len(os), 32))
	}
	n := len(x.arena)
	x.arena = x.arena[:n+len(os)]
	out := x.arena[n : n+len(os) : n+len(os)]
	for i, o := range os {
		text := x.texts[o.field]
		m := pipeline.Match{Text: text[o.start:o.end], Field: fieldNames[o.field], Start: int(o.start), End: int(o.end)}
		if x.s.phrases[o.ph].entity >= 0 {
			m.Entity = x.s.entities[o.id].key
		}
		m.Snippet = snippet(text, x.sc[o.field].sentStarts, o)
		out[i] = m
	}
	return out
}

// maxSnippet caps the sentence quoted with a match, in bytes.
const maxSnippet = 400

func snippet(text string, starts []int32, o occ) string {
	lo := int(starts[o.sent])
	hi := len(text)
	if int(o.sent)+1 < len(starts) {
		hi = int(starts[o.sent+1])
	}
	if hi-lo > maxSnippet {
		// Keep the match in the middle of the quoted part.
		mid := (int(o.start) + int(o.end)) / 2
		nlo, nhi := max(lo, mid-maxSnippet/2), min(hi, mid+maxSnippet/2)
		for nlo > lo && !utf8.RuneStart(text[nlo]) {
			nlo--
		}
		for nhi < hi && !utf8.RuneStart(text[nhi]) {
			nhi++
		}
		lo, hi = nlo, nhi
	}
	return strings.TrimSpace(text[lo:hi])
}

// inScope reports whether an occurrence lies in a field scope.
func inScope(o *occ, scope uint8) bool {
	switch scope {
	case scopeTitle:
		return o.field == 0
	case scopeBody:
		return o.field == 1
	case scopeLead:
		return o.field == 1 && o.para == 0
	case scopeNone:
		return false
	}
	return true
}

const scopeNone uint8 = 255

// narrow combines an outer field scope with an inner one.
func narrow(outer, inner uint8) uint8 {
	switch {
	case outer == scopeAll || outer == inner:
		return inner
	case outer == scopeNone:
		return scopeNone
	case (outer == scopeBody && inner == scopeLead) || (outer == scopeLead && inner == scopeBody):
		return scopeLead
	}
	return scopeNone
}

// eval reports whether n holds within scope, appending to dst the
// occurrences that make it hold.
func (x *scratch) eval(n *node, scope uint8, dst *[]occ) bool {
	switch n.op {
	case opAtom:
		before := len(*dst)
		x.atom(n, scope, dst)
		return len(*dst) > before
	case opAnd:
		before := len(*dst)
		for _, k := range n.kids {
			if !x.eval(k, scope, dst) {
				*dst = (*dst)[:before]
				return false
			}
		}
		return true
	case opOr:
		any := false
		for _, k := range n.kids {
			if x.eval(k, scope, dst) {
				any = true
			}
		}
		return any
	case opNot:
		before := len(*dst)
		ok := x.eval(n.kids[0], scope, dst)
		*dst = (*dst)[:before]
		return !ok
	case opScope:
		return x.eval(n.kids[0], narrow(scope, n.scope), dst)
	case opAtLeast:
		before := len(*dst)
		x.eval(n.kids[0], scope, dst)
		got := (*dst)[before:]
		slices.SortFunc(got, byFieldStart)
		distinct := 0
		for i := range got {
			if i == 0 || got[i].field != got[i-1].field || got[i].start != got[i-1].start {
				distinct++
			}
		}
		if distinct < n.n {
			*dst = (*dst)[:before]
			return false
		}
		return true
	case opNear:
		before := len(*dst)
		x.eval(n.kids[0], scope, dst)
		mid := len(*dst)
		if mid == before {
			return false
		}
		x.eval(n.kids[1], scope, dst)
		if len(*dst) == mid {
			*dst = (*dst)[:before]
			return false
		}
		// Copy both sides aside, then put back only the occurrences that
		// have a partner close enough.
		base := len(x.near)
		x.near = append(x.near, (*dst)[before:]...)
		a := x.near[base : base+mid-before]
		b := x.near[base+mid-before:]
		*dst = (*dst)[:before]
		usedB := make([]bool, len(b))
		for i := range a {
			hit := false
			for j := range b {
				if isNear(&a[i], &b[j], n) {
					hit = true
					usedB[j] = true
				}
			}
			if hit {
				*dst = append(*dst, a[i])
			}
		}
		for j := range b {
			if usedB[j] {
				*dst = append(*dst, b[j])
			}
		}
		x.near = x.near[:base]
		return len(*dst) > before
	}
	return false
}

// isNear reports whether two occurrences satisfy a NEAR node.
func isNear(a, b *occ, n *node) bool {
	if a.field != b.field {
		return false
	}
	switch n.unit {
	case 's':
		return a.sent == b.sent
	case 'p':
		return a.para == b.para
	}
	var gap int32
	switch {
	case a.pos1 < b.pos0:
		gap = b.pos0 - a.pos1 - 1
	case b.pos1 < a.pos0:
		gap = a.pos0 - b.pos1 - 1
	}
	return gap <= int32(n.n)
}

// atom appends the occurrences of an atom within scope.
func (x *scratch) atom(n *node, scope uint8, dst *[]occ) {
	gen := x.gen
	add := func(os []occ) {
		for i := range os {
			if inScope(&os[i], scope) {
				*dst = append(*dst, os[i])
			}
		}
	}
	switch n.kind {
	case akEntity:
		if x.entGen[n.id] == gen {
			add(x.ents[x.entLo[n.id]:x.entHi[n.id]])
		}
	case akTerm:
		if x.trmGen[n.id] == gen {
			add(x.terms[x.trmLo[n.id]:x.trmHi[n.id]])
		}
	case akCategory:
		for _, e := range x.present {
			if x.s.entities[e].cat == n.id {
				add(x.ents[x.entLo[e]:x.entHi[e]])
			}
		}
	case akTag:
		for _, e := range x.present {
			if slices.Contains(x.s.entities[e].tags, n.id) {
				add(x.ents[x.entLo[e]:x.entHi[e]])
			}
		}
	}
}

// isLowerOf reports whether w is e written in lower case (ASCII).
func isLowerOf(w, e string) bool {
	if len(w) != len(e) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := e[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if w[i] != c {
			return false
		}
	}
	return true
}

// singleLetterBefore reports whether a hyphen and a one-letter word stand
// right before i ("e-" in e-commerce).
func singleLetterBefore(text string, i int) bool {
	if i < 2 || text[i-1] != '-' || !isASCIILetter(text[i-2]) {
		return false
	}
	return i < 3 || !isASCIILetter(text[i-3])
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
