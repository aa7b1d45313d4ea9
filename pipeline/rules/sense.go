package rules

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file decides which alias occurrences are mentions of their entity,
// once both fields of a document have been read, in this order:
//
//  1. The longest alias wins, across entities and scripts: 美国商务部 is
//     the U.S. Commerce Department, not the 商务部 inside it.
//  2. A namesake is another thing: a name that runs on past the alias
//     (Azure Power, White House Farm, Senate of Canada), a U.S. state or
//     another country in front of it (the Texas Senate, India's Ministry of
//     Commerce), an acronym the text spells out as something else (Farm
//     Credit Canada (FCC)). Each sense holds for the whole document.
//  3. Sense: context words needed, veto words, about and not_about words,
//     within the alias's reach: its sentence, the ones either side and the
//     title, rather than a count of words.
//  4. Case evidence: a name whose capitals carry its meaning, written in
//     capitals, in title case or first in a sentence, counts only with its
//     sense confirmed nearby or by a plain mention elsewhere.

// Verdicts on an occurrence while resolving.
const (
	vKeep     uint8 = 0
	vNamesake uint8 = 1 << iota // another thing of the same name
	vPlace                      // ... a U.S. state's or another country's body
	vSense                      // its sense is not the entity's
	vCaseless                   // the text gives no case evidence for it
	vEvidence                   // a context or about word confirms it
	vCased                      // its own country in front: case evidence, though its sense is still checked
)

// resolve drops the entity occurrences that are not mentions; see above.
func (x *scratch) resolve() {
	if len(x.ents) == 0 {
		x.groupTerms()
		return
	}
	x.ents = longestWins(x.ents)
	x.verdict = slices.Grow(x.verdict[:0], len(x.ents))[:len(x.ents)]
	clear(x.verdict)
	x.caseClass = [2]uint8{}
	x.defs = x.defs[:0]
	s := x.s
	placeDoc := false
	// The dateline is a place; a story filed from abroad speaks of that
	// country's bodies unless it names its own beside them.
	dlEnd, abroad := dateline(x.texts[1])
	if abroad == "US" {
		abroad = ""
	}
	x.townNames = x.townNames[:0]
	x.builtOn = x.builtOn[:0]
	for i := range x.ents {
		o := &x.ents[i]
		a := s.phrases[o.ph].alias
		if a == nil {
			continue
		}
		if o.field == 1 && int(o.start) < dlEnd || townOfState(x.texts[o.field], int(o.end)) {
			x.verdict[i] = vNamesake // WHITE HOUSE, Tenn. —
			x.townNames = append(x.townNames, a)
			continue
		}
		v := x.namesake(o, a, &s.entities[o.id])
		if v == vKeep && s.phrases[o.ph].regional && !x.countryInText(s.entities[o.id].country, false) {
			v = vNamesake | vPlace // Defence Secretary John Healy: Britain's
		}
		if v&vPlace != 0 {
			placeDoc = true
		}
		if o.lower && v&(vNamesake|vSense) == 0 {
			v = x.lowerVerdict(o, a, &s.entities[o.id], v)
		}
		if v == vKeep && a.caseless && x.caseless(o, a) {
			v = vCaseless
		}
		x.verdict[i] = v
	}
	// A name the text shows to be a town's is that town wherever it stands
	// without "the" (the board met in White House; the White House is the
	// president's).
	if len(x.townNames) > 0 {
		for i := range x.ents {
			o := &x.ents[i]
			if x.verdict[i]&vNamesake != 0 || !slices.Contains(x.townNames, s.phrases[o.ph].alias) {
				continue
			}
			if prev, _ := prevToken(x.texts[o.field], int(o.start)); !strings.EqualFold(prev, "the") {
				x.verdict[i] = vNamesake
			}
		}
	}
	// A single ordinary word the text has shown inside another body's
	// longer name is that body's when it stands alone ("the Electoral
	// Commission ... the Commission said"), unless the entity's own
	// country is named beside it.
	if len(x.builtOn) > 0 {
		for i := range x.ents {
			o := &x.ents[i]
			a := s.phrases[o.ph].alias
			if x.verdict[i]&vNamesake != 0 || !slices.Contains(x.builtOn, a) {
				continue
			}
			if !x.ownCountryNear(o, s.entities[o.id].country) {
				x.verdict[i] = vNamesake | vPlace
			}
		}
	}
	x.readSense()
	x.groupTerms()
	// Acronyms: a definition in the text decides; a namesake's sense holds
	// for the whole document.
	for i := range x.ents {
		o := &x.ents[i]
		a := s.phrases[o.ph].alias
		if a == nil || a.acronym == "" || x.verdict[i]&(vNamesake|vSense) != 0 {
			continue
		}
		switch x.definition(o.id, a.acronym) {
		case defOwn:
			x.verdict[i] = vKeep | vEvidence
			continue
		case defOther:
			x.verdict[i] = vNamesake
			continue
		}
		if x.acronymRejected(i, a.acronym) {
			x.verdict[i] = vNamesake
		}
	}
	// Sense within reach.
	for i := range x.ents {
		if x.verdict[i]&(vNamesake|vSense|vEvidence) != 0 {
			continue
		}
		o := &x.ents[i]
		if a := s.phrases[o.ph].alias; a != nil {
			x.verdict[i] |= x.sense(o, a)
		}
	}
	// Another country's members ("Philippine senators", "British MPs")
	// make it a document about that country's bodies too.
	if !placeDoc {
		placeDoc = x.foreignMembersNear()
	}
	// A document about a U.S. state's or another country's body: its other
	// bodies of ordinary names are that place's too, unless the text names
	// the entity's own country beside them.
	if placeDoc || abroad != "" {
		for i := range x.ents {
			o := &x.ents[i]
			a := s.phrases[o.ph].alias
			e := &s.entities[o.id]
			if x.verdict[i]&(vNamesake|vSense) != 0 || a == nil || e.country == "" || a.unique {
				continue
			}
			if !placeDoc {
				// Filed from abroad: office holders' titles and bodies
				// of ordinary names there are that country's (the
				// Treasury, the House of Representatives), unless the
				// text names the body's own country anywhere: wire copy
				// writes "U.S. Defense Secretary" in a Manila story, and
				// a story about the U.S. department names the U.S.
				// somewhere.
				if e.country == abroad || !a.generic && !a.title || x.countryInText(e.country, true) {
					continue
				}
				x.verdict[i] = vNamesake | vPlace
				continue
			} else if !a.generic {
				continue
			}
			if !x.ownCountryNear(o, e.country) {
				x.verdict[i] = vNamesake | vPlace
			}
		}
	}
	// Case evidence: a caseless occurrence counts when its sense was
	// confirmed or the entity has a plain mention that counts.
	for i := range x.ents {
		if x.verdict[i]&(vNamesake|vSense) != 0 || x.verdict[i]&vCaseless == 0 || x.verdict[i]&vEvidence != 0 {
			continue
		}
		confirmed := false
		for j := range x.ents {
			if x.ents[j].id == x.ents[i].id && x.verdict[j]&(vNamesake|vSense|vCaseless) == 0 {
				confirmed = true
				break
			}
		}
		if !confirmed {
			x.verdict[i] |= vSense
		}
	}
	kept := x.ents[:0]
	for i, o := range x.ents {
		if x.verdict[i]&(vNamesake|vSense) == 0 {
			kept = append(kept, o)
		}
	}
	x.ents = kept
}

