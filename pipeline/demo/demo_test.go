package demo

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"newsmon/pipeline/rules"
)

// The demo shows both sides: every story about a tracked firm or body
// raises an alert with the shipped rules, and no look-alike does.
func TestStoriesAgainstShippedRules(t *testing.T) {
	set, err := rules.LoadDir("../../rules")
	if err != nil {
		t.Fatal(err)
	}
	lookalike := map[string]bool{}
	past := false
	for _, st := range stories {
		if st.slug == "amazon-river-drought" {
			past = true
		}
		lookalike[st.slug] = past
	}
	arts := Articles(time.Now())
	alerted := 0
	for i, a := range arts {
		hits := set.Match(rules.Doc{Title: a.Title, Body: a.Text})
		var keys []string
		for _, h := range hits {
			keys = append(keys, h.Rule.Key())
		}
		switch slug := stories[i].slug; {
		case lookalike[slug] && len(hits) > 0:
			t.Errorf("look-alike %s raised %v", slug, keys)
		case !lookalike[slug] && len(hits) == 0:
			t.Errorf("story %s raised nothing", slug)
		}
		if len(hits) > 0 {
			alerted++
		}
	}
	if alerted < 15 {
		t.Errorf("%d stories alerted, want most of the tracked ones", alerted)
	}
}

func TestSiteServesFeedAndPages(t *testing.T) {
	s, err := Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := http.Get(s.FeedURL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.Count(string(body), "<item>") != len(stories) {
		t.Fatalf("feed: %d, %d items", res.StatusCode, strings.Count(string(body), "<item>"))
	}
	res, err = http.Get(strings.Replace(s.FeedURL(), "/feed.xml", "/news/"+stories[0].slug, 1))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Huawei Cloud and Alibaba Cloud") {
		t.Errorf("page: %d %.200s", res.StatusCode, body)
	}
}
