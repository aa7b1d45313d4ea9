package extract

import (
	"fmt"
	"strings"
	"testing"
)

// The tests in this file each build a page (written for the test, not
// taken from a benchmark) on which the story's block was chosen too
// narrowly or cut by a misleading name, and check what is printed.

// TestSectionHeadingsInH1: a sectioned post heads each part with an <h1>
// (HTML5 sections, Medium, online books); the headline before the story is
// left out, the section headings after it are printed.
func TestSectionHeadingsInH1(t *testing.T) {
	page := `<html><body><article><h1>Terminal approved</h1>` + storyHTML() +
		`<section><h1>What happens next</h1><p>The authority will publish a timetable for the works within a month, and the council has asked for a public meeting before the first contracts are signed.</p></section>` +
		`<section><h1>Who objected</h1><p>Most objections came from residents of the coast road, who collected more than two thousand signatures against the plan in the spring.</p></section>` +
		`</article></body></html>`
	d := checkStory(t, page)
	for _, h := range []string{"What happens next", "Who objected"} {
		if !strings.Contains(d.Text, h+"\n\n") {
			t.Errorf("section heading %q not printed:\n%s", h, d.Text)
		}
	}
	if strings.Contains(d.Text, "Terminal approved") {
		t.Errorf("headline printed in the text:\n%s", d.Text)
	}
}

// TestLinkInsideUnspacedScript: a link inside a Chinese sentence is part of
// the sentence (no space around it), while a Latin name linked inside
// Japanese text is set apart as a word of its own.
func TestLinkInsideUnspacedScript(t *testing.T) {
	for frag, want := range map[string]string{
		`<p>研究结果已发表在<a href="/s">科学</a>刊物上。</p>`:                "研究结果已发表在科学刊物上。",
		`<p>パスワード管理ソフト<a href="/k">KeePass</a>の新版。</p>`:         "パスワード管理ソフト KeePass の新版。",
		`<p>Read the <a href="/r">report</a>, then decide.</p>`: "Read the report, then decide.",
	} {
		if got := FragmentText(frag); got != want {
			t.Errorf("FragmentText(%q) = %q, want %q", frag, got, want)
		}
	}
}

// sectionHTML is one feature section of a product page: a heading and a
// paragraph of about the same size as the others.
func sectionHTML(i int) string {
	return fmt.Sprintf(`<section class="feature-%d"><div class="container"><div class="copy"><h2>Feature %d</h2>`+
		`<p>Feature %d lets you arrange the toolbar your way, keep the tools you use every day one click away and hide the ones you never touch.</p></div></div></section>`, i, i, i)
}

// TestSpreadOverSections: a product page whose <main> sets its text in
// several sections of similar size is printed whole; a story in <main>
// beside a stream of small teasers still gives the story alone.
func TestSpreadOverSections(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 5; i++ {
		b.WriteString(sectionHTML(i))
	}
	page := `<html><body><nav><a href="/">Home</a></nav><main><section class="intro"><div class="container"><h1>Make it yours</h1>` +
		`<p>Everything on the screen can be moved, hidden or restyled, and your changes follow you to every device you sign in on.</p></div></section>` +
		b.String() + `</main></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://product.example/customize")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if !strings.Contains(d.Text, fmt.Sprintf("Feature %d lets you", i)) {
			t.Errorf("section %d lost:\n%s", i, d.Text)
		}
	}
	if !strings.Contains(d.Text, "Everything on the screen") {
		t.Errorf("intro lost:\n%s", d.Text)
	}

	var stream strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&stream, `<div class="item"><h3><a href="/2024/05/other-%d">Another story of the day, number %d</a></h3><p>Teaser %d sums it up in a line.</p></div>`, i, i, i)
	}
	story := `<html><body><main><div class="story">` + storyHTML() + `</div><div class="stream">` + stream.String() + `</div></main></body></html>`
	checkStory(t, story, "Teaser 3")
}

// TestMarkedArticleWhole: a recipe in the page's only <article>, its
// ingredients and times in blocks beside the longer method, is printed
// whole.
func TestMarkedArticleWhole(t *testing.T) {
	page := `<html><body><div class="col main"><article class="recipe"><h1>Almond biscuits</h1>` +
		`<section class="ingredients"><h2>Ingredients</h2><ul><li>200 g ground almonds</li><li>150 g caster sugar</li><li>2 egg whites</li></ul></section>` +
		`<div class="prep"><div class="time"><span>20 minutes of work, 12 minutes in the oven</span></div><dl class="steps">` +
		`<dt>Step 1</dt><dd>Mix the ground almonds and the sugar in a large bowl, then work in the egg whites one at a time until the dough holds together.</dd>` +
		`<dt>Step 2</dt><dd>Roll the dough into small balls, press each one flat on a lined baking tray and leave a finger's width between them.</dd>` +
		`<dt>Step 3</dt><dd>Bake in a hot oven until the edges just colour, then leave the biscuits on the tray until they are cold and firm.</dd>` +
		`</dl></div></article></div><div class="col side"><p>Other recipes you may like this week from our kitchen.</p></div></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://recipes.example/almond-biscuits")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"200 g ground almonds", "20 minutes of work", "Roll the dough"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("lost %q:\n%s", want, d.Text)
		}
	}
	if strings.Contains(d.Text, "Other recipes") {
		t.Errorf("printed the side column:\n%s", d.Text)
	}
}

// TestBodyInsideMisnamedWrapper: the story's own "entry-content" sits in
// wrappers whose names also match boilerplate ("modal-enabled", a
// "commentary" genre class), beside a comment thread with more text; the
// names of the body win over those of its wrappers.
func TestBodyInsideMisnamedWrapper(t *testing.T) {
	var comments strings.Builder
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&comments, `<div class="c"><p>Reader %d wrote a long reply about the port, the traffic on the coast road and the council's record on planning, at some length.</p></div>`, i)
	}
	page := `<html><body><div class="box article modal-enabled"><div class="entry-content">` + storyHTML() + `</div></div>` +
		`<div class="thread">` + comments.String() + `</div></body></html>`
	checkStory(t, page)

	opinion := `<html><body><div class="page commentary"><article class="opinion">` + storyHTML() + `</article></div>` +
		`<div class="community">` + comments.String() + `</div></body></html>`
	checkStory(t, opinion, "Reader 3 wrote")
}

