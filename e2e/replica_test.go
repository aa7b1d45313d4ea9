package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

// replicaSite serves feeds on several loopback addresses, one host each, so
// that poll jobs (one per host) spread over the replicas.
type replicaSite struct {
	t     *testing.T
	hosts []string // base URLs, one per loopback address
	feeds []string // feed URLs

	mu     sync.Mutex
	round  int
	full   map[string]int            // unconditional fetches per feed and round: "round url"
	agents map[string]map[string]int // user agents per host base URL and round: "round base" -> agent -> requests
	first  map[string]time.Time      // first request of a user agent to a host in a round: "round base agent"
	// hang makes the first replica to ask a feed of hangHost in round
	// hangRound wait until its request is cancelled: the replica to kill.
	hangHost  string
	hangRound int
	hung      chan string // the hung replica's user agent
	hungOnce  sync.Once
	extra     map[string]string // round-2 item text per feed URL, for syndication
}

func newReplicaSite(t *testing.T, nHosts, feedsPerHost int) *replicaSite {
	t.Helper()
	s := &replicaSite{t: t, round: 1, full: map[string]int{}, agents: map[string]map[string]int{},
		first: map[string]time.Time{}, hung: make(chan string, 1), extra: map[string]string{}}
	for h := range nHosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+1))
		if err != nil {
			t.Skipf("cannot listen on a second loopback address: %v", err)
		}
		base := "http://" + ln.Addr().String()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, base) })}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		s.hosts = append(s.hosts, base)
		for f := range feedsPerHost {
			s.feeds = append(s.feeds, fmt.Sprintf("%s/feed/%d.xml", base, f))
		}
	}
	return s
}

// items a feed has in round r: 5 in round 1, 2 more in each later round.
func itemsIn(r int) int { return 5 + 2*(r-1) }

// storyText is a distinct text of some 80 words for item i of a feed: near
// duplicates must be told apart from merely similar news.
func storyText(feedURL string, i int) string {
	rng := rand.New(rand.NewPCG(uint64(len(feedURL))*7919+uint64(i), uint64(strings.Count(feedURL, "1"))*31+uint64(i)*131+hashString(feedURL)))
	words := make([]string, 80)
	for j := range words {
		words[j] = vocabulary[rng.IntN(len(vocabulary))]
	}
	return strings.Join(words, " ") + "."
}

func hashString(s string) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

var vocabulary = strings.Fields(`agency cloud provider rule export licence review court minister budget river
harbour election senate vote treaty border tariff market share index bank rate inflation storm flood drought
satellite launch rocket engine factory worker union strike contract supplier chip memory server data centre
network cable outage hospital school teacher student museum festival film album tour season match league
coach player transfer injury ferry bridge tunnel railway station airport pilot crew flight cargo port grain
harvest farmer forest fire coast island village mayor council police court judge appeal ruling statute`)

