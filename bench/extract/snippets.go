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
// (extracttest.Tuning on the file name), and returns the markdown section
// of docs/benchmarks.md. worst lists on w that many tuning-side pages
// where our text lacks a wanted snippet or holds an unwanted one; dump,
// when not nil, receives as JSON lines with their HTML the tuning-side
// pages where our text lacks a wanted snippet or our author or date does
// not match.
func evalSnippets(exs []extractor, worst int, dump, w io.Writer) (string, error) {
	entries, err := loadSnippets()
	if err != nil {
		return "", err
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
			pc := pageCount(e, text)
			if i == 0 {
				for _, s := range e.With {
					if text == "" || !strings.Contains(text, collapse(s)) {
						lost = append(lost, s)
					}
				}
				for _, s := range e.Without {
					if text != "" && strings.Contains(text, collapse(s)) {
						extra = append(extra, s)
					}
				}
				lang = primaryLang(o.lang)
			} else {
				othersComplete = append(othersComplete, pc.fn == 0)
			}
			if len(e.Authors) > 0 {
				pc.authorN++
				if sameName(o.author, strings.Join(e.Authors, "; ")) {
					pc.authorOK++
				} else if i == 0 {
					authorMiss, ourAuthor = true, o.author
				}
			}
			if len(e.Date) == 10 {
				pc.dateN++
				if o.publishedOK && o.published.Format("2006-01-02") == e.Date {
					pc.dateOK++
				} else if i == 0 {
					dateMiss = true
					if o.publishedOK {
						ourDate = o.published.Format("2006-01-02")
					}
				}
			}
			counts[i][side].add(pc)
			lc := byLang[i][lang]
			lc.add(pc)
			byLang[i][lang] = lc
		}
		if side != 0 || len(lost)+len(extra) == 0 && !authorMiss && !dateMiss {
			continue
		}
		if dump != nil {
			b, err := json.Marshal(map[string]any{"id": e.File, "url": e.URL, "lost": lost, "othersComplete": othersComplete,
				"authors": e.Authors, "ourAuthor": ourAuthor, "authorMiss": authorMiss,
				"date": e.Date, "ourDate": ourDate, "dateMiss": dateMiss, "html": string(e.HTML)})
			if err != nil {
				return "", err
			}
			if _, err := dump.Write(append(b, '\n')); err != nil {
				return "", err
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
	return renderSnippets(len(entries), exs, counts, byLang), nil
}

// renderSnippets writes the comparison set's tables.
func renderSnippets(pages int, exs []extractor, counts [][2]snipCount, byLang []map[string]snipCount) string {
	var b strings.Builder
	tuning := counts[0][0].pages
	fmt.Fprintf(&b, "### go-trafilatura's comparison set\n\n%d pages (%d on the tuning side, %d held out), mostly German, with\n", pages, tuning, pages-tuning)
	b.WriteString("English, Spanish, French and Polish ones; each has a few snippets its annotators say the main text holds\n" +
		"and a few it must not hold, and many the author and the day of publication. Its metric: a wanted snippet\n" +
		"found is a true positive, missing a false negative, an unwanted one found a false positive, pooled over\n" +
		"all pages. go-trafilatura's authors built their extractor on this set, so it is at home here.\n\n")
	b.WriteString("| extractor | precision | recall | F1 | F1 tuning | F1 held out | authors | dates |\n|---|---|---|---|---|---|---|---|\n")
	for i, ex := range exs {
		all := counts[i][0]
		all.add(counts[i][1])
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %d/%d | %d/%d |\n", ex.name, all.precision(), all.recall(), all.f1(),
			counts[i][0].f1(), counts[i][1].f1(), all.authorOK, all.authorN, all.dateOK, all.dateN)
	}
	b.WriteString("\nF1 by language (as pipeline/extract states or detects it; languages with five pages or more):\n\n| language | pages |")
	for _, ex := range exs {
		fmt.Fprintf(&b, " %s |", ex.name)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(exs)) + "\n")
	for _, l := range slices.Sorted(maps.Keys(byLang[0])) {
		if l == "" || byLang[0][l].pages < 5 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d |", l, byLang[0][l].pages)
		for i := range exs {
			fmt.Fprintf(&b, " %.3f |", byLang[i][l].f1())
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
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
