package desk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsmon/pipeline"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func testArticle(i int, title, text string) pipeline.Article {
	pub := t0.Add(time.Duration(i) * time.Minute)
	return pipeline.Article{Schema: 1, ID: fmt.Sprintf("a:%04d", i), URL: fmt.Sprintf("https://news.example/%d", i),
		Source: "news_example", Title: title, Text: text, Published: &pub, FetchedAt: pub.Add(time.Minute), Extraction: "page"}
}

func testAlert(a *pipeline.Article, category, rule, severity, found string) AlertRecord {
	start := strings.Index(a.Text, found)
	entity := category + "." + rule
	if category == "watch" {
		entity = "cloud.huawei"
	}
	return AlertRecord{Alert: pipeline.Alert{Schema: 1, ID: a.ID + ":" + rule, Subject: pipeline.AlertSubject(category, rule),
		Rule: rule, Category: category, Name: strings.ToUpper(rule), Severity: severity,
		Article: pipeline.ArticleRef{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, Published: a.Published},
		Matches: []pipeline.Match{{Entity: entity, Text: found, Field: "body", Start: start, End: start + len(found), Snippet: a.Text}},
		Count:   1, TaggedAt: a.FetchedAt.Add(time.Second)}}
}

func openTest(t *testing.T) *SQLite {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "desk.db"), SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestApplyStoresOnceAndMovesPositions(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := testArticle(1, "Huawei Cloud grows", "Huawei Cloud opened a data center in Riyadh.")
	b := &Batch{Articles: []pipeline.Article{a}, Alerts: []AlertRecord{testAlert(&a, "cloud", "huawei", "medium", "Huawei Cloud")},
		Positions: map[string]uint64{pipeline.ArticlesStream: 7, pipeline.AlertsStream: 3}}
	got, err := s.Apply(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Articles != 1 || got.Alerts != 1 || len(got.NewAlerts) != 1 {
		t.Errorf("first apply = %+v, want 1 article, 1 alert", got)
	}
	// The same messages read again after a crash add nothing.
	got, err = s.Apply(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Articles != 0 || got.Alerts != 0 || len(got.NewAlerts) != 0 {
		t.Errorf("second apply = %+v, want nothing new", got)
	}
	c, _ := s.Counts(ctx)
	if c != (Counts{Articles: 1, Alerts: 1}) {
		t.Errorf("counts = %+v", c)
	}
	for stream, want := range map[string]uint64{pipeline.ArticlesStream: 7, pipeline.AlertsStream: 3, pipeline.FeedbackStream: 0} {
		if p, err := s.Position(ctx, stream); err != nil || p != want {
			t.Errorf("position %s = %d, %v; want %d", stream, p, err, want)
		}
	}
}

func TestAlertBeforeArticleMakesStubThenArticle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := testArticle(1, "Curbs weighed", "The Commerce Department is weighing rules against Tencent Cloud. Officials declined to comment on the timing.")
	al := testAlert(&a, "cloud", "tencent", "high", "Tencent Cloud")
	al.Matches[0].Snippet = "The Commerce Department is weighing rules against Tencent Cloud."
	if _, err := s.Apply(ctx, &Batch{Alerts: []AlertRecord{al}}); err != nil {
		t.Fatal(err)
	}
	v, err := s.Article(ctx, a.ID)
	if err != nil || !v.Stub || len(v.Alerts) != 1 {
		t.Fatalf("article from alert = %+v, %v; want a stub with its alert", v, err)
	}
	// The stub is searchable by the matched sentence, not by the rest.
	if p, _ := s.Search(ctx, SearchQuery{Q: `"weighing rules"`}); len(p.Hits) != 1 || !p.Hits[0].Stub {
		t.Errorf("stub search = %+v", p.Hits)
	}
	if p, _ := s.Search(ctx, SearchQuery{Q: "timing"}); len(p.Hits) != 0 {
		t.Errorf("stub matched text it does not hold: %+v", p.Hits)
	}
	if _, err := s.Apply(ctx, &Batch{Articles: []pipeline.Article{a}}); err != nil {
		t.Fatal(err)
	}
	v, err = s.Article(ctx, a.ID)
	if err != nil || v.Stub || v.Article.Text != a.Text {
		t.Fatalf("article after ARTICLES = %+v, %v", v, err)
	}
	p, err := s.Search(ctx, SearchQuery{Q: "timing"})
	if err != nil || len(p.Hits) != 1 || p.Hits[0].Stub || p.Hits[0].Rules[0] != "cloud.tencent" {
		t.Errorf("search after article = %+v, %v", p.Hits, err)
	}
	c, _ := s.Counts(ctx)
	if c != (Counts{Articles: 1, Alerts: 1}) {
		t.Errorf("counts = %+v", c)
	}
}

func fill(t *testing.T, s *SQLite, n int) []pipeline.Article {
	t.Helper()
	var b Batch
	rules := []struct{ cat, rule, sev, word string }{
		{"cloud", "huawei", "medium", "Huawei Cloud"}, {"cloud", "aws", "low", "AWS"}, {"policy", "fcc", "high", "FCC"},
	}
	for i := range n {
		r := rules[i%len(rules)]
		a := testArticle(i, fmt.Sprintf("Story %d about %s", i, r.word),
			fmt.Sprintf("Paragraph one of story %d names %s and the U.S. market.\n\nA second paragraph says little.", i, r.word))
		if i%len(rules) == 1 {
			a.Source = "wire_example"
		}
		b.Articles = append(b.Articles, a)
		b.Alerts = append(b.Alerts, testAlert(&a, r.cat, r.rule, r.sev, r.word))
	}
	if _, err := s.Apply(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.Articles
}

func TestAlertFiltersAndCursor(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	fill(t, s, 30)
	cases := []struct {
		name string
		q    AlertQuery
		want int
	}{
		{"all", AlertQuery{Limit: 100}, 30},
		{"category", AlertQuery{Categories: []string{"cloud"}}, 20},
		{"rule", AlertQuery{Rules: []string{"cloud.aws"}}, 10},
		{"two rules", AlertQuery{Rules: []string{"cloud.aws", "policy.fcc"}}, 20},
		{"source", AlertQuery{Sources: []string{"wire_example"}}, 10},
		{"min severity", AlertQuery{MinSeverity: "medium"}, 20},
		{"time range", AlertQuery{From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute)}, 10},
		{"article", AlertQuery{Article: "a:0004"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.Alerts(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Alerts) != c.want {
				t.Errorf("got %d alerts, want %d", len(p.Alerts), c.want)
			}
		})
	}
	// Pages of 7 walk every alert once, newest first.
	seen := map[string]bool{}
	var last time.Time
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := s.Alerts(ctx, AlertQuery{Limit: 7, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Alerts {
			if seen[a.ID] {
				t.Errorf("alert %s on two pages", a.ID)
			}
			if !last.IsZero() && a.TaggedAt.After(last) {
				t.Errorf("alert %s out of order", a.ID)
			}
			seen[a.ID], last = true, a.TaggedAt
		}
		if p.Next == "" {
			if pages != 4 {
				t.Errorf("%d pages, want 5", pages+1)
			}
			break
		}
		cursor = p.Next
	}
	if len(seen) != 30 {
		t.Errorf("cursor walk saw %d alerts, want 30", len(seen))
	}
	var ce *CursorError
	if _, err := s.Alerts(ctx, AlertQuery{Cursor: "x"}); !errors.As(err, &ce) {
		t.Errorf("bad cursor: err = %v, want CursorError", err)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	fill(t, s, 12)
	cases := []struct {
		q    string
		want int
	}{
		{`"story 4 names"`, 1},
		{`huawei`, 4},
		{`huawei OR fcc`, 8},
		{`paragraph NOT aws`, 8},
		{`title:aws`, 4},
		{`U.S. market`, 12}, // punctuation: quoted as a phrase, not an error
		{`stor*`, 12},
		{`NEAR(story huawei, 5)`, 4},
	}
	for _, c := range cases {
		p, err := s.Search(ctx, SearchQuery{Q: c.q, Limit: 50})
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if len(p.Hits) != c.want {
			t.Errorf("%s: %d hits, want %d", c.q, len(p.Hits), c.want)
		}
	}
	p, _ := s.Search(ctx, SearchQuery{Q: `"story 4 names"`})
	if h := p.Hits[0]; !strings.Contains(h.Snippet, MarkStart+"story 4 names"+MarkEnd) || h.URL == "" || len(h.Rules) != 1 {
		t.Errorf("hit = %+v, want the phrase marked, a URL and its rule", h)
	}
	for _, bad := range []string{`"unclosed`, `huawei AND`, `NOT huawei`, `(huawei`, ``} {
		_, err := s.Search(ctx, SearchQuery{Q: bad})
		var bq *BadQueryError
		if !errors.As(err, &bq) {
			t.Errorf("%q: err = %v, want BadQueryError", bad, err)
		}
	}
}

func TestMentionsFacetsPrune(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	arts := fill(t, s, 9)
	// A compound rule's alert is no mention of an entity.
	w := testAlert(&arts[0], "watch", "china-cloud", "high", "Huawei Cloud")
	if _, err := s.Apply(ctx, &Batch{Alerts: []AlertRecord{w}}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Mentions(ctx, t0.Add(-time.Hour), t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]int{}
	for _, m := range ms {
		total[m.Entity] += m.N
	}
	if total["cloud.huawei"] != 3 || total["cloud.aws"] != 3 || total["policy.fcc"] != 3 || len(total) != 3 {
		t.Errorf("mentions = %v", total)
	}
	f, err := s.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rules) != 4 || strings.Join(f.Categories, ",") != "cloud,policy,watch" || len(f.Sources) != 2 || len(f.Entities) != 3 {
		t.Errorf("facets = %+v", f)
	}
	n, err := s.Prune(ctx, t0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Counts(ctx)
	if n != 10 || c.Articles != 4 || c.Alerts != 5 {
		t.Errorf("prune removed %d, left %+v", n, c)
	}
	if p, _ := s.Search(ctx, SearchQuery{Q: "paragraph", Limit: 50}); len(p.Hits) != 4 {
		t.Errorf("search after prune: %d hits, want 4", len(p.Hits))
	}
}

func TestReopenKeepsIndexAndRebuildsOtherSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desk.db")
	s, err := OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, 3)
	s.Close()
	s, err = OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Counts(ctx); c.Articles != 3 {
		t.Errorf("reopened: %+v", c)
	}
	if _, err := s.w.Exec(`UPDATE meta SET value = 'old' WHERE key = 'schema'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, _ := s.Counts(ctx); c.Articles != 0 {
		t.Errorf("index of another schema kept: %+v", c)
	}
}

// A desk stopped without closing its index (kill -9) loses the full-text
// segments it held in memory only; the next open indexes their articles
// again from the file, and a clean close writes them to it.
func TestReopenAfterCrashIndexesTextAgain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desk.db")
	s, err := OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, 12)
	if s.ft.InMemory() == 0 {
		t.Fatal("no full-text segment in memory: the test covers nothing")
	}
	hits := func(s *SQLite) map[string]int {
		out := map[string]int{}
		for _, q := range []string{`huawei`, `"story 4 names"`, `paragraph NOT aws`, `stor*`, `title:aws`} {
			p, err := s.Search(ctx, SearchQuery{Q: q, Limit: 50})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			out[q] = len(p.Hits)
		}
		return out
	}
	want := hits(s)
	// As a kill would leave it: nothing written at close.
	s.r.Close()
	s.w.Close()

	s, err = OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hits(s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the crash: %v, want %v", got, want)
	}
	if s.ft.InMemory() == 0 {
		t.Error("reopened: nothing indexed again")
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := s.ft.InMemory(); n != 0 {
		t.Errorf("after a clean close: %d documents to index again", n)
	}
	if got := hits(s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a clean close: %v, want %v", got, want)
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}
