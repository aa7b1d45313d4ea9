package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
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
	Date          string // YYYY-MM-DD, when known
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
				case "Date":
					e.Date = lit(fkv.Value)
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
type snipCount struct{ tp, fn, fp, tn, authorOK, authorN, dateOK, dateN, pages int }

func (c snipCount) String() string {
	return fmt.Sprintf("P %.3f R %.3f F1 %.3f authors %d/%d dates %d/%d", c.precision(), c.recall(), c.f1(),
		c.authorOK, c.authorN, c.dateOK, c.dateN)
}

func (c snipCount) precision() float64 { return float64(c.tp) / float64(max(c.tp+c.fp, 1)) }
func (c snipCount) recall() float64    { return float64(c.tp) / float64(max(c.tp+c.fn, 1)) }
func (c snipCount) f1() float64        { return 2 * float64(c.tp) / float64(max(2*c.tp+c.fp+c.fn, 1)) }

func (c *snipCount) add(o snipCount) {
	c.tp, c.fn, c.fp, c.tn = c.tp+o.tp, c.fn+o.fn, c.fp+o.fp, c.tn+o.tn
	c.authorOK, c.authorN, c.dateOK, c.dateN = c.authorOK+o.authorOK, c.authorN+o.authorN, c.dateOK+o.dateOK, c.dateN+o.dateN
	c.pages += o.pages
}

// evalSnippets scores the extractors on go-trafilatura's comparison set,
// split into tuning and held-out sides as the datasets are
// (extracttest.Tuning on the file name). worst lists that many tuning-side
// pages where our text lacks a wanted snippet or holds an unwanted one;
// dump, when not nil, receives as JSON lines with their HTML the
// tuning-side pages where our text lacks a wanted snippet or our author or
// date does not match.
func evalSnippets(exs []extractor, worst int, dump, w io.Writer) error {
	entries, err := loadSnippets()
	if err != nil {
		return err
	}
	counts := make([][2]snipCount, len(exs)) // [tuning, held out]
	byLang := make([]map[string]snipCount, len(exs))
	for i := range byLang {
		byLang[i] = map[string]snipCount{}
	}
	listed := 0
	for _, e := range entries {
		p := &extracttest.Page{ID: e.File, URL: e.URL, HTML: e.HTML}
		side := 1
		if extracttest.Tuning(e.File) {
			side = 0
		}
		var lost, extra []string
		lang := ""
		authorMiss, ourAuthor := false, ""
		dateMiss, ourDate := false, ""
		var othersComplete []bool
		for i, ex := range exs {
			o, err := ex.fn(p, true)
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
			if len(e.Date) == 10 {
				c.dateN++
				if o.publishedOK && o.published.Format("2006-01-02") == e.Date {
					c.dateOK++
				} else if i == 0 {
					dateMiss = true
					if o.publishedOK {
						ourDate = o.published.Format("2006-01-02")
					}
				}
			}
			if i == 0 {
				lang = primaryLang(o.lang)
			}
			lc := byLang[i][lang]
			lc.add(pageCount(e, text))
			byLang[i][lang] = lc
			if i > 0 {
				othersComplete = append(othersComplete, complete)
			}
		}
		if side != 0 || len(lost)+len(extra) == 0 && !authorMiss && !dateMiss {
			continue
		}
		if dump != nil && (len(lost) > 0 || authorMiss || dateMiss) {
			b, err := json.Marshal(map[string]any{"id": e.File, "url": e.URL, "lost": lost, "othersComplete": othersComplete,
				"authors": e.Authors, "ourAuthor": ourAuthor, "authorMiss": authorMiss,
				"date": e.Date, "ourDate": ourDate, "dateMiss": dateMiss, "html": string(e.HTML)})
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
		all.add(counts[i][1])
		fmt.Fprintf(w, "%-40s all: %v | tuning: %v | held out: %v\n", ex.name, all, counts[i][0], counts[i][1])
	}
	fmt.Fprintf(w, "F1 by language (as pipeline/extract states or detects it):\n")
	langs := slices.Sorted(maps.Keys(byLang[0]))
	for _, l := range langs {
		fmt.Fprintf(w, "  %-3s", l)
		for i := range exs {
			c := byLang[i][l]
			fmt.Fprintf(w, " %.3f (P %.3f R %.3f)", c.f1(), c.precision(), c.recall())
		}
		fmt.Fprintf(w, "  %d pages\n", byLang[0][l].pages)
	}
	return nil
}

// pageCount is one page's snippet tally.
func pageCount(e snippetEntry, text string) snipCount {
	c := snipCount{pages: 1}
	for _, s := range e.With {
		if text != "" && strings.Contains(text, collapse(s)) {
			c.tp++
		} else {
			c.fn++
		}
	}
	for _, s := range e.Without {
		if text != "" && strings.Contains(text, collapse(s)) {
			c.fp++
		} else {
			c.tn++
		}
	}
	return c
}