// readSense reads the words of the aliases' context lists (the sense
// lexicon) within the reach of every mention whose alias has such lists:
// most articles mention none, and those that do need only a few
// paragraphs read again.
func (x *scratch) readSense() {
	s := x.s
	var need [2]bool // a field to read, whole (the title) or in spans
	x.spans = x.spans[:0]
	for i := range x.ents {
		o := &x.ents[i]
		a := s.phrases[o.ph].alias
		if a == nil || x.verdict[i]&(vNamesake|vSense) != 0 || !a.hasLists() {
			continue
		}
		if a.context == nil && a.veto == nil && a.notAbout == nil && x.verdict[i]&vCaseless == 0 {
			continue // about words only confirm a name the case says nothing of
		}
		starts := x.sc[o.field].sentStarts
		paras := x.sc[o.field].sentParas
		lo, hi := o.sent, o.sent
		switch a.reach {
		case reachArticle:
			lo, hi = 0, int32(len(starts)-1)
		case reachNeighbours, reachParagraph:
			lo, hi = max(lo-1, 0), min(hi+1, int32(len(starts)-1))
			if a.reach == reachParagraph {
				for lo > 0 && paras[lo-1] == o.para {
					lo--
				}
				for hi+1 < int32(len(starts)) && paras[hi+1] == o.para {
					hi++
				}
			}
		}
		x.spans = append(x.spans, [2]int32{int32(o.field)<<30 | lo, int32(o.field)<<30 | hi})
		if a.reach != reachSentence {
			if o.field == 1 {
				need[0] = true // the title reaches the body
			} else if len(x.sc[1].sentStarts) > 0 {
				// and the lead reaches the title
				paras := x.sc[1].sentParas
				hi := int32(0)
				for hi+1 < int32(len(paras)) && paras[hi+1] == 0 {
					hi++
				}
				x.spans = append(x.spans, [2]int32{1 << 30, 1<<30 | hi}) // field 1, sentences 0 to hi
			}
		}
	}
	if need[0] && len(x.texts[0]) > 0 {
		x.spans = append(x.spans, [2]int32{0, int32(len(x.sc[0].sentStarts) - 1)})
	}
	if len(x.spans) == 0 {
		return
	}
	// Read each run of sentences once: sort the spans and merge those that
	// overlap or touch.
	slices.SortFunc(x.spans, func(a, b [2]int32) int { return cmp.Compare(a[0], b[0]) })
	x.lex = &s.sense
	x.cur = &x.senseSc
	x.senseSc.filter, x.senseSc.sh = s.sense.words.filter, s.sense.words.sh
	cur := x.spans[0]
	flush := func(sp [2]int32) {
		f := uint8(sp[0] >> 30)
		lo, hi := sp[0]&(1<<30-1), sp[1]&(1<<30-1)
		starts, paras := x.sc[f].sentStarts, x.sc[f].sentParas
		text := x.texts[f]
		bl, bh := int(starts[lo]), len(text)
		if int(hi)+1 < len(starts) {
			bh = int(starts[hi+1])
		}
		x.field, x.text, x.nact, x.lastPos = f, text[bl:bh], 0, -2
		x.off, x.sentBase, x.paraBase = int32(bl), lo, paras[lo]
		x.senseSc.scan(x.text, x)
	}
	for _, sp := range x.spans[1:] {
		if sp[0] <= cur[1]+1 {
			cur[1] = max(cur[1], sp[1])
			continue
		}
		flush(cur)
		cur = sp
	}
	flush(cur)
	x.lex, x.off, x.sentBase, x.paraBase = &s.main, 0, 0, 0
}

