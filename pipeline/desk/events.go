package desk

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"newsmon/pipeline"
)

// Hub hands new alerts to the live consoles (server-sent events). A
// console that does not keep up loses alerts rather than slowing the
// indexer, and is told to reload.
type Hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	q      AlertQuery
	ch     chan pipeline.Alert
	lagged bool
}

// NewHub returns a hub with no subscribers.
func NewHub() *Hub { return &Hub{subs: map[*subscriber]struct{}{}} }

// Publish hands alerts to every subscriber whose filters they pass.
func (h *Hub) Publish(alerts []pipeline.Alert) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		for i := range alerts {
			if !s.q.Matches(&alerts[i]) {
				continue
			}
			select {
			case s.ch <- alerts[i]:
			default:
				s.lagged = true
			}
		}
	}
}

func (h *Hub) subscribe(q AlertQuery) *subscriber {
	s := &subscriber{q: q, ch: make(chan pipeline.Alert, 256)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

func (h *Hub) takeLagged(s *subscriber) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := s.lagged
	s.lagged = false
	return l
}

// Subscribers counts the live consoles.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// events streams new alerts that pass the URL's filters: on /api/events
// each as "event: alert" with the alert's JSON, on /events (the console)
// with the alert's row rendered as HTML too.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q, err := parseAlertQuery(r.URL.Query(), s.o.Now())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	q.From = time.Time{} // a live view shows what arrives, whatever the range
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	html := r.URL.Path == "/events"
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events at once
	sub := s.o.Hub.subscribe(q)
	defer s.o.Hub.unsubscribe(sub)
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 3000\n: connected\n\n"))
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	p := principalOf(r.Context())
	var buf bytes.Buffer
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			w.Write([]byte(": keepalive\n\n"))
		case a := <-sub.ch:
			buf.Reset()
			var data []byte
			if html {
				// The alert in a group of its own; the page moves it into
				// its article's group when that is shown.
				var row bytes.Buffer
				s.tmpl.executeFragment(&row, "group", groupByArticle([]AlertView{{Alert: a}}, p, s.o.Auth.CSRF(p))[0])
				data, _ = json.Marshal(map[string]any{"id": a.ID, "article": a.Article.ID, "html": row.String()})
			} else {
				data, _ = json.Marshal(&a)
			}
			buf.WriteString("event: alert\nid: ")
			buf.WriteString(a.ID)
			buf.WriteString("\ndata: ")
			buf.Write(data)
			buf.WriteString("\n\n")
			w.Write(buf.Bytes())
		}
		if s.o.Hub.takeLagged(sub) {
			w.Write([]byte("event: lagged\ndata: {}\n\n"))
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
