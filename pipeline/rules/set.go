package rules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"newsmon/pipeline"
)

// Rule is one alert rule. Every entity yields its own rule (ID = entity id,
// Category = entity category, Subject = pipeline.AlertSubject(category, id),
// e.g. alerts.cloud.huawei); compound rules have their own category, such
// as "watch".
type Rule struct {
	ID, Category, Name, Subject, Severity, Description string
}

// Key is how rule files and examples name the rule: category.id.
func (r *Rule) Key() string { return r.Category + "." + r.ID }

// Hit is one rule fired on one document, with the matches that explain it.
// Match.Field is "title" or "body", Start and End are byte offsets in that
// field and Snippet is the sentence around the match.
type Hit struct {
	Rule    *Rule
	Matches []pipeline.Match
	// Prominence, from 0 to 1, says how much the article is about what
	// matched rather than mentioning it in passing (prominence.go).
	Prominence float64
}

// Doc is the text a rule set is matched against. The lead is the first
// paragraph of Body; paragraphs are separated by blank lines.
type Doc struct {
	Title, Body string
}

// Severities, lowest first.
var severities = []string{"info", "low", "medium", "high", "critical"}

// Set is a compiled, immutable rule set. Match is safe for concurrent use.
type Set struct {
	rules []*Rule    // sorted by subject
	info  []ruleInfo // parallel to rules
	byKey map[string]int32

	entities []entity
	terms    []string // term id -> its words as written, for messages
	phrases  []phrase
	cats     []string
	tags     []string

	// Two lexicons of phrases: main holds the aliases and the quoted words
	// of rules, read in every article; sense holds the words of aliases'
	// context, veto, about and not_about lists, read only around the
	// mentions that need them (sense.go).
	main, sense lexicon
	// termMain: the term is in the main lexicon (a rule uses it), so the
	// sense pass need not record it again.
	termMain []bool

	termRules [][]int32 // term -> compound rules that mention it

	files []*fileSpec
	pool  sync.Pool
}

type ruleInfo struct {
	entity        int32 // -1 for a compound rule
	expr          *node
	file          string
	minProminence float64 // the rule fires only when its prominence reaches this
}

type entity struct {
	key      string // category.id
	cat      int32
	tags     []int32
	rule     int32
	compound []int32 // compound rules that mention it, its category or a tag
	country  string  // its own country's code (places.go), or ""
	// long holds its aliases of two words or more, normalised: an acronym
	// spelled out as one of them in the text is this entity's.
	long map[string]bool
}

// phrase is one spelling of an alias of an entity, or of a term of rules
// and context lists.
type phrase struct {
	entity      int32 // -1 for a term
	term        int32 // -1 for an alias
	words       int32
	exact       []string // per word: spelling required as written or in capitals; "" = any case
	exactUpper  []string
	commonFirst bool // a hyphen must not glue it into a longer word
	commonLast  bool
	regional    bool       // a body's name in the other side's spelling (Defence Secretary for a U.S. body)
	alias       *aliasInfo // nil for a term
}

// aliasInfo is what an alias says about when it counts, shared by its
// spellings (see sense.go).
type aliasInfo struct {
	context  []int32 // terms needed within reach
	veto     []int32 // terms that rule it out within reach
	about    []int32 // terms that confirm its sense within reach
	notAbout []int32 // terms of another sense: rule it out unless about or context terms are there
	reach    uint8
	// continues holds the capitalised words, lower case, that may follow
	// it in the same name (Senate Democrats); notAfter the words that,
	// right before it, make it something else (in Brussels).
	continues map[string]bool
	notAfter  map[string]bool
	// runOn: a capitalised word right after it makes it part of a longer
	// name (Azure Power, White House Farm). Single words and names made of
	// ordinary words.
	runOn bool
	// generic: made of ordinary words (White House, Senate), so that a
	// U.S. state's or another country's body may carry the same name.
	generic bool
	// caseFirst: a single ordinary word whose capital carries its meaning
	// (Commission, Treasury): at the start of a sentence, in capitals or
	// title case, the text says nothing about it.
	caseFirst bool
	// title: it names an office holder (Commerce Secretary, House
	// Speaker), whose name follows it capitalised; only "of" or "for" and a
	// capitalised word run on past it (Secretary of State for Science).
	title      bool
	acronym    string // its letters, when it is an acronym (FCC)
	hasAcronym bool   // one of its words is an acronym (JD Cloud)
	caseless   bool   // it relies on capitals (exact words or an acronym)
	// lowerOK: written in lower case it may still be the name (sense.go,
	// lowerVerdict): names of two words or more, and single words that are
	// no ordinary English word (amazon, microsoft); never an acronym.
	lowerOK bool
	words   int // how many words it has
	// unique: no other country's body carries the name (the White House,
	// the Pentagon), so a story filed abroad or about another country's
	// bodies does not make it theirs.
	unique bool
}

