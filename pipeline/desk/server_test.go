package desk

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline"
)

// published records what the server published, standing in for FEEDBACK.
type published struct {
	mu  sync.Mutex
	got []pipeline.Feedback
}

func (p *published) PublishFeedback(_ context.Context, f *pipeline.Feedback) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, *f)
	return nil
}

type testDesk struct {
	*httptest.Server
	idx *SQLite
	pub *published
}

func newTestDesk(t *testing.T, users string) *testDesk {
	t.Helper()
	idx := openTest(t)
	fill(t, idx, 12)
	ao := AuthOptions{}
	if users != "" {
		ao.UsersFile = users
	}
	auth, err := NewAuth(ao)
	if err != nil {
		t.Fatal(err)
	}
	pub := &published{}
	s, err := NewServer(Options{Index: idx, Publisher: pub, Auth: auth, RulesDir: "../../rules", Now: func() time.Time { return t0.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &testDesk{Server: ts, idx: idx, pub: pub}
}

func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func getJSON(t *testing.T, c *http.Client, u string, dst any) int {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if dst != nil {
		if err := json.NewDecoder(res.Body).Decode(dst); err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
	}
	return res.StatusCode
}

func postJSON(t *testing.T, c *http.Client, u, csrf string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", u, strings.NewReader(string(data)))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func csrfOf(t *testing.T, c *http.Client, base string) string {
	var s struct{ CSRF string }
	if code := getJSON(t, c, base+"/api/session", &s); code != 200 || s.CSRF == "" {
		t.Fatalf("session: %d %+v", code, s)
	}
	return s.CSRF
}

func TestAPIReads(t *testing.T) {
	d := newTestDesk(t, "")
	c := client(t)
	var page AlertPage
	if code := getJSON(t, c, d.URL+"/api/alerts?rule=cloud.aws&limit=2", &page); code != 200 || len(page.Alerts) != 2 || page.Next == "" {
		t.Fatalf("alerts: %d %+v", code, page)
	}
	var page2 AlertPage
	getJSON(t, c, d.URL+"/api/alerts?rule=cloud.aws&limit=2&cursor="+page.Next, &page2)
	if len(page2.Alerts) != 2 || page2.Alerts[0].ID == page.Alerts[0].ID {
		t.Errorf("second page = %+v", page2)
	}
	var sp SearchPage
	if code := getJSON(t, c, d.URL+"/api/search?q="+url.QueryEscape(`"story 7 names"`), &sp); code != 200 || len(sp.Hits) != 1 ||
		!strings.Contains(sp.Hits[0].Snippet, "<mark>story 7 names</mark>") {
		t.Errorf("search: %d %+v", code, sp)
	}
	var av ArticleView
	if code := getJSON(t, c, d.URL+"/api/articles/a:0003", &av); code != 200 || av.Article.Text == "" || len(av.Alerts) != 1 {
		t.Errorf("article: %d %+v", code, av)
	}
	for _, bad := range []struct{ path, want string }{
		{"/api/search?q=" + url.QueryEscape(`"unclosed`), "search"},
		{"/api/search?q=" + url.QueryEscape(`huawei AND`), "search"},
		{"/api/alerts?severity=urgent", "severity"},
		{"/api/alerts?since=forever", "since"},
		{"/api/alerts?cursor=nope", "cursor"},
	} {
		var e struct{ Error string }
		if code := getJSON(t, c, d.URL+bad.path, &e); code != 400 || !strings.Contains(e.Error, bad.want) {
			t.Errorf("%s: %d %q, want 400 naming %s", bad.path, code, e.Error, bad.want)
		}
	}
	if code := getJSON(t, c, d.URL+"/api/articles/a:nope", nil); code != 404 {
		t.Errorf("missing article: %d", code)
	}
	var trends struct{ Trends []Trend }
	if code := getJSON(t, c, d.URL+"/api/trends", &trends); code != 200 || len(trends.Trends) != 3 {
		t.Errorf("trends: %d %d", code, len(trends.Trends))
	}
}

func TestAtomFeeds(t *testing.T) {
	d := newTestDesk(t, "")
	for _, path := range []string{"/feeds/alerts?category=policy", "/feeds/search?q=huawei"} {
		res, err := http.Get(d.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var f atomFeed
		err = xml.NewDecoder(res.Body).Decode(&f)
		res.Body.Close()
		if err != nil || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" || len(f.Entries) != 4 {
			t.Errorf("%s: %v, %q, %d entries", path, err, res.Header.Get("Content-Type"), len(f.Entries))
		}
	}
}

func TestFeedbackAndCSRF(t *testing.T) {
	d := newTestDesk(t, "")
	c := client(t)
	tok := csrfOf(t, c, d.URL)
	if code, _ := postJSON(t, c, d.URL+"/api/feedback", "", map[string]string{"alert_id": "a:0001:aws", "verdict": "wrong"}); code != 403 {
		t.Errorf("feedback without CSRF token: %d, want 403", code)
	}
	if code, _ := postJSON(t, c, d.URL+"/api/feedback", "forged", map[string]string{"alert_id": "a:0001:aws", "verdict": "wrong"}); code != 403 {
		t.Errorf("feedback with a wrong token: %d, want 403", code)
	}
	code, out := postJSON(t, c, d.URL+"/api/feedback", tok, map[string]string{"alert_id": "a:0001:aws", "verdict": "wrong"})
	if code != 201 || out["rule"] != "cloud.aws" || out["body"] == "" {
		t.Fatalf("feedback: %d %v", code, out)
	}
	code, out = postJSON(t, c, d.URL+"/api/feedback", tok, map[string]string{"article_id": "a:0002", "rule": "cloud.huawei", "verdict": "missed"})
	if code != 201 {
		t.Fatalf("missed: %d %v", code, out)
	}
	if len(d.pub.got) != 2 || d.pub.got[0].Verdict != "wrong" || d.pub.got[1].Rule != "cloud.huawei" {
		t.Errorf("published %+v", d.pub.got)
	}
	var a AlertView
	getJSON(t, c, d.URL+"/api/alerts/a:0001:aws", &a)
	if a.Verdicts["wrong"] != 1 {
		t.Errorf("verdicts on the alert = %v", a.Verdicts)
	}
	if code, _ := postJSON(t, c, d.URL+"/api/feedback", tok, map[string]string{"alert_id": "a:0001:aws", "verdict": "maybe"}); code != 400 {
		t.Errorf("bad verdict: %d", code)
	}
	// A form post without the token is refused too.
	res, err := c.PostForm(d.URL+"/feedback", url.Values{"alert_id": {"a:0001:aws"}, "verdict": {"correct"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("form without token: %d", res.StatusCode)
	}
}

func TestOpenConsoleOnlyOnLocalhost(t *testing.T) {
	d := newTestDesk(t, "")
	req, _ := http.NewRequest("GET", d.URL+"/api/alerts", nil)
	req.Host = "attacker.example"
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("rebound host: %d, want 403", res.StatusCode)
	}
}

func TestUsersRolesAndLogin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	if err := AddUser(path, "ed", RoleEditor, "editor-password"); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(path, "rita", RoleReader, "reader-password"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("users file mode %v", st.Mode())
	}
	d := newTestDesk(t, path)
	anon := client(t)
	if code := getJSON(t, anon, d.URL+"/api/alerts", nil); code != 401 {
		t.Errorf("anonymous API: %d, want 401", code)
	}
	res, _ := anon.Get(d.URL + "/trends")
	res.Body.Close()
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	login := func(name, pw string) (*http.Client, int) {
		c := client(t)
		res, _ := c.Get(d.URL + "/login")
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		tok := between(string(body), `name="csrf" value="`, `"`)
		res, err := c.PostForm(d.URL+"/login", url.Values{"csrf": {tok}, "user": {name}, "password": {pw}, "next": {"/trends"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return c, res.StatusCode
	}
	if _, code := login("rita", "wrong-password"); code != 401 {
		t.Errorf("wrong password: %d", code)
	}
	reader, code := login("rita", "reader-password")
	if code != 303 {
		t.Fatalf("reader login: %d", code)
	}
	if code := getJSON(t, reader, d.URL+"/api/alerts", nil); code != 200 {
		t.Errorf("reader reads: %d", code)
	}
	tok := csrfOf(t, reader, d.URL)
	if code, _ := postJSON(t, reader, d.URL+"/api/feedback", tok, map[string]string{"alert_id": "a:0001:aws", "verdict": "wrong"}); code != 403 {
		t.Errorf("reader feedback: %d, want 403", code)
	}
	if code, _ := postJSON(t, reader, d.URL+"/api/backtest", tok, BacktestRequest{Rules: "rules: []"}); code != 403 {
		t.Errorf("reader backtest: %d, want 403", code)
	}
	editor, _ := login("ed", "editor-password")
	tok = csrfOf(t, editor, d.URL)
	if code, out := postJSON(t, editor, d.URL+"/api/feedback", tok, map[string]string{"alert_id": "a:0001:aws", "verdict": "correct"}); code != 201 || out["user"] != "ed" {
		t.Errorf("editor feedback: %d %v", code, out)
	}
	// Basic auth for curl and feed readers, with the token from /api/session.
	basic := &http.Client{}
	req, _ := http.NewRequest("GET", d.URL+"/feeds/alerts", nil)
	req.SetBasicAuth("rita", "reader-password")
	res, err := basic.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("basic auth feed: %d", res.StatusCode)
	}
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}

func TestBacktest(t *testing.T) {
	d := newTestDesk(t, "")
	c := client(t)
	tok := csrfOf(t, c, d.URL)
	rule := `rules:
  - id: try-fcc
    category: watch
    name: FCC stories
    severity: low
    description: Any story naming the FCC.
    match: policy.fcc
`
	code, out := postJSON(t, c, d.URL+"/api/backtest", tok, BacktestRequest{Rules: rule, Since: "30d"})
	if code != 200 {
		t.Fatalf("backtest: %d %v", code, out)
	}
	rs := out["rules"].([]any)
	r := rs[0].(map[string]any)
	if len(rs) != 1 || r["key"] != "watch.try-fcc" || r["flagged"].(float64) != 4 || r["new"].(float64) != 4 {
		t.Errorf("backtest rules = %v", rs)
	}
	code, out = postJSON(t, c, d.URL+"/api/backtest", tok, BacktestRequest{Rules: "rules:\n  - id: x\n    match: nothing.here\n"})
	if code != 400 || out["problems"] == nil {
		t.Errorf("bad rule: %d %v", code, out)
	}
}

func TestConsolePagesRender(t *testing.T) {
	d := newTestDesk(t, "")
	for _, path := range []string{"/", "/?category=cloud&since=24h", "/search", "/search?q=huawei", "/search?q=%22broken",
		"/articles/a:0001", "/trends", "/try", "/login"} {
		res, err := http.Get(d.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := 200
		if strings.Contains(path, "broken") {
			want = 400
		}
		if res.StatusCode != want || !strings.Contains(string(body), "</html>") {
			t.Errorf("%s: %d, want %d\n%.300s", path, res.StatusCode, want, body)
		}
	}
}

func TestParagraphsMarkRanges(t *testing.T) {
	text := "One Huawei line.\n\nTwo: AWS and FCC."
	ps := paragraphs(text, [][2]int{{4, 10}, {23, 26}, {31, 34}})
	var got []string
	for _, p := range ps {
		var b strings.Builder
		for _, s := range p {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		got = append(got, b.String())
	}
	if strings.Join(got, "|") != "One [Huawei] line.|Two: [AWS] and [FCC]." {
		t.Errorf("paragraphs = %q", got)
	}
}
