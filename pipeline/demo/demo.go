// Package demo serves a news site on loopback with a few dozen sample
// articles written for newsmon, some about the cloud firms and policy
// bodies it tracks and some that only look like it, so that `newsmon -demo`
// fills the console with alerts within seconds and without the internet.
// It owns the sample stories and their feed; polling them is ingest's job.
package demo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strings"
	"time"

	"newsmon/pipeline"
)

// Site is the sample news site.
type Site struct {
	srv   *http.Server
	ln    net.Listener
	start time.Time
}

// Start serves the site on 127.0.0.1 at a free port. Stories are dated
// relative to now, so trends show the last days filled.
func Start(now time.Time) (*Site, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo site: %w", err)
	}
	s := &Site{ln: ln, start: now.UTC().Truncate(time.Second)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", s.feed)
	mux.HandleFunc("GET /news/{slug}", s.page)
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("User-agent: *\nAllow: /\n")) })
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// FeedURL is the RSS feed of every story.
func (s *Site) FeedURL() string { return "http://" + s.ln.Addr().String() + "/feed.xml" }

// Close stops the site.
func (s *Site) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Site) url(st *story) string { return "http://" + s.ln.Addr().String() + "/news/" + st.slug }

type rss struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel channel  `xml:"channel"`
}

type channel struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	Description string `xml:"description"`
	Items       []item `xml:"item"`
}

type item struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	Author      string `xml:"author"`
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description"`
}

func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	f := rss{Version: "2.0", Channel: channel{Title: "The Sample Ledger (newsmon demo)", Link: "http://" + r.Host + "/",
		Description: "Invented stories for trying newsmon"}}
	for i := range stories {
		st := &stories[i]
		f.Channel.Items = append(f.Channel.Items, item{Title: st.title, Link: s.url(st), GUID: s.url(st), Author: st.by,
			PubDate: s.start.Add(-st.ago).Format(time.RFC1123Z), Description: st.paras[0]})
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(f)
}

func (s *Site) page(w http.ResponseWriter, r *http.Request) {
	for i := range stories {
		st := &stories[i]
		if st.slug != r.PathValue("slug") {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>", html.EscapeString(st.title))
		fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"%s\"><meta name=\"author\" content=\"%s\">", s.url(st), html.EscapeString(st.by))
		fmt.Fprintf(&b, "<meta property=\"article:published_time\" content=\"%s\"></head><body>", s.start.Add(-st.ago).Format(time.RFC3339))
		b.WriteString("<nav><a href=\"/\">The Sample Ledger</a> · <a href=\"/world\">World</a> · <a href=\"/tech\">Tech</a></nav><article>")
		fmt.Fprintf(&b, "<h1>%s</h1><p class=\"byline\">By %s</p>", html.EscapeString(st.title), html.EscapeString(st.by))
		for _, p := range st.paras {
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(p))
		}
		b.WriteString("</article><footer>Invented for the newsmon demo.</footer></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
		return
	}
	http.NotFound(w, r)
}

// Articles are the stories as the ingester would publish them, for tests
// and benchmarks that need realistic articles without polling the site.
func Articles(now time.Time) []pipeline.Article {
	var out []pipeline.Article
	for i := range stories {
		st := &stories[i]
		pub := now.UTC().Add(-st.ago).Truncate(time.Second)
		u := "https://demo.newsmon.test/news/" + st.slug
		text := strings.Join(st.paras, "\n\n")
		out = append(out, pipeline.Article{Schema: pipeline.SchemaVersion, ID: pipeline.ArticleID(u), URL: u, CanonicalURL: u,
			FeedURL: "https://demo.newsmon.test/feed.xml", Source: "demo", Title: st.title, Author: st.by, Published: &pub,
			FetchedAt: now.UTC(), Lang: "en", SiteName: "The Sample Ledger", Summary: st.paras[0], Text: text,
			ContentHash: pipeline.ContentHash(text), Extraction: pipeline.ExtractionPage})
	}
	return out
}
