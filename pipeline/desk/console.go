package desk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
)

type templates struct {
	pages map[string]*template.Template
	frag  *template.Template
}

var funcs = template.FuncMap{
	"marked": marked,
	"snippet": func(m pipeline.Match) template.HTML {
		return markFirst(strings.Join(strings.Fields(m.Snippet), " "), m.Text)
	},
	"ago":  ago,
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"path": url.PathEscape,
	"key":  func(a pipeline.Alert) string { return Key(&a) },
	"sev": func(s string) string {
		if s == "" {
			return "info"
		}
		return s
	},
	"uniqSnippets": uniqSnippets,
}

func parseTemplates() (*templates, error) {
	t := &templates{pages: map[string]*template.Template{}}
	base, err := template.New("").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, err
	}
	t.frag = base
	for _, page := range []string{"alerts", "search", "article", "trends", "try", "login", "error"} {
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t.pages[page], err = c.ParseFS(assets, "templates/"+page+".html"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *templates) executeFragment(w io.Writer, name string, data any) error {
	return t.frag.ExecuteTemplate(w, name, data)
}

// page is what every page's layout reads.
type page struct {
	Title   string
	Nav     string
	User    string
	Role    string
	Open    bool
	CSRF    string
	CanEdit bool
	Data    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	p := principalOf(r.Context())
	pg := page{Title: titleOf(data), Nav: name, User: p.User, Role: p.Role, Open: s.o.Auth.Open(), CSRF: s.o.Auth.CSRF(p), CanEdit: p.CanEdit(), Data: data}
	var buf bytes.Buffer
	if err := s.tmpl.pages[name].ExecuteTemplate(&buf, "layout", pg); err != nil {
		s.o.Log.Error("render", "page", name, "err", err)
		http.Error(w, "render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func titleOf(data any) string {
	if m, ok := data.(map[string]any); ok {
		if t, ok := m["Title"].(string); ok {
			return t
		}
	}
	return ""
}

// marked escapes text and turns the search markers into <mark>.
func marked(s string) template.HTML {
	esc := template.HTMLEscapeString(s)
	esc = strings.ReplaceAll(esc, MarkStart, "<mark>")
	esc = strings.ReplaceAll(esc, MarkEnd, "</mark>")
	return template.HTML(esc)
}

// markFirst escapes a sentence and marks the first occurrence of found.
func markFirst(sentence, found string) template.HTML {
	i := -1
	if found != "" {
		if i = strings.Index(sentence, found); i < 0 {
			i = strings.Index(strings.ToLower(sentence), strings.ToLower(found))
		}
	}
	if i < 0 {
		return template.HTML(template.HTMLEscapeString(sentence))
	}
	return template.HTML(template.HTMLEscapeString(sentence[:i]) + "<mark>" + template.HTMLEscapeString(sentence[i:i+len(found)]) +
		"</mark>" + template.HTMLEscapeString(sentence[i+len(found):]))
}

// uniqSnippets keeps one match per sentence, at most four.
func uniqSnippets(ms []pipeline.Match) []pipeline.Match {
	var out []pipeline.Match
	seen := map[string]bool{}
	for _, m := range ms {
		k := m.Field + "|" + m.Snippet
		if seen[k] || m.Snippet == "" {
			continue
		}
		seen[k] = true
		out = append(out, m)
		if len(out) == 4 {
			break
		}
	}
	return out
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

// alertData is what the "alert" fragment reads; grouped, it leaves the
// article's title to its group.
func alertData(a *AlertView, p Principal, csrf string, grouped bool) map[string]any {
	return map[string]any{"A": a, "CanEdit": p.CanEdit(), "CSRF": csrf, "Key": Key(&a.Alert), "Grouped": grouped}
}

// alertGroup is one article with the alerts it raised, for the "group"
// fragment: an analyst reads the article once, with every rule it matched.
type alertGroup struct {
	Article pipeline.ArticleRef
	Alerts  []map[string]any
}

// groupByArticle gathers a page of alerts (newest first) by article, each
// group where its newest alert is.
func groupByArticle(alerts []AlertView, p Principal, csrf string) []*alertGroup {
	var out []*alertGroup
	at := map[string]*alertGroup{}
	for i := range alerts {
		a := &alerts[i]
		g := at[a.Article.ID]
		if g == nil {
			g = &alertGroup{Article: a.Article}
			at[a.Article.ID] = g
			out = append(out, g)
		}
		g.Alerts = append(g.Alerts, alertData(a, p, csrf, true))
	}
	return out
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q, err := parseAlertQuery(v, s.o.Now())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	pg, err := s.o.Index.Alerts(r.Context(), q)
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	facets, err := s.o.Index.Facets(r.Context())
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	counts, err := s.o.Index.Counts(r.Context())
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	p := principalOf(r.Context())
	csrf := s.o.Auth.CSRF(p)
	groups := groupByArticle(pg.Alerts, p, csrf)
	filters := q.values(v.Get("since"))
	var next string
	if pg.Next != "" {
		next = "/?" + filters.Encode() + "&cursor=" + url.QueryEscape(pg.Next)
	}
	s.render(w, r, http.StatusOK, "alerts", map[string]any{
		"Title": "Alerts", "Groups": groups, "Next": next, "Facets": facets, "Q": q, "Since": v.Get("since"),
		"Filtered": len(filters) > 0, "Paged": q.Cursor != "", "Counts": counts,
		"Feed":   "/feeds/alerts?" + filters.Encode(),
		"Events": "/events?" + filters.Encode(),
		"Ranges": []string{"1h", "24h", "7d", "30d"},
	})
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	data := map[string]any{"Title": "Search", "V": v, "Ranges": []string{"24h", "7d", "30d"}}
	if strings.TrimSpace(v.Get("q")) == "" {
		s.render(w, r, http.StatusOK, "search", data)
		return
	}
	q, err := parseSearchQuery(v, s.o.Now())
	if err == nil {
		var pg SearchPage
		pg, err = s.o.Index.Search(r.Context(), q)
		data["Page"] = pg
		data["Title"] = "Search: " + q.Q
		if pg.More {
			nv := url.Values{}
			for k, vals := range v {
				nv[k] = vals
			}
			lim := q.Limit
			if lim == 0 {
				lim = 20
			}
			nv.Set("offset", fmt.Sprint(q.Offset+lim))
			data["Next"] = "/search?" + nv.Encode()
		}
		fv := url.Values{"q": {q.Q}}
		if q.Alerted {
			fv.Set("alerted", "1")
		}
		data["Feed"] = "/feeds/search?" + fv.Encode()
	}
	code := http.StatusOK
	if err != nil {
		code = status(err)
		if code >= 500 {
			s.o.Log.Error("search", "q", v.Get("q"), "err", err)
		}
		data["Error"] = err.Error()
	}
	s.render(w, r, code, "search", data)
}

// segment is a run of an article's text, marked when a rule matched it.
type segment struct {
	Text string
	Mark bool
}

// paragraphs splits text at blank lines and marks the byte ranges given.
func paragraphs(text string, ranges [][2]int) [][]segment {
	sort.Slice(ranges, func(i, j int) bool { return ranges[i][0] < ranges[j][0] })
	var out [][]segment
	var cur []segment
	pos := 0
	emit := func(end int, mark bool) {
		for pos < end {
			j := strings.Index(text[pos:end], "\n\n")
			if j < 0 {
				cur = append(cur, segment{text[pos:end], mark})
				pos = end
				return
			}
			if j > 0 {
				cur = append(cur, segment{text[pos : pos+j], mark})
			}
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			pos += j
			for pos < end && (text[pos] == '\n' || text[pos] == '\r') {
				pos++
			}
		}
	}
	for _, r := range ranges {
		if r[0] < pos || r[1] > len(text) || r[0] >= r[1] {
			continue
		}
		emit(r[0], false)
		emit(r[1], true)
	}
	emit(len(text), false)
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	v, err := s.o.Index.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	p := principalOf(r.Context())
	csrf := s.o.Auth.CSRF(p)
	var (
		rows   []map[string]any
		ranges [][2]int
		title  [][2]int
	)
	for i := range v.Alerts {
		rows = append(rows, alertData(&v.Alerts[i], p, csrf, true))
		for _, m := range v.Alerts[i].Matches {
			switch m.Field {
			case "body":
				ranges = append(ranges, [2]int{m.Start, m.End})
			case "title":
				title = append(title, [2]int{m.Start, m.End})
			}
		}
	}
	var titleSegs []segment
	if ps := paragraphs(v.Article.Title, title); len(ps) > 0 {
		titleSegs = ps[0]
	}
	s.render(w, r, http.StatusOK, "article", map[string]any{
		"Title": v.Article.Title, "V": v, "Rows": rows, "Paragraphs": paragraphs(v.Article.Text, ranges), "TitleSegs": titleSegs,
		"MissRules": s.ruleChoices(r.Context(), v),
	})
}

// ruleChoices are the rules an analyst may say an article should have
// matched: the desk's rule folder, else the rules with alerts in the index;
// the ones the article already raised are left out.
func (s *Server) ruleChoices(ctx context.Context, v *ArticleView) []RuleFacet {
	raised := map[string]bool{}
	for _, a := range v.Alerts {
		raised[Key(&a.Alert)] = true
	}
	var out []RuleFacet
	if s.o.RulesDir != "" {
		if set, err := rules.LoadDir(s.o.RulesDir); err == nil {
			for _, r := range set.Rules() {
				if !raised[r.Key()] {
					out = append(out, RuleFacet{Key: r.Key(), Name: r.Name})
				}
			}
			return out
		}
	}
	if f, err := s.o.Index.Facets(ctx); err == nil {
		for _, r := range f.Rules {
			if !raised[r.Key] {
				out = append(out, r)
			}
		}
	}
	return out
}

func (s *Server) trendsPage(w http.ResponseWriter, r *http.Request) {
	ts, err := Trends(r.Context(), s.o.Index, s.o.Now())
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	if e := r.URL.Query().Get("entity"); e != "" {
		ts = slices.DeleteFunc(ts, func(t Trend) bool { return t.Entity != e })
	}
	s.render(w, r, http.StatusOK, "trends", map[string]any{"Title": "Trends", "Trends": ts, "Baseline": baselineDays, "Z": spikeZ, "Min": spikeMinimum})
}

// exampleRule is what the "try a rule" box starts with.
const exampleRule = `# A rule to try: it is loaded beside the desk's rule folder, so it can
# name the entities there (cloud.huawei, policy.us-commerce, ...).
rules:
  - id: try-china-cloud-data-centers
    category: watch
    name: Chinese cloud provider and a data center
    severity: medium
    description: A Chinese cloud provider and a data center in one sentence.
    match: '@china-cloud NEAR/s ("data center" OR "data centers" OR "data centre")'
`

func (s *Server) tryPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "try", map[string]any{"Title": "Try a rule", "Rules": exampleRule, "Since": "7d",
		"Ranges": []string{"24h", "7d", "30d"}, "RulesDir": s.o.RulesDir})
}

func (s *Server) tryPost(w http.ResponseWriter, r *http.Request) {
	req := BacktestRequest{Rules: r.PostFormValue("rules"), Since: r.PostFormValue("since")}
	data := map[string]any{"Title": "Try a rule", "Rules": req.Rules, "Since": req.Since, "Ranges": []string{"24h", "7d", "30d"}, "RulesDir": s.o.RulesDir}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	res, err := Backtest(ctx, s.o.Index, s.o.RulesDir, &req, s.o.Now(), s.o.BacktestMax)
	code := http.StatusOK
	var re *RuleError
	switch {
	case errors.As(err, &re):
		code = http.StatusBadRequest
		data["Problems"] = re.Problems()
	case err != nil:
		code = status(err)
		data["Error"] = err.Error()
	default:
		data["Result"] = res
	}
	s.render(w, r, code, "try", data)
}

// feedbackForm takes the console's feedback forms when JavaScript is off,
// and goes back to the page they were on.
func (s *Server) feedbackForm(w http.ResponseWriter, r *http.Request) {
	req := FeedbackRequest{AlertID: r.PostFormValue("alert_id"), ArticleID: r.PostFormValue("article_id"),
		Rule: r.PostFormValue("rule"), Verdict: r.PostFormValue("verdict"), Note: r.PostFormValue("note")}
	if _, err := s.giveFeedback(r.Context(), principalOf(r.Context()), &req); err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", map[string]any{"Title": "Log in", "Next": safeNext(r.URL.Query().Get("next"))})
}

func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") {
		return "/"
	}
	return n
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	if !s.o.Auth.login(w, r, r.PostFormValue("user"), r.PostFormValue("password")) {
		s.o.Log.Warn("login refused", "user", r.PostFormValue("user"), "remote", r.RemoteAddr)
		s.render(w, r, http.StatusUnauthorized, "login", map[string]any{"Title": "Log in", "Next": next, "Error": "wrong name or password"})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request) {
	s.o.Auth.logout(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