// Reaches of context and veto words (docs/rules.md). Every reach but the
// sentence takes in the title from the body, and the lead from the title.
const (
	reachNeighbours uint8 = iota // the default: the sentence and the one before and after
	reachSentence                // the sentence alone
	reachParagraph               // the neighbours and the whole paragraph
	reachArticle                 // anywhere
)

var reaches = map[string]uint8{"": reachNeighbours, "neighbours": reachNeighbours, "neighbors": reachNeighbours,
	"sentence": reachSentence, "paragraph": reachParagraph, "article": reachArticle}

// LoadDir loads every *.yaml file in dir.
func LoadDir(dir string) (*Set, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("rules: %s is not a folder", dir)
	}
	s, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, prefixErrors(dir, err)
	}
	return s, nil
}

// prefixErrors puts dir before every joined "file:line: reason" so that the
// messages name real paths.
func prefixErrors(dir string, err error) error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, fmt.Errorf("%s", path.Join(dir, e.Error())))
		}
		return errors.Join(out...)
	}
	return fmt.Errorf("%s", path.Join(dir, err.Error()))
}

// Load reads every *.yaml file at the root of fsys, checks it and compiles
// it. The error lists every problem as "file:line: reason".
func Load(fsys fs.FS) (*Set, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf(".: %w", errNoFiles)
	}
	sort.Strings(names)
	var (
		files []*fileSpec
		errs  []error
	)
	for _, name := range names {
		d := &decoder{file: name}
		data, err := readCapped(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:1: %v", name, err))
			continue
		}
		files = append(files, d.parseFile(data))
		errs = append(errs, d.errs...)
	}
	s, cerrs := compile(files)
	errs = append(errs, cerrs...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func readCapped(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("file larger than %d bytes", maxFileSize)
	}
	return data, nil
}

type compiler struct {
	s       *Set
	errs    []error
	termIdx map[string]int32
	aliases map[string]string // normalised alias -> "entity key (file:line)"
	catIdx  map[string]int32
	tagIdx  map[string]int32
	entIdx  map[string]int32 // category.id -> entity

	// Alert ids are <article id>:<rule id>, so a rule id must be unique
	// across categories, or two alerts of one article would share an id and
	// JetStream would keep only one.
	where map[string]string // rule key -> file:line that defined it
	ids   map[string]string // rule id -> key (file:line)
	all   []pending         // every rule, in the order defined
}

// pending is a rule compiled but not yet placed in subject order.
type pending struct {
	rule *Rule
	info ruleInfo
}

func (c *compiler) errorf(file string, line int, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, args...)))
}

func compile(files []*fileSpec) (*Set, []error) {
	s := &Set{byKey: map[string]int32{}, main: newLexicon(), sense: newLexicon(), files: files}
	c := &compiler{s: s, termIdx: map[string]int32{}, aliases: map[string]string{},
		catIdx: map[string]int32{}, tagIdx: map[string]int32{}, entIdx: map[string]int32{},
		where: map[string]string{}, ids: map[string]string{}}
	for _, f := range files {
		for _, e := range f.entities {
			c.entity(f.name, e)
		}
	}
	for _, f := range files {
		for _, rs := range f.rules {
			c.rule(f.name, rs)
		}
	}
	c.order()
	c.wake()
	c.checkExamples(files)
	s.main.finish()
	s.sense.finish()
	s.pool.New = func() any { return newScratch(s) }
	return s, c.errs
}

// register records where a rule key and its id are defined, and says
// whether both are new.
func (c *compiler) register(file string, line int, id, key string) bool {
	if prev, dup := c.where[key]; dup {
		c.errorf(file, line, "duplicate id %s (first defined at %s)", key, prev)
		return false
	}
	c.where[key] = fmt.Sprintf("%s:%d", file, line)
	if prev, dup := c.ids[id]; dup {
		c.errorf(file, line, "id %q is already used by %s; ids must be unique across categories (alert ids are <article>:<id>)", id, prev)
		return false
	}
	c.ids[id] = fmt.Sprintf("%s (%s:%d)", key, file, line)
	return true
}

