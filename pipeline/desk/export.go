package desk

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
)

// Exported is one verdict written into a rule file as an example.
type Exported struct {
	File     string // the rule file, in the folder given
	Rule     string
	Verdict  string
	User     string
	Title    string
	Want     []string
	Not      []string
	FailsNow bool // the rules as they are do not pass it: the fix is still to come
}

// ExportFeedback writes analysts' verdicts into the rule files of dir as
// examples, in the file that defines each verdict's rule: "correct" and
// "missed" become examples that must match the rule, "wrong" one that must
// not. Each example carries a comment with the verdict's id, so a verdict
// is written once however often this runs; when an analyst changed their
// mind the latest verdict on an article and rule counts. The text is the
// sentences that matched when they alone make the rules do what they did
// on the whole article, else the article's text. If the folder does not
// load afterwards, every file is put back and the error returned.
func ExportFeedback(dir string, fbs []pipeline.Feedback) ([]Exported, error) {
	set, err := rules.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("the rule folder must load before feedback is added: %w", err)
	}
	owner, err := ruleFiles(dir)
	if err != nil {
		return nil, err
	}
	// The latest verdict per article, rule and user.
	latest := map[string]pipeline.Feedback{}
	for _, f := range fbs {
		k := f.Article.ID + "|" + f.Rule + "|" + f.User
		if old, ok := latest[k]; !ok || f.At.After(old.At) {
			latest[k] = f
		}
	}
	var chosen []pipeline.Feedback
	for _, f := range latest {
		chosen = append(chosen, f)
	}
	sort.Slice(chosen, func(i, j int) bool { return chosen[i].At.Before(chosen[j].At) })

	originals := map[string][]byte{}
	added := map[string][]string{} // file -> YAML items to add
	var (
		out   []Exported
		texts []string // each example's text as RunExamples reports it
	)
	for _, f := range chosen {
		file, ok := owner[f.Rule]
		if !ok {
			continue // a rule this folder does not define (another team's, or removed)
		}
		if _, ok := originals[file]; !ok {
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				return nil, err
			}
			originals[file] = data
		}
		if bytes.Contains(originals[file], []byte("feedback "+f.ID+" ")) {
			continue // written before
		}
		ex, item, err := example(set, owner, file, &f)
		if err != nil {
			return nil, fmt.Errorf("feedback %s: %w", f.ID, err)
		}
		if ex == nil {
			continue
		}
		ex.File = filepath.Join(dir, file)
		added[file] = append(added[file], item)
		out = append(out, ex.Exported)
		texts = append(texts, ex.exampleText)
	}
	if len(added) == 0 {
		return nil, nil
	}
	for file, items := range added {
		if err := os.WriteFile(filepath.Join(dir, file), insertExamples(originals[file], items), 0o644); err != nil {
			restore(dir, originals)
			return nil, err
		}
	}
	after, err := rules.LoadDir(dir)
	if err != nil {
		restore(dir, originals)
		return nil, fmt.Errorf("the rule files would not load with the new examples; nothing was changed: %w", err)
	}
	failing := map[string]bool{}
	for _, fail := range after.RunExamples() {
		failing[fail.File+"|"+fail.Text] = true
	}
	for i := range out {
		out[i].FailsNow = failing[filepath.Base(out[i].File)+"|"+texts[i]]
	}
	return out, nil
}

func restore(dir string, originals map[string][]byte) {
	for file, data := range originals {
		os.WriteFile(filepath.Join(dir, file), data, 0o644)
	}
}