// hasLists reports whether the alias has words to look for around it.
func (a *aliasInfo) hasLists() bool {
	return a.context != nil || a.veto != nil || a.about != nil || a.notAbout != nil
}

// longestWins keeps, of occurrences that overlap in a field, the longest:
// an alias inside a longer alias of any entity is part of that name.
func longestWins(occs []occ) []occ {
	if !slices.IsSortedFunc(occs, byFieldStart) { // usually they are: found in text order
		slices.SortFunc(occs, byFieldStart) // by field, start, longest first
	}
	out := occs[:0]
	for _, o := range occs {
		drop := false
		for n := len(out) - 1; n >= 0; n-- {
			p := &out[n]
			if p.field != o.field || p.end <= o.start {
				break
			}
			if p.start <= o.start && o.end <= p.end && (p.end-p.start > o.end-o.start || p.id == o.id) {
				drop = true // o lies inside the longer p (or is the same span of the same entity)
				break
			}
		}
		if !drop {
			out = append(out, o)
		}
	}
	return out
}

// namesake says whether o is another thing of the same name.
func (x *scratch) namesake(o *occ, a *aliasInfo, e *entity) uint8 {
	text := x.texts[o.field]
	var prev string
	prevStart := int(o.start)
	if a.notAfter != nil || a.caseFirst {
		prev, prevStart = prevToken(text, int(o.start))
	}
	var lbuf [24]byte
	if a.notAfter != nil && prev != "" && a.notAfter[string(lowerInto(lbuf[:0], prev))] {
		return vSense // "in Brussels": the place
	}
	if e.country == "" && x.venueAfter(o, venueWords) || a.generic && x.venueAfter(o, bodyVenueWords) {
		return vNamesake // the Alibaba kebab shop, the White House pub
	}
	if placeCompound(text, int(o.end)) {
		return vNamesake // a Brussels-based think tank: the city
	}
	if e.country == "" && a.runOn && a.words == 1 && theThing(text, int(o.start), int(o.end)) {
		return vNamesake // a trip to the Amazon, guides say
	}
	evidence := vKeep
	if e.country != "" {
		switch code := placeBefore(text, int(o.start)); {
		case code == e.country:
			evidence = vCased // the U.S. Commerce Dept., even in a headline in capitals
		case code != "":
			return vNamesake | vPlace
		}
		if code := placeAfterIn(text, int(o.end)); code != "" && code != e.country {
			return vNamesake | vPlace // the Senate in Rome
		}
	}
	if !a.runOn && !a.caseFirst {
		return evidence
	}
	plain := x.fieldCase(o.field) == casePlain
	if a.runOn && plain {
		switch runsOn(text, int(o.end), a) {
		case runOnName:
			if next, _ := nextToken(text, int(o.end)); a.caseFirst && (next == "of" || next == "for") {
				x.builtOn = append(x.builtOn, a) // the House of Lords
			}
			return vNamesake
		case runOnSuffix, runOnOwn:
			if a.generic {
				return vEvidence // Oracle Corp., Oracle Health, Alphabet Inc.: the company
			}
		}
	}
	if evidence != vKeep {
		return evidence
	}
	// A capitalised word in front of a single ordinary word makes it part
	// of a longer name: the Securities and Exchange Commission, the
	// Chamber of Commerce.
	if a.caseFirst && plain && prev != "" && !x.sentenceInitial(o.field, prevStart, o.sent) {
		lp := string(lowerInto(lbuf[:0], prev))
		switch {
		case lp == "of" || lp == "for":
			if p2, _ := prevToken(text, prevStart); isCapitalised(p2) {
				return vNamesake
			}
		case isCapitalised(prev) && !frontWords[lp] && placeOf(prev) != e.country && !x.allowedBefore(a, lp):
			x.builtOn = append(x.builtOn, a) // the Electoral Commission
			return vNamesake
		}
	}
	return vKeep
}

// lowerVerdict judges a name found written in lower case, v being what
// namesake found. In a sentence typed without capitals ("amazon cut
// prices ...") the case says nothing, as in a headline in capitals: the
// name counts when its sense is confirmed. Elsewhere only a body's name of
// several words is still the body, as house styles write it ("the
// commerce department", "the US state department"): after "the" or its
// own country, not followed by "of" (the state department of health), and
// confirmed by its country named beside it, its context or a plain
// mention. A lower-case word alone in ordinary prose is the word.
func (x *scratch) lowerVerdict(o *occ, a *aliasInfo, e *entity, v uint8) uint8 {
	if v&vCased != 0 {
		return v // the US commerce department
	}
	if x.caselessSentence(o.field, o.sent) {
		return vCaseless
	}
	if a.words < 2 || e.country == "" {
		return vSense
	}
	text := x.texts[o.field]
	if prev, _ := prevToken(text, int(o.start)); prev != "the" {
		return vSense // its commerce department, a state department
	}
	if next, _ := nextToken(text, int(o.end)); next == "of" || next == "for" {
		return vSense
	}
	if x.ownCountryNear(o, e.country) {
		return vCased
	}
	return vCaseless
}

