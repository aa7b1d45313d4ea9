package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
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

// TestTeasersAndPoll: a grid of teasers and a reader poll with more text
// than the story sit beside it.
func TestTeasersAndPoll(t *testing.T) {
	var teasers strings.Builder
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&teasers, `<div class="c"><a href="/2024/05/0%d/other-%d"><h3>Another story number %d</h3></a><p>A summary of another story that the site would like you to read next, number %d.</p></div>`, i%9+1, i, i, i)
	}
	poll := `<div class="q"><p>Should the town build the bypass before the terminal opens, or wait until traffic has been measured?</p>` +
		`<p><label><input type="radio"> Yes, build the bypass first</label></p><p><label><input type="radio"> No, wait for the figures</label></p>` +
		`<p>Readers who voted so far mostly want the bypass first, though the poll is not a scientific sample of opinion.</p></div>`
	page := `<html><body><div class="page"><div class="main"><h1>Terminal approved</h1>` + storyHTML() + `</div>` +
		`<div class="rail">` + poll + teasers.String() + `</div></div></body></html>`
	checkStory(t, page, "Another story number", "summary of another story", "Should the town build")
}

// TestCommentsAndPost: a short post followed by a long thread of reader
// comments; the post is printed, the comments are not.
func TestCommentsAndPost(t *testing.T) {
	var comments strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&comments, `<li class="c-%d"><div class="meta"><a href="/user/%d">reader%d</a> <span>3 days ago</span></div><p>Comment %d: I live near the port and I think the council should have listened to the residents before approving anything this big.</p><a href="#reply">Reply</a></li>`, i, i, i, i)
	}
	page := `<html><body><div class="wrap"><article class="post"><h1>Terminal approved</h1>` + storyHTML() + `</article>` +
		`<section class="responses"><h2>12 responses</h2><ol>` + comments.String() + `</ol></section></div></body></html>`
	checkStory(t, page, "Comment 3:", "reader5")
}

// TestFooterNotStory: the site footer, marked only by its class (no footer
// element or role), carries more plain text than a short story; the story
// is printed, the footer is not.
func TestFooterNotStory(t *testing.T) {
	footer := `<div class="site-info"><p>News Example is published by Example Media Group, a company registered in England and Wales under number 01234567, whose registered office is at 1 Harbour Street.</p>` +
		`<p>All content is copyright of its owners. Reproduction of any part of this site without written permission is prohibited, except for short quotations for review.</p>` +
		`<p>We use cookies and similar technologies to run the site, to measure audiences and to show advertising; you can change your preferences at any time.</p>` +
		`<p>Contact the newsroom by email or by post; corrections are published on the corrections page within one working day of being agreed.</p>` +
		`<p>Subscriptions renew automatically each month until cancelled; cancel online at any time from your account page, without a fee.</p></div>`
	page := `<html><body><div class="page"><div class="s">` + storyHTML() + `</div>` + footer + `</div></body></html>`
	checkStory(t, page, "registered office", "copyright of its owners")
}

// TestProseInHeadings: a story whose every paragraph is an <h2> (a
// template misused) is printed, not returned empty.
func TestProseInHeadings(t *testing.T) {
	var b strings.Builder
	for _, p := range storyParas {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", p)
	}
	page := `<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><div class="story"><h1>Terminal approved</h1>` + b.String() + `</div></body></html>`
	checkStory(t, page, "Home")
}

