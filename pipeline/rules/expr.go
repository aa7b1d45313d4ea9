package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// The alert rule language:
//
//	expr    = and { "OR" and }
//	and     = unary { "AND" unary }
//	unary   = "NOT" unary | near
//	near    = prefix { ("NEAR/" n | "NEAR/s" | "NEAR/p") prefix }
//	prefix  = "ATLEAST/" n prefix | ("title:" | "lead:" | "body:") prefix | primary
//	primary = "(" expr ")" | category.id | category.* | @tag | "quoted words" | ="quoted words"

type op uint8

const (
	opAtom op = iota
	opAnd
	opOr
	opNot
	opNear
	opAtLeast
	opScope
)

type atomKind uint8

const (
	akEntity atomKind = iota
	akCategory
	akTag
	akTerm
)

// Field scopes.
const (
	scopeAll uint8 = iota
	scopeTitle
	scopeLead
	scopeBody
)

var scopeNames = map[string]uint8{"title": scopeTitle, "lead": scopeLead, "body": scopeBody}

type node struct {
	op    op
	kids  []*node
	n     int  // NEAR distance in words, ATLEAST count
	unit  byte // NEAR unit: 'w' words, 's' sentence, 'p' paragraph
	scope uint8

	kind      atomKind
	name      string // as written: "cloud.huawei", "cloud", "china", "export controls"
	asWritten bool   // a term written ="...": no inflections
	id        int32  // entity or term index once resolved
}

type lexeme struct {
	text string
	pos  int  // byte offset in the expression, for messages
	kind byte // '(' ')' 'w' word/operator, 'q' quoted, 'e' quoted as written (="...")
}

func lex(s string) ([]lexeme, error) {
	var out []lexeme
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			out = append(out, lexeme{text: s[i : i+1], pos: i, kind: c})
			i++
		case c == '"' || (c == '=' && i+1 < len(s) && s[i+1] == '"'):
			kind, q := byte('q'), i
			if c == '=' {
				kind, q = 'e', i+1
			}
			j := strings.IndexByte(s[q+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("at %d: quote not closed", q+1)
			}
			out = append(out, lexeme{text: s[q+1 : q+1+j], pos: i, kind: kind})
			i = q + j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()\"", rune(s[j])) {
				j++
				// "title:" ends a word so that title:cloud.aws reads as two.
				if s[j-1] == ':' {
					break
				}
			}
			out = append(out, lexeme{text: s[i:j], pos: i, kind: 'w'})
			i = j
		}
	}
	return out, nil
}

type parser struct {
	toks []lexeme
	i    int
	src  string
}

// parseExpr parses a rule expression; errors name the position (1-based).
func parseExpr(s string) (*node, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	p := &parser{toks: toks, src: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.kind == ')' {
			return nil, fmt.Errorf("at %d: ')' without '('", t.pos+1)
		}
		switch strings.ToUpper(t.text) {
		case "AND", "OR", "NOT":
			return nil, fmt.Errorf("at %d: write operators in capitals (%s), or quote the word (\"%s\")", t.pos+1, strings.ToUpper(t.text), t.text)
		}
		if strings.HasPrefix(strings.ToUpper(t.text), "NEAR") {
			return nil, fmt.Errorf("at %d: write NEAR in capitals: NEAR/5, NEAR/s or NEAR/p", t.pos+1)
		}
		return nil, fmt.Errorf("at %d: expected AND, OR or NEAR before %q", t.pos+1, t.text)
	}
	return n, nil
}

func (p *parser) peek() *lexeme {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t != nil && t.kind == 'w' && t.text == w
}

func (p *parser) or() (*node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for p.isWord("OR") {
		p.i++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &node{op: opOr, kids: kids}, nil
}

func (p *parser) and() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	kids := []*node{left}
	for p.isWord("AND") {
		p.i++
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &node{op: opAnd, kids: kids}, nil
}

func (p *parser) unary() (*node, error) {
	if p.isWord("NOT") {
		p.i++
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	}
	return p.near()
}

func (p *parser) near() (*node, error) {
	left, err := p.prefix()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t == nil || t.kind != 'w' || !strings.HasPrefix(t.text, "NEAR") {
			return left, nil
		}
		n := &node{op: opNear}
		switch arg, _ := strings.CutPrefix(t.text, "NEAR/"); {
		case arg == "s":
			n.unit = 's'
		case arg == "p":
			n.unit = 'p'
		default:
			v, err := strconv.Atoi(arg)
			if err != nil || v < 0 || v > 1000 || !strings.HasPrefix(t.text, "NEAR/") {
				return nil, fmt.Errorf("at %d: %q: write NEAR/5 (within 5 words), NEAR/s (same sentence) or NEAR/p (same paragraph)", t.pos+1, t.text)
			}
			n.unit, n.n = 'w', v
		}
		p.i++
		right, err := p.prefix()
		if err != nil {
			return nil, err
		}
		for _, k := range []*node{left, right} {
			if !positional(k) {
				return nil, fmt.Errorf("at %d: NEAR joins entities, categories, tags or quoted words (or OR groups of them), not AND or NOT", t.pos+1)
			}
		}
		n.kids = []*node{left, right}
		left = n
	}
}