// caselessSentence reports whether sentence sent of field f is written
// without capitals: it begins with a lower-case letter and no word in it
// starts with a capital followed by a small letter (acronyms such as GPU
// may stand in it).
func (x *scratch) caselessSentence(f uint8, sent int32) bool {
	text := x.texts[f]
	starts := x.sc[f].sentStarts
	lo, hi := 0, len(text)
	if int(sent) < len(starts) {
		lo = int(starts[sent])
	}
	if int(sent)+1 < len(starts) {
		hi = int(starts[sent+1])
	}
	first := true     // no letter seen yet
	wordStart := true // the next letter begins a word
	capStart := false // the word began with a capital, one letter read
	for _, r := range text[lo:hi] {
		if !unicode.IsLetter(r) {
			wordStart, capStart = true, false
			continue
		}
		if first {
			if !unicode.IsLower(r) {
				return false
			}
			first = false
		}
		if wordStart {
			wordStart, capStart = false, unicode.IsUpper(r)
			continue
		}
		if capStart && unicode.IsLower(r) {
			return false // a capitalised word: the writer uses capitals
		}
		capStart = false
	}
	return !first
}

// venueWords, right after a firm's name, make it the name of a local
// business: the Alibaba kebab shop, the Azure hotel, the Oracle bar.
var venueWords = map[string]bool{"restaurant": true, "restaurants": true, "cafe": true, "café": true,
	"kebab": true, "takeaway": true, "bakery": true, "bistro": true, "diner": true, "pub": true, "bar": true,
	"hotel": true, "hostel": true, "motel": true, "salon": true, "barbershop": true, "cinema": true,
	"nightclub": true, "pizzeria": true, "grill": true, "shop": true, "boutique": true, "guesthouse": true,
	"inn": true, "tavern": true, "kitchen": true}

// placeCompound reports whether a hyphen joins the name ending at end to a
// word that makes it a place: Brussels-based, London-born.
func placeCompound(text string, end int) bool {
	if end+1 >= len(text) || text[end] != '-' {
		return false
	}
	tok, _, _ := tokenAt(text, end+1)
	switch tok {
	case "based", "born", "headquartered", "bred", "raised":
		return true
	}
	return false
}

// theThing reports whether a firm's one-word name stands after "the" with
// nothing of its own after it: a clause ends, or a verb of being follows
// ("the Amazon, guides say", "the Amazon is wide", "the Amazon's banks").
// A firm is written without "the" unless a word it qualifies follows
// (the Amazon deal, the Oracle contract).
func theThing(text string, start, end int) bool {
	// Read "the " straight from the bytes: this runs on every mention of
	// a firm's one-word name.
	if start < 4 || (text[start-4:start] != "the " && text[start-4:start] != "The ") ||
		start > 4 && isWordByte(text[start-5]) {
		return false
	}
	if end >= len(text) {
		return true
	}
	switch text[end] {
	case ',', '.', ';', ':', '!', '?', ')', '\'':
		return true
	}
	if strings.HasPrefix(text[end:], "’") {
		return true
	}
	next, _ := nextToken(text, end)
	switch next {
	case "is", "was", "has", "had", "flows", "runs", "rises":
		return true
	}
	return false
}

// bodyVenueWords, after a body's name made of ordinary words, make it an
// inn's or a hotel's: the White House pub. Fewer than for a firm: the
// White House kitchen and its gift shop are the White House's.
var bodyVenueWords = map[string]bool{"pub": true, "inn": true, "tavern": true, "hotel": true, "motel": true,
	"restaurant": true, "cafe": true, "café": true, "guesthouse": true, "hostel": true, "bistro": true,
	"diner": true, "takeaway": true, "nightclub": true}

// venueAfter reports whether a word naming a local business follows o in
// lower case, or an apposition that names one: "The White House, a
// 17th-century inn on the green".
func (x *scratch) venueAfter(o *occ, words map[string]bool) bool {
	text := x.texts[o.field]
	if int(o.end) >= len(text) || text[o.end] != ' ' && text[o.end] != ',' {
		return false
	}
	next, _ := nextToken(text, int(o.end))
	if next != "" && words[next] {
		return true
	}
	i := int(o.end)
	if i >= len(text) || text[i] != ',' {
		return false
	}
	tok, j := nextToken(text, i+1)
	if tok != "a" && tok != "an" {
		return false
	}
	for k := 0; k < 5 && j < len(text); k++ {
		if text[j] == '-' && j+1 < len(text) { // 17th-century
			tok, _, j = tokenAt(text, j+1)
		} else {
			tok, j = nextToken(text, j)
		}
		if tok == "" {
			return false
		}
		if words[tok] {
			return true
		}
	}
	return false
}

// frontWords may stand capitalised in front of a name without being part
// of it.
var frontWords = map[string]bool{"the": true, "a": true, "an": true, "this": true, "that": true, "its": true,
	"their": true, "his": true, "her": true, "our": true, "new": true, "full": true, "whole": true, "entire": true}

// allowedBefore: a word of the alias's own context or about lists may
// stand in front of it (the Republican Senate, the European Commission).
func (x *scratch) allowedBefore(a *aliasInfo, lower string) bool {
	for _, list := range [][]int32{a.context, a.about} {
		for _, t := range list {
			if strings.EqualFold(x.s.terms[t], lower) {
				return true
			}
		}
	}
	return false
}

// continuesName: capitalised words that may follow any name in the same
// name (Huawei Technologies, White House Press Secretary, Amazon on
// Tuesday's Monday).
var continuesName = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`inc corp corporation co company cos ltd llc plc limited group holdings holding
		technologies technology ag sa nv se spokesman spokeswoman spokesperson spokespeople press secretary chief
		ceo cfo cto coo president vice chairman chairwoman chair founder cofounder co-founder executive executives
		counsel official officials adviser advisers advisor advisors aide aides staff staffers deputy director head
		leader senior ai monday tuesday wednesday thursday friday saturday sunday january february march april may
		june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec`) {
		m[w] = true
	}
	return m
}()

