package rules

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads one rule file into plain specs, walking the YAML node
// tree by hand so that every problem carries its file and line and unknown
// keys are errors (yaml.Node.Decode would lose both).

type fileSpec struct {
	name     string
	entities []*entitySpec
	rules    []*ruleSpec
	examples []*exampleSpec
}

// header is what entities and rules both declare about themselves.
type header struct {
	id          string
	category    string
	name        string
	severity    string
	description string
}

type entitySpec struct {
	header
	lineNo  int
	country string // "" or a code of places.go: the body's own country
	tags    []string
	aliases []*aliasSpec
}

type aliasSpec struct {
	line      int
	text      string
	caseOpt   string   // "", "exact" or "fold"
	context   []string // needed within reach
	veto      []string // rule it out within reach
	about     []string // confirm it within reach (not needed)
	notAbout  []string // another sense: rule it out within reach, unless about or context words are there too
	reach     string   // "", "sentence", "neighbours", "paragraph" or "article"
	continues []string // capitalised words that may follow it in the same name
	notAfter  []string // words that, right before it, make it something else ("in Brussels")
	unique    bool     // no other country's body carries the name (the White House)
}

type ruleSpec struct {
	header
	line          int
	match         string
	matchLine     int
	minProminence float64
	inflect       bool // quoted words also match their inflections
}

type exampleSpec struct {
	line  int
	title string
	text  string
	want  []refSpec
	not   []refSpec
	// wantGiven: "want" was present, even empty; then no other rule of the
	// same file may fire.
	wantGiven bool
}

type refSpec struct {
	line int
	ref  string
}

// maxFileSize caps a rule file; rule packs are hand-written and small.
const maxFileSize = 8 << 20

type decoder struct {
	file string
	errs []error
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("%s:%d: %s", d.file, line, fmt.Sprintf(format, args...)))
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping checks that n is a mapping with only the allowed keys and returns
// its values by key. Keys keep their own node for line numbers.
func (d *decoder) mapping(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, map[string]int) {
	n = deref(n)
	vals := map[string]*yaml.Node{}
	lines := map[string]int{}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s must be a mapping of keys to values", what)
		return vals, lines
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%s: keys must be plain words", what)
			continue
		}
		if !slices.Contains(allowed, k.Value) {
			d.errorf(k.Line, "%s: unknown key %q (known keys: %s)", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if _, dup := vals[k.Value]; dup {
			d.errorf(k.Line, "%s: key %q given twice", what, k.Value)
			continue
		}
		vals[k.Value] = v
		lines[k.Value] = k.Line
	}
	return vals, lines
}

func (d *decoder) str(n *yaml.Node, what string) string {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		d.errorf(n.Line, "%s must be a string", what)
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	n = deref(n)
	v, err := strconv.ParseBool(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || n.Tag != "!!bool" {
		d.errorf(n.Line, "%s must be true or false", what)
		return false
	}
	return v
}

func (d *decoder) number(n *yaml.Node, what string) float64 {
	n = deref(n)
	v, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil {
		d.errorf(n.Line, "%s must be a number", what)
		return 0
	}
	return v
}

// seq returns the items of a sequence; a null value is an empty list.
func (d *decoder) seq(n *yaml.Node, what string) []*yaml.Node {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, "%s must be a list", what)
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = deref(c)
	}
	return items
}

// strList reads a list of strings. An item may itself be a list (an
// anchored list of the file's x- keys), whose items are taken in its place:
// [*firm, Qwen] is the words of firm and Qwen.
func (d *decoder) strList(n *yaml.Node, what string) []string {
	var out []string
	for _, it := range d.seq(n, what) {
		if it.Kind == yaml.SequenceNode {
			out = append(out, d.strList(it, what)...)
			continue
		}
		if s := d.str(it, what+" item"); s != "" {
			out = append(out, s)
		} else if it.Kind == yaml.ScalarNode {
			d.errorf(it.Line, "%s: empty item", what)
		}
	}
	return out
}

// parseFile reads one rule file. Problems go to d.errs.
func (d *decoder) parseFile(data []byte) *fileSpec {
	f := &fileSpec{name: d.file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml errors read "yaml: line N: reason".
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if num, reason, ok := strings.Cut(rest, ": "); ok {
				d.errs = append(d.errs, fmt.Errorf("%s:%s: %s", d.file, num, reason))
				return f
			}
		}
		d.errs = append(d.errs, fmt.Errorf("%s:1: %s", d.file, msg))
		return f
	}
	if len(doc.Content) == 0 {
		d.errorf(1, "empty rule file")
		return f
	}
	root := deref(doc.Content[0])
	if root.Kind == yaml.MappingNode {
		// Top-level keys starting with "x-" hold YAML anchors for reuse
		// (lists of context words); they are not read otherwise.
		trimmed := *root
		trimmed.Content = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			if !strings.HasPrefix(root.Content[i].Value, "x-") {
				trimmed.Content = append(trimmed.Content, root.Content[i], root.Content[i+1])
			}
		}
		root = &trimmed
	}
	top, _ := d.mapping(root, "rule file", "entities", "rules", "examples")
	if n, ok := top["entities"]; ok {
		for _, en := range d.seq(n, "entities") {
			f.entities = append(f.entities, d.entity(en))
		}
	}
	if n, ok := top["rules"]; ok {
		for _, rn := range d.seq(n, "rules") {
			f.rules = append(f.rules, d.rule(rn))
		}
	}
	if n, ok := top["examples"]; ok {
		for _, xn := range d.seq(n, "examples") {
			f.examples = append(f.examples, d.example(xn))
		}
	}
	return f
}