// entity compiles an entity, its own rule and its aliases.
func (c *compiler) entity(file string, e *entitySpec) {
	s := c.s
	ok := true
	if !validID(e.id) {
		c.errorf(file, e.lineNo, "entity id %q: use lower-case letters, digits and '-'", e.id)
		ok = false
	}
	if !validID(e.category) {
		c.errorf(file, e.lineNo, "entity %q: category %q: use lower-case letters, digits and '-'", e.id, e.category)
		ok = false
	}
	if e.name == "" {
		c.errorf(file, e.lineNo, "entity %q: name is missing", e.id)
	}
	sev := e.severity
	if sev == "" {
		sev = "info"
	} else if !slices.Contains(severities, sev) {
		c.errorf(file, e.lineNo, "entity %q: severity %q: use one of %s", e.id, sev, strings.Join(severities, ", "))
	}
	if len(e.aliases) == 0 {
		c.errorf(file, e.lineNo, "entity %q has no aliases", e.id)
	}
	if !ok {
		return
	}
	key := e.category + "." + e.id
	if !c.register(file, e.lineNo, e.id, key) {
		return
	}
	desc := e.description
	if desc == "" {
		desc = "Mentions of " + e.name
	}
	r := &Rule{ID: e.id, Category: e.category, Name: e.name, Subject: pipeline.AlertSubject(e.category, e.id),
		Severity: sev, Description: desc}
	ei := int32(len(s.entities))
	ent := entity{key: key, cat: c.cat(e.category), country: e.country, long: map[string]bool{}}
	for _, t := range e.tags {
		if !validID(t) {
			c.errorf(file, e.lineNo, "entity %q: tag %q: use lower-case letters, digits and '-'", e.id, t)
			continue
		}
		ent.tags = append(ent.tags, c.tag(t))
	}
	s.entities = append(s.entities, ent)
	c.entIdx[key] = ei
	c.all = append(c.all, pending{r, ruleInfo{entity: ei, file: file}})
	for _, a := range e.aliases {
		c.alias(file, key, ei, a)
	}
}

// rule compiles a compound rule; entities must be compiled first, since
// its expression names them.
func (c *compiler) rule(file string, rs *ruleSpec) {
	if !validID(rs.id) {
		c.errorf(file, rs.line, "rule id %q: use lower-case letters, digits and '-'", rs.id)
		return
	}
	if !validID(rs.category) {
		c.errorf(file, rs.line, "rule %q: category %q: use lower-case letters, digits and '-'", rs.id, rs.category)
		return
	}
	key := rs.category + "." + rs.id
	if !c.register(file, rs.line, rs.id, key) {
		return
	}
	if rs.name == "" {
		c.errorf(file, rs.line, "rule %q: name is missing", rs.id)
	}
	if !slices.Contains(severities, rs.severity) {
		c.errorf(file, rs.line, "rule %q: severity %q: use one of %s", rs.id, rs.severity, strings.Join(severities, ", "))
	}
	if rs.description == "" {
		c.errorf(file, rs.line, "rule %q: description is missing (say what the alert means to an analyst)", rs.id)
	}
	if rs.match == "" {
		c.errorf(file, rs.line, "rule %q: match is missing", rs.id)
		return
	}
	ex, err := parseExpr(rs.match)
	if err != nil {
		c.errorf(file, rs.matchLine, "rule %q: match: %v", rs.id, err)
		return
	}
	if !needsMatch(ex) {
		c.errorf(file, rs.matchLine, "rule %q: match can be true for an empty article; it needs something that must occur", rs.id)
		return
	}
	if !c.resolve(file, rs.matchLine, rs.id, ex, rs.inflect) {
		return
	}
	r := &Rule{ID: rs.id, Category: rs.category, Name: rs.name, Subject: pipeline.AlertSubject(rs.category, rs.id),
		Severity: rs.severity, Description: rs.description}
	c.all = append(c.all, pending{r, ruleInfo{entity: -1, expr: ex, file: file, minProminence: rs.minProminence}})
}

// order places the rules in subject order, which is the order hits are
// reported in.
func (c *compiler) order() {
	s := c.s
	sort.SliceStable(c.all, func(i, j int) bool { return c.all[i].rule.Subject < c.all[j].rule.Subject })
	for i, p := range c.all {
		s.rules = append(s.rules, p.rule)
		s.info = append(s.info, p.info)
		s.byKey[p.rule.Key()] = int32(i)
		if p.info.entity >= 0 {
			s.entities[p.info.entity].rule = int32(i)
		}
	}
}

