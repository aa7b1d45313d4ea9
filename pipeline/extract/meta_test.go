package extract

import (
	"testing"
	"time"
)

func TestMetadata(t *testing.T) {
	cases := []struct {
		name, head, body string
		want             Document
	}{
		{
			name: "json-ld graph with author list",
			head: `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage","name":"Page"},
				{"@type":["NewsArticle"],"headline":"Flood defences finished early","datePublished":"2021-03-04T05:06:07+02:00",
				"author":[{"@type":"Person","name":"A. Writer"},{"@type":"Person","name":"B. Editor"}],
				"publisher":{"@type":"Organization","name":"River Times"},"inLanguage":"en-GB"}]}</script>`,
			want: Document{Title: "Flood defences finished early", Author: "A. Writer, B. Editor", SiteName: "River Times",
				Lang: "en-GB", Published: time.Date(2021, 3, 4, 3, 6, 7, 0, time.UTC)},
		},
		{
			name: "meta tags win over json-ld and markup, but for the headline",
			head: `<meta property="og:title" content="The og title | Site Name"><meta property="og:site_name" content="Site Name">
				<meta name="author" content="By Meta Author"><meta property="article:published_time" content="2020-01-02T03:04:05Z">
				<script type="application/ld+json">{"@type":"Article","headline":"LD headline","author":"LD Author","datePublished":"2019-01-01"}</script>`,
			body: `<h1>The h1</h1><time datetime="2018-05-05">5 May</time>`,
			want: Document{Title: "LD headline", Author: "Meta Author", SiteName: "Site Name",
				Published: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)},
		},
		{
			name: "title tag minus site name, time element, microdata author",
			head: `<title>Council approves the new bridge - Town Paper</title><meta http-equiv="content-language" content="fr_CA">`,
			body: `<p class="by" itemprop="author" itemscope><span itemprop="name">Claire Dupont</span>, staff</p>
				<time datetime="2022-07-08">8 July</time>`,
			want: Document{Title: "Council approves the new bridge", Author: "Claire Dupont", Lang: "fr-CA",
				Published: time.Date(2022, 7, 8, 0, 0, 0, 0, time.UTC)},
		},
		{
			name: "og title as written",
			head: `<title>Other</title><meta property="og:title" content="The og title | Site Name"><meta property="og:site_name" content="Site Name">`,
			want: Document{Title: "The og title | Site Name", SiteName: "Site Name"},
		},
		{
			name: "json-ld name closer to the title than its headline",
			head: `<title>Harbour Bridge - Town Wiki</title><script type="application/ld+json"><![CDATA[{"@type":"Article","name":"Harbour Bridge","headline":"bridge in the old port"}]]></script>`,
			want: Document{Title: "Harbour Bridge"},
		},
		{
			name: "h1 when no meta title; URL author ignored",
			head: `<meta property="article:author" content="https://social.example/someone">`,
			body: `<h1> The  headline
				here </h1>`,
			want: Document{Title: "The headline here"},
		},
		{
			name: "unparseable dates are left zero",
			head: `<meta property="article:published_time" content="yesterday at noon"><meta name="date" content="sometime">`,
			want: Document{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html><head>" + c.head + "</head><body>" + c.body + "<p>Body text that is long enough to be a paragraph of the story.</p></body></html>"
			d, err := Extract([]byte(page), "text/html", "")
			if err != nil {
				t.Fatal(err)
			}
			d.Text = ""
			if c.want.Lang == "" {
				// A page that states no language gets the body's (TestLangFromText).
				c.want.Lang = "en"
			}
			if d.Title != c.want.Title || d.Author != c.want.Author || d.SiteName != c.want.SiteName ||
				d.Lang != c.want.Lang || !d.Published.Equal(c.want.Published) {
				t.Errorf("got  %+v\nwant %+v", d, c.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2019-11-18T09:30:00-05:00", time.Date(2019, 11, 18, 14, 30, 0, 0, time.UTC)},
		{"2019-11-18T09:30:00.123Z", time.Date(2019, 11, 18, 9, 30, 0, 123e6, time.UTC)},
		{"2019-11-18T09:30:00+0100", time.Date(2019, 11, 18, 8, 30, 0, 0, time.UTC)},
		{"2019-11-18 09:30:00", time.Date(2019, 11, 18, 9, 30, 0, 0, time.UTC)},
		{"2019-11-18", time.Date(2019, 11, 18, 0, 0, 0, 0, time.UTC)},
		{"Mon, 18 Nov 2019 09:30:00 GMT", time.Date(2019, 11, 18, 9, 30, 0, 0, time.UTC)},
		{"November 18, 2019", time.Date(2019, 11, 18, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, ok := parseTime(c.in)
		if !ok || !got.Equal(c.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "soon", "0000-00-00", "2019-13-45"} {
		if got, ok := parseTime(bad); ok {
			t.Errorf("parseTime(%q) = %v, want failure", bad, got)
		}
	}
}

func TestStripSiteName(t *testing.T) {
	cases := []struct{ title, site, want string }{
		{"Story | Paper", "Paper", "Story"},
		{"Paper - Story about a thing", "Paper", "Story about a thing"},
		{"Left - right: a story with a dash", "", "Left - right: a story with a dash"},
		{"A long story title here | Paper", "", "A long story title here"},
		{"No separator", "Paper", "No separator"},
	}
	for _, c := range cases {
		if got := stripSiteName(c.title, c.site); got != c.want {
			t.Errorf("stripSiteName(%q, %q) = %q, want %q", c.title, c.site, got, c.want)
		}
	}
}

func TestPublishedFallbacks(t *testing.T) {
	cases := []struct {
		name, page, url string
		want            time.Time
	}{
		{"microdata element", `<span itemprop="datePublished" content="2018-06-07T10:00:00Z">June 7</span>`, "",
			time.Date(2018, 6, 7, 10, 0, 0, 0, time.UTC)},
		{"date in the page URL", ``, "https://paper.example/news/2019/11/18/slug-here",
			time.Date(2019, 11, 18, 0, 0, 0, 0, time.UTC)},
		{"date in the canonical URL", `<link rel="canonical" href="https://paper.example/2020-02-29/leap">`, "https://paper.example/?p=1",
			time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"no date in digits that are not one", ``, "https://paper.example/item/2019/13/45/x", time.Time{}},
		{"an id is not a date", ``, "https://paper.example/a/20191118123", time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Extract([]byte("<html><head></head><body>"+c.page+"<p>Some text of the story here.</p></body></html>"), "text/html", c.url)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Published.Equal(c.want) {
				t.Errorf("published = %v, want %v", d.Published, c.want)
			}
		})
	}
}

func TestBylineName(t *testing.T) {
	cases := map[string]string{
		"By Ada Field":                  "Ada Field",
		"  by   Ben Ortiz | May 3 2024": "Ben Ortiz",
		"Written by Claire Dupont":      "Claire Dupont",
		"Updated 10:32 a.m. today":      "",
		"Share this story with your friends on the social network of your choice": "",
	}
	for in, want := range cases {
		if got := bylineName(in); got != want {
			t.Errorf("bylineName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocumentTitle(t *testing.T) {
	cases := []struct {
		in, want string
		headings []string
		h1s      int
	}{
		{in: "Council approves the new bridge - Town Paper", want: "Council approves the new bridge"},
		{in: "Town Paper | Council approves the new bridge", want: "Council approves the new bridge"}, // the part before is under three words
		{in: "Town Paper | Bridge approved", want: "Town Paper | Bridge approved"},                    // too little left either way
		{in: "News | Council approves the new bridge today", want: "Council approves the new bridge today"},
		{in: "Tides » Harbour works", want: "Harbour works"}, // one word of site behind a hierarchical separator
		{in: "Harbour works delayed again » Tides", want: "Harbour works delayed again"},
		{in: "Town Paper: Council approves the new bridge", want: "Council approves the new bridge"},
		{in: "Town Paper: Council approves the new bridge", headings: []string{"Town Paper: Council approves the new bridge"}, want: "Town Paper: Council approves the new bridge"},
		{in: "Notes: Colophon", want: "Notes: Colophon"},
		{in: "Short", headings: []string{"The real headline of the story"}, h1s: 1, want: "The real headline of the story"},
		{in: "Evolve – a history — of things", want: "Evolve – a history — of things"}, // dashes are not separators
		{in: "", want: ""},
	}
	for _, c := range cases {
		if got := documentTitle(c.in, c.headings, c.h1s); got != c.want {
			t.Errorf("documentTitle(%q, %q) = %q, want %q", c.in, c.headings, got, c.want)
		}
	}
}

// TestAuthorSources: each case states the author one way sites do, the
// others absent; a reader's name in the comments is never the author.
func TestAuthorSources(t *testing.T) {
	story := `<p>The council approved the new bridge after a debate that lasted most of the evening and ended in a vote.</p>` +
		`<p>Work is due to start in the spring, and the old ferry will run until the bridge opens to traffic.</p>`
	cases := []struct{ name, head, body, want string }{
		{"json-ld graph reference", `<script type="application/ld+json">{"@graph":[{"@type":"Article","headline":"Bridge",
			"author":{"@id":"https://paper.example/#/schema/person/1"}},{"@type":"Person","@id":"https://paper.example/#/schema/person/1","name":"Jana Weber"}]}</script>`,
			story, "Jana Weber"},
		{"json-ld with a line break inside a string", "<script type=\"application/ld+json\">{\"@type\":\"BlogPosting\",\"description\":\"one\ntwo\",\"author\":{\"@type\":\"Person\",\"name\":\"Luca Bianchi\"}}</script>",
			story, "Luca Bianchi"},
		{"twitter label and data", `<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Irma Schwab">`, story, "Irma Schwab"},
		{"byl meta", `<meta name="byl" content="By Nelson Dupré">`, story, "Nelson Dupré"},
		{"itemprop list", ``, `<p itemprop="author creator" itemscope>By <span itemprop="name">Nora Schultz</span></p>` + story, "Nora Schultz"},
		{"hcard in german", ``, `<h4 class="vcard author">vom <span class="fn">Karl Brenner</span></h4>` + story, "Karl Brenner"},
		{"byline then date", ``, `<cite class="byline">By GILLIAN MOSS <abbr>March 11, 2015 3:46 PM</abbr></cite>` + story, "GILLIAN MOSS"},
		{"date then by", ``, `<div class="entry-byline">Posted on 3 May 2024 by Ada Field</div>` + story, "Ada Field"},
		{"french byline class", ``, `<div class="dates_auteurs">par <span class="auteurs">Didier Rocher</span>, 21 juin 2018</div>` + story, "Didier Rocher"},
		{"name set beside a date", ``, `<div class="article__author"><a href="/a/x">Houzz Team</a><span>vor 2 Tagen</span></div>` + story, "Houzz Team"},
		{"byline line at the end of the text", ``, story + `<p><em>Von Ulrich Nitsche</em></p>`, "Ulrich Nitsche"},
		{"comment author is not the author", ``, story + `<div class="comments"><p class="comment-author">MikeReader</p><p>Great piece, thanks for writing it all up so clearly.</p></div>`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := "<html><head>" + c.head + "</head><body><article>" + c.body + "</article></body></html>"
			d, err := Extract([]byte(page), "text/html", "https://paper.example/2024/05/03/bridge")
			if err != nil {
				t.Fatal(err)
			}
			if d.Author != c.want {
				t.Errorf("author %q, want %q", d.Author, c.want)
			}
		})
	}
}