// TestWidgetNamedSections: the story's sections carry class names of small
// furniture ("--ads": the section has an ad slot; "print-step": a step of a
// printable guide) and hold paragraphs of text (smallWidgetProse), while
// the real share bar and tag list beside them are short; the sections are
// printed, the furniture is not.
func TestWidgetNamedSections(t *testing.T) {
	section := func(cls string, paras ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<section class="%s">`, cls)
		for _, p := range paras {
			fmt.Fprintf(&b, "<p>%s</p>", p)
		}
		b.WriteString(`<div class="ad-slot"></div></section>`)
		return b.String()
	}
	page := `<html><body><article class="Report"><h1>Terminal approved</h1>` +
		`<div class="share-bar"><a href="https://social.example/share">Share on Social</a> <span>Share by email</span></div>` +
		section("Report__Section Report__Section--Ads", storyParas[0], storyParas[1],
			"The decision was taken by seven votes to four after a debate that ran for most of the afternoon.") +
		section("Report__Section Report__Section--Ads", storyParas[2], storyParas[3],
			"A spokesman for the residents' group said its lawyers were already studying the decision.") +
		`<div class="tip-print-step"><p>Next steps: the council meets again in June to approve the bypass route, and the authority has promised to publish the traffic study before that meeting so that residents can comment.</p>` +
		`<p>The appeal, if it is lodged, would be heard by the regional planning inspector, who can confirm, change or overturn the approval.</p>` +
		`<p>Until then the authority may prepare the site but may not begin building the quay walls or dredging the channel.</p></div>` +
		`<ul class="tags"><li><a href="/tag/port">Port</a></li><li><a href="/tag/council">Council</a></li></ul></article></body></html>`
	d := checkStory(t, page, "Share on Social", "Share by email")
	if !strings.Contains(d.Text, "Next steps:") {
		t.Errorf("the print-step section was dropped:\n%s", d.Text)
	}
}

// TestSidebarLayoutWrapper: the story's wrapper says its layout has a
// sidebar ("content-with-sidebar") and holds less than half of the page's
// prose, the rest being a long cookie notice; the wrapper is not taken for
// the sidebar it mentions.
func TestSidebarLayoutWrapper(t *testing.T) {
	var notice strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&notice, "<p>Purpose %d: we and our partners store and access information on your device to measure audiences, to personalise content and to show advertising.</p>", i)
	}
	page := `<html><body><div class="page"><div class="content-with-sidebar">` + storyHTML() +
		`<div class="sidebar"><a href="/a">Most read one</a> <a href="/b">Most read two</a></div></div>` +
		`<div class="consent-modal">` + notice.String() + `</div></div></body></html>`
	checkStory(t, page, "Most read one", "Purpose 3")
}

// TestStoryInMisnamedWrapper: the story's wrapper is named like
// boilerplate ("modal-enabled") and holds under half of the page's prose,
// beside a sidebar of teasers holding nearly as much; cutting both would
// leave a blurb, so both are kept and the story outscores the teasers.
func TestStoryInMisnamedWrapper(t *testing.T) {
	var rail strings.Builder
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&rail, `<div class="teaser"><h3><a href="/2024/05/0%d/other-%d">Another story number %d</a></h3><p>A summary of another story that the site would like you to read next, with a line about why it matters, number %d.</p></div>`, i, i, i, i)
	}
	page := `<html><body><div class="page"><div class="box article modal-enabled"><h1>Terminal approved</h1>` + storyHTML() + `</div>` +
		`<div class="sidebar right-column">` + rail.String() + `</div>` +
		`<div class="note"><p>News Example is an independent newspaper covering the harbour towns since 1921.</p>` +
		`<p>It is owned by a trust whose only purpose is to keep local reporting alive along the coast.</p></div></div></body></html>`
	checkStory(t, page, "Another story number", "summary of another story")
}

// TestStorySplitIntoSections: the story is told in three sections built
// differently (an intro, a body, a conclusion), none of which outweighs
// the others; all three are printed, the teaser rail beside them is not.
func TestStorySplitIntoSections(t *testing.T) {
	part := func(cls string, paras ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<div class="%s"><div class="inner">`, cls)
		for _, p := range paras {
			fmt.Fprintf(&b, "<p>%s</p>", p)
		}
		b.WriteString(`</div></div>`)
		return b.String()
	}
	var rail strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&rail, `<li><a href="/2024/05/0%d/other-%d">Another story number %d, with a headline long enough</a></li>`, i, i, i)
	}
	page := `<html><body><div class="page"><div class="story"><h1>Terminal approved</h1>` +
		part("intro", storyParas[0], "The vote came after a six-hour session in the town hall, which was full for the first time in years.") +
		part("body-copy", storyParas[1], storyParas[2]) +
		part("outro", storyParas[3], "The next council meeting, in June, will decide on the route of the bypass and on the hours of the works.") +
		`</div><ul class="rail">` + rail.String() + `</ul></div></body></html>`
	d := checkStory(t, page, "Another story number")
	for _, s := range []string{"six-hour session", "route of the bypass"} {
		if !strings.Contains(d.Text, s) {
			t.Errorf("lost %q:\n%s", s, d.Text)
		}
	}
}

