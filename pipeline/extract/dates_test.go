package extract

import (
	"testing"
	"time"
)

func TestTextDate(t *testing.T) {
	cases := map[string]string{
		"21.01.2022 - 13:30":                      "2022-01-21",
		"Stand: 19.10.2019 11:05 Uhr":             "2019-10-19",
		"Dienstag, 28. April 2020":                "2020-04-28",
		"le 07 Mai 2020":                          "2020-05-07",
		"jeudi 13 juin 2019":                      "2019-06-13",
		"Actualizado el 4 de mayo de 2022":        "2022-05-04",
		"Wednesday, October 16, 2019":             "2019-10-16",
		"Jan 18, 2019":                            "2019-01-18",
		"16th October 2019":                       "2019-10-16",
		"21. Jan 2022 // Do":                      "2022-01-21",
		"发布时间：2019年10月16日 08:00":                  "2019-10-16",
		"Veröffentlicht am 2024-05-03":            "2024-05-03",
		"31.02.2022":                              "",
		"Room 12, 3 floors up":                    "",
		"the 2019 season ended on a high note":    "",
		"Posted by Ada on 3 May 2024, 2 comments": "2024-05-03",
	}
	for in, want := range cases {
		got := ""
		if d, ok := textDate(in); ok {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("textDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMarkupDate: a story's date written for readers in its date markup
// is found; a teaser's date beside it and a date in the URL are weighed as
// the comments say.
func TestMarkupDate(t *testing.T) {
	story := `<p>The council approved the new bridge after a debate that lasted most of the evening and ended in a vote.</p>`
	cases := []struct{ name, url, body, want string }{
		{"german date span", "https://paper.example/news/bridge", `<span class="meta__date">02.11.2021</span>` + story, "2021-11-02"},
		{"hatom title attribute", "https://paper.example/news/bridge", `<abbr class="published" title="2020-04-28T21:11:00+02:00">21:11</abbr>` + story, "2020-04-28"},
		{"time without datetime", "https://paper.example/news/bridge", `<time>25. November 2021 16:11 Uhr</time>` + story, "2021-11-25"},
		{"microdata as text", "https://paper.example/news/bridge", `<span itemprop="datePublished">28. Dezember 2022</span>` + story, "2022-12-28"},
		{"teaser date is not the story's", "https://paper.example/news/bridge",
			story + `<div class="related"><div class="teaser"><span class="date">01.01.2020</span><a href="/x">Other story</a></div></div>`, ""},
		{"the URL's day before a text date", "https://paper.example/2021/03/04/bridge", `<div class="date">5. März 2021</div>` + story, "2021-03-04"},
		{"the article's own aside", "https://paper.example/news/bridge", `<aside class="meta"><time datetime="2022-01-21">21.01.2022</time></aside>` + story, "2022-01-21"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Extract([]byte(`<html><body><div class="layoutTwoColumnsRightSidebar"><article>`+c.body+`</article></div></body></html>`), "text/html", c.url)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if !d.Published.IsZero() {
				got = d.Published.In(time.UTC).Format("2006-01-02")
			}
			if got != c.want {
				t.Errorf("published %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseTimeHourOffset(t *testing.T) {
	got, ok := parseTime("2022-01-27T12:45:36.270+01")
	if want := time.Date(2022, 1, 27, 11, 45, 36, 270e6, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("got %v %v, want %v", got, ok, want)
	}
}
