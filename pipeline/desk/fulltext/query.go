package fulltext

import (
	"fmt"
	"strconv"
	"strings"
)

// The query language is FTS5's (sqlite.org/fts5.html, "Full-text Query
// Syntax"): strings (barewords or "quoted", "" for a quote inside) make
// phrases of their tokens; + joins phrases; * after a string makes its last
// token a prefix; ^ before a phrase pins it to a column's first token;
// NEAR(p1 p2 ..., N) wants the phrases within N tokens; col : and
// {col1 col2} : and - col : limit what follows to columns; NOT binds
// tighter than AND (also implied between neighbours), which binds tighter
// than OR.

// Query is a parsed query.
type Query struct {
	root *node
	// the phrases the query looks for (not under NOT), for highlighting
	marks []*node
}

type op int

const (
	opPhrase op = iota
	opNear
	opAnd
	opOr
	opNot
)

type node struct {
	op   op
	kids []*node
	// opPhrase: tokens, prefix flags, columns, pinned to the first token;
	// opNear: the phrases are kids, within dist tokens.
	terms   []string
	prefix  []bool
	cols    int
	initial bool
	dist    int
}

// SyntaxError is a query the language cannot read.
type SyntaxError struct {
	Reason string
}

func (e *SyntaxError) Error() string { return e.Reason }

type tokKind int

const (
	tEOF tokKind = iota
	tString
	tBare
	tStar
	tPlus
	tCaret
	tLP
	tRP
	tComma
	tColon
	tLBrace
	tRBrace
	tMinus
)

type qtok struct {
	kind tokKind
	text string
	at   int
}

func lex(s string) ([]qtok, error) {
	var out []qtok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, &SyntaxError{"unterminated string"}
				}
				if s[j] == '"' {
					if j+1 < len(s) && s[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, qtok{tString, b.String(), i})
			i = j + 1
		case strings.IndexByte("*+^(),:{}-", c) >= 0:
			out = append(out, qtok{map[byte]tokKind{'*': tStar, '+': tPlus, '^': tCaret, '(': tLP, ')': tRP, ',': tComma,
				':': tColon, '{': tLBrace, '}': tRBrace, '-': tMinus}[c], string(c), i})
			i++
		case isBare(c):
			j := i
			for j < len(s) && isBare(s[j]) {
				j++
			}
			out = append(out, qtok{tBare, s[i:j], i})
			i = j
		default:
			return nil, &SyntaxError{fmt.Sprintf("syntax error near %q", s[i:i+1])}
		}
	}
	return append(out, qtok{tEOF, "", len(s)}), nil
}

// isBare: the bytes of an FTS5 bareword.
func isBare(c byte) bool {
	return c >= 0x80 || c == '_' || c == 0x1a || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

type parser struct {
	toks []qtok
	i    int
}

func (p *parser) peek() qtok { return p.toks[p.i] }
func (p *parser) next() qtok { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errNear() error {
	t := p.peek()
	if t.kind == tEOF {
		return &SyntaxError{"syntax error: the query ends too early"}
	}
	return &SyntaxError{fmt.Sprintf("syntax error near %q", t.text)}
}

// Parse reads a query.
func Parse(s string) (*Query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, &SyntaxError{"empty query"}
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.errNear()
	}
	q := &Query{root: root}
	q.collectMarks(root, false)
	return q, nil
}

func (p *parser) keyword(w string) bool {
	t := p.peek()
	return t.kind == tBare && t.text == w
}

func (p *parser) or() (*node, error) {
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		n = join(opOr, n, r)
	}
	return n, nil
}

func (p *parser) and() (*node, error) {
	n, err := p.not()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.keyword("AND"):
			p.next()
		case p.startsPrimary():
		default:
			return n, nil
		}
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		n = join(opAnd, n, r)
	}
}

func (p *parser) startsPrimary() bool {
	switch t := p.peek(); t.kind {
	case tString, tLP, tCaret, tLBrace, tMinus:
		return true
	case tBare:
		return t.text != "AND" && t.text != "OR" && t.text != "NOT"
	}
	return false
}

func (p *parser) not() (*node, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.keyword("NOT") {
		p.next()
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		n = &node{op: opNot, kids: []*node{n, r}}
	}
	return n, nil
}

func join(o op, a, b *node) *node {
	if a.op == o {
		a.kids = append(a.kids, b)
		return a
	}
	return &node{op: o, kids: []*node{a, b}}
}

