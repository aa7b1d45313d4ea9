package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestShippedRules loads the repository's rule files and checks every
// example they carry, so that a rule change ships with its evidence.
func TestShippedRules(t *testing.T) {
	s, err := LoadDir("../../rules")
	if err != nil {
		t.Fatalf("load shipped rules:\n%v", err)
	}
	if s.Examples() == 0 {
		t.Fatal("shipped rules carry no examples")
	}
	for _, f := range s.RunExamples() {
		t.Errorf("%s", f)
	}
}

// TestShippedIDs pins the subjects others subscribe to.
func TestShippedIDs(t *testing.T) {
	s := shipped(t)
	var subjects []string
	for _, r := range s.Rules() {
		subjects = append(subjects, r.Subject)
	}
	for _, want := range []string{
		"alerts.cloud.alibaba", "alerts.cloud.huawei", "alerts.cloud.tencent", "alerts.cloud.baidu",
		"alerts.cloud.aws", "alerts.cloud.azure", "alerts.cloud.google",
		"alerts.policy.us-commerce", "alerts.policy.us-state", "alerts.policy.fcc", "alerts.policy.white-house",
		"alerts.watch.china-cloud-us-policy",
	} {
		if !slices.Contains(subjects, want) {
			t.Errorf("no rule on %s", want)
		}
	}
	if !slices.IsSorted(subjects) {
		t.Errorf("Rules() not sorted by subject")
	}
}

var shippedOnce = sync.OnceValues(func() (*Set, error) { return LoadDir("../../rules") })

func shipped(t testing.TB) *Set {
	t.Helper()
	s, err := shippedOnce()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fired(s *Set, d Doc) []string {
	var out []string
	for _, h := range s.Match(d) {
		out = append(out, h.Rule.Key())
	}
	return out
}

// TestPrecision: texts that must not raise the named rules, and close
// variants that must.
func TestPrecision(t *testing.T) {
	s := shipped(t)
	cases := []struct {
		name string
		text string
		want []string // rules that must fire
		not  []string // rules that must not fire
	}{
		{"river", "The Amazon floods every year, and the river basin's towns move uphill.", nil, []string{"cloud.aws"}},
		{"rainforest", "Amazon deforestation hit a record as cloud cover hid the fires.", nil, []string{"cloud.aws"}},
		{"amazon company", "Amazon said on Thursday that its cloud unit would cut prices.", []string{"cloud.aws"}, nil},
		{"amazon web services", "Amazon Web Services opened a data center near the Columbia river.", []string{"cloud.aws"}, nil},
		{"colour", "The azure water of the lagoon drew divers.", nil, []string{"cloud.azure"}},
		{"colour capitalised", "Azure skies over Nice.", nil, []string{"cloud.azure"}},
		{"azure product", "Customers moved workloads to Azure last year.", []string{"cloud.azure"}, nil},
		{"e-commerce", "Alibaba's e-commerce arm reported record Singles Day sales.", nil, []string{"cloud.alibaba"}},
		{"e-commerce department", "She runs the e-commerce department of a retailer.", nil, []string{"policy.us-commerce"}},
		{"state department lower", "The state department of health closed the clinic.", nil, []string{"policy.us-state"}},
		{"state department", "The State Department summoned the ambassador.", []string{"policy.us-state"}, nil},
		{"bis lower", "Encore! Bis! the crowd shouted.", nil, []string{"policy.us-commerce"}},
		{"bis acronym", "BIS published a rule on Friday.", []string{"policy.us-commerce"}, nil},
		{"white house lower", "They live in the white house by the lake.", nil, []string{"policy.white-house"}},
		{"oracle common", "The oracle at Delphi answered in riddles.", nil, []string{"cloud.oracle"}},
		{"senate elsewhere", "The student senate voted to fund the club.", nil, []string{"policy.us-senate"}},
		{"punctuation splits aliases", "He left Tianyi. Cloud computing is next, he said.", nil, []string{"cloud.tianyi"}},
		{"alias inside a word", "The Huaweiphone is fake; Tencentral is a mall.", nil, []string{"cloud.huawei", "cloud.tencent"}},
		{"curly possessive", "Huawei’s cloud arm grew.", []string{"cloud.huawei"}, nil},
		{"straight possessive", "Tencent's cloud arm grew.", []string{"cloud.tencent"}, nil},
		{"hyphen inside alias", "Alibaba-Cloud is a spelling we see.", []string{"cloud.alibaba"}, nil},
		{"no-break space", "Alibaba\u00a0Cloud signed.", []string{"cloud.alibaba"}, nil},
		{"line break and double space", "Alibaba\nCloud and Tencent  Cloud.", []string{"cloud.alibaba", "cloud.tencent"}, nil},
		{"capitals", "ALIBABA CLOUD AND HUAWEI CLOUD SIGN DEAL", []string{"cloud.alibaba", "cloud.huawei"}, nil},
		{"CJK without spaces", "华为云和阿里云都在扩张，腾讯云也是。百度智能云也一样。", []string{"cloud.huawei", "cloud.alibaba", "cloud.tencent", "cloud.baidu"}, nil},
		{"hyphenated prefix", "The pro-Huawei lobby met.", []string{"cloud.huawei"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fired(s, Doc{Body: c.text})
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q: want %s, fired %v", c.text, w, got)
				}
			}
			for _, n := range c.not {
				if slices.Contains(got, n) {
					t.Errorf("%q: %s fired, it must not (fired %v)", c.text, n, got)
				}
			}
		})
	}
}