// TestStoryAmongArticles: an endless page holds the story and, after it,
// the next stories of the site, each in its own <article> and some longer
// than the story; the one headed by the page's title is printed.
func TestStoryAmongArticles(t *testing.T) {
	var next strings.Builder
	for i := 1; i <= 2; i++ {
		next.WriteString(`<article class="entry"><h2>Fishing quotas cut again</h2>`)
		for j := 0; j < 6; j++ {
			fmt.Fprintf(&next, "<p>Next story %d, paragraph %d: the fishing fleet will land less cod and haddock this year after the quotas were cut by a fifth at the regional talks.</p>", i, j)
		}
		next.WriteString(`</article>`)
	}
	page := `<html><head><title>Terminal approved - News Example</title></head><body><main>` +
		`<article class="entry"><h1>Terminal approved</h1>` + storyHTML() + `</article>` + next.String() + `</main></body></html>`
	checkStory(t, page, "Next story")
}

// TestStoryInSectioningElement: a template sets the whole page, story
// included, inside an <aside> or a <nav>, elements that are otherwise
// dropped before the story is searched; the story is printed, not an
// empty text. An aside beside the story that holds more prose than the
// story is still dropped.
func TestStoryInSectioningElement(t *testing.T) {
	menu := `<ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul>`
	for _, tag := range []string{"aside", "nav", "footer"} {
		page := `<html><body><` + tag + ` class="wrap">` + menu + `<div class="s"><h1>Terminal approved</h1>` + storyHTML() + `</div></` + tag + `></body></html>`
		checkStory(t, page, "Home")
	}
	var aside strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&aside, "<p>Aside %d: the harbour has been dredged four times since the war, each time at a cost the town paid for over decades.</p>", i)
	}
	page := `<html><body><div class="s">` + storyHTML() + `</div><aside>` + aside.String() + `</aside></body></html>`
	checkStory(t, page, "Aside 3:")
}

// TestStoryInOverlay: the site opens stories in a layer over its section
// front (a "modal"), and the teasers of the front behind it carry more
// prose than the story; the layer holding paragraphs is printed, while a
// short popup appeal is dropped as an overlay.
func TestStoryInOverlay(t *testing.T) {
	var front strings.Builder
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&front, `<div class="item"><h3><a href="/2024/05/0%d/other-%d">Another story number %d</a></h3><p>A summary of another story on the section front, with a line on why it matters to readers in the harbour towns, number %d.</p></div>`, i%9+1, i, i, i)
	}
	page := `<html><body><div class="front">` + front.String() + `</div>` +
		`<div class="story-modal modal is-open"><div class="modal-content"><h1>Terminal approved</h1>` + storyHTML() + `</div></div>` +
		`<div class="popup"><p>Before you go: we have a small favour to ask of our readers.</p></div></body></html>`
	checkStory(t, page, "Another story number", "summary of another story", "favour to ask")
}

// TestMoreIsNotFurniture: "more" in a class name names the story's "More
// information" notes as often as a list of more stories; the notes are
// printed, the list named as such is not.
func TestMoreIsNotFurniture(t *testing.T) {
	page := `<html><body><div class="story"><h1>Terminal approved</h1>` + storyHTML() +
		`<div class="story__more"><p>More information: Port Authority, Second terminal planning decision, ref. 2024/117.</p></div></div>` +
		`<div class="more-stories"><p><a href="/2024/05/01/fish">Fishing quotas cut again</a> The fleet lands less cod.</p>` +
		`<p><a href="/2024/04/30/ferry">Ferry timetable changes</a> Fewer crossings in winter.</p>` +
		`<p><a href="/2024/04/29/school">School roof repairs</a> Pupils move in June.</p></div></body></html>`
	d := checkStory(t, page, "Fishing quotas", "The fleet lands")
	if !strings.Contains(d.Text, "More information: Port Authority") {
		t.Errorf("notes lost:\n%s", d.Text)
	}
}