// wake records which compound rules each entity and term can wake. A rule
// is woken only by the atoms of one set that must occur for it to be true,
// the cheapest such set (see triggers), as stored-query engines do.
func (c *compiler) wake() {
	s := c.s
	s.termRules = make([][]int32, len(s.terms))
	catMembers := make([][]int32, len(s.cats))
	tagMembers := make([][]int32, len(s.tags))
	for ei, e := range s.entities {
		catMembers[e.cat] = append(catMembers[e.cat], int32(ei))
		for _, t := range e.tags {
			tagMembers[t] = append(tagMembers[t], int32(ei))
		}
	}
	size := func(n *node) int {
		switch n.kind {
		case akCategory:
			return len(catMembers[n.id])
		case akTag:
			return len(tagMembers[n.id])
		}
		return 1
	}
	for i, inf := range s.info {
		if inf.expr == nil {
			continue
		}
		ri := int32(i)
		atoms, _ := triggers(inf.expr, size)
		for _, n := range atoms {
			switch n.kind {
			case akTerm:
				s.termRules[n.id] = appendOnce(s.termRules[n.id], ri)
			case akEntity:
				s.entities[n.id].compound = appendOnce(s.entities[n.id].compound, ri)
			case akCategory:
				for _, ei := range catMembers[n.id] {
					s.entities[ei].compound = appendOnce(s.entities[ei].compound, ri)
				}
			case akTag:
				for _, ei := range tagMembers[n.id] {
					s.entities[ei].compound = appendOnce(s.entities[ei].compound, ri)
				}
			}
		}
	}
}

// checkExamples reports examples that name rules that do not exist.
func (c *compiler) checkExamples(files []*fileSpec) {
	for _, f := range files {
		for _, x := range f.examples {
			for _, r := range append(slices.Clone(x.want), x.not...) {
				if _, ok := c.s.byKey[r.ref]; !ok {
					c.errorf(f.name, r.line, "example names unknown rule %q (write category.id, e.g. cloud.huawei)", r.ref)
				}
			}
		}
	}
}

