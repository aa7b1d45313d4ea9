package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// senseRules exercise the mechanisms of sense.go on invented entities, so
// that each case shows one mechanism whatever the shipped files say.
const senseRules = `
entities:
  - {id: board, category: gov, name: Widget Board, country: US, aliases: [{text: Widget Board, case: exact}, WBD,
      {text: Widget Secretary, case: exact}, {text: Widget Defense, case: exact}, {text: Widget Palace, case: exact, unique: true},
      Widget Bureau of Data, {text: Senate, case: exact, context: [Congress, bill], reach: paragraph}]}
  - {id: lagoon, category: co, name: Lagoon Corp, aliases: [{text: Lagoon, case: exact, veto: [beach, swim]}]}
  - {id: acme, category: co, name: Acme, aliases: [{text: Acme, about: [cloud, revenue], not_about: [toy, toys]}]}
  - {id: beta, category: co, name: Beta, aliases: [{text: Betacorp, context: [servers], reach: sentence}]}
  - {id: us-min, category: gov, name: US ministry, country: US, aliases: [美国工部]}
  - {id: cn-min, category: gov, name: CN ministry, country: CN, aliases: [工部]}
  - {id: oracle, category: co, name: Oracle, aliases: [{text: Oracle, case: exact, context: [database]}]}
  - {id: zeta, category: co, name: Zetacorp, aliases: [{text: Zetacorp, case: exact, about: [servers]}]}
  - {id: capital, category: gov, name: Capital, country: EU, aliases: [{text: Brussels, case: exact, context: [fined],
      not_after: [in, to]}]}
`

