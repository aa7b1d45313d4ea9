package extract

import (
	"strings"
	"testing"
)

// TestLangFromText: pages with no lang attribute or tag get their
// language from the text; a stated language wins; short text gets none.
func TestLangFromText(t *testing.T) {
	cases := []struct{ name, attr, text, want string }{
		{"english", "", "The port authority approved a second container terminal on Thursday, ending a planning dispute that had lasted six years.", "en"},
		{"german", "", "Die Hafenbehörde hat am Donnerstag ein zweites Containerterminal genehmigt und damit einen Streit beendet, der sechs Jahre gedauert hatte.", "de"},
		{"french", "", "L'autorité portuaire a approuvé jeudi un second terminal à conteneurs, mettant fin à un différend qui durait depuis six ans.", "fr"},
		{"spanish", "", "La autoridad portuaria aprobó el jueves una segunda terminal de contenedores, poniendo fin a una disputa que duraba seis años.", "es"},
		{"chinese", "", "港务局周四批准了第二个集装箱码头，结束了一场持续六年、令镇议会产生分歧的规划争议。当局表示将在码头启用前修建绕城公路。", "zh"},
		{"stated wins", ` lang="pt-BR"`, "The port authority approved a second container terminal on Thursday, ending a planning dispute that had lasted six years.", "pt-BR"},
		{"too short", "", "Port news.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html" + c.attr + "><body><article><p>" + c.text + "</p></article></body></html>"
			d, err := Extract([]byte(page), "text/html", "https://example.com/a")
			if err != nil {
				t.Fatal(err)
			}
			if d.Lang != c.want {
				t.Errorf("lang = %q, want %q (text %q)", d.Lang, c.want, d.Text)
			}
		})
	}
}

// BenchmarkDetectLang measures the detector on an article-sized sample;
// docs/benchmarks.md gives the figure.
func BenchmarkDetectLang(b *testing.B) {
	text := strings.Repeat(strings.Join(storyParas, "\n\n")+"\n\n", 4)
	b.SetBytes(int64(min(len(text), langSample)))
	for b.Loop() {
		if detectLang(text) != "en" {
			b.Fatal("wrong language")
		}
	}
}

// TestLangNotATag: a lang attribute that is no language tag ("english",
// a template's leftover "lang=") gives way to the next source, then to
// the text.
func TestLangNotATag(t *testing.T) {
	text := "<p>Der Stadtrat hat am Donnerstag den Bau einer neuen Brücke über den Hafen beschlossen, nach einer langen Debatte.</p>"
	for _, c := range []struct{ html, want string }{
		{`<html lang="english"><head><meta property="og:locale" content="en_GB"></head><body>` + text + `</body></html>`, "en-GB"},
		{`<html lang="lang="><body>` + text + `</body></html>`, "de"},
	} {
		d, err := Extract([]byte(c.html), "text/html", "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Lang != c.want {
			t.Errorf("lang %q, want %q", d.Lang, c.want)
		}
	}
}