// TestCommentsOutweighStory: a comment thread, named as one, carries far
// more text than the story above it and does not win.
func TestCommentsOutweighStory(t *testing.T) {
	var comments strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&comments, `<div class="entry"><p>Reader %d: I live near the port and I think the council should have listened to the residents before approving anything this big.</p></div>`, i)
	}
	page := `<html><body><div class="page"><div class="text">` + storyHTML() + `</div>` +
		`<div class="comment-list">` + comments.String() + `</div></div></body></html>`
	checkStory(t, page, "Reader 7:")
}

// TestLinkedParagraphsNotCards: paragraphs that each link to other pages of
// the site (affiliate posts, explainers) are story text, not a grid of
// teasers.
func TestLinkedParagraphsNotCards(t *testing.T) {
	var b strings.Builder
	for i, p := range storyParas {
		fmt.Fprintf(&b, `<p>%s See <a href="/guide/%d">our guide to port planning</a>.</p>`, p, i)
	}
	page := `<html><body><div class="content"><div class="text">` + b.String() + `</div></div></body></html>`
	checkStory(t, page)
}

// TestPageBuilderWidgets: a page builder wraps every block, the story's
// text included, in "widget" elements; the text is printed and the
// builder's share widget is not.
func TestPageBuilderWidgets(t *testing.T) {
	var b strings.Builder
	for _, p := range storyParas {
		fmt.Fprintf(&b, `<div class="elementor-element elementor-widget elementor-widget-text-editor"><div class="elementor-widget-container"><p>%s</p></div></div>`, p)
	}
	page := `<html><body><div class="elementor elementor-213"><section class="elementor-section"><div class="elementor-column"><div class="elementor-widget-wrap">` +
		b.String() +
		`<div class="elementor-element elementor-widget elementor-widget-share-buttons"><div class="elementor-widget-container"><a href="https://social.example/share">Share on Social</a> <a href="https://mail.example/">Send by e-mail to a friend</a></div></div>` +
		`</div></div></section></div><div id="cookie-box" class="cookie-preference"><p>We use cookies to measure our audience and to show advertising; by continuing you accept this, or change your settings at any time on the preferences page, which also lists our partners.</p></div></body></html>`
	checkStory(t, page, "Share on Social", "We use cookies")
}

// TestNoscriptPost: a blog that renders its post with JavaScript serves the
// post itself inside <noscript>; it is printed, while a tracking pixel's
// <noscript> and markup saved as text inside one are not.
func TestNoscriptPost(t *testing.T) {
	page := `<html><body><div class="post"><h1>Terminal approved</h1><div class="post-body"><script>render()</script><noscript>` + storyHTML() + `</noscript></div>` +
		`<noscript>&lt;span class="count"&gt;146 replies&lt;/span&gt;</noscript><noscript><img src="https://pixel.example/t.gif"></noscript></div></body></html>`
	checkStory(t, page, "146 replies", "span")
}