// TestCommentsNamedInOtherLanguages: a thread of readers' comments longer
// than the story, named in the site's language ("comentarios",
// "commentaires", "kommentare", "komentarze"); the story is printed, the
// comments are not.
func TestCommentsNamedInOtherLanguages(t *testing.T) {
	var thread strings.Builder
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&thread, `<div class="item"><div class="who">Reader %d</div><div class="when">3 days ago</div><div class="body">Comment %d: I live near the port and I think the council should have listened to the residents before approving anything this big.</div></div>`, i, i)
	}
	for _, name := range []string{"comentarios", "commentaires", "kommentare", "komentarze"} {
		page := `<html><body><div class="story"><h1>Terminal approved</h1>` + storyHTML() + `</div>` +
			`<div id="` + name + `"><h3>10</h3>` + thread.String() + `</div></body></html>`
		checkStory(t, page, "Comment 3:")
	}
}

// TestPostInNoscript: a blog serves its post only inside a <noscript>, as
// lines broken by <br> rather than paragraphs; it is printed.
func TestPostInNoscript(t *testing.T) {
	page := `<html><body><div id="app"></div><noscript><div class="post">` + strings.Join(storyParas, "<br><br>") + `</div></noscript></body></html>`
	checkStory(t, page)
}

// TestStorySplitAcrossUnlikeBlocks: the template splits the story around a
// signup box into a lead block and a "rest" block of another class and
// depth; both halves are printed, the box and the teaser rail are not.
func TestStorySplitAcrossUnlikeBlocks(t *testing.T) {
	var rail strings.Builder
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&rail, `<li><a href="/2024/05/0%d/other-%d">Another story number %d, with a headline long enough</a></li>`, i, i, i)
	}
	page := `<html><body><div class="page"><div class="wrap"><h1>Terminal approved</h1>` +
		`<div class="lead"><div class="lead-inner"><p>` + storyParas[0] + `</p><p>` + storyParas[1] + `</p></div></div>` +
		`<div class="box"><p>Get the harbour briefing</p></div>` +
		`<div class="rest"><p>` + storyParas[2] + `</p><p>` + storyParas[3] + `</p></div></div>` +
		`<ul class="rail">` + rail.String() + `</ul></div></body></html>`
	checkStory(t, page, "Another story number", "harbour briefing")
}

// TestOverlayTriggerInSentence: words of a sentence named for the overlay
// they open (a glossary popup, a footnote modal) stay in the sentence.
func TestOverlayTriggerInSentence(t *testing.T) {
	sentence := `The authority will build a <span class="glossary-popup">relief road</span> first, as promised in its <a class="js-modal-open" href="#note1">planning statement</a> of 2018.`
	page := `<html><body><div class="story"><h1>Terminal approved</h1>` + storyHTML() + `<p>` + sentence + `</p></div></body></html>`
	d := checkStory(t, page)
	if want := "The authority will build a relief road first, as promised in its planning statement of 2018."; !strings.Contains(d.Text, want) {
		t.Errorf("sentence cut, want %q in:\n%s", want, d.Text)
	}
}

// TestStoryInsideLinkToItself: the template wraps the story's paragraphs,
// or the whole story, in links to the page itself; the story is printed,
// not dropped as a list of links, while a headline linked to the page
// stays out.
func TestStoryInsideLinkToItself(t *testing.T) {
	const self = "https://news.example/2024/05/02/terminal"
	var each strings.Builder
	for _, p := range storyParas {
		fmt.Fprintf(&each, `<p><a href="%s">%s</a></p>`, self, p)
	}
	rail := `<ul class="rail"><li><a href="/2024/05/01/fish">Fishing quotas cut again this year</a></li><li><a href="/2024/05/01/ferry">Ferry timetable changes for the winter</a></li></ul>`
	for _, page := range []string{
		`<html><body><div class="story"><h1><a href="/2024/05/02/terminal">Terminal approved</a></h1>` + each.String() + `</div>` + rail + `</body></html>`,
		`<html><body><div class="story"><a href="` + self + `"><h1>Terminal approved</h1>` + storyHTML() + `</a></div>` + rail + `</body></html>`,
	} {
		checkStory(t, page, "Fishing quotas", "Terminal approved")
	}
}

