package desk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"newsmon/pipeline"
)

func (s *Server) apiSession(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"user": p.User, "role": p.Role, "csrf": s.o.Auth.CSRF(p)})
}

// Status is what /api/status says about the desk.
type Status struct {
	Counts    Counts           `json:"counts"`
	Positions map[string]int64 `json:"positions,omitempty"`
	Malformed map[string]int64 `json:"malformed,omitempty"`
	Consoles  int              `json:"live_consoles"`
}

func (s *Server) status(ctx context.Context) (Status, error) {
	st := Status{Consoles: s.o.Hub.Subscribers()}
	// Positions first: the counts then hold at least what they say was
	// stored.
	if x := s.o.Indexer; x != nil {
		st.Positions, st.Malformed = map[string]int64{}, map[string]int64{}
		for _, stream := range Streams {
			st.Positions[stream] = x.st.Position[stream].Load()
			st.Malformed[stream] = x.st.Malformed[stream].Load()
		}
	}
	var err error
	st.Counts, err = s.o.Index.Counts(ctx)
	return st, err
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r.Context())
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	q, err := parseAlertQuery(r.URL.Query(), s.o.Now())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	page, err := s.o.Index.Alerts(r.Context(), q)
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiAlert(w http.ResponseWriter, r *http.Request) {
	a, err := s.o.Index.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q, err := parseSearchQuery(r.URL.Query(), s.o.Now())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	page, err := s.o.Index.Search(r.Context(), q)
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	// Markers become <mark> tags for API clients, with the text escaped.
	for i := range page.Hits {
		page.Hits[i].Title = string(marked(page.Hits[i].Title))
		page.Hits[i].Snippet = string(marked(page.Hits[i].Snippet))
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	v, err := s.o.Index.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiTrends(w http.ResponseWriter, r *http.Request) {
	ts, err := Trends(r.Context(), s.o.Index, s.o.Now())
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	if e := r.URL.Query().Get("entity"); e != "" {
		ts = slices.DeleteFunc(ts, func(t Trend) bool { return t.Entity != e })
	}
	if ts == nil {
		ts = []Trend{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"baseline_days": baselineDays, "spike_z": spikeZ, "spike_minimum": spikeMinimum, "trends": ts})
}

func (s *Server) apiFacets(w http.ResponseWriter, r *http.Request) {
	f, err := s.o.Index.Facets(r.Context())
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) apiFeedbackList(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	fb, err := s.o.Index.Feedback(r.Context(), FeedbackQuery{Rule: v.Get("rule"), Article: v.Get("article")})
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"feedback": fb})
}

// FeedbackRequest is a verdict as the console and API send it: on an alert
// (correct or wrong), or on an article that should have matched a rule
// (missed).
type FeedbackRequest struct {
	AlertID   string `json:"alert_id,omitempty"`
	ArticleID string `json:"article_id,omitempty"`
	Rule      string `json:"rule,omitempty"` // for missed: the rule key that should have matched
	Verdict   string `json:"verdict"`
	Note      string `json:"note,omitempty"`
}

func decodeBody(r *http.Request, dst any) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return &paramError{"body", "", err.Error()}
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			return &paramError{"body", "", "not the JSON this endpoint takes: " + err.Error()}
		}
		return nil
	}
	return &paramError{"Content-Type", r.Header.Get("Content-Type"), "want application/json"}
}

func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request) {
	var req FeedbackRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	f, err := s.giveFeedback(r.Context(), principalOf(r.Context()), &req)
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

// errUnavailable is feedback that cannot be stored because the stream is
// out of reach.
type errUnavailable struct{ err error }

func (e *errUnavailable) Error() string { return "feedback not stored, try again: " + e.err.Error() }

// giveFeedback builds a verdict, publishes it on FEEDBACK and stores it.
func (s *Server) giveFeedback(ctx context.Context, p Principal, req *FeedbackRequest) (*pipeline.Feedback, error) {
	if utf8.RuneCountInString(req.Note) > 1000 {
		return nil, &paramError{"note", req.Note[:40] + "…", "at most 1000 characters"}
	}
	f := &pipeline.Feedback{Schema: pipeline.SchemaVersion, Verdict: req.Verdict, User: p.User, Note: req.Note, At: s.o.Now().UTC()}
	switch req.Verdict {
	case pipeline.VerdictCorrect, pipeline.VerdictWrong:
		if req.AlertID == "" {
			return nil, &paramError{"alert_id", "", "a verdict of correct or wrong is on an alert"}
		}
		a, err := s.o.Index.Alert(ctx, req.AlertID)
		if err != nil {
			return nil, err
		}
		f.Rule, f.AlertID, f.Article, f.Matches = Key(&a.Alert), a.ID, a.Article, a.Matches
		if v, err := s.o.Index.Article(ctx, a.Article.ID); err == nil && !v.Stub {
			f.Body = capText(v.Article.Text, pipeline.FeedbackBodyMax)
		}
	case pipeline.VerdictMissed:
		if req.ArticleID == "" || req.Rule == "" {
			return nil, &paramError{"article_id", req.ArticleID, "missed needs the article and the rule (category.id) that should have matched"}
		}
		if cat, id, ok := strings.Cut(req.Rule, "."); !ok || cat == "" || id == "" {
			return nil, &paramError{"rule", req.Rule, "want category.id, e.g. cloud.huawei"}
		}
		v, err := s.o.Index.Article(ctx, req.ArticleID)
		if err != nil {
			return nil, err
		}
		if v.Stub {
			return nil, &paramError{"article_id", req.ArticleID, "the desk holds only the alerts of this article, not its text"}
		}
		a := &v.Article
		f.Rule, f.Body = req.Rule, capText(a.Text, pipeline.FeedbackBodyMax)
		f.Article = pipeline.ArticleRef{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, Published: a.Published}
	default:
		return nil, &paramError{"verdict", req.Verdict, "want correct, wrong or missed"}
	}
	f.ID = pipeline.FeedbackID(f.Article.ID, f.Rule, f.Verdict, f.User)
	if s.o.Publisher == nil {
		return nil, &errUnavailable{errors.New("this desk has no FEEDBACK stream")}
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.o.Publisher.PublishFeedback(pctx, f); err != nil {
		return nil, &errUnavailable{err}
	}
	if err := s.o.Index.AddFeedback(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// capText cuts text to at most n bytes at a rune boundary.
func capText(text string, n int) string {
	if len(text) <= n {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

func (s *Server) apiBacktest(w http.ResponseWriter, r *http.Request) {
	var req BacktestRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	res, err := Backtest(ctx, s.o.Index, s.o.RulesDir, &req, s.o.Now(), s.o.BacktestMax)
	var re *RuleError
	if errors.As(err, &re) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "the rules do not load", "problems": re.Problems()})
		return
	}
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