// corporateSuffixes after a name make it a company's.
var corporateSuffixes = map[string]bool{"inc": true, "corp": true, "corporation": true, "co": true, "ltd": true,
	"llc": true, "plc": true, "limited": true, "group": true, "holdings": true, "holding": true}

// What follows an alias.
const (
	runOnNone   = iota
	runOnName   // a capitalised name goes on: another thing
	runOnSuffix // a company's suffix (Inc., Corp.)
	runOnOwn    // a word of the alias's own continues list (Oracle Health, Senate Democrats)
)

// runsOn says whether a capitalised name goes on after the alias ending at
// end: a capitalised word, or "of" or "for" and one. After an office
// holder's title only the latter: a capitalised word is the holder's name.
func runsOn(text string, end int, a *aliasInfo) int {
	next, after := nextToken(text, end)
	if next == "" {
		return runOnNone
	}
	if strings.EqualFold(next, "of") || strings.EqualFold(next, "for") {
		n2, at := nextToken(text, after)
		if strings.EqualFold(n2, "the") {
			n2, _ = nextToken(text, at)
		}
		if isCapitalised(n2) && placeOf(n2) != "US" {
			return runOnName
		}
		return runOnNone
	}
	if !isCapitalised(next) {
		return runOnNone // most words after a name: no allocation below
	}
	var buf [24]byte
	ln := lowerInto(buf[:0], trimPossessive(next)) // Alphabet Inc's Google: Inc
	switch {
	case corporateSuffixes[string(ln)]:
		return runOnSuffix
	case a.continues[string(ln)] && !a.title:
		return runOnOwn
	case a.title || continuesName[string(ln)]:
		return runOnNone
	}
	return runOnName
}

// trimPossessive cuts a possessive 's off a word.
func trimPossessive(s string) string {
	for _, p := range []string{"'s", "’s"} {
		if t, ok := strings.CutSuffix(s, p); ok {
			return t
		}
	}
	return s
}