func (s *replicaSite) serve(w http.ResponseWriter, r *http.Request, base string) {
	feedURL := base + r.URL.Path
	s.mu.Lock()
	round := s.round
	if s.agents[fmt.Sprint(round, " ", base)] == nil {
		s.agents[fmt.Sprint(round, " ", base)] = map[string]int{}
	}
	s.agents[fmt.Sprint(round, " ", base)][r.UserAgent()]++
	hang := base == s.hangHost && round == s.hangRound
	if k := fmt.Sprint(round, " ", base, " ", r.UserAgent()); s.first[k].IsZero() {
		s.first[k] = time.Now()
	}
	extra := s.extra[feedURL]
	s.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, "/feed/") {
		http.NotFound(w, r)
		return
	}
	if hang {
		first := false
		s.hungOnce.Do(func() { first = true; s.hung <- r.UserAgent() })
		if first {
			<-r.Context().Done() // until the replica dies
			return
		}
	}
	etag := fmt.Sprintf(`"r%d"`, round)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.mu.Lock()
	s.full[fmt.Sprint(round, " ", feedURL)]++
	s.mu.Unlock()
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>%s/</link>`, r.URL.Path, base)
	for i := range itemsIn(round) {
		fmt.Fprintf(&b, `<item><title>Story %d</title><link>%s/story/%d</link><guid>%d</guid><description>%s</description></item>`,
			i, feedURL, i, i, storyText(feedURL, i))
	}
	if extra != "" {
		fmt.Fprintf(&b, `<item><title>Syndicated</title><link>%s/syndicated</link><guid>syn</guid><description>%s</description></item>`, feedURL, extra)
	}
	b.WriteString(`</channel></rss>`)
	w.Write([]byte(b.String()))
}

type replica struct {
	name   string
	client *bus.Client
	in     *ingest.Ingester
	cancel context.CancelFunc
	done   chan error
}

func startReplica(t *testing.T, s *server.Server, name string, sources []feed.Source) *replica {
	t.Helper()
	o := bus.DefaultOptions()
	o.URL, o.Name = s.ClientURL(), name
	c, err := bus.Connect(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !c.Conn().IsClosed() {
			c.Close()
		}
	})
	side := natstest.OpenIngest(t, c)
	in, err := ingest.New(ingest.Config{
		Sources:     sources,
		Interval:    time.Second,
		MinInterval: 300 * time.Millisecond,
		MaxInterval: 2 * time.Second,
		Tick:        100 * time.Millisecond,
		Workers:     4,
		Fetch:       fetch.New(fetch.Options{Allow: fetch.Loopback, Timeout: 20 * time.Second, UserAgent: name}),
		State:       side.States,
		Jobs:        side.Jobs,
		Near:        side.Near,
	}, c, side.Seen, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{name: name, client: c, in: in, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// kill stops a replica the way a crash would: its connection goes first,
// so it can neither acknowledge nor hand back the jobs it holds.
func (r *replica) kill() {
	r.client.Conn().Close()
	r.cancel()
	<-r.done
	r.done <- nil // for the cleanup
}

// storedArticles reads every message of ARTICLES: how many there are and
// how many times each article id occurs.
func storedArticles(t *testing.T, s *server.Server) (int, map[string]int, map[string]bool) {
	t.Helper()
	c := connect(t, s, "reader")
	js, err := jetstream.New(c.Conn())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	oc, err := js.OrderedConsumer(ctx, pipeline.ArticlesStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := oc.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := int(info.NumPending)
	ids, urls := map[string]int{}, map[string]bool{}
	for n := 0; n < total; {
		batch, err := oc.Fetch(total-n, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			n++
			var a pipeline.Article
			if err := json.Unmarshal(m.Data(), &a); err != nil {
				t.Fatalf("article message: %v", err)
			}
			ids[a.ID]++
			urls[a.URL] = true
		}
		if batch.Error() != nil {
			t.Fatal(batch.Error())
		}
	}
	return total, ids, urls
}

// waitArticles waits until ARTICLES holds want messages, then half a
// second more so that an extra one would show.
func waitArticles(t *testing.T, s *server.Server, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	c := connect(t, s, "counter")
	for streamMsgs(t, c, pipeline.ArticlesStream) < uint64(want) {
		if time.Now().After(deadline) {
			t.Fatalf("ARTICLES holds %d articles after %s, want %d", streamMsgs(t, c, pipeline.ArticlesStream), within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
}

// Two ingest replicas share one feed list through NATS alone: every item
// is published exactly once across both, a feed's document is fetched in
// full once per version (one replica at a time, conditional GETs after),
// a story syndicated under another URL is recorded as a near-duplicate and
// not published, and a killed replica's hosts are taken over by the other
// within the poll jobs' ack wait.
func TestReplicasShareFeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("replica test takes ~10s")
	}
	site := newReplicaSite(t, 4, 3)
	var sources []feed.Source
	no := false
	for _, u := range site.feeds {
		sources = append(sources, feed.Source{URL: u, Pages: &no})
	}
	// A killed replica's poll job comes back after 2 s.
	ns := natstest.Start(t)
	top := natstest.Topology()
	top.PollAckWait = 2 * time.Second
	natstest.Setup(t, ns.ClientURL(), top)
	a := startReplica(t, ns, "replica-a", sources)
	b := startReplica(t, ns, "replica-b", sources)
	replicas := map[string]*replica{a.name: a, b.name: b}

	// Round 1: 12 feeds of 5 items.
	round1 := len(site.feeds) * itemsIn(1)
	waitArticles(t, ns, round1, 20*time.Second)
	total, ids, _ := storedArticles(t, ns)
	if total != round1 || len(ids) != round1 {
		t.Fatalf("round 1: %d messages, %d distinct articles; want %d of each", total, len(ids), round1)
	}
	site.mu.Lock()
	for _, u := range site.feeds {
		if n := site.full[fmt.Sprint(1, " ", u)]; n != 1 {
			t.Errorf("round 1: %s fetched in full %d times, want once (then 304s)", u, n)
		}
	}
	site.mu.Unlock()
	if pa, pb := a.in.Stats().Published.Load(), b.in.Stats().Published.Load(); pa+pb != int64(round1) {
		t.Errorf("replicas say they published %d + %d, want %d in all", pa, pb, round1)
	}

	// Round 2: two new items a feed; the first host's first story turns up,
	// word for word, on a feed of the second host under its own URL; and the
	// first replica to ask a feed of the third host hangs there and is killed.
	syndicated := storyText(site.feeds[0], 0)
	site.mu.Lock()
	site.round = 2
	site.hangHost, site.hangRound = site.hosts[2], 2
	site.extra[site.feeds[3]] = syndicated
	site.mu.Unlock()

	var victim *replica
	select {
	case agent := <-site.hung:
		victim = replicas[agent]
	case <-time.After(10 * time.Second):
		t.Fatal("no replica polled the third host in round 2")
	}
	survivor := a
	if victim == a {
		survivor = b
	}
	killedAt := time.Now()
	victim.kill()

	round2 := round1 + len(site.feeds)*2
	waitArticles(t, ns, round2, time.Minute) // the takeover's bound, below
	took := time.Since(killedAt)
	total, ids, urls := storedArticles(t, ns)
	if total != round2 || len(ids) != round2 {
		t.Errorf("after round 2: %d messages, %d distinct articles; want %d of each", total, len(ids), round2)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("article %s stored %d times", id, n)
		}
	}
	if urls[site.feeds[3]+"/syndicated"] {
		t.Errorf("the syndicated copy %s was published", site.feeds[3]+"/syndicated")
	}
	site.mu.Lock()
	byAgent := maps.Clone(site.agents[fmt.Sprint(2, " ", site.hosts[2])]) // serve goes on counting
	takenAt := site.first[fmt.Sprint(2, " ", site.hosts[2], " ", survivor.name)]
	site.mu.Unlock()
	if byAgent[survivor.name] == 0 {
		t.Errorf("the third host was not polled by %s after %s was killed: %v", survivor.name, victim.name, byAgent)
	} else if takenAt.Before(killedAt) {
		t.Errorf("%s polled the third host at %s, before %s (holding its job) was killed at %s: two replicas on one host",
			survivor.name, takenAt.Format(time.StampMilli), victim.name, killedAt.Format(time.StampMilli))
	}
	if took > time.Minute {
		t.Errorf("takeover took %s, want under a minute", took)
	}
	t.Logf("killed %s; %s took over and round 2 was complete %s later", victim.name, survivor.name, took.Round(time.Millisecond))

	// The feed states show it too: every feed ok, with its items counted.
	// The survivor's view settles within a poll interval or two: its own
	// last states are saved just after their articles are stored, and a
	// feed whose poll the victim did not live to save is counted by its
	// next poll (it was once seen 82 of 84 when the count was lost).
	// The syndicated copy is counted there as the one near-duplicate
	// (the replicas' own counters would miss it if the victim recorded it
	// and died before counting).
	var counted, copies int64
	var notOK []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		counted, copies, notOK = 0, 0, nil
		for _, st := range survivor.in.Feeds() {
			if st.State != ingest.StateOK {
				notOK = append(notOK, st.URL+": "+st.State)
			}
			counted += st.Items
			copies += st.Duplicates
		}
		if (counted == int64(round2) && copies == 1 && len(notOK) == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if counted != int64(round2) || copies != 1 || len(notOK) > 0 {
		t.Errorf("feed states count %d items and %d near-duplicates, want %d and 1; feeds not ok: %v", counted, copies, round2, notOK)
	}
}

// The ingest user of deploy/nats may do all the ingest side needs: watch
// thousands of feed states, queue and take poll jobs, look up SEEN and NEAR,
// with no permission violation.
func TestIngestSideUnderDeployPermissions(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var violations []string
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.InboxPrefix = s.ClientURL(), "ingest", "ingest", "ingest-secret", "_INBOX_ingest"
	o.NATS = []nats.Option{nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		mu.Lock()
		violations = append(violations, err.Error())
		mu.Unlock()
	})}
	c, err := bus.Connect(ctx, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	side := natstest.OpenIngest(t, c)
	// Enough states that a push watcher would need flow control.
	const n = 5000
	state := []byte(`{"url":"https://example.com/feed.xml","state":"ok","etag":"` + strings.Repeat("x", 500) + `"}`)
	for i := range n {
		if _, ok, err := side.States.SaveState(ctx, fmt.Sprintf("k%d", i), state, 0); err != nil || !ok {
			t.Fatalf("save state %d: %v %v", i, ok, err)
		}
	}
	all, err := side.States.States(ctx)
	if err != nil || len(all) != n {
		t.Fatalf("watched %d states, err %v; want %d", len(all), err, n)
	}
	if err := side.Jobs.EnqueuePoll("example_com", "example_com:1"); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	jctx, jcancel := context.WithTimeout(ctx, 10*time.Second)
	defer jcancel()
	go side.Jobs.ConsumePolls(jctx, 1, func(_ context.Context, host string) error {
		got <- host
		return nil
	})
	select {
	case <-got:
	case <-jctx.Done():
		t.Error("no poll job delivered")
	}
	if err := side.Seen.MarkSeenAll(ctx, map[string]string{"0123abcd": "a:1"}); err != nil {
		t.Error(err)
	}
	if seen, err := side.Seen.SeenAll(ctx, []string{"0123abcd"}); err != nil || len(seen) != 1 {
		t.Errorf("seen lookup: %v %v", seen, err)
	}
	if _, err := side.Near.NearCandidates(ctx, []string{"b0-0000"}); err != nil {
		t.Error(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(violations) > 0 {
		t.Errorf("permission violations: %v", violations)
	}
}