// TestExpandableText: a description in a box that a script folds ("read
// more" by class) is text.
func TestExpandableText(t *testing.T) {
	page := `<html><body><div class="object"><section id="location"><h2>Location</h2><div class="box"><p class="box-txt js_readmore">` +
		storyParas[0] + " " + storyParas[2] + `</p></div></section>` +
		`<section id="faq"><h2>Questions</h2>` +
		`<p>Is there parking at the house? Yes, there are two places in front of the house and more in the village square, which is free at night.</p>` +
		`<p>Are pets allowed in the house? Dogs are welcome for a small fee per stay; please tell us when you book so that we can prepare a basket.</p>` +
		`<p>When can we arrive? The keys are ready from four in the afternoon, and a late arrival can be arranged by telephone with the owners.</p>` +
		`<p>Is there a shop nearby? The nearest supermarket is ten minutes away by car, and a baker calls at the village every morning but Sunday.</p>` +
		`</section></div></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://holidays.example/house/40222")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, storyParas[2]) {
		t.Errorf("folded text lost:\n%s", d.Text)
	}
}

// TestLeadParagraphsInWrappers: a template that wraps each of the first
// paragraphs in a block of its own (div.firstPar, div.secondPar), then
// breaks the story with a box of related links before the rest, loses
// none of the lead; the related links and a linked promotion set in the
// same kind of wrapper stay out.
func TestLeadParagraphsInWrappers(t *testing.T) {
	lead := []string{
		"Ferries between the two harbours were halted on Monday after a crack was found in the hull of the larger of the two boats during a routine inspection.",
		"The operator said passengers with tickets for the coming week would be carried by coach, a journey that takes about twice as long as the crossing.",
		"Inspectors from the maritime authority are expected to decide by Friday whether the boat can be repaired in the harbour or must go to a dry dock.",
	}
	var b strings.Builder
	for i, p := range lead {
		fmt.Fprintf(&b, `<div class="par%d"><p>%s</p></div>`, i+1, p)
	}
	promo := "Get the morning briefing: the stories that matter, in your inbox before seven"
	page := `<html><body><div id="main"><h1>Ferries halted</h1>` + b.String() +
		`<div class="promo-box"><p><a href="/newsletters/morning">` + promo + `</a></p></div>` +
		`<div class="related"><h2>Related</h2><ul><li><a href="/a">Harbour dues to rise</a></li><li><a href="/b">New coach timetable</a></li><li><a href="/c">Boatyard wins contract</a></li></ul></div>` +
		`<div class="body">` + storyHTML() + `</div></div></body></html>`
	d := checkStory(t, page, "Harbour dues to rise", promo)
	for _, p := range lead {
		if !strings.Contains(d.Text, p) {
			t.Errorf("lead paragraph lost: %.50q\ntext:\n%s", p, d.Text)
		}
	}
	if i := strings.Index(d.Text, lead[0]); i != 0 {
		t.Errorf("the lead starts at byte %d, want 0:\n%s", i, d.Text)
	}
}

// TestStoryInsideTeaserNamedZone: a video page sets its one <article>,
// headed by the page's title, in a block named "video-teaser"; its short
// story is printed, though the teasers of other videos beside it hold more
// prose.
func TestStoryInsideTeaserNamedZone(t *testing.T) {
	story := "The first ferry of the winter timetable left the harbour an hour late on Sunday, after fog closed the channel for most of the morning."
	var teasers strings.Builder
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&teasers, `<li><a href="/video/%d/clip">Clip %d</a><p>A short description of another video from the archive, number %d of the list, with a sentence or two about it.</p></li>`, i, i, i)
	}
	page := `<html><head><title>Ferry leaves late | Watch Videos Online</title></head><body>` +
		`<div class="video-teaser showing"><div class="player"><article><h1>Ferry leaves late</h1><div class="story"><div><p>` + story + `</p></div></div></article></div></div>` +
		`<div class="more-videos"><ul>` + teasers.String() + `</ul></div></body></html>`
	d, err := Extract([]byte(page), "text/html", "https://news.example/video/7/ferry-leaves-late")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, story) {
		t.Errorf("story lost:\n%q", d.Text)
	}
	if strings.Contains(d.Text, "another video") {
		t.Errorf("teasers printed:\n%s", d.Text)
	}
}
