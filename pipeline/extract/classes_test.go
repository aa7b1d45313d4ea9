package extract

import (
	"fmt"
	"strings"
	"testing"
)

// The tests in this file each build a page of one class on which
// extractors choose the wrong block (pages written for the tests, not
// taken from a benchmark), and check that the story is printed and the
// rest is not.

// storyParas is a four-paragraph story the pages below wrap.
var storyParas = []string{
	"The port authority approved a second container terminal on Thursday, ending a planning dispute that had lasted six years and divided the town council.",
	"Construction is expected to start next spring and to employ about four hundred people, most of them hired locally, according to the authority's filing.",
	"Residents who opposed the plan said the extra lorry traffic would clog the coast road, and a group of them said it would appeal against the decision.",
	"The authority said it would pay for a bypass around the old town before the terminal opens, a promise it first made when the plan was announced.",
}

func storyHTML() string {
	var b strings.Builder
	for _, p := range storyParas {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	return b.String()
}

// checkStory fails unless every story paragraph is printed and none of the
// unwanted strings is.
func checkStory(t *testing.T, page string, unwanted ...string) Document {
	t.Helper()
	d, err := Extract([]byte(page), "text/html", "https://news.example/2024/05/02/terminal")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range storyParas {
		if !strings.Contains(d.Text, p) {
			t.Errorf("story paragraph lost: %.50q\ntext:\n%s", p, d.Text)
		}
	}
	for _, u := range unwanted {
		if strings.Contains(d.Text, u) {
			t.Errorf("printed %q\ntext:\n%s", u, d.Text)
		}
	}
	return d
}

// TestGallery: a slide show longer than the story, numbered "k/N", follows
// the story in the same container; its class names say nothing.
func TestGallery(t *testing.T) {
	var slides strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&slides, `<li><h2><span class="n">%d/30</span> Slide title %d</h2><p>Caption of slide %d, a long description of a photograph that was taken for another story entirely.</p></li>`, i, i, i)
	}
	page := `<html><body><div class="content"><h1>Terminal approved</h1>` + storyHTML() +
		`<div class="x1"><h2>Business in pictures</h2><ul class="legends">` + slides.String() + `</ul></div></div></body></html>`
	checkStory(t, page, "Caption of slide", "/30")

	// A page that is the gallery keeps it.
	d, err := Extract([]byte(`<html><body><ul class="legends">`+slides.String()+`</ul></body></html>`), "text/html", "https://news.example/gallery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, "Caption of slide 7") {
		t.Errorf("gallery page lost its slides:\n%s", d.Text)
	}
}