// teasers returns n teaser items of other stories, each headed by a link
// to another site and with a summary longer than a story paragraph.
func teasers(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<div class="item"><h3><a href="https://partner.example/%d">Another story number %d</a></h3><p>A summary of another story from a partner site, with a line about why it matters to readers in the harbour towns and a second line that runs on, number %d.</p></div>`, i, i, i)
	}
	return b.String()
}

// TestTeaserListBesideStory: a list of teasers with summaries sits beside
// the story under a name that says nothing; it is not taken for more of
// the story.
func TestTeaserListBesideStory(t *testing.T) {
	page := `<html><body><div class="page"><div class="story"><h1>Terminal approved</h1>` + storyHTML() + `</div>` +
		`<div class="block-7">` + teasers(4) + `</div></div></body></html>`
	checkStory(t, page, "Another story number", "summary of another story")
}

// TestRelatedNamedInOtherLanguages: related and most-read stories named in
// the site's language, holding more prose than the story.
func TestRelatedNamedInOtherLanguages(t *testing.T) {
	for _, name := range []string{"noticias-relacionadas", "articles-lies", "verwandte-artikel", "articoli-correlati"} {
		page := `<html><body><div class="story"><h1>Terminal approved</h1>` + storyHTML() + `</div>` +
			`<section class="` + name + `">` + teasers(8) + `</section></body></html>`
		checkStory(t, page, "Another story number", "summary of another story")
	}
}

// TestListArticle: a list article whose main block is a table, set among
// its introduction and its notes; the notes belong to the article as much
// as the table does.
func TestListArticle(t *testing.T) {
	var rows strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&rows, "<tr><td>Lighthouse %d</td><td>%d</td><td>A stone tower on the north shore, lit by oil until the keepers left and by electricity since then.</td></tr>", i, 1850+i)
	}
	page := `<html><body><div class="rail"><a href="/a">Home</a> <a href="/b">Places</a></div><div class="text">` +
		`<p>` + storyParas[0] + `</p><p>` + storyParas[1] + `</p>` +
		`<table><tbody>` + rows.String() + `</tbody></table>` +
		`<h2>Notes</h2><ol><li>Harbour Board records, volume 3, pages 12 to 40, kept at the county archive.</li>` +
		`<li>Keepers' logbooks from 1901 to 1955, partly transcribed by the local history society.</li></ol></div></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://wiki.example/lighthouses")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{storyParas[0], "Lighthouse 17", "Keepers' logbooks from 1901"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("lost %q:\n%s", want, d.Text)
		}
	}
	if strings.Contains(d.Text, "Places") {
		t.Errorf("printed the rail:\n%s", d.Text)
	}
}

// TestChartDrawnInHTML: a chart inside the story is drawn with text
// elements placed at coordinates (its title, ticks and values); the
// labels are not printed as a heap of one-word lines, the story is.
func TestChartDrawnInHTML(t *testing.T) {
	var chart strings.Builder
	for i, label := range []string{"Containers handled", "$900", "million", "600", "300", "’18", "’19", "’20", "’21", "’22"} {
		fmt.Fprintf(&chart, `<div class="lbl" style="top:%d%%;margin-top:-9px;left:%d%%;width:52px;"><p>%s</p></div>`, 5*i, 9*i, label)
	}
	page := `<html><body><div class="story"><h1>Terminal approved</h1><p>` + storyParas[0] + `</p><p>` + storyParas[1] + `</p>` +
		`<div class="graphic" style="position:relative">` + chart.String() + `</div><p>` + storyParas[2] + `</p><p>` + storyParas[3] + `</p></div></body></html>`
	checkStory(t, page, "Containers handled", "$900", "’21")
}

