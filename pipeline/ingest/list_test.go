package ingest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

// listed returns the URLs a replica polls, sorted.
func listed(in *ingest.Ingester) []string {
	var out []string
	for _, st := range in.Feeds() {
		out = append(out, st.URL)
	}
	slices.Sort(out)
	return out
}

// hits counts requests by path.
type hits struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *hits) get(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[path]
}

// `ingest feeds add|remove|pause|resume` go through FEEDS to every
// replica: each lists an added feed, drops a removed one, skips a paused
// one; a reload of a list file keeps what commands did.
func TestFeedCommandsReachEveryReplica(t *testing.T) {
	h := &hits{n: map[string]int{}}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.n[r.URL.Path]++
		h.mu.Unlock()
		fmt.Fprint(w, rss(srv.URL, item("x", srv.URL+"/x"+r.URL.Path, "", "x")))
	}))
	defer srv.Close()
	f1, f2, f3 := srv.URL+"/f1.xml", srv.URL+"/f2.xml", srv.URL+"/f3.xml"

	ns := natstest.StartSetUp(t)
	var replicas []*ingest.Ingester
	var logs [2]syncLog
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	no := false
	for i := range 2 {
		c := natstest.Connect(t, ns.ClientURL(), fmt.Sprintf("ingest-%d", i))
		side := natstest.OpenIngest(t, c)
		in, err := ingest.New(ingest.Config{
			Sources: []feed.Source{{URL: f1, Pages: &no}}, State: side.States, Tick: 20 * time.Millisecond,
			Fetch: fetch.New(fetch.Options{Allow: fetch.Loopback}),
		}, c, side.Seen, slog.New(slog.NewTextHandler(&logs[i], nil)))
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, in)
		wg.Go(func() { in.Run(ctx) })
	}
	cmd := natstest.Connect(t, ns.ClientURL(), "ingest-feeds")
	tool, err := bus.OpenFeedStates(context.Background(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	change := func(url, action string, l *ingest.Listing) ingest.FeedState {
		t.Helper()
		st, err := ingest.ChangeFeed(context.Background(), tool, ingest.Config{}, url, action, l, "tester@host")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	every := func(what string, cond func(in *ingest.Ingester) bool) {
		t.Helper()
		natstest.WaitFor(t, 10*time.Second, what, func() bool {
			for _, in := range replicas {
				if !cond(in) {
					return false
				}
			}
			return true
		})
	}

	st := change(f2, ingest.ActionAdd, &ingest.Listing{Name: "Added", Pages: &no})
	if !strings.HasPrefix(st.Change, "add by tester@host at ") {
		t.Errorf("change record %q", st.Change)
	}
	every("both replicas list the added feed", func(in *ingest.Ingester) bool { return slices.Equal(listed(in), []string{f1, f2}) })
	natstest.WaitFor(t, 10*time.Second, "the added feed polled", func() bool { return h.get("/f2.xml") > 0 })

	change(f1, ingest.ActionPause, nil)
	every("both replicas see the pause", func(in *ingest.Ingester) bool {
		for _, st := range in.Feeds() {
			if st.URL == f1 {
				return st.Paused
			}
		}
		return false
	})
	before := h.get("/f1.xml")
	for _, in := range replicas {
		in.PollAll(context.Background())
	}
	if h.get("/f1.xml") != before {
		t.Error("a paused feed was polled")
	}
	change(f1, ingest.ActionResume, nil)
	natstest.WaitFor(t, 10*time.Second, "the resumed feed polled", func() bool { return h.get("/f1.xml") > before })

	change(f2, ingest.ActionRemove, nil)
	every("both replicas drop the removed feed", func(in *ingest.Ingester) bool { return slices.Equal(listed(in), []string{f1}) })

	// A list file read again: f3 is new, f2 stays removed although the
	// file lists it, f1 is gone from the file.
	added, removed := replicas[0].SetSources(context.Background(), []feed.Source{{URL: f2, Pages: &no}, {URL: f3, Pages: &no}})
	natstest.WaitFor(t, 10*time.Second, "the reload settles", func() bool { return slices.Equal(listed(replicas[0]), []string{f3}) })
	if added != 2 || removed != 1 {
		t.Errorf("SetSources: added %d, removed %d; want 2 (f2 then dropped again) and 1", added, removed)
	}
	for _, want := range []string{"feed added by command", "feed paused by command", "feed resumed by command", "feed removed by command"} {
		for i := range logs {
			if !strings.Contains(logs[i].String(), want) {
				t.Errorf("replica %d did not log %q", i, want)
			}
		}
	}
	if _, err := ingest.ChangeFeed(context.Background(), tool, ingest.Config{}, srv.URL+"/never.xml", ingest.ActionPause, nil, "t"); err == nil {
		t.Error("pausing a feed FEEDS does not know succeeded")
	}
}

// The list file is read again when it changes, and a broken one is
// refused with the current list kept.
func TestWatchList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.txt")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		// The stamp has the modification time: make sure it moves.
		later := time.Now().Add(time.Duration(len(s)) * time.Second)
		os.Chtimes(path, later, later)
	}
	write("https://a.example/rss\n")
	sources, err := feed.LoadList(path)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncLog
	in, err := ingest.New(ingest.Config{Sources: sources, Fetch: fetch.New(fetch.Options{})}, nil, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.WatchList(ctx, func() ([]feed.Source, error) { return feed.LoadList(path) }, ingest.FileStamp(path), hup, 20*time.Millisecond)
	}()
	defer func() { cancel(); <-done }()
	hup <- os.Interrupt // any signal on the channel: SIGHUP in the service
	natstest.WaitFor(t, 5*time.Second, "the list read on a signal", func() bool { return in.Stats().ListReloads.Load() == 1 })

	write("https://a.example/rss\nhttps://b.example/rss\n")
	natstest.WaitFor(t, 5*time.Second, "the changed file read", func() bool {
		return slices.Equal(listed(in), []string{"https://a.example/rss", "https://b.example/rss"})
	})
	write("https://c.example/rss\nnot a url at all\n")
	natstest.WaitFor(t, 5*time.Second, "the broken file refused", func() bool { return in.Stats().ListErrors.Load() == 1 })
	if got := listed(in); len(got) != 2 {
		t.Errorf("after a broken file: %v, want the list before it", got)
	}
	if !strings.Contains(logs.String(), "feed list reload refused") || !strings.Contains(logs.String(), ":2:") {
		t.Errorf("the refusal does not name the line:\n%s", logs.String())
	}
	hup <- os.Interrupt
	natstest.WaitFor(t, 5*time.Second, "the broken list read again on a signal", func() bool { return in.Stats().ListErrors.Load() == 2 })
}
