package desk

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"newsmon/pipeline"
)

// FeedbackPublisher stores a verdict in the FEEDBACK stream, so every desk
// and `tagger feedback export` see it. pipeline/bus implements it.
type FeedbackPublisher interface {
	PublishFeedback(ctx context.Context, f *pipeline.Feedback) error
}

//go:embed templates/*.html static/*
var assets embed.FS

// Options are what a Server works with.
type Options struct {
	Index     Index
	Publisher FeedbackPublisher
	Auth      *Auth
	Hub       *Hub
	// RulesDir is the rule folder in use: "try a rule" loads a pasted
	// file beside it, and "missed" feedback offers its rules.
	RulesDir string
	// Indexer, when set, is shown on the status page and API.
	Indexer *Indexer
	Log     *slog.Logger
	Now     func() time.Time
	// BacktestMax caps the articles a backtest reads (default 100,000).
	BacktestMax int
}

// Server is the console and the API.
type Server struct {
	o    Options
	tmpl *templates
	mux  *http.ServeMux
}

// NewServer builds the handlers.
func NewServer(o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Hub == nil {
		o.Hub = NewHub()
	}
	if o.BacktestMax <= 0 {
		o.BacktestMax = 100_000
	}
	if o.Auth == nil {
		a, err := NewAuth(AuthOptions{})
		if err != nil {
			return nil, err
		}
		o.Auth = a
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{o: o, tmpl: t, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// Handler is the console and API with access checks.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Server) routes() {
	static, _ := fs.Sub(assets, "static")
	m := s.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.loginPost)
	m.HandleFunc("POST /logout", s.logoutPost)

	m.HandleFunc("GET /{$}", s.alertsPage)
	m.HandleFunc("GET /search", s.searchPage)
	m.HandleFunc("GET /articles/{id...}", s.articlePage)
	m.HandleFunc("GET /trends", s.trendsPage)
	m.HandleFunc("GET /try", s.tryPage)
	m.HandleFunc("POST /try", s.editor(s.tryPost))
	m.HandleFunc("POST /feedback", s.editor(s.feedbackForm))
	m.HandleFunc("GET /events", s.events)

	m.HandleFunc("GET /api/session", s.apiSession)
	m.HandleFunc("GET /api/status", s.apiStatus)
	m.HandleFunc("GET /api/alerts", s.apiAlerts)
	m.HandleFunc("GET /api/alerts/{id...}", s.apiAlert)
	m.HandleFunc("GET /api/search", s.apiSearch)
	m.HandleFunc("GET /api/articles/{id...}", s.apiArticle)
	m.HandleFunc("GET /api/trends", s.apiTrends)
	m.HandleFunc("GET /api/facets", s.apiFacets)
	m.HandleFunc("GET /api/feedback", s.apiFeedbackList)
	m.HandleFunc("POST /api/feedback", s.editor(s.apiFeedback))
	m.HandleFunc("POST /api/backtest", s.editor(s.apiBacktest))
	m.HandleFunc("GET /api/events", s.events)
	m.HandleFunc("GET /feeds/alerts", s.atomAlerts)
	m.HandleFunc("GET /feeds/search", s.atomSearch)
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// maxBody caps what a POST may send: a rule file, a form.
const maxBody = 1 << 20

// serve checks who is asking and whether they may, then routes.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if s.o.Auth.Open() && !loopbackHost(r.Host) {
		// An open console answers only to names of this machine, so a page
		// elsewhere cannot reach it through a DNS name rebound to 127.0.0.1.
		http.Error(w, "this console has no logins and answers only on localhost; give the desk a users file to serve other names", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	p := s.o.Auth.identify(w, r)
	r = r.WithContext(withPrincipal(r.Context(), p))
	public := r.URL.Path == "/login" || strings.HasPrefix(r.URL.Path, "/static/")
	if r.Method == http.MethodPost && !s.o.Auth.checkCSRF(r, p) {
		s.fail(w, r, http.StatusForbidden, errors.New("missing or wrong CSRF token: reload the page and try again"))
		return
	}
	if !public && !p.CanRead() {
		if isAPI(r) {
			h.Set("WWW-Authenticate", `Basic realm="newsmon desk"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "log in: a session cookie from /login, or basic auth"})
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/feeds/")
}

// editor lets only editors through.
func (s *Server) editor(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !principalOf(r.Context()).CanEdit() {
			s.fail(w, r, http.StatusForbidden, errors.New("only editors may do this; your role is reader"))
			return
		}
		h(w, r)
	}
}

// fail answers an error as JSON to the API and as a page to the console.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	if code >= 500 {
		s.o.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if isAPI(r) || r.Header.Get("Accept") == "application/json" {
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	s.render(w, r, code, "error", map[string]any{"Title": http.StatusText(code), "Code": code, "Message": err.Error()})
}

// status picks the HTTP status of an error from the index.
func status(err error) int {
	var (
		bq *BadQueryError
		ce *CursorError
		pe *paramError
		re *RuleError
		ue *errUnavailable
	)
	switch {
	case errors.As(err, &bq), errors.As(err, &ce), errors.As(err, &pe), errors.As(err, &re):
		return http.StatusBadRequest
	case errors.As(err, &ue):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// paramError is a query parameter the desk cannot read.
type paramError struct{ name, value, want string }

func (e *paramError) Error() string {
	return fmt.Sprintf("parameter %s=%q: %s", e.name, e.value, e.want)
}

// parseAlertQuery reads the filters of the console's URL and the API:
// category, rule, source (each repeatable), severity (the least),
// since (24h, 7d), from and to (RFC 3339 or a date), cursor and limit.
func parseAlertQuery(v url.Values, now time.Time) (AlertQuery, error) {
	q := AlertQuery{
		Categories: nonEmpty(v["category"]),
		Rules:      nonEmpty(v["rule"]),
		Sources:    nonEmpty(v["source"]),
		Cursor:     v.Get("cursor"),
	}
	if sev := v.Get("severity"); sev != "" {
		if !slices.Contains(Severities, sev) {
			return q, &paramError{"severity", sev, "want info, low, medium, high or critical"}
		}
		q.MinSeverity = sev
	}
	var err error
	if q.From, q.To, err = parseRange(v, now); err != nil {
		return q, err
	}
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 {
			return q, &paramError{"limit", l, "want a positive number"}
		}
	}
	return q, nil
}

func nonEmpty(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// parseRange reads since, from and to.
func parseRange(v url.Values, now time.Time) (from, to time.Time, err error) {
	if s := v.Get("since"); s != "" {
		d, err := parseSince(s)
		if err != nil {
			return from, to, &paramError{"since", s, "want a duration such as 1h, 24h or 7d"}
		}
		from = now.Add(-d)
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, s); err != nil {
				return from, to, &paramError{p.name, s, "want RFC 3339 (2026-11-02T10:00:00Z) or a date (2026-11-02)"}
			}
		}
		*p.dst = t
	}
	return from, to, nil
}

// parseSince reads a duration that may be given in days: 7d, 36h, 90m.
func parseSince(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > 3650 {
			return 0, errors.New("bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("bad duration")
	}
	return d, nil
}

// ParseSince reads a period such as 7d or 36h (the -since of tagger
// backtest).
func ParseSince(s string) (time.Duration, error) {
	d, err := parseSince(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration such as 24h or 7d", s)
	}
	return d, nil
}

// Matches reports whether an alert passes the query's filters (its cursor,
// limit and article aside); live consoles use it on new alerts.
func (q AlertQuery) Matches(a *pipeline.Alert) bool {
	if len(q.Categories) > 0 && !slices.Contains(q.Categories, a.Category) {
		return false
	}
	if len(q.Rules) > 0 && !slices.Contains(q.Rules, Key(a)) {
		return false
	}
	if len(q.Sources) > 0 && !slices.Contains(q.Sources, a.Article.Source) {
		return false
	}
	if q.MinSeverity != "" && severityRank(a.Severity) < severityRank(q.MinSeverity) {
		return false
	}
	if !q.From.IsZero() && a.TaggedAt.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !a.TaggedAt.Before(q.To) {
		return false
	}
	return q.Article == "" || q.Article == a.Article.ID
}

// values is the URL form of a query's filters (no cursor), for links.
func (q AlertQuery) values(since string) url.Values {
	v := url.Values{}
	for _, c := range q.Categories {
		v.Add("category", c)
	}
	for _, r := range q.Rules {
		v.Add("rule", r)
	}
	for _, src := range q.Sources {
		v.Add("source", src)
	}
	if q.MinSeverity != "" {
		v.Set("severity", q.MinSeverity)
	}
	if since != "" {
		v.Set("since", since)
	} else {
		if !q.From.IsZero() {
			v.Set("from", q.From.Format(time.RFC3339))
		}
		if !q.To.IsZero() {
			v.Set("to", q.To.Format(time.RFC3339))
		}
	}
	return v
}

func parseSearchQuery(v url.Values, now time.Time) (SearchQuery, error) {
	q := SearchQuery{Q: v.Get("q"), Alerted: v.Get("alerted") == "1" || v.Get("alerted") == "true", Sort: v.Get("sort")}
	if q.Sort != "" && q.Sort != "rank" && q.Sort != "newest" {
		return q, &paramError{"sort", q.Sort, "want rank or newest"}
	}
	var err error
	if q.From, q.To, err = parseRange(v, now); err != nil {
		return q, err
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"offset", &q.Offset}, {"limit", &q.Limit}} {
		if s := v.Get(p.name); s != "" {
			if *p.dst, err = strconv.Atoi(s); err != nil || *p.dst < 0 || *p.dst > 10000 {
				return q, &paramError{p.name, s, "want a number from 0 to 10000"}
			}
		}
	}
	return q, nil
}