// TestStoryInEndlessPage: an endless page wraps the story and the next
// stories, each an <article> headed in a <header>, in one outer <article>;
// the next story is longer, a teaser card inside the story links to it
// under the same headline, and the page title puts the site's name first.
// The story is printed, the next one is not.
func TestStoryInEndlessPage(t *testing.T) {
	var next strings.Builder
	for j := 0; j < 8; j++ {
		fmt.Fprintf(&next, "<p>Next story, paragraph %d: the fishing fleet will land less cod and haddock this year after the quotas were cut by a fifth at the regional talks.</p>", j)
	}
	page := `<html><head><title>Harbour Courier | Terminal approved by the council</title></head><body>` +
		`<article class="post"><article class="entry"><header><h1>Terminal approved by the council</h1></header>` + storyHTML() +
		`<article class="card"><h3><a href="/2024/05/02/terminal">Terminal approved by the council</a></h3></article></article>` +
		`<article class="entry"><header><h1>Fishing quotas cut again</h1></header>` + next.String() + `</article></article></body></html>`
	checkStory(t, page, "Next story")
}

// TestDropCap: the story's first letter, enlarged, is set in a block of
// its own; the first word is printed whole.
func TestDropCap(t *testing.T) {
	page := `<html><body><article><h1>Terminal approved</h1><div class="first"><div class="cap">T</div><p>` + storyParas[0][1:] + `</p></div>` +
		`<p>` + strings.Join(storyParas[1:], `</p><p>`) + `</p><div class="x">A</div><p>Big letter beside a capitalised paragraph is not joined to it.</p></article></body></html>`
	d := checkStory(t, page)
	if strings.Contains(d.Text, "ABig") {
		t.Errorf("joined a letter to a capitalised paragraph:\n%s", d.Text)
	}
}

// TestThreadBesideStory: a short thread of readers' comments, named
// neutrally and without links, sits beside the story; it is not taken for
// more of the story.
func TestThreadBesideStory(t *testing.T) {
	var thread strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&thread, `<div class="c"><div class="who">Reader %d, 3 days ago</div><div class="says">Comment %d: I live near the port and I think the council should have listened to the residents first.</div></div>`, i, i)
	}
	page := `<html><body><div class="page"><div class="story"><h1>Terminal approved</h1>` + storyHTML() + `</div>` +
		`<div class="block-9">` + thread.String() + `</div></div></body></html>`
	checkStory(t, page, "Comment 2:")
}

// TestNamedWordInSentence: words of a sentence marked up with a class that
// names furniture elsewhere ("meta-org", "tag-link", "author" on a name
// quoted in the text) stay in the sentence; the same names on blocks of
// their own still go.
func TestNamedWordInSentence(t *testing.T) {
	sentence := `<p><a class="meta-org" href="/topic/harbour">Harbour Board</a>’s plan, backed by <span class="author-name">Ann Lee</span> and the <a class="tag-link" href="/tag/port">port union</a>, won the vote.</p>`
	page := `<html><body><article><h1>Terminal approved</h1>` + storyHTML() + sentence +
		`<div class="meta"><span>Filed under harbour news</span></div><p class="tag-list"><a href="/tag/port">Port</a></p></article></body></html>`
	d := checkStory(t, page, "Filed under harbour", "\n\nPort")
	if !strings.Contains(d.Text, "Harbour Board’s plan, backed by Ann Lee and the port union, won the vote.") {
		t.Errorf("sentence lost its named words:\n%s", d.Text)
	}
	if got := midSentenceOf(t, `<p>Words <b>before</b> it</p>`, "b"); !got {
		t.Error("a word between words is not mid-sentence")
	}
	if got := midSentenceOf(t, `<p><span>By</span> <b>Ann Lee</b></p>`, "b"); got {
		t.Error("a name closing its line is taken for mid-sentence")
	}
}

// midSentenceOf parses page and asks midSentence of its first tag element.
func midSentenceOf(t *testing.T, page, tag string) bool {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return midSentence(doc.Find(tag).Nodes[0])
}