func TestSense(t *testing.T) {
	s := load(t, senseRules)
	cases := []struct {
		name, title, body string
		want              []string // entity keys that fire
	}{
		{"plain", "", "The Widget Board met.", []string{"gov.board"}},
		{"a name runs on past the alias", "", "The Widget Board Foundation met.", nil},
		{"a title holder's name may follow", "", "Widget Board spokesman Tom Lee said so.", []string{"gov.board"}},
		{"of and a capitalised word run on", "", "The Widget Board of Ohio met.", nil},
		{"a U.S. state in front", "", "The Texas Widget Board met.", nil},
		{"another country in front, possessive", "", "India's Widget Board met.", nil},
		{"the own country in front", "", "The U.S. Widget Board met.", []string{"gov.board"}},
		{"a local body", "", "The state Widget Board met.", nil},
		{"a place after in", "", "The Widget Board in Rome met.", nil},
		{"a sentence end is not in front", "", "He flew to Ohio. Widget Board members met him.", []string{"gov.board"}},
		{"acronym spelled out as the entity", "", "The Widget Bureau of Data (WBD) met. WBD said no.", []string{"gov.board"}},
		{"acronym spelled out as something else", "", "Wonder Bread Direct (WBD) grew. WBD is a bakery.", nil},
		{"acronym spelled out elsewhere as something else", "", "Wonder Bread Direct grew.\n\nLater WBD said no.", nil},
		{"acronym of a foreign namesake, one sense per text", "", "The Dutch WBD warned. The WBD said more.", nil},
		{"veto in the next sentence", "", "Lagoon opened. Many came to swim.", nil},
		{"veto two paragraphs on is out of reach", "", "Lagoon opened.\n\nOne.\n\nMany came to swim.", []string{"co.lagoon"}},
		{"veto two sentences on is out of the default reach", "", "Lagoon opened. It was busy. Many came to swim.", []string{"co.lagoon"}},
		{"veto in the title", "Where to swim", "Lagoon opened.", nil},
		{"not_about without about", "", "Acme sold toys.", nil},
		{"not_about with about", "", "Acme's toys lifted revenue.", []string{"co.acme"}},
		{"context in the sentence only", "", "Betacorp grew. It sells servers.", nil},
		{"context in the sentence", "", "Betacorp sells servers.", []string{"co.beta"}},
		{"longest alias wins across entities", "", "美国工部今天表示。", []string{"gov.us-min"}},
		{"the shorter alias alone", "", "工部今天表示。", []string{"gov.cn-min"}},
		{"capitals prove nothing: needs confirmation", "ORACLE SPEAKS", "Nothing here.", nil},
		{"capitals confirmed by a mention", "ORACLE SPEAKS", "Oracle said its database grew.", []string{"co.oracle"}},
		{"a corporate suffix confirms", "", "Oracle Corp. said nothing.", []string{"co.oracle"}},
		{"its own country in front is case evidence", "US WIDGET BOARD ACTS", "Nothing more.", []string{"gov.board"}},
		{"capitals alone are not", "WIDGET BOARD ACTS", "Nothing more.", nil},
		{"a capitalised word in front of an ordinary word", "", "The Student Senate passed the bill in Congress.", nil},
		{"context out of reach", "", "The Senate met. Its members talked.\n\nThe bill failed.", nil},
		{"context in the next sentence, across a paragraph", "", "The Senate met.\n\nThe bill failed.", []string{"gov.board"}},
		{"context in the paragraph", "", "The Senate met. Its members talked. Then the bill failed.", []string{"gov.board"}},
		{"a namesake document", "", "The Texas Senate passed a bill, sending it to the Senate.", nil},
		{"a namesake document, own country named", "", "The Texas Senate passed a bill, sending it to the U.S. Senate in Congress.", []string{"gov.board"}},
		{"not_after", "", "Talks were held in Brussels, where he was fined.", nil},
		{"metonym", "", "Brussels fined the firm.", []string{"gov.capital"}},
		{"lower case, its country beside it", "", "Sources say the widget board gave U.S. firms licences.", []string{"gov.board"}},
		{"lower case, its country in front", "", "The US widget board met.", []string{"gov.board"}},
		{"lower case, confirmed by a plain mention", "", "The Widget Board met. Later the widget board voted.", []string{"gov.board"}},
		{"lower case, unconfirmed", "", "The widget board met.", nil},
		{"lower case after a possessive", "", "The firm merged its widget board with sales in the U.S.", nil},
		{"lower case and of", "", "The widget board of health met in the U.S.", nil},
		{"one lower-case word in prose", "", "A zetacorp sold servers.", nil},
		{"a line typed without capitals, sense confirmed", "", "zetacorp said its servers grew.", []string{"co.zeta"}},
		{"a line typed without capitals, no sense", "", "zetacorp said nothing.", nil},
		{"a common word in lower case is the word, even without capitals", "", "oracle said its database grew.", nil},
		{"the dateline is a place", "", "BRUSSELS — The regulator fined a bank.", nil},
		{"a town of a U.S. state", "Widget Board, Tenn., builds a tower", "The board in Widget Board voted.", nil},
		{"a town's dateline; the body with the", "", "WIDGET BOARD, Tenn. — Officials met. The Widget Board in Washington was not involved.", []string{"gov.board"}},
		{"filed from abroad: a title is that country's", "", "MANILA — Widget Secretary Ramos spoke.", nil},
		{"filed from abroad: own country named", "", "MANILA — U.S. Widget Secretary Harmon spoke.", []string{"gov.board"}},
		{"filed from abroad: a body of ordinary words is that country's", "", "MANILA — The Widget Board said so.", nil},
		{"filed from abroad: a unique name stays the body's", "", "MANILA — The Widget Palace said so.", []string{"gov.board"}},
		{"filed from a U.S. state", "", "HARRISBURG, Pa. — Widget Secretary Reyes spoke.", []string{"gov.board"}},
		{"the other side's spelling: another country's", "", "Widget Defence met in London.", nil},
		{"the other side's spelling, its country in front", "", "The US Widget Defence met.", []string{"gov.board"}},
		{"the other side's spelling, its country in the text", "", "Widget Defence met. American officials came.", []string{"gov.board"}},
		{"the pronoun us is no country", "", "The widget board told us nothing.", nil},
		{"a firm's name on a local business", "", "Thieves broke into the Lagoon restaurant.", nil},
		{"acronym spelled out in lower case as something else", "", "A wet bulb dial (WBD) broke. The WBD was replaced.", nil},
		{"acronym spelled out in lower case as the entity", "", "The widget bureau of data (WBD) met. WBD said no.", []string{"gov.board"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fired(s, Doc{Title: c.title, Body: c.body})
			slices.Sort(got)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("title %q body %q (-want +got):\n%s", c.title, c.body, diff)
			}
		})
	}
}