func appendOnce(list []int32, v int32) []int32 {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func (c *compiler) cat(name string) int32 {
	if i, ok := c.catIdx[name]; ok {
		return i
	}
	i := int32(len(c.s.cats))
	c.s.cats = append(c.s.cats, name)
	c.catIdx[name] = i
	return i
}

func (c *compiler) tag(name string) int32 {
	if i, ok := c.tagIdx[name]; ok {
		return i
	}
	i := int32(len(c.s.tags))
	c.s.tags = append(c.s.tags, name)
	c.tagIdx[name] = i
	return i
}

// resolve turns the names in an expression into entity, category, tag and
// term indexes. With inflect, quoted words also match their inflections,
// unless written ="..." (see inflect.go).
func (c *compiler) resolve(file string, line int, id string, ex *node, inflect bool) bool {
	ok := true
	names := map[atomKind]struct {
		idx  map[string]int32
		miss string
	}{
		akEntity:   {c.entIdx, "unknown entity %s"},
		akCategory: {c.catIdx, "no entity has category %q"},
		akTag:      {c.tagIdx, "no entity has tag %q"},
	}
	walk(ex, func(n *node) {
		if n.op != opAtom {
			return
		}
		switch n.kind {
		case akEntity, akCategory, akTag:
			look := names[n.kind]
			i, found := look.idx[n.name]
			if !found {
				c.errorf(file, line, "rule %q: "+look.miss, id, n.name)
				ok = false
				return
			}
			n.id = i
		case akTerm:
			t, err := c.term(n.name, inflect && !n.asWritten, true)
			if err != nil {
				c.errorf(file, line, "rule %q: %v", id, err)
				ok = false
				return
			}
			n.id = t
		}
	})
	return ok
}

// wordsOf splits a phrase and says which words must keep their case: all
// of them with case exact, none with fold, and by default the acronyms
// (two or more letters, all capitals, like BIS or AWS).
func wordsOf(text, caseOpt string) (norm, exact []string, err error) {
	norm, orig, brk := splitWords(text)
	if len(norm) == 0 {
		return nil, nil, fmt.Errorf("%q has no letters or digits", text)
	}
	if len(norm) > maxPhraseWords {
		return nil, nil, fmt.Errorf("%q has more than %d words", text, maxPhraseWords)
	}
	if brk {
		return nil, nil, fmt.Errorf("%q contains punctuation that separates words (, ; : . ( ) \"); it could never match", text)
	}
	any := false
	exact = make([]string, len(norm))
	for i, o := range orig {
		if caseOpt == "exact" || (caseOpt == "" && isAcronym(o)) {
			exact[i] = o
			any = true
		}
	}
	if !any {
		exact = nil
	}
	return norm, exact, nil
}

func isAcronym(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 2
}

// term compiles quoted words of a rule (main), or a word of an alias's
// context lists (not main: the sense lexicon). With inflect, the words also
// match their inflections ("ban": bans, banned, banning; see inflect.go).
func (c *compiler) term(text string, inflect, main bool) (int32, error) {
	norm, exact, err := wordsOf(text, "")
	if err != nil {
		return 0, err
	}
	key := strings.Join(norm, " ") + "\x00" + strings.Join(exact, " ")
	if inflect {
		key += "\x00~"
	}
	i, known := c.termIdx[key]
	if !known {
		i = int32(len(c.s.terms))
		c.s.terms = append(c.s.terms, text)
		c.s.termMain = append(c.s.termMain, false)
		c.termIdx[key] = i
	}
	lex := &c.s.sense
	switch {
	case main && c.s.termMain[i]:
		return i, nil
	case main:
		c.s.termMain[i] = true
		lex = &c.s.main
	case known:
		return i, nil // in the sense lexicon already, or in main, which the sense pass sees too
	}
	c.addPhrase(lex, norm, phrase{entity: -1, term: i, exact: exact})
	if inflect {
		for _, v := range inflections(norm, exact) {
			c.addPhrase(lex, v, phrase{entity: -1, term: i, exact: exact})
		}
	}
	return i, nil
}

func (c *compiler) alias(file, key string, ei int32, a *aliasSpec) {
	norm, exact, err := wordsOf(a.text, a.caseOpt)
	if err != nil {
		c.errorf(file, a.line, "alias %v", err)
		return
	}
	allExact := exact != nil && !slices.Contains(exact, "")
	// Short and common-word aliases would fire on ordinary prose.
	if len(norm) == 1 {
		n := utf8.RuneCountInString(norm[0])
		r, _ := utf8.DecodeRuneInString(norm[0])
		switch {
		case isCJK(r) && n < 2:
			c.errorf(file, a.line, "alias %q is a single character; use at least two", a.text)
			return
		case !isCJK(r) && n < 3 && !allExact:
			c.errorf(file, a.line, "alias %q is too short to match safely; write it in capitals to match it as an acronym, or use case: exact", a.text)
			return
		case n < 2:
			c.errorf(file, a.line, "alias %q is too short", a.text)
			return
		}
	}
	common := true
	for _, w := range norm {
		if !commonWords[w] {
			common = false
		}
	}
	// Long names ("Ministry of Industry and Information Technology") are
	// specific even when every word is common.
	if common && len(norm) <= 3 && !allExact && len(a.context) == 0 {
		c.errorf(file, a.line, "alias %q is made of common words and would fire on ordinary prose: add context words, or case: exact to match it only as written", a.text)
		return
	}
	nk := strings.Join(norm, " ")
	if prev, dup := c.aliases[nk]; dup {
		c.errorf(file, a.line, "alias %q is already used by %s", a.text, prev)
		return
	}
	where := fmt.Sprintf("%s (%s:%d)", key, file, a.line)
	c.aliases[nk] = where
	info := c.aliasInfo(file, a, norm, exact, common, c.s.entities[ei].country != "")
	if len(norm) > 1 {
		c.s.entities[ei].long[nk] = true
	}
	c.addPhrase(&c.s.main, norm, phrase{entity: ei, term: -1, exact: exact, alias: info,
		commonFirst: commonWords[norm[0]], commonLast: commonWords[norm[len(norm)-1]]})
	// The same name in the other spellings wire copy uses: Dept. for
	// Department, Centre and Center, F.C.C. and FCC. A spelling that is
	// already some alias of its own is left to that alias.
	for _, v := range spellings(norm, exact, c.s.entities[ei].country != "") {
		vk := strings.Join(v.norm, " ")
		if _, dup := c.aliases[vk]; dup {
			continue
		}
		c.aliases[vk] = where
		if len(v.norm) > 1 {
			c.s.entities[ei].long[vk] = true
		}
		c.addPhrase(&c.s.main, v.norm, phrase{entity: ei, term: -1, exact: v.exact, alias: info,
			regional:    v.regional && c.s.entities[ei].country != "",
			commonFirst: commonWords[v.norm[0]], commonLast: commonWords[v.norm[len(v.norm)-1]]})
	}
}

// aliasInfo compiles what an alias says about when it counts.
func (c *compiler) aliasInfo(file string, a *aliasSpec, norm, exact []string, common, body bool) *aliasInfo {
	info := &aliasInfo{reach: reaches[a.reach], caseless: exact != nil}
	terms := func(what string, list []string) []int32 {
		var out []int32
		for _, t := range list {
			ti, err := c.term(t, false, false)
			if err != nil {
				c.errorf(file, a.line, "alias %q: %s %v", a.text, what, err)
				continue
			}
			out = append(out, ti)
		}
		return out
	}
	info.context = terms("context", a.context)
	info.veto = terms("veto", a.veto)
	info.about = terms("about", a.about)
	info.notAbout = terms("not_about", a.notAbout)
	words := func(list []string) map[string]bool {
		if len(list) == 0 {
			return nil
		}
		m := map[string]bool{}
		for _, w := range list {
			m[strings.ToLower(w)] = true
		}
		return m
	}
	info.continues, info.notAfter = words(a.continues), words(a.notAfter)
	for _, e := range exact {
		if e != "" && isAcronym(e) {
			info.hasAcronym = true
		}
	}
	if len(norm) == 1 && exact != nil && isAcronym(exact[0]) {
		info.acronym = exact[0]
	}
	// Names made of ordinary words, or written to match only as written,
	// are the ones another body or thing can carry too.
	info.generic = common || a.caseOpt == "exact"
	// A body's names run on into another body's (the Senate of Canada,
	// the National Cyber Security Centre of Finland).
	info.runOn = info.acronym == "" && !isCJK(firstRune(norm[0])) && (len(norm) == 1 || info.generic || body)
	for _, w := range norm {
		if titleWords[w] {
			info.title = true
		}
	}
	info.caseFirst = len(norm) == 1 && exact != nil && info.acronym == "" && commonWords[norm[0]]
	info.words = len(norm)
	info.unique = a.unique
	info.lowerOK = exact != nil && !info.hasAcronym && !isCJK(firstRune(norm[0])) && (len(norm) > 1 || !commonWords[norm[0]])
	return info
}

// titleWords name office holders.
var titleWords = map[string]bool{"secretary": true, "speaker": true, "president": true, "chair": true,
	"chairman": true, "chairwoman": true, "commissioner": true, "minister": true, "director": true,
	"administrator": true, "chief": true, "leader": true}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// addPhrase registers a phrase and inserts its words into a lexicon's
// trie.
func (c *compiler) addPhrase(lex *lexicon, norm []string, p phrase) {
	s := c.s
	p.words = int32(len(norm))
	if p.exact != nil {
		p.exactUpper = make([]string, len(p.exact))
		for i, e := range p.exact {
			p.exactUpper[i] = strings.ToUpper(e)
		}
	}
	pi := int32(len(s.phrases))
	s.phrases = append(s.phrases, p)
	lex.add(norm, pi)
}

func transKey(node, word int32) uint64 { return uint64(node)<<32 | uint64(uint32(word)) }

// Rules returns every rule, sorted by subject.
func (s *Set) Rules() []*Rule { return slices.Clone(s.rules) }

func trailingZeros(n int) int {
	z := 0
	for n > 1 {
		n >>= 1
		z++
	}
	return z
}

// triggers returns atoms of which at least one must occur for n to be
// true, choosing among AND and NEAR operands the cheapest list by size, and
// the list's cost; ok is false when n can be true with no atom at all
// (NOT). A rule whose expression needs a match always has such a list.
func triggers(n *node, size func(*node) int) (atoms []*node, cost int) {
	switch n.op {
	case opAtom:
		return []*node{n}, size(n)
	case opScope, opAtLeast:
		return triggers(n.kids[0], size)
	case opOr:
		for _, k := range n.kids {
			a, c := triggers(k, size)
			if a == nil {
				return nil, 0
			}
			atoms, cost = append(atoms, a...), cost+c
		}
		return atoms, cost
	case opAnd, opNear:
		for _, k := range n.kids {
			a, c := triggers(k, size)
			if a != nil && (atoms == nil || c < cost) {
				atoms, cost = a, c
			}
		}
		return atoms, cost
	}
	return nil, 0 // NOT
}