var columns = map[string]int{"title": colTitle, "text": colText}

// colspec reads "col :", "{a b} :" or "- col :" when one comes.
func (p *parser) colspec() (int, bool, error) {
	start := p.i
	neg := false
	if p.peek().kind == tMinus {
		neg = true
		p.next()
	}
	cols := 0
	switch t := p.peek(); {
	case t.kind == tLBrace:
		p.next()
		for p.peek().kind == tBare {
			c, ok := columns[p.peek().text]
			if !ok {
				return 0, false, &SyntaxError{fmt.Sprintf("no such column: %s", p.peek().text)}
			}
			cols |= c
			p.next()
		}
		if p.next().kind != tRBrace || cols == 0 {
			return 0, false, &SyntaxError{"syntax error in a column list"}
		}
	case t.kind == tBare && p.toks[p.i+1].kind == tColon:
		c, ok := columns[t.text]
		if !ok {
			return 0, false, &SyntaxError{fmt.Sprintf("no such column: %s", t.text)}
		}
		cols = c
		p.next()
	default:
		if neg {
			return 0, false, p.errNear()
		}
		p.i = start
		return 0, false, nil
	}
	if p.next().kind != tColon {
		p.i--
		return 0, false, p.errNear()
	}
	if neg {
		cols = colBoth &^ cols
	}
	return cols, true, nil
}

func (p *parser) primary() (*node, error) {
	cols, filtered, err := p.colspec()
	if err != nil {
		return nil, err
	}
	var n *node
	switch t := p.peek(); {
	case t.kind == tLP:
		p.next()
		if n, err = p.or(); err != nil {
			return nil, err
		}
		if p.peek().kind != tRP {
			return nil, p.errNear()
		}
		p.next()
	case t.kind == tBare && t.text == "NEAR" && p.toks[p.i+1].kind == tLP:
		p.next()
		p.next()
		if n, err = p.near(); err != nil {
			return nil, err
		}
	case t.kind == tCaret:
		p.next()
		if n, err = p.phrase(); err != nil {
			return nil, err
		}
		n.initial = true
	case t.kind == tString || (t.kind == tBare && t.text != "AND" && t.text != "OR" && t.text != "NOT"):
		if n, err = p.phrase(); err != nil {
			return nil, err
		}
	default:
		return nil, p.errNear()
	}
	if filtered {
		limitCols(n, cols)
	}
	return n, nil
}

func limitCols(n *node, cols int) {
	n.cols &= cols
	for _, k := range n.kids {
		limitCols(k, cols)
	}
}

// phrase reads strings joined by +.
func (p *parser) phrase() (*node, error) {
	n := &node{op: opPhrase, cols: colBoth}
	for {
		t := p.next()
		if t.kind != tString && t.kind != tBare {
			p.i--
			return nil, p.errNear()
		}
		words := Terms(t.text)
		pre := make([]bool, len(words))
		if p.peek().kind == tStar {
			p.next()
			if len(pre) > 0 {
				pre[len(pre)-1] = true
			}
		}
		n.terms = append(n.terms, words...)
		n.prefix = append(n.prefix, pre...)
		if p.peek().kind != tPlus {
			return n, nil
		}
		p.next()
	}
}

// near reads the inside of NEAR( ... ), after the parenthesis.
func (p *parser) near() (*node, error) {
	n := &node{op: opNear, dist: 10, cols: colBoth}
	for p.peek().kind == tString || p.peek().kind == tBare {
		ph, err := p.phrase()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, ph)
	}
	if len(n.kids) == 0 {
		return nil, p.errNear()
	}
	if p.peek().kind == tComma {
		p.next()
		t := p.next()
		d, err := strconv.Atoi(t.text)
		if t.kind != tBare || err != nil || d < 0 || d > 1_000_000 {
			return nil, &SyntaxError{fmt.Sprintf("expected a distance in NEAR, not %q", t.text)}
		}
		n.dist = d
	}
	if p.next().kind != tRP {
		p.i--
		return nil, p.errNear()
	}
	return n, nil
}

func (q *Query) collectMarks(n *node, negated bool) {
	switch n.op {
	case opPhrase:
		if negated {
			return
		}
		if len(n.terms) > 0 {
			q.marks = append(q.marks, n)
		}
	case opNot:
		q.collectMarks(n.kids[0], negated)
		q.collectMarks(n.kids[1], true)
	default:
		for _, k := range n.kids {
			q.collectMarks(k, negated)
		}
	}
}