// load compiles one in-memory rule file.
func load(t testing.TB, yaml string) *Set {
	t.Helper()
	s, err := Load(fstest.MapFS{"test.yaml": {Data: []byte(yaml)}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const testEntities = `
entities:
  - {id: acme, category: co, name: Acme, tags: [t1], aliases: [Acme Corp, Acme]}
  - {id: zeta, category: co, name: Zeta, tags: [t2], aliases: [Zetacorp]}
  - {id: gov, category: body, name: Gov, aliases: [Ministry of Widgets, MOW]}
  - {id: diacritic, category: co, name: Telefonica, aliases: [Telefónica]}
`

func TestDiacritics(t *testing.T) {
	s := load(t, testEntities)
	for _, text := range []string{"Telefonica signed.", "Telefónica signed.", "TELEFÓNICA signed.", "Telefo\u0301nica signed."} {
		if got := fired(s, Doc{Body: text}); !slices.Contains(got, "co.diacritic") {
			t.Errorf("%q: fired %v, want co.diacritic", text, got)
		}
	}
}

func TestExpressions(t *testing.T) {
	rule := func(id, expr string) string {
		return fmt.Sprintf("  - {id: %s, category: w, name: %s, severity: low, description: d, match: '%s'}\n", id, id, expr)
	}
	s := load(t, testEntities+"rules:\n"+
		rule("and", "co.acme AND body.gov")+
		rule("or", "co.zeta OR body.gov")+
		rule("not", `co.acme AND NOT "merger"`)+
		rule("near", `co.acme NEAR/3 "deal"`)+
		rule("sentence", "co.acme NEAR/s body.gov")+
		rule("paragraph", "co.acme NEAR/p body.gov")+
		rule("title", "title:co.*")+
		rule("lead", "lead:body.gov")+
		rule("atleast", "ATLEAST/3 co.acme")+
		rule("tag", "@t2 AND (co.acme OR body.*)")+
		rule("paren", `(co.acme OR co.zeta) AND ("deal" OR "merger")`))
	cases := []struct {
		title, body string
		want        []string
	}{
		{"", "Acme met MOW.", []string{"w.and", "w.or", "w.not", "w.sentence", "w.paragraph", "w.lead"}},
		{"", "Acme Corp and the merger.", []string{"w.paren"}},
		{"", "Acme signed a new deal.", []string{"w.not", "w.near", "w.paren"}},
		{"", "Acme signed a really very big new deal.", []string{"w.not", "w.paren"}},
		{"", "Acme met someone. Then MOW spoke.", []string{"w.and", "w.or", "w.not", "w.paragraph", "w.lead"}},
		{"", "Acme met someone.\n\nThen MOW spoke.", []string{"w.and", "w.or", "w.not"}},
		{"Acme wins", "Nothing else.", []string{"w.not", "w.title"}},
		{"", "Acme, Acme Corp and ACME.", []string{"w.not", "w.atleast"}},
		{"", "Zetacorp and Acme.", []string{"w.or", "w.not", "w.tag"}},
		{"", "Zetacorp alone.", []string{"w.or"}},
	}
	for _, c := range cases {
		var got []string
		for _, k := range fired(s, Doc{Title: c.title, Body: c.body}) {
			if strings.HasPrefix(k, "w.") {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		slices.Sort(c.want)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("title %q body %q (-want +got):\n%s", c.title, c.body, diff)
		}
	}
}

// TestMatches checks what an alert says about why it fired.
func TestMatches(t *testing.T) {
	s := shipped(t)
	d := Doc{
		Title: "Huawei Cloud faces U.S. review",
		Body: "Officials said on Monday that the Commerce Department would look at Huawei’s cloud unit. " +
			"It did not say when.\n\nAlibaba Cloud was not named.",
	}
	hits := s.Match(d)
	var got []string
	for _, h := range hits {
		got = append(got, h.Rule.Key())
		if len(h.Matches) == 0 {
			t.Errorf("%s fired with no matches", h.Rule.Key())
		}
		for _, m := range h.Matches {
			field := d.Body
			if m.Field == "title" {
				field = d.Title
			}
			if field[m.Start:m.End] != m.Text {
				t.Errorf("%s: match %q at %s %d-%d, the field has %q there", h.Rule.Key(), m.Text, m.Field, m.Start, m.End, field[m.Start:m.End])
			}
			if !strings.Contains(m.Snippet, m.Text) {
				t.Errorf("%s: snippet %q lacks %q", h.Rule.Key(), m.Snippet, m.Text)
			}
		}
	}
	want := []string{"cloud.alibaba", "cloud.huawei", "policy.us-commerce", "watch.china-cloud-export-controls",
		"watch.china-cloud-headline", "watch.china-cloud-several", "watch.china-cloud-us-policy"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	for _, h := range hits {
		if h.Rule.Key() != "cloud.huawei" {
			continue
		}
		wantM := []struct{ field, text, snippet string }{
			{"title", "Huawei Cloud", "Huawei Cloud faces U.S. review"},
			{"body", "Huawei’s cloud", "Officials said on Monday that the Commerce Department would look at Huawei’s cloud unit."},
		}
		if len(h.Matches) != len(wantM) {
			t.Fatalf("huawei matches: %+v", h.Matches)
		}
		for i, w := range wantM {
			m := h.Matches[i]
			if m.Field != w.field || m.Text != w.text || m.Snippet != w.snippet || m.Entity != "cloud.huawei" {
				t.Errorf("match %d = %+v, want %+v", i, m, w)
			}
		}
	}
}

func TestConcurrentMatch(t *testing.T) {
	s := shipped(t)
	d := Doc{Title: "Huawei", Body: "The State Department and Alibaba Cloud. Amazon said its cloud unit grew."}
	want := fired(s, d)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := fired(s, d); !slices.Equal(got, want) {
					t.Errorf("concurrent Match = %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRunExamplesSaysWhy(t *testing.T) {
	s := load(t, testEntities+`
examples:
  - {text: "Acme signed.", want: [co.zeta]}
  - {text: "Zetacorp signed.", want: []}
  - {text: "Acme signed.", not: [co.acme]}
  - {text: "Acme signed.", want: [co.acme]}
`)
	fails := s.RunExamples()
	if len(fails) != 3 {
		t.Fatalf("want 3 failures, got %d: %v", len(fails), fails)
	}
	for i, want := range []string{
		"want co.zeta, it did not fire; unexpected co.acme fired on \"Acme\" (body 0-4); fired: co.acme",
		"unexpected co.zeta fired on \"Zetacorp\" (body 0-8); fired: co.zeta",
		"not co.acme, it fired on \"Acme\" (body 0-4); fired: co.acme",
	} {
		if fails[i].Reason != want {
			t.Errorf("failure %d reason\n got %q\nwant %q", i, fails[i].Reason, want)
		}
		if fails[i].File != "test.yaml" || fails[i].Line != 9+i {
			t.Errorf("failure %d at %s:%d, want test.yaml:%d", i, fails[i].File, fails[i].Line, 9+i)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	const ent = "entities:\n  - {id: acme, category: co, name: Acme, aliases: [Acme Corp]}\n"
	cases := []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"unknown top key", "entity: []\n", []string{`test.yaml:1: rule file: unknown key "entity"`}},
		{"unknown entity key", "entities:\n  - id: a\n    category: co\n    name: A\n    alias: [Acme]\n", []string{`test.yaml:5: entity: unknown key "alias"`}},
		{"unknown alias key", "entities:\n  - id: a\n    category: co\n    name: A\n    aliases:\n      - {text: Acme, contxt: [x]}\n", []string{`test.yaml:6: alias: unknown key "contxt"`}},
		{"yaml syntax", "entities: [\n", []string{"test.yaml:"}},
		{"duplicate id", ent + "  - {id: acme, category: co, name: Acme2, aliases: [Acme Two]}\n", []string{"test.yaml:3: duplicate id co.acme (first defined at test.yaml:2)"}},
		{"id across categories", ent + "  - {id: acme, category: other, name: Acme2, aliases: [Acme Two]}\n", []string{`test.yaml:3: id "acme" is already used by co.acme`}},
		{"short alias", "entities:\n  - {id: a, category: co, name: A, aliases: [ab]}\n", []string{`test.yaml:2: alias "ab" is too short`}},
		{"common word", "entities:\n  - {id: a, category: co, name: A, aliases: [state]}\n", []string{`test.yaml:2: alias "state" is made of common words`}},
		{"common words", "entities:\n  - {id: a, category: co, name: A, aliases: [state department]}\n", []string{`alias "state department" is made of common words`}},
		{"same alias twice", ent + "  - {id: b, category: co, name: B, aliases: [ACME corp]}\n", []string{`test.yaml:3: alias "ACME corp" is already used by co.acme`}},
		{"punctuation in alias", "entities:\n  - {id: a, category: co, name: A, aliases: [\"Acme, Inc\"]}\n", []string{"contains punctuation"}},
		{"bad expression", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'co.acme AND'}\n", []string{"test.yaml:4: rule \"r\": match: at 12: expression ends too early"}},
		{"lowercase operator", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'co.acme and co.acme'}\n", []string{"write operators in capitals"}},
		{"bare word", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'co.acme AND merger'}\n", []string{`"merger": name an entity as category.id`}},
		{"unknown entity", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'co.nope'}\n", []string{"unknown entity co.nope"}},
		{"unknown tag", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: '@nope'}\n", []string{`no entity has tag "nope"`}},
		{"only NOT", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'NOT co.acme'}\n", []string{"can be true for an empty article"}},
		{"NEAR of AND", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: '(co.acme AND co.acme) NEAR/3 co.acme'}\n", []string{"NEAR joins"}},
		{"bad severity", ent + "rules:\n  - {id: r, category: w, name: R, severity: urgent, description: d, match: 'co.acme'}\n", []string{`severity "urgent"`}},
		{"example unknown rule", ent + "examples:\n  - {text: x, want: [co.nope]}\n", []string{`test.yaml:4: example names unknown rule "co.nope"`}},
		{"min_prominence out of range", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'co.acme', min_prominence: 2}\n", []string{"test.yaml:4: min_prominence must be between 0 and 1"}},
		{"inflect not a boolean", ent + "rules:\n  - {id: r, category: w, name: R, severity: low, description: d, match: 'co.acme', inflect: yes please}\n", []string{"test.yaml:4: inflect must be true or false"}},
		{"window is gone", "entities:\n  - id: a\n    category: co\n    name: A\n    aliases:\n      - {text: Acme, context: [x], window: 5}\n", []string{"test.yaml:6: window is no longer used"}},
		{"unknown reach", "entities:\n  - {id: a, category: co, name: A, aliases: [{text: Acme, context: [x], reach: page}]}\n", []string{`reach must be sentence, neighbours, paragraph or article, not "page"`}},
		{"unknown country", "entities:\n  - {id: a, category: co, name: A, country: XX, aliases: [Acme]}\n", []string{`test.yaml:2: country "XX": use one of`}},
		{"example without expectation", ent + "examples:\n  - {text: x}\n", []string{"test.yaml:4: example: say what it must match"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(fstest.MapFS{"test.yaml": {Data: []byte(c.yaml)}})
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestLoadListsEveryProblem: one run reports all errors of all files.
func TestLoadListsEveryProblem(t *testing.T) {
	_, err := Load(fstest.MapFS{
		"a.yaml": {Data: []byte("entities:\n  - {id: a, category: co, name: A, aliases: [ab]}\n  - {id: b, category: co, name: B, aliases: [state]}\n")},
		"b.yaml": {Data: []byte("rules: 3\n")},
	})
	if err == nil {
		t.Fatal("loaded")
	}
	for _, w := range []string{"a.yaml:2:", "a.yaml:3:", "b.yaml:1:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %s:\n%v", w, err)
		}
	}
}

func TestLoadDir(t *testing.T) {
	if _, err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.yaml") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := LoadDir("no/such/folder"); err == nil {
		t.Error("missing folder loaded")
	}
}

// TestHashes: the scanner's fast-path hashes equal the hashes of the
// normalised words, which is what the vocabulary holds.
func TestHashes(t *testing.T) {
	text := "Alibaba Cloud, HUAWEI’s 12345678 abcdefgh abcdefghi Ab café naïve 華為 x-ray O'Brien done."
	checkHashes(t, text)
}

type hashCheck struct {
	t    *testing.T
	text string
}

func (h hashCheck) word(w *word) {
	norm := string(w.norm)
	if w.raw {
		norm = lowerASCII(norm)
	}
	if want := hashBytes([]byte(norm)); w.hash != want {
		h.t.Errorf("%q: hash %x, want %x", norm, w.hash, want)
	}
	w.pack()
	if want := packWord(norm); w.packed != want {
		h.t.Errorf("%q: packed %x, want %x", norm, w.packed, want)
	}
	if w.start < 0 || w.end < w.start || int(w.end) > len(h.text) {
		h.t.Errorf("%q: bad offsets %d-%d", norm, w.start, w.end)
	}
}

func checkHashes(t *testing.T, text string) {
	sc := scanner{all: true}
	sc.scan(text, hashCheck{t, text})
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"Alibaba Cloud", "Huawei’s cloud. The U.S. State Department", "华为云和阿里云", "a-b - c--d", "x'", "'s", "\u00a0\n\n", "Zoë's naïve café"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkHashes(t, text)
	})
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"Huawei Cloud and the Commerce Department", "Amazon river", "Alibaba-Cloud’s", "阿里云", "BIS bis", "\n\nHuawei\n\n",
		"Farm Credit Canada (FCC) lent. FCC grew.", "The Texas Senate. The Senate", "AMAZON FIRES", "Oracle Corp.'s", "in Brussels fined",
		"WHITE HOUSE, Tenn. — In White House", "SEATTLE--(BUSINESS WIRE)--AWS", "MANILA — Defense Secretary", "BRUSSELS, (",
		"amazon cut prices", "the commerce department, U.S.", "a weather station (AWS)", "(AWS)", "Alibaba kebab shop"} {
		f.Add("title", s)
	}
	s, err := LoadDir("../../rules")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		d := Doc{Title: title, Body: body}
		for _, h := range s.Match(d) {
			if h.Prominence < 0 || h.Prominence > 1 {
				t.Fatalf("%s: prominence %v", h.Rule.Key(), h.Prominence)
			}
			for _, m := range h.Matches {
				field := d.Body
				if m.Field == "title" {
					field = d.Title
				}
				if m.Start < 0 || m.End > len(field) || m.Start > m.End || field[m.Start:m.End] != m.Text {
					t.Fatalf("%s: bad match %+v", h.Rule.Key(), m)
				}
			}
		}
	})
}

func FuzzLoad(f *testing.F) {
	f.Add(testEntities)
	f.Add("entities:\n  - {id: a, category: co, name: A, aliases: [{text: Acme, context: *x}]}\n")
	f.Add("x-a: &a [one]\nentities: [{id: a, category: c, name: n, aliases: [{text: Acme Co, context: *a}]}]\nrules: [{id: r, category: w, name: n, severity: low, description: d, match: 'c.a NEAR/2 (\"one\" OR @t)'}]\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		s, err := Load(fstest.MapFS{"f.yaml": {Data: []byte(yaml)}})
		if err == nil {
			s.Match(Doc{Title: "Acme", Body: "Acme Co one two"})
			s.RunExamples()
		}
	})
}