func TestDateline(t *testing.T) {
	for _, c := range []struct {
		body, rest, code string
	}{
		{"BRUSSELS — Farmers came.", "Farmers came.", "EU"},
		{"WHITE HOUSE, Tenn. — The board met.", "The board met.", "US"},
		{"MANAUS, Brazil (AP) — The river fell.", "The river fell.", "other"},
		{"SEATTLE--(BUSINESS WIRE)--Amazon Web Services today said", "Amazon Web Services today said", ""},
		{"KUALA LUMPUR — Rules.", "Rules.", "other"},
		{"SÃO PAULO — Amazon said.", "Amazon said.", ""},
		{"FCC — the agency said.", "", ""},
		{"The FCC said so — twice.", "", ""},
		{"AMAZON SHARES JUMP", "", ""},
	} {
		end, code := dateline(c.body)
		rest := ""
		if end > 0 {
			rest = strings.TrimSpace(c.body[end:])
		}
		if rest != c.rest || code != c.code {
			t.Errorf("dateline(%q) leaves %q, place %q; want %q, %q", c.body, rest, code, c.rest, c.code)
		}
	}
}

func TestInflections(t *testing.T) {
	forms := func(words ...string) []string {
		var out []string
		for _, v := range inflections(words, nil) {
			out = append(out, joinWords(v))
		}
		return out
	}
	for _, c := range []struct {
		in   []string
		want []string
	}{
		{[]string{"ban"}, []string{"bans", "banned", "banning"}},
		{[]string{"sanctions"}, []string{"sanction", "sanctioned", "sanctioning"}},
		{[]string{"phase", "out"}, []string{"phases out", "phased out", "phasing out"}},
		{[]string{"export", "controls"}, []string{"export control", "exports controls", "exported control"}},
		{[]string{"barred"}, []string{"bar", "bars", "barring"}},
		{[]string{"keep"}, []string{"kept", "keeps", "keeping"}},
		{[]string{"spy"}, []string{"spies", "spied", "spying"}},
		{[]string{"restrict"}, []string{"restricts", "restricted", "restricting"}},
	} {
		got := forms(c.in...)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("inflections of %v lack %q: %v", c.in, w, got)
			}
		}
	}
	if got := inflections([]string{"ai"}, []string{"AI"}); len(got) != 0 {
		t.Errorf("an acronym inflected: %v", got)
	}
}

func TestSpellings(t *testing.T) {
	norm, exact, _ := wordsOf("Commerce Department", "exact")
	var got []string
	for _, v := range spellings(norm, exact, true) {
		got = append(got, joinWords(v.exact))
	}
	if !slices.Contains(got, "Commerce Dept") {
		t.Errorf("Commerce Department: spellings %v lack Commerce Dept", got)
	}
	norm, exact, _ = wordsOf("FCC", "")
	got = nil
	for _, v := range spellings(norm, exact, true) {
		got = append(got, joinWords(v.exact))
	}
	if !slices.Contains(got, "F C C") {
		t.Errorf("FCC: spellings %v lack F.C.C.", got)
	}
	norm, exact, _ = wordsOf("U.S. Treasury", "exact")
	got = nil
	for _, v := range spellings(norm, exact, true) {
		got = append(got, joinWords(v.exact))
	}
	if !slices.Contains(got, "US Treasury") {
		t.Errorf("U.S. Treasury: spellings %v lack US Treasury", got)
	}
}

func joinWords(w []string) string {
	out := ""
	for i, x := range w {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