func (p *parser) prefix() (*node, error) {
	t := p.peek()
	if t == nil {
		return nil, fmt.Errorf("at %d: expression ends too early", len(p.src)+1)
	}
	if t.kind == 'w' {
		if arg, ok := strings.CutPrefix(t.text, "ATLEAST/"); ok {
			v, err := strconv.Atoi(arg)
			if err != nil || v < 1 || v > 1000 {
				return nil, fmt.Errorf("at %d: %q: write ATLEAST/3 for at least three mentions", t.pos+1, t.text)
			}
			p.i++
			k, err := p.prefix()
			if err != nil {
				return nil, err
			}
			if !positional(k) {
				return nil, fmt.Errorf("at %d: ATLEAST counts entities, categories, tags or quoted words (or OR groups of them), not AND or NOT", t.pos+1)
			}
			return &node{op: opAtLeast, n: v, kids: []*node{k}}, nil
		}
		if name, ok := strings.CutSuffix(t.text, ":"); ok {
			sc, known := scopeNames[name]
			if !known {
				return nil, fmt.Errorf("at %d: unknown field %q (use title:, lead: or body:)", t.pos+1, name)
			}
			p.i++
			k, err := p.prefix()
			if err != nil {
				return nil, err
			}
			return &node{op: opScope, scope: sc, kids: []*node{k}}, nil
		}
	}
	return p.primary()
}

func (p *parser) primary() (*node, error) {
	t := p.peek()
	if t == nil {
		return nil, fmt.Errorf("at %d: expression ends too early", len(p.src)+1)
	}
	p.i++
	switch t.kind {
	case '(':
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c == nil || c.kind != ')' {
			return nil, fmt.Errorf("at %d: '(' not closed", t.pos+1)
		}
		p.i++
		return n, nil
	case ')':
		return nil, fmt.Errorf("at %d: unexpected ')'", t.pos+1)
	case 'q', 'e':
		if strings.TrimSpace(t.text) == "" {
			return nil, fmt.Errorf("at %d: empty quoted words", t.pos+1)
		}
		return &node{op: opAtom, kind: akTerm, name: t.text, asWritten: t.kind == 'e'}, nil
	}
	w := t.text
	switch w {
	case "AND", "OR", "NOT":
		return nil, fmt.Errorf("at %d: %s needs something before and after it", t.pos+1, w)
	case "and", "or", "not", "And", "Or", "Not":
		return nil, fmt.Errorf("at %d: write operators in capitals (%s), or quote the word (\"%s\")", t.pos+1, strings.ToUpper(w), w)
	}
	if tag, ok := strings.CutPrefix(w, "@"); ok {
		if !validID(tag) {
			return nil, fmt.Errorf("at %d: bad tag %q", t.pos+1, w)
		}
		return &node{op: opAtom, kind: akTag, name: tag}, nil
	}
	cat, id, ok := strings.Cut(w, ".")
	if !ok || !validID(cat) || (id != "*" && !validID(id)) {
		return nil, fmt.Errorf("at %d: %q: name an entity as category.id (cloud.huawei), a category as cloud.*, a tag as @china, or quote plain words (\"export controls\")", t.pos+1, w)
	}
	if id == "*" {
		return &node{op: opAtom, kind: akCategory, name: cat}, nil
	}
	return &node{op: opAtom, kind: akEntity, name: w}, nil
}

// positional nodes stand for a set of places in the text.
func positional(n *node) bool {
	switch n.op {
	case opAtom, opNear:
		return true
	case opScope:
		return positional(n.kids[0])
	case opOr:
		for _, k := range n.kids {
			if !positional(k) {
				return false
			}
		}
		return true
	}
	return false
}

// needsMatch reports whether n can only be true when some atom occurs; a
// rule that can fire on an empty article is refused.
func needsMatch(n *node) bool {
	switch n.op {
	case opAtom, opNear, opAtLeast:
		return true
	case opScope:
		return needsMatch(n.kids[0])
	case opAnd:
		for _, k := range n.kids {
			if needsMatch(k) {
				return true
			}
		}
		return false
	case opOr:
		for _, k := range n.kids {
			if !needsMatch(k) {
				return false
			}
		}
		return true
	}
	return false
}

func walk(n *node, f func(*node)) {
	f(n)
	for _, k := range n.kids {
		walk(k, f)
	}
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (i > 0 && (c == '-' || c == '_'))) {
			return false
		}
	}
	return true
}