// TestPhotoGalleryInStory: a photo gallery module set inside the story
// (a title, a "show all" count, the same title again in its full-screen
// copy) goes; the story around it stays.
func TestPhotoGalleryInStory(t *testing.T) {
	gallery := `<div class="container grid-mod-gallery"><h2 class="gallery-title">Business news in pictures</h2><ul><li><a href="#">` +
		`<span class="count">50</span> <span class="label">show all</span></a></li></ul></div>` +
		`<div class="full-gallery"><h2 class="gallery-title">Business news in pictures</h2><ul><li data-item="1"></li></ul></div>`
	page := `<html><body><article><h1>Terminal approved</h1><p>` + storyParas[0] + `</p><p>` + storyParas[1] + `</p>` + gallery +
		`<p>` + storyParas[2] + `</p><p>` + storyParas[3] + `</p></article></body></html>`
	checkStory(t, page, "Business news in pictures", "show all")
}

// TestLinkedEntriesOfLists: a numbered list article heads each entry with
// a link to the site's page on its subject, and a list of points links one
// of them; neither is a promo line. A lone link line to another story of
// the site still goes.
func TestLinkedEntriesOfLists(t *testing.T) {
	page := `<html><body><article><h1>The best films of the year</h1>` + storyHTML() +
		`<h3>21) <a href="/reviews/the-last-harbour-light">The Last Harbour Light Returns</a></h3><p>` + storyParas[0] + ` A second look.</p>` +
		`<h3>20) <a href="/reviews/tide">Tide</a></h3><p>` + storyParas[1] + ` A second look.</p>` +
		`<ul><li>Is this a planned purchase?</li><li><a href="/advice/where-will-it-go">Where am I going to put it</a>?</li><li>Have I included it in my budget?</li></ul>` +
		`<p><a href="/2024/05/01/ferry">Ferry timetable changes for the winter months</a></p>` +
		`<p>` + storyParas[3] + ` The end.</p></article></body></html>`
	d := checkStory(t, page, "Ferry timetable")
	for _, want := range []string{"21) The Last Harbour Light Returns", "Where am I going to put it?", "Is this a planned purchase?"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("lost %q:\n%s", want, d.Text)
		}
	}
}

// TestStoryInSectioningLinkedToItself: the template sets the story inside
// an <aside> and links each paragraph to the page itself, its words marked
// up in short runs; that text is prose when sectioning furniture is
// weighed, as it is everywhere else, so the aside is not dropped before the
// story is looked for.
func TestStoryInSectioningLinkedToItself(t *testing.T) {
	const self = "https://news.example/2024/05/02/terminal"
	var each strings.Builder
	for _, p := range storyParas {
		words := strings.Fields(p)
		for i := range words {
			if i%3 == 0 {
				words[i] = "<em>" + words[i] + "</em>"
			}
		}
		fmt.Fprintf(&each, `<p><a href="%s">%s</a></p>`, self, strings.Join(words, " "))
	}
	page := `<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><aside class="main-col"><h1>Terminal approved</h1>` +
		each.String() + `</aside><footer><p>Copyright News Example 2024, all rights reserved.</p></footer></body></html>`
	checkStory(t, page, "Copyright News Example")
}

// TestHeadlineLinkedToItself: a blog links the post's title, a heading
// above the story, to the post's own page; it is the headline, not text,
// even where the page's title names the blog beside it.
func TestHeadlineLinkedToItself(t *testing.T) {
	page := `<html><head><title>Harbour camp (2) @ Ann's harbour blog</title></head><body><div class="post">` +
		`<ul><li>Filed by Ann in Camping</li></ul><h2><a href="https://news.example/2024/05/02/terminal">Harbour camp (2)</a></h2>` +
		storyHTML() + `<h2><a href="https://news.example/2024/05/02/terminal#more">Harbour camp, more</a></h2><p>` + storyParas[0] + ` Again.</p></div></body></html>`
	d := checkStory(t, page, "Harbour camp (2)")
	if !strings.Contains(d.Text, "Harbour camp, more") {
		t.Errorf("a heading after the story's start was dropped:\n%s", d.Text)
	}
}
