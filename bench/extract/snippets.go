package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"newsmon/pipeline/extract/extracttest"
)

// snippetEntry is one page of go-trafilatura's comparison set: text its
// annotators say the main text holds (with) and must not hold (without),
// and the authors where known.
type snippetEntry struct {
	URL, File     string
	With, Without []string
	Authors       []string
	HTML          []byte
}

// loadSnippets reads go-trafilatura's comparison set from the module
// cache: the pages under test-files and the snippets in
// scripts/comparison/data.go, a Go map literal read with go/parser.
func loadSnippets() ([]snippetEntry, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/markusmobius/go-trafilatura").Output()
	if err != nil {
		return nil, fmt.Errorf("locate go-trafilatura: %w", err)
	}
	dir := strings.TrimSpace(string(out))
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(dir, "scripts", "comparison", "data.go"), nil, 0)
	if err != nil {
		return nil, err
	}
	var entries []snippetEntry
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "comparisonData" || len(vs.Values) != 1 {
			return true
		}
		m, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return false
		}
		for _, el := range m.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			var e snippetEntry
			e.URL = lit(kv.Key)
			cl, ok := kv.Value.(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, fe := range cl.Elts {
				fkv, ok := fe.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				switch fkv.Key.(*ast.Ident).Name {
				case "File":
					e.File = lit(fkv.Value)
				case "With":
					e.With = lits(fkv.Value)
				case "Without":
					e.Without = lits(fkv.Value)
				case "Authors":
					e.Authors = lits(fkv.Value)
				}
			}
			if e.File == "" {
				continue
			}
			for _, sub := range []string{"comparison", "mock"} {
				if b, err := os.ReadFile(filepath.Join(dir, "test-files", sub, e.File)); err == nil {
					e.HTML = b
					break
				}
			}
			if e.HTML != nil {
				entries = append(entries, e)
			}
		}
		return false
	})
	slices.SortFunc(entries, func(a, b snippetEntry) int { return strings.Compare(a.File, b.File) })
	return entries, nil
}

func lit(x ast.Expr) string {
	b, ok := x.(*ast.BasicLit)
	if !ok {
		return ""
	}
	s, err := strconv.Unquote(b.Value)
	if err != nil {
		return ""
	}
	return s
}

func lits(x ast.Expr) []string {
	cl, ok := x.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range cl.Elts {
		out = append(out, lit(e))
	}
	return out
}

// snipCount tallies the comparison set's metric (go-trafilatura's
// scripts/comparison: a wanted snippet found is a true positive, an
// unwanted one found a false positive) and the authors matched.
type snipCount struct{ tp, fn, fp, tn, authorOK, authorN int }

func (c snipCount) String() string {
	p := float64(c.tp) / float64(max(c.tp+c.fp, 1))
	r := float64(c.tp) / float64(max(c.tp+c.fn, 1))
	f := 2 * float64(c.tp) / float64(max(2*c.tp+c.fp+c.fn, 1))
	return fmt.Sprintf("P %.3f R %.3f F1 %.3f authors %d/%d", p, r, f, c.authorOK, c.authorN)
}

// evalSnippets scores the extractors on go-trafilatura's comparison set,
// split into tuning and held-out sides as the datasets are
// (extracttest.Tuning on the file name). worst lists that many tuning-side
// pages where our text lacks a wanted snippet or holds an unwanted one;
// dump, when not nil, receives as JSON lines with their HTML the
// tuning-side pages where our text lacks a wanted snippet or our author
// does not match.
func evalSnippets(exs []extractor, worst int, dump, w io.Writer) error {
	entries, err := loadSnippets()
	if err != nil {
		return err
	}
	counts := make([][2]snipCount, len(exs)) // [tuning, held out]
	listed := 0
	for _, e := range entries {
		p := &extracttest.Page{ID: e.File, URL: e.URL, HTML: e.HTML}
		side := 1
		if extracttest.Tuning(e.File) {
			side = 0
		}
		var lost, extra []string
		authorMiss, ourAuthor := false, ""
		var othersComplete []bool
		for i, ex := range exs {
			o, err := ex.fn(p, false)
			text := collapse(o.text)
			if err != nil {
				text = ""
			}
			c := &counts[i][side]
			complete := true
			for _, s := range e.With {
				if text != "" && strings.Contains(text, collapse(s)) {
					c.tp++
					continue
				}
				c.fn++
				complete = false
				if i == 0 {
					lost = append(lost, s)
				}
			}
			for _, s := range e.Without {
				if text != "" && strings.Contains(text, collapse(s)) {
					c.fp++
					if i == 0 {
						extra = append(extra, s)
					}
				} else {
					c.tn++
				}
			}
			if len(e.Authors) > 0 {
				c.authorN++
				if sameName(o.author, strings.Join(e.Authors, "; ")) {
					c.authorOK++
				} else if i == 0 {
					authorMiss, ourAuthor = true, o.author
				}
			}
			if i > 0 {
				othersComplete = append(othersComplete, complete)
			}
		}
		if side != 0 || len(lost)+len(extra) == 0 && !authorMiss {
			continue
		}
		if dump != nil && (len(lost) > 0 || authorMiss) {
			b, err := json.Marshal(map[string]any{"id": e.File, "url": e.URL, "lost": lost, "othersComplete": othersComplete,
				"authors": e.Authors, "ourAuthor": ourAuthor, "authorMiss": authorMiss, "html": string(e.HTML)})
			if err != nil {
				return err
			}
			if _, err := dump.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		if listed < worst && len(lost)+len(extra) > 0 {
			listed++
			fmt.Fprintf(w, "  %s (others complete: %v)\n", e.File, othersComplete)
			for _, s := range lost {
				fmt.Fprintf(w, "     LOST  %.100q\n", s)
			}
			for _, s := range extra {
				fmt.Fprintf(w, "     EXTRA %.100q\n", s)
			}
		}
	}
	fmt.Fprintf(w, "go-trafilatura's comparison set: %d pages\n", len(entries))
	for i, ex := range exs {
		all := counts[i][0]
		h := counts[i][1]
		all.tp, all.fn, all.fp, all.tn = all.tp+h.tp, all.fn+h.fn, all.fp+h.fp, all.tn+h.tn
		all.authorOK, all.authorN = all.authorOK+h.authorOK, all.authorN+h.authorN
		fmt.Fprintf(w, "%-40s all: %v | tuning: %v | held out: %v\n", ex.name, all, counts[i][0], h)
	}
	return nil
}
