package desk

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Atom feeds of a filter (/feeds/alerts?<the console's filters>) or a
// search (/feeds/search?q=...), so an analyst can follow a view in a feed
// reader. A feed reader that needs a login uses basic auth.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID       string       `xml:"id"`
	Title    string       `xml:"title"`
	Updated  string       `xml:"updated"`
	Links    []atomLink   `xml:"link"`
	Category []atomCat    `xml:"category,omitempty"`
	Summary  *atomContent `xml:"summary,omitempty"`
}

type atomCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeAtom(w http.ResponseWriter, f *atomFeed) {
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	enc.Encode(f)
}

func (s *Server) atomAlerts(w http.ResponseWriter, r *http.Request) {
	q, err := parseAlertQuery(r.URL.Query(), s.o.Now())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	q.Cursor = ""
	page, err := s.o.Index.Alerts(r.Context(), q)
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	base := baseURL(r)
	view := base + "/?" + r.URL.RawQuery
	f := &atomFeed{ID: base + r.URL.RequestURI(), Title: "newsmon alerts" + describeFilter(q),
		Updated: s.o.Now().UTC().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "self", Href: base + r.URL.RequestURI()}, {Rel: "alternate", Href: view}}}
	for _, a := range page.Alerts {
		var sum strings.Builder
		for i, m := range a.Matches {
			if i == 3 {
				break
			}
			sum.WriteString(strings.Join(strings.Fields(m.Snippet), " "))
			sum.WriteString("\n")
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:       "urn:newsmon:alert:" + a.ID,
			Title:    fmt.Sprintf("[%s] %s", Key(&a.Alert), a.Article.Title),
			Updated:  a.TaggedAt.UTC().Format(time.RFC3339),
			Links:    []atomLink{{Href: a.Article.URL}, {Rel: "related", Href: base + "/articles/" + url.PathEscape(a.Article.ID)}},
			Category: []atomCat{{Term: Key(&a.Alert), Label: a.Name}},
			Summary:  &atomContent{Type: "text", Body: strings.TrimSpace(sum.String())},
		})
	}
	writeAtom(w, f)
}

func (s *Server) atomSearch(w http.ResponseWriter, r *http.Request) {
	q, err := parseSearchQuery(r.URL.Query(), s.o.Now())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	q.Sort, q.Offset = "newest", 0
	page, err := s.o.Index.Search(r.Context(), q)
	if err != nil {
		s.fail(w, r, status(err), err)
		return
	}
	base := baseURL(r)
	f := &atomFeed{ID: base + r.URL.RequestURI(), Title: "newsmon search: " + q.Q, Updated: s.o.Now().UTC().Format(time.RFC3339),
		Links: []atomLink{{Rel: "self", Href: base + r.URL.RequestURI()}, {Rel: "alternate", Href: base + "/search?" + r.URL.RawQuery}}}
	for _, h := range page.Hits {
		updated := s.o.Now()
		if h.Published != nil {
			updated = *h.Published
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:      "urn:newsmon:article:" + h.ID,
			Title:   unmark(h.Title),
			Updated: updated.UTC().Format(time.RFC3339),
			Links:   []atomLink{{Href: h.URL}, {Rel: "related", Href: base + "/articles/" + url.PathEscape(h.ID)}},
			Summary: &atomContent{Type: "text", Body: unmark(h.Snippet)},
		})
	}
	writeAtom(w, f)
}

func unmark(s string) string {
	return strings.NewReplacer(MarkStart, "", MarkEnd, "").Replace(s)
}

// describeFilter names a filter for a feed's title.
func describeFilter(q AlertQuery) string {
	var parts []string
	parts = append(parts, q.Categories...)
	parts = append(parts, q.Rules...)
	parts = append(parts, q.Sources...)
	if q.MinSeverity != "" {
		parts = append(parts, q.MinSeverity+"+")
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}
