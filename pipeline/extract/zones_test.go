package extract

import (
	"strings"
	"testing"
)

// TestZones checks the boilerplate zones chosen by selectors (role, hidden
// markers, class and id names) inside a story: a zone goes when it is a
// small part of the prose, stays when it holds the story.
func TestZones(t *testing.T) {
	const story = `<p>Regulators in three countries opened reviews of the merger on Tuesday, saying the combined company would control most of the market for cloud storage.</p>
<p>The companies said they expected approval within a year and would sell parts of the business if asked, according to a filing published the same morning.</p>
<p>Analysts said the reviews were likely to focus on prices paid by small firms, which have few other suppliers once their data is stored with one provider.</p>`
	const zone = `<p>Zone text that would pass for a paragraph of the story if left alone.</p>`
	cases := []struct {
		name, page string
		kept       bool // whether the zone's text is printed
	}{
		{"navigation role", `<div class="story">` + story + `<div role="navigation">` + zone + `</div></div>`, false},
		{"role beats a body class", `<div class="story">` + story + `<div role="complementary" class="article-body">` + zone + `</div></div>`, false},
		{"aria-hidden", `<div class="story">` + story + `<div aria-hidden="true">` + zone + `</div></div>`, false},
		{"aria-hidden false", `<div class="story">` + story + `<div aria-hidden="false">` + zone + `</div></div>`, true},
		{"hidden attribute", `<div class="story">` + story + `<section hidden>` + zone + `</section></div>`, false},
		{"display none", `<div class="story">` + story + `<div style="margin: 0; DISPLAY: none">` + zone + `</div></div>`, false},
		{"visible style", `<div class="story">` + story + `<div style="color: red">` + zone + `</div></div>`, true},
		{"newsletter class", `<div class="story">` + story + `<div class="newsletter-box">` + zone + `</div></div>`, false},
		{"comments id", `<div class="story">` + story + `<div id="comments">` + zone + `</div></div>`, false},
		{"slug id says nothing", `<div class="story">` + story + `<div id="how-the-share-price-moved">` + zone + `</div></div>`, true},
		{"aside tag", `<div class="story">` + story + `<aside>` + zone + `</aside></div>`, false},
		{"form around the page", `<form action="/page.aspx"><div class="story">` + zone + story + `</div></form>`, true},
		{"widget around the story", `<div class="widget-area"><div class="story">` + zone + story + `</div></div>`, true},
		{"article with a sidebar class", `<article class="sidebar-layout">` + zone + story + `</article>`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Extract([]byte("<html><body>"+c.page+"</body></html>"), "text/html", "https://example.com/a")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(d.Text, "Regulators in three countries") || !strings.Contains(d.Text, "Analysts said") {
				t.Errorf("story lost:\n%s", d.Text)
			}
			if got := strings.Contains(d.Text, "Zone text"); got != c.kept {
				t.Errorf("zone printed = %v, want %v:\n%s", got, c.kept, d.Text)
			}
		})
	}
}

// TestTooltip checks that a hover card keeps only the word in the text.
func TestTooltip(t *testing.T) {
	page := `<html><body><div class="story"><p>The deal was cleared by the <span class="tooltip-wrap"><a href="/cma">CMA</a><span class="card">The Competition and Markets Authority regulates mergers.</span></span> after a review that took most of the year and drew complaints from rivals.</p></div></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, "cleared by the CMA after a review") || strings.Contains(d.Text, "regulates mergers") {
		t.Errorf("text = %q", d.Text)
	}
}