// header reads the keys entities and rules share from a decoded mapping.
func (d *decoder) header(m map[string]*yaml.Node) header {
	var h header
	fields := []struct {
		key string
		dst *string
	}{{"id", &h.id}, {"category", &h.category}, {"name", &h.name}, {"severity", &h.severity}, {"description", &h.description}}
	for _, f := range fields { // in this order, so problems are reported in it
		if v, ok := m[f.key]; ok {
			*f.dst = d.str(v, f.key)
		}
	}
	return h
}

func (d *decoder) entity(n *yaml.Node) *entitySpec {
	e := &entitySpec{lineNo: n.Line}
	m, _ := d.mapping(n, "entity", "id", "category", "name", "severity", "description", "country", "tags", "aliases")
	e.header = d.header(m)
	if v, ok := m["country"]; ok {
		e.country = d.str(v, "country")
		if _, known := countryNames[e.country]; !known {
			d.errorf(v.Line, "country %q: use one of %s", e.country, strings.Join(countryCodes(), ", "))
		}
	}
	if v, ok := m["tags"]; ok {
		e.tags = d.strList(v, "tags")
	}
	if v, ok := m["aliases"]; ok {
		for _, an := range d.seq(v, "aliases") {
			if a := d.alias(an); a != nil {
				e.aliases = append(e.aliases, a)
			}
		}
	}
	return e
}

func (d *decoder) alias(n *yaml.Node) *aliasSpec {
	if n.Kind == yaml.ScalarNode {
		return &aliasSpec{line: n.Line, text: d.str(n, "alias")}
	}
	a := &aliasSpec{line: n.Line}
	m, lines := d.mapping(n, "alias", "text", "case", "context", "veto", "about", "not_about", "reach", "continues", "not_after",
		"unique", "window")
	if v, ok := m["text"]; ok {
		a.text = d.str(v, "alias text")
	} else {
		d.errorf(n.Line, "alias: text is missing")
		return nil
	}
	if v, ok := m["case"]; ok {
		a.caseOpt = d.str(v, "case")
		if a.caseOpt != "exact" && a.caseOpt != "fold" {
			d.errorf(v.Line, "case must be exact (as written, or in capitals) or fold (any case), not %q", a.caseOpt)
		}
	}
	lists := []struct {
		key string
		dst *[]string
	}{{"context", &a.context}, {"veto", &a.veto}, {"about", &a.about}, {"not_about", &a.notAbout},
		{"continues", &a.continues}, {"not_after", &a.notAfter}}
	for _, l := range lists {
		if v, ok := m[l.key]; ok {
			*l.dst = d.strList(v, l.key)
		}
	}
	if v, ok := m["unique"]; ok {
		a.unique = d.boolean(v, "unique")
	}
	if v, ok := m["reach"]; ok {
		a.reach = d.str(v, "reach")
		if _, known := reaches[a.reach]; !known {
			d.errorf(v.Line, "reach must be sentence, neighbours, paragraph or article, not %q", a.reach)
		}
	}
	if _, ok := m["window"]; ok {
		// Replaced: a word count missed context a sentence away.
		d.errorf(lines["window"], "window is no longer used: context and veto words count within the reach (default: the sentence, its neighbours and the title; see docs/rules.md)")
	}
	return a
}

func (d *decoder) rule(n *yaml.Node) *ruleSpec {
	r := &ruleSpec{line: n.Line}
	m, _ := d.mapping(n, "rule", "id", "category", "name", "severity", "description", "match", "min_prominence", "inflect")
	r.header = d.header(m)
	if v, ok := m["inflect"]; ok {
		r.inflect = d.boolean(v, "inflect")
	}
	if v, ok := m["min_prominence"]; ok {
		r.minProminence = d.number(v, "min_prominence")
		if r.minProminence < 0 || r.minProminence > 1 {
			d.errorf(deref(v).Line, "min_prominence must be between 0 and 1")
		}
	}
	if v, ok := m["match"]; ok {
		r.match = d.str(v, "match")
		r.matchLine = deref(v).Line
	}
	return r
}

func (d *decoder) example(n *yaml.Node) *exampleSpec {
	x := &exampleSpec{line: n.Line}
	m, _ := d.mapping(n, "example", "title", "text", "want", "not")
	if v, ok := m["title"]; ok {
		x.title = d.str(v, "title")
	}
	if v, ok := m["text"]; ok {
		x.text = d.str(v, "text")
	}
	if x.title == "" && x.text == "" {
		d.errorf(n.Line, "example: give a text or a title")
	}
	refs := func(v *yaml.Node, what string) []refSpec {
		var out []refSpec
		for _, it := range d.seq(v, what) {
			if s := d.str(it, what+" item"); s != "" {
				out = append(out, refSpec{line: it.Line, ref: s})
			}
		}
		return out
	}
	_, hasWant := m["want"]
	_, hasNot := m["not"]
	if !hasWant && !hasNot {
		d.errorf(n.Line, "example: say what it must match (want) or must not match (not)")
	}
	if hasWant {
		x.want = refs(m["want"], "want")
		x.wantGiven = true
	}
	if hasNot {
		x.not = refs(m["not"], "not")
	}
	return x
}

var errNoFiles = errors.New("no *.yaml rule files")