// ruleFiles maps every rule key (category.id, entities included) to the
// file of dir that defines it.
func ruleFiles(dir string) (map[string]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	type def struct{ ID, Category string }
	out := map[string]string{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Entities []def `yaml:"entities"`
			Rules    []def `yaml:"rules"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, d := range append(doc.Entities, doc.Rules...) {
			out[d.Category+"."+d.ID] = filepath.Base(name)
		}
	}
	return out, nil
}

type yamlExample struct {
	Title string   `yaml:"title,omitempty"`
	Text  string   `yaml:"text"`
	Want  []string `yaml:"want,omitempty,flow"`
	Not   []string `yaml:"not,omitempty,flow"`
}

// example builds the example of one verdict and its YAML list item.
func example(set *rules.Set, owner map[string]string, file string, f *pipeline.Feedback) (*exportedWithText, string, error) {
	full := rules.Doc{Title: f.Article.Title, Body: f.Body}
	doc := full
	if f.Verdict != pipeline.VerdictMissed {
		// The matched sentences, when they make the rules of this file do
		// what they do on the whole article.
		var parts []string
		for _, m := range f.Matches {
			if m.Field == "body" && m.Snippet != "" && !slices.Contains(parts, m.Snippet) {
				parts = append(parts, m.Snippet)
			}
		}
		short := rules.Doc{Title: f.Article.Title, Body: strings.Join(parts, "\n\n")}
		if f.Body == "" || sameFires(set, owner, file, short, full) {
			doc = short
		}
	}
	if strings.TrimSpace(doc.Title+doc.Body) == "" {
		return nil, "", nil // nothing to make an example of
	}
	x := yamlExample{Title: doc.Title, Text: doc.Body}
	switch f.Verdict {
	case pipeline.VerdictWrong:
		x.Not = []string{f.Rule}
	default:
		// Must match; the file's other rules that fire on the text are
		// listed too, since an example with want fails on any other rule
		// of its file that fires.
		x.Want = []string{f.Rule}
		for _, k := range firesInFile(set, owner, file, doc) {
			if k != f.Rule {
				x.Want = append(x.Want, k)
			}
		}
	}
	y, err := yaml.Marshal([]yamlExample{x})
	if err != nil {
		return nil, "", err
	}
	who := f.User
	if who == "" {
		who = "someone"
	}
	item := fmt.Sprintf("# feedback %s : %s by %s on %s, %s\n%s", f.ID, f.Verdict, who, f.At.UTC().Format("2006-01-02"), f.Article.URL, y)
	text := x.Text
	if x.Title != "" {
		text = "[title] " + x.Title + " [text] " + x.Text
	}
	return &exportedWithText{Exported: Exported{Rule: f.Rule, Verdict: f.Verdict, User: f.User, Title: f.Article.Title,
		Want: x.Want, Not: x.Not}, exampleText: text}, item, nil
}

type exportedWithText struct {
	Exported
	exampleText string
}

func firesInFile(set *rules.Set, owner map[string]string, file string, d rules.Doc) []string {
	var out []string
	for _, h := range set.Match(d) {
		if owner[h.Rule.Key()] == file {
			out = append(out, h.Rule.Key())
		}
	}
	return out
}

func sameFires(set *rules.Set, owner map[string]string, file string, a, b rules.Doc) bool {
	return slices.Equal(firesInFile(set, owner, file, a), firesInFile(set, owner, file, b))
}

var topKey = regexp.MustCompile(`^[A-Za-z_-][^:#]*:`)

// insertExamples adds items at the end of the file's top-level examples
// list (made when the file has none), indented as its items are.
func insertExamples(data []byte, items []string) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "examples:") {
			start = i
			break
		}
	}
	var b strings.Builder
	if start < 0 {
		b.Write(data)
		if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
			b.WriteString("\n")
		}
		b.WriteString("\nexamples:\n")
		for _, it := range items {
			b.WriteString(indent(it, "  "))
		}
		return []byte(b.String())
	}
	// The list ends before the next top-level key, or at the end.
	end := len(lines)
	ind := "  "
	for i := start + 1; i < len(lines); i++ {
		l := lines[i]
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, "- ") && ind == "  " {
			ind = l[:len(l)-len(t)]
		}
		if topKey.MatchString(l) {
			end = i
			break
		}
	}
	// Keep blank lines and comments that lead into the next key with it.
	for end > start+1 && (strings.TrimSpace(lines[end-1]) == "" || (end < len(lines) && strings.HasPrefix(lines[end-1], "#"))) {
		end--
	}
	for _, l := range lines[:end] {
		b.WriteString(l)
	}
	if end > 0 && !strings.HasSuffix(lines[end-1], "\n") {
		b.WriteString("\n")
	}
	for _, it := range items {
		b.WriteString(indent(it, ind))
	}
	for _, l := range lines[end:] {
		b.WriteString(l)
	}
	return []byte(b.String())
}

func indent(s, ind string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l == "" {
			continue
		}
		if strings.TrimSpace(l) != "" {
			b.WriteString(ind)
		}
		b.WriteString(l)
	}
	return b.String()
}