func FuzzExpr(f *testing.F) {
	for _, s := range []string{`a.b AND (c.* OR "x y") NEAR/3 @t`, "ATLEAST/2 title:a.b", "NOT NOT a.b", `"unclosed`, "((a.b)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		n, err := parseExpr(expr)
		if err == nil && n == nil {
			t.Fatal("no node and no error")
		}
	})
}

func TestSentences(t *testing.T) {
	var sc scanner
	sc.all = true
	text := "Mr. Smith went to the U.S. Commerce Dept. on Monday. He left. Then? Yes! \"Quoted.\" Next\n\nParagraph etc. done."
	sc.scan(text, counter{})
	var got []string
	for i, st := range sc.sentStarts {
		end := len(text)
		if i+1 < len(sc.sentStarts) {
			end = int(sc.sentStarts[i+1])
		}
		got = append(got, strings.TrimSpace(text[st:end]))
	}
	want := []string{"Mr. Smith went to the U.S. Commerce Dept. on Monday.", "He left.", "Then?", "Yes!", "\"Quoted.\"", "Next", "Paragraph etc. done."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sentences (-want +got):\n%s", diff)
	}
}

func TestLint(t *testing.T) {
	if got := shipped(t).Lint(); len(got) > 0 {
		t.Errorf("shipped rules: %v", got)
	}
	s := load(t, testEntities+`
examples:
  - {text: "Acme signed.", want: [co.acme]}
`)
	want := []string{
		"test.yaml:1: no example that must not match (want: [] or not: [category.id])",
		"test.yaml:4: no example wants co.zeta",
		"test.yaml:5: no example wants body.gov",
		"test.yaml:6: no example wants co.diacritic",
	}
	if diff := cmp.Diff(want, s.Lint()); diff != "" {
		t.Errorf("lint (-want +got):\n%s", diff)
	}
}