// lowerInto appends s in ASCII lower case to b.
func lowerInto(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// caseless reports whether the text gives no evidence of case for o, whose
// alias relies on it.
func (x *scratch) caseless(o *occ, a *aliasInfo) bool {
	switch x.fieldCase(o.field) {
	case caseUpper:
		return true
	case caseTitle:
		return !a.hasAcronym // an acronym's capitals still say something
	}
	return a.caseFirst && x.sentenceInitial(o.field, int(o.start), o.sent)
}

// Case classes of a field.
const (
	caseUnknown uint8 = iota
	casePlain
	caseUpper // written in capitals
	caseTitle // Written In Title Case
)

// fieldCase classifies a field's text once per document: in capitals when
// most of its words are, in title case when most words of four letters or
// more after the first start with a capital. Only titles are classified.
func (x *scratch) fieldCase(f uint8) uint8 {
	if c := x.caseClass[f]; c != caseUnknown {
		return c
	}
	text := x.texts[f]
	if f == 1 {
		// A body is never in title case (names are capitalised in any
		// case), and bodies in capitals are too rare to pay for a look at
		// every one.
		x.caseClass[f] = casePlain
		return casePlain
	}
	words, upper, long, capital := 0, 0, 0, 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < 0x80 && !alnum[c] {
			i++
			continue
		}
		j, allUp, lower, n := i, true, false, 0
		for j < len(text) {
			b := text[j]
			if b < 0x80 {
				switch {
				case b >= 'a' && b <= 'z':
					allUp, lower = false, true
				case b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '\'':
				default:
					goto done
				}
				n++
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r) && r != '’' {
				break
			}
			if unicode.IsLower(r) {
				allUp, lower = false, true
			}
			n++
			j += size
		}
	done:
		if n >= 2 && (lower || allUp) {
			words++
			if allUp {
				upper++
			}
			if n >= 4 && words > 1 {
				long++
				if r, _ := utf8.DecodeRuneInString(text[i:]); unicode.IsUpper(r) {
					capital++
				}
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	cl := casePlain
	switch {
	case words >= 2 && upper*10 >= words*7:
		cl = caseUpper
	case f == 0 && long >= 3 && capital*4 >= long*3:
		cl = caseTitle
	}
	x.caseClass[f] = cl
	return cl
}

// sentenceInitial reports whether the word at i is the first of its
// sentence: no letter or digit before it in the sentence, or a dash, colon
// or opening quote right before it (after a dateline).
func (x *scratch) sentenceInitial(f uint8, i int, sent int32) bool {
	text := x.texts[f]
	starts := x.sc[f].sentStarts
	lo := 0
	if int(sent) < len(starts) {
		lo = int(starts[sent])
	}
	if lo > i {
		lo = i
	}
	j := i
	for j > lo {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if r == ' ' || r == '\t' || r == '\n' || r == '\u00a0' {
			j -= size
			continue
		}
		switch r {
		case '-', '–', '—', ':', '"', '“', '‘', '\'':
			return true
		}
		break
	}
	for k := lo; k < i; {
		r, size := utf8.DecodeRuneInString(text[k:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
		k += size
	}
	return true
}

// sense checks o's context, veto, about and not_about words within reach.
// The nearest evidence decides: a veto word rules the alias out unless a
// context or about word is nearer (the company's cloud data centers in one
// sentence, the rainforest in the headline), a not_about word unless one
// is as near. The terms are grouped by id already (find), so each list
// costs a lookup per word in it.
func (x *scratch) sense(o *occ, a *aliasInfo) uint8 {
	if !a.hasLists() {
		return vKeep
	}
	// nearest returns how near the nearest word of a list is: 0 in the
	// same sentence, 1 elsewhere in the same field, 2 in the other field,
	// farAway when none is within reach.
	nearest := func(list []int32) int {
		best := farAway
		for _, id := range list {
			if x.trmGen[id] != x.gen {
				continue
			}
			for k := x.trmLo[id]; k < x.trmHi[id]; k++ {
				t := &x.terms[k]
				if !within(o, t, a.reach) || x.selfInLower(o, t) {
					continue
				}
				d := 2
				if t.field == o.field {
					d = 1
					if t.sent == o.sent {
						d = 0
					}
				}
				best = min(best, d)
			}
		}
		return best
	}
	ctx := nearest(a.context)
	if len(a.context) > 0 && ctx == farAway {
		return vSense
	}
	confirm := min(ctx, nearest(a.about))
	if v := nearest(a.veto); v != farAway && v <= confirm {
		return vSense
	}
	if n := nearest(a.notAbout); n != farAway && n < confirm {
		return vSense
	}
	if confirm != farAway {
		return vEvidence
	}
	return vKeep
}

// farAway: no word of a list within reach.
const farAway = 3

// selfInLower reports whether the list word t is the name of o itself,
// where it stands or elsewhere in lower case: "House" is among the House's
// context words so that the Senate and the House confirm each other, but
// a House stage beside house music is confirmed by neither.
func (x *scratch) selfInLower(o, t *occ) bool {
	if t.field == o.field && t.start >= o.start && t.end <= o.end {
		return true
	}
	word := x.texts[t.field][t.start:t.end]
	if word == "" || word[0] < 'a' || word[0] > 'z' {
		return false
	}
	return strings.EqualFold(word, x.texts[o.field][o.start:o.end])
}

// within reports whether the term occurrence t is within reach of o.
func within(o, t *occ, reach uint8) bool {
	if reach == reachArticle {
		return true
	}
	if o.field != t.field {
		if reach == reachSentence {
			return false
		}
		if t.field == 0 {
			return true // the title reaches every mention in the body
		}
		return t.para == 0 // and a mention in the title reaches the lead
	}
	d := o.sent - t.sent
	if d < 0 {
		d = -d
	}
	switch reach {
	case reachSentence:
		return d == 0
	case reachParagraph:
		return d <= 1 || o.para == t.para
	}
	return d <= 1
}

// Outcomes of looking for an acronym's definition in the text.
const (
	defNone = iota
	defOwn
	defOther
)

// definition reports whether the text spells acronym out as one of the
// entity's names (defOwn), as something else (defOther), or not at all.
// The answer is kept for the rest of the document.
func (x *scratch) definition(entity int32, acronym string) int {
	for _, d := range x.defs {
		if d.entity == entity && d.acronym == acronym {
			return d.result
		}
	}
	e := &x.s.entities[entity]
	result := defNone
	for f := range 2 {
		if f == 0 && x.fieldCase(0) != casePlain {
			continue // every word of a title-case title is capitalised
		}
		text := x.texts[f]
		for _, sp := range append(expansions(text, acronym), bracketExpansions(text, acronym)...) {
			own := e.long[spanKey(text[sp[0]:sp[1]])]
			if own && e.country != "" {
				if code := placeBefore(text, sp[0]); code != "" && code != e.country {
					own = false // the Netherlands' National Cyber Security Centre
				}
			}
			if own {
				result = defOwn
				break
			}
			result = defOther
		}
		if result == defOwn {
			break
		}
	}
	x.defs = append(x.defs, def{entity: entity, acronym: acronym, result: result})
	return result
}

type def struct {
	entity  int32
	acronym string
	result  int
}

// acronymRejected reports whether another occurrence of the same acronym
// of the same entity is a namesake: one sense per document.
func (x *scratch) acronymRejected(i int, acronym string) bool {
	for j := range x.ents {
		if j == i || x.ents[j].id != x.ents[i].id || x.verdict[j]&vNamesake == 0 {
			continue
		}
		if a := x.s.phrases[x.ents[j].ph].alias; a != nil && a.acronym == acronym {
			return true
		}
	}
	return false
}

// countryInText reports whether the title or the body names the country
// (for the U.S.: the U.S., America, American, Washington), capitalised:
// "us" is a pronoun, and "federal" and "South American" say nothing of
// the United States.
//
// With owner set, a country named only as the other side of a dealing
// ("exports to China", "talks with Washington") does not count: a Tokyo
// story's "industry ministry" that speaks of exports to China is Japan's.
func (x *scratch) countryInText(country string, owner bool) bool {
	found := false
	for _, text := range x.texts {
		prev := ""
		forEachToken(text, func(tok string, _ int) bool {
			if isCapitalised(tok) && placeOf(tok) == country && !strings.EqualFold(tok, "federal") &&
				!(country == "US" && (prev == "South" || prev == "Latin" || prev == "Central")) &&
				!(owner && counterpartWords[prev]) {
				found = true
				return false
			}
			prev = tok
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// memberWords name the members of a legislature or its kind.
var memberWords = []string{"senators", "senator", "lawmakers", "lawmaker", "legislators", "congressmen",
	"congresswomen", "MPs", "parliamentarians"}

// isMemberWord reports whether tok is one of memberWords, in any case. It
// runs on every word of a text that names a body, so it rejects most
// words by their first letter before comparing.
func isMemberWord(tok string) bool {
	if len(tok) < 3 {
		return false
	}
	switch tok[0] | 0x20 {
	case 's', 'l', 'c', 'm', 'p':
	default:
		return false
	}
	for _, w := range memberWords {
		if len(w) == len(tok) && strings.EqualFold(w, tok) {
			return true
		}
	}
	return false
}

// foreignMembersNear reports whether, in the sentence of a body's name made
// of ordinary words (the Senate, the Commission) or one either side, the
// text names members of another country's legislature: a country's name
// or adjective right before a member word (Philippine senators, Italian
// lawmakers). A U.S. state's lawmakers are not counted: they share stories
// with Congress. The words are found with strings.Index in those few
// sentences, not by reading every word.
func (x *scratch) foreignMembersNear() bool {
	lastField, lastLo, lastHi := uint8(0), -1, -1
	for i := range x.ents {
		o := &x.ents[i]
		a := x.s.phrases[o.ph].alias
		if a == nil || !a.generic || x.verdict[i]&vNamesake != 0 || x.s.entities[o.id].country == "" {
			continue
		}
		text := x.texts[o.field]
		lo, hi := x.sentenceWindow(o)
		if o.field == lastField && lo == lastLo && hi == lastHi {
			continue // read already for a mention before it in the same sentences
		}
		lastField, lastLo, lastHi = o.field, lo, hi
		for _, stem := range memberStems {
			for from := lo; from < hi; {
				k := strings.Index(text[from:hi], stem)
				if k < 0 {
					break
				}
				at := from + k
				from = at + len(stem)
				if at > 0 && isWordByte(text[at-1]) {
					continue // inside a longer word
				}
				tok, _, _ := tokenAt(text, at)
				if !isMemberWord(tok) {
					continue
				}
				if code := placeBefore(text, at); code != "" && code != "US" && code != usState && code != "local" {
					return true
				}
			}
		}
	}
	return false
}

// sentenceWindow returns the byte span of o's sentence and one either side.
func (x *scratch) sentenceWindow(o *occ) (lo, hi int) {
	text := x.texts[o.field]
	starts := x.sc[o.field].sentStarts
	lo, hi = 0, len(text)
	if s := int(o.sent) - 1; s >= 0 && s < len(starts) {
		lo = int(starts[s])
	}
	if s := int(o.sent) + 2; s < len(starts) {
		hi = int(starts[s])
	}
	return lo, hi
}

// memberStems start the member words in the cases they are written.
var memberStems = []string{"senator", "Senator", "lawmaker", "Lawmaker", "legislator", "Legislator", "congress",
	"Congress", "MPs", "parliamentarian", "Parliamentarian"}

// counterpartWords, right before a country, make it the other side of a
// dealing rather than the owner of the bodies in the text.
var counterpartWords = map[string]bool{"to": true, "from": true, "with": true, "into": true, "against": true,
	"toward": true, "towards": true}

// ownCountryNear reports whether the sentence of o, or one either side,
// names the entity's own country (the U.S., American, Washington).
func (x *scratch) ownCountryNear(o *occ, country string) bool {
	lo, hi := x.sentenceWindow(o)
	seg := x.texts[o.field][lo:hi]
	found := false
	forEachToken(seg, func(tok string, _ int) bool {
		if placeOf(tok) == country && (isCapitalised(tok) || tok == "federal") { // not the pronoun "us"
			found = true
			return false
		}
		return true
	})
	return found
}

// expansions returns the spans of text where a run of capitalised words
// spells acronym with its initials (Farm Credit Canada for FCC), skipping
// small words inside the run (Bank for International Settlements).
func expansions(text, acronym string) [][2]int {
	var out [][2]int
	first := acronym[0]
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], first)
		if k < 0 {
			break
		}
		start := i + k
		i = start + 1
		if start > 0 && isWordByte(text[start-1]) {
			continue
		}
		if end, ok := spells(text, start, acronym); ok {
			out = append(out, [2]int{start, end})
		}
	}
	return out
}

// bracketExpansions returns the spans of text where the words right
// before the acronym in brackets spell it with their initials in any case:
// "an automatic weather station (AWS)", "the federal communications
// commission (FCC)". Capitalised runs are found by expansions wherever
// they stand.
func bracketExpansions(text, acronym string) [][2]int {
	var out [][2]int
	pat := "(" + acronym + ")"
	for i := 0; ; {
		k := strings.Index(text[i:], pat)
		if k < 0 {
			return out
		}
		at := i + k
		i = at + len(pat)
		end := at
		for end > 0 && text[end-1] == ' ' {
			end--
		}
		// Walk back over the words, last initial first.
		need, pos, start := len(acronym)-1, end, -1
		for need >= 0 {
			j := pos
			for j > 0 && text[j-1] == ' ' {
				j--
			}
			w := j
			for w > 0 && (alnum[text[w-1]] || text[w-1] == '-') {
				w--
			}
			if w == j {
				break
			}
			tok := text[w:j]
			switch {
			case smallWords[strings.ToLower(tok)] && need < len(acronym)-1:
			case unicode.ToUpper(rune(tok[0])) == rune(acronym[need]):
				need--
			default:
				need = -2
			}
			pos, start = w, w
		}
		if need == -1 {
			out = append(out, [2]int{start, end})
		}
	}
}

// smallWords may sit inside a spelled-out name without an initial.
var smallWords = map[string]bool{"of": true, "for": true, "and": true, "the": true, "on": true, "in": true,
	"de": true, "du": true, "des": true, "la": true, "le": true, "&": true}

// spells reports whether the capitalised words from start spell acronym,
// and where the last of them ends.
func spells(text string, start int, acronym string) (int, bool) {
	got := 0
	pos := start
	for got < len(acronym) {
		tok, tstart, tend := tokenAt(text, pos)
		if tok == "" {
			return 0, false
		}
		switch {
		case smallWords[tok] && got > 0:
		case isAllCaps(tok) && len(tok) >= 2:
			if tok == acronym || !strings.HasPrefix(acronym[got:], tok) {
				return 0, false
			}
			got += len(tok)
		case isCapitalised(tok) && tok[0] == acronym[got]:
			got++
		default:
			return 0, false
		}
		pos = tend
		if got == len(acronym) {
			return tend, tstart >= start
		}
		// The name goes on only across spaces.
		j := pos
		for j < len(text) && text[j] == ' ' {
			j++
		}
		if j == pos || j >= len(text) {
			return 0, false
		}
		pos = j
	}
	return 0, false
}

// tokenAt reads the word at i: ASCII letters and digits, inner apostrophes
// and ampersands; a possessive 's is left out.
func tokenAt(text string, i int) (tok string, start, end int) {
	j := i
	for j < len(text) && (isWordByte(text[j]) || text[j] == '&') {
		j++
	}
	tok = text[i:j]
	if j+1 < len(text) && text[j] == '\'' && text[j+1] == 's' {
		j += 2
	}
	return tok, i, j
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// spanKey normalises a spelled-out name as alias keys are: lower case,
// words separated by one space, a possessive dropped.
func spanKey(s string) string {
	norm, _, _ := splitWords(s)
	return strings.Join(norm, " ")
}

// prevToken returns the word before i, across spaces only (not
// punctuation), and where it starts: letters, digits, dots and
// apostrophes ("U.S.", "Ohio's", "Netherlands'").
func prevToken(text string, i int) (string, int) {
	j := i
	for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t') {
		j--
	}
	if j > 0 && text[j-1] == '\n' {
		j--
		if j > 0 && text[j-1] == '\n' {
			return "", j // a new paragraph
		}
	}
	end := j
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '\'' || r == '’' {
			j -= size
			continue
		}
		break
	}
	tok := text[j:end]
	// A word that ends a sentence ("in Ohio. Senate leaders") is not in
	// front of the next one; "U.S." is.
	if d := strings.IndexByte(tok, '.'); d >= 0 && d == len(tok)-1 {
		return "", j
	}
	return tok, j
}

// nextToken returns the word after i, across spaces and a line break, and
// where reading stopped: letters, digits, inner dots and apostrophes; a
// trailing dot or apostrophe is left out.
func nextToken(text string, i int) (string, int) {
	j := i
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	if j < len(text) && text[j] == '\n' {
		j++
		if j < len(text) && text[j] == '\n' {
			return "", j // a new paragraph
		}
	}
	if j == i && i > 0 {
		return "", j // no gap: punctuation, a hyphen or the end
	}
	start := j
	for j < len(text) {
		c := text[j]
		if c < 0x80 {
			if alnum[c] || ((c == '.' || c == '\'') && j > start) {
				j++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '’' && j > start) {
			j += size
			continue
		}
		break
	}
	return strings.TrimRight(text[start:j], ".'’"), j
}

// placeBefore returns the code of the place named right before i (up to
// three words, a possessive allowed), "local" for a local body's word
// (the state Senate), or "".
func placeBefore(text string, i int) string {
	first, at := prevToken(text, i)
	if first == "" {
		return ""
	}
	if !isCapitalised(first) {
		// Places are capitalised; a local body's word is not.
		var buf [48]byte
		if localWords[string(appendPlaceKey(buf[:0], first))] {
			return "local"
		}
		return ""
	}
	var toks [3]string
	toks[0] = first
	n, pos := 1, at
	for n < 3 {
		t, start := prevToken(text, pos)
		if t == "" {
			break
		}
		toks[n] = t
		n++
		pos = start
	}
	var buf [96]byte
	for k := n; k >= 1; k-- {
		key := buf[:0]
		for j := k - 1; j >= 0; j-- {
			if j < k-1 {
				key = append(key, ' ')
			}
			key = appendPlaceKey(key, toks[j])
		}
		if code, ok := places[string(key)]; ok {
			return code
		}
	}
	return ""
}

// placeAfterIn returns the code of a place named after "in" right after
// i (the Senate in Rome), or "".
func placeAfterIn(text string, i int) string {
	tok, at := nextToken(text, i)
	if tok != "in" {
		return ""
	}
	var toks []string
	for len(toks) < 3 {
		t, next := nextToken(text, at)
		if t == "" {
			break
		}
		toks = append(toks, placeKey(t))
		at = next
	}
	for n := len(toks); n >= 1; n-- {
		if code, ok := places[strings.Join(toks[:n], " ")]; ok {
			return code
		}
	}
	return ""
}

// forEachToken calls f with each word of s and its offset until f returns
// false.
func forEachToken(s string, f func(tok string, at int) bool) {
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && (isWordByte(s[j]) || s[j] == '.') {
			j++
		}
		if !f(s[i:j], i) {
			return
		}
		i = j
	}
}

func isCapitalised(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return unicode.IsUpper(r)
}

func isAllCaps(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] < 'A' || tok[i] > 'Z' {
			return false
		}
	}
	return tok != ""
}
