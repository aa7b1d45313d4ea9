package extract

import (
	"strings"
	"testing"
)

func TestBoilerLine(t *testing.T) {
	furniture := []string{
		"Advertisement", "ADVERTISEMENT", "Share this article", "Related Articles:", "READ MORE: Tax rules change in May",
		"SEE MORE : Protests continue", "Tags: cloud, policy", "Updated 10:32 a.m. ET, Nov. 19, 2019",
		"Published November 20th, 2019 - 07:50 GMT", "Image 2 of 5", "Image copyright Getty Images",
		"Sign up for our newsletter and get the best stories delivered to your inbox.", "Don’t miss",
	}
	story := []string{
		"Advertising revenue fell 5% in the third quarter, the company said.",
		"Updated guidelines were released by the agency on Monday.",
		"Related companies in the sector also fell.",
		"Share prices rose after the announcement.",
		"Comments from the minister were not available.",
		"Subscribers will pay more from January.",
		"Published research suggests otherwise.",
	}
	for _, s := range furniture {
		if !boilerLine(s) {
			t.Errorf("boilerLine(%q) = false, want true", s)
		}
	}
	for _, s := range story {
		if boilerLine(s) {
			t.Errorf("boilerLine(%q) = true, want false", s)
		}
	}
}

func TestCreditLine(t *testing.T) {
	for s, want := range map[string]bool{
		"(Reporting by A. Writer; Editing by B. Editor)":                  true,
		"Jane Doe contributed to this report.":                            true,
		"Associated Press writers A. One and B. Two contributed.":         true,
		"The report was edited by the committee before it was published.": false,
	} {
		if got := creditLine(s); got != want {
			t.Errorf("creditLine(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestLeadingDatelines(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		{"Dec. 6, 2024, 10:00 PM UTC / Updated Dec. 7, 2024, 12:43 PM UTC", true},
		{"Le Monde | 04.05.2015 à 13h36 • Mis à jour le 05.05.2015 à 20h13 | Par Ada Field", true},
		{"El Diario | 2 de mayo de 2024 | Actualizado a las 10:15", true},
		{"The council updated its plan on 3 May after residents objected.", false},
		{"Unpublished 2019 draft", false},
		{"Madrid, 2 de mayo", false},
	} {
		if got := datelineLine(c.line); got != c.want {
			t.Errorf("datelineLine(%q) = %v, want %v", c.line, got, c.want)
		}
	}
	// Only before the story's first sentence.
	page := `<html><body><article><h1>Terminal approved</h1><p>News Example | 2 May 2024 | Updated 3 May 2024, 10:15</p>` + storyHTML() +
		`<p>Residents updated 2 of their 5 objections</p></article></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://news.example/a")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.Text, "News Example | 2 May") || !strings.Contains(d.Text, "Residents updated 2 of") {
		t.Errorf("dateline kept or story line dropped:\n%s", d.Text)
	}
}

func TestDateOnlyLines(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		{"Dec Sat 2013 00:28", true},
		{"Oct 18, 2019 · 8 min read", true},
		{"Friday 3 May 2024, 10:15 am BST", true},
		{"10:15 am", false}, // no day: an hour may be anything
		{"May 2024 budget", false},
		{"Sat 12", false},
	} {
		if got := datelineLine(c.line); got != c.want {
			t.Errorf("datelineLine(%q) = %v, want %v", c.line, got, c.want)
		}
	}
	page := `<html><body><article><h1>Terminal approved</h1><ul><li>Sat May 4 2024 09:30</li><li>Oct 18, 2019 · 6 min read</li></ul><p>` + storyParas[0] +
		`</p><p>Thursday 2 May 2024</p><p>` + strings.Join(storyParas[1:], "</p><p>") + `</p></article></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://news.example/a")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.Text, "Sat May 4") || strings.Contains(d.Text, "min read") || !strings.Contains(d.Text, "Thursday 2 May 2024") {
		t.Errorf("leading date kept, or a date after the story's start dropped:\n%s", d.Text)
	}
}

// TestStoryDateline: the dateline a story opens with, set as a paragraph
// of its own ("BAAR, SWITZERLAND", "新华社北京5月2日电"), is the story's; the
// labels set the same way (a byline, a section's name, "Share", a reading
// time) are not.
func TestStoryDateline(t *testing.T) {
	for _, c := range []struct {
		lead string
		keep bool
	}{
		{"BAAR, SWITZERLAND", true},
		{"HARBOUR TOWN, May 2", true},
		{"新华社北京5月2日电", true},
		{"By Ann Lee", false},
		{"Politics", false},
		{"Share", false},
		{"Reading time: 4 min", false},
		{"Tempo de leitura: 2 minutos", false},
		{"Lesezeit: 3 Minuten", false},
	} {
		page := `<html><body><article><h1>Terminal approved</h1><p>` + c.lead + `</p>` + storyHTML() + `</article></body></html>`
		d, err := Extract([]byte(page), "text/html", "https://news.example/2024/05/02/terminal")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.HasPrefix(d.Text, c.lead+"\n\n"+storyParas[0]); got != c.keep {
			t.Errorf("%q kept = %v, want %v:\n%s", c.lead, got, c.keep, d.Text)
		}
		if !strings.Contains(d.Text, storyParas[0]) {
			t.Errorf("story lost after %q:\n%s", c.lead, d.Text)
		}
	}
}
