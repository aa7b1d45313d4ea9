// Command desk measures the analyst desk's index (docs/benchmarks.md):
//
//   - indexing: articles of about 5 KB published to ARTICLES on a NATS
//     server run in a child process (this program again, -phase nats), as
//     in a deployment, where the desk and nats-server are processes of
//     their own; then read over TCP by the desk's indexer (bus.Follow, an
//     ordered consumer) into a new index in this process, on one core
//     (GOMAXPROCS=1). It prints articles per CPU-second of this process
//     alone (the desk's core) and of this process and the server together;
//
//   - search and the console: an index of 1,000,000 generated articles and
//     1,000,000 alerts, built once into -big (reused when it is there), then
//     opened by a fresh process that times two-word searches, the first page
//     of alerts through the console's HTTP handler (rendered HTML) and the
//     API, and reports its peak RSS.
//
//     go run ./bench/desk                                 # both
//     go run ./bench/desk -phase index -n 20000           # indexing only
//     go run ./bench/desk -phase big -big /tmp/desk-1m.db # build or reuse the big index, then measure
//
// -phase nats is internal: the child that serves NATS for the indexing
// measure (store in -store, address printed on stdout, stops when its
// stdin closes).
//
// Text: the word frequencies of the 181 hand-annotated article bodies of
// pipeline/extract/testdata/extraction-bench/ground-truth.json.gz (English
// news and blog prose); the indexing articles are those bodies cut or
// repeated to 5 KB with a serial number, the big index's articles are
// sentences drawn word by word from the same frequencies (a unigram model:
// the real Zipf curve of news prose, not its grammar), 250 words each,
// one in five naming a tracked firm so alerts have real matches.
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/embedded"
	"newsmon/pipeline/desk"
)

func main() {
	var (
		phase   = flag.String("phase", "all", "index, big, query (the measuring half of big, in its own process), nats (the server of index, in its own process) or all")
		store   = flag.String("store", "", "with -phase nats: the JetStream store directory")
		n       = flag.Int("n", 30000, "articles for the indexing measure")
		size    = flag.Int("size", 5000, "bytes per article for the indexing measure")
		bigN    = flag.Int("big-n", 1_000_000, "articles (and alerts) of the big index")
		big     = flag.String("big", filepath.Join(os.TempDir(), "newsmon-desk-bench-1m.db"), "the big index file: built when missing, reused otherwise")
		corpus  = flag.String("corpus", "pipeline/extract/testdata/extraction-bench/ground-truth.json.gz", "article bodies to take text and word frequencies from")
		queries = flag.Int("queries", 300, "search queries to time")
		seed    = flag.Uint64("seed", 1, "random seed")
		prof    = flag.String("cpuprofile", "", "write a CPU profile of the indexing measure (or of the searches, with -phase query) here")
	)
	flag.Parse()
	cpuprofile = *prof
	if *phase == "nats" {
		serveNATS(*store)
		return
	}
	bodies, err := loadBodies(*corpus)
	if err != nil {
		fail(err)
	}
	switch *phase {
	case "index":
		indexing(bodies, *n, *size)
	case "big":
		buildBig(bodies, *big, *bigN, *seed)
		reexecQuery(*big, *queries, *seed)
	case "query":
		query(bodies, *big, *queries, *seed)
	case "all":
		indexing(bodies, *n, *size)
		buildBig(bodies, *big, *bigN, *seed)
		reexecQuery(*big, *queries, *seed)
	default:
		fail(fmt.Errorf("-phase %q: want index, big, query or all", *phase))
	}
}

var cpuprofile string

// cleanups run, newest first, before fail exits: os.Exit skips deferred
// calls, and the NATS child and its store must not outlive the program.
var cleanups []func()

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/desk:", err)
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(1)
}

func loadBodies(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%v (run from the repository root)", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return nil, err
		}
	}
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.NewDecoder(r).Decode(&gt); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for _, v := range gt {
		if len(v.ArticleBody) > 500 {
			out = append(out, v.ArticleBody)
		}
	}
	sort.Strings(out)
	return out, nil
}

func cpuTime() time.Duration {
	u, s := cpuSplit()
	return u + s
}

// cpuSplit is the process's user and system CPU time.
func cpuSplit() (user, sys time.Duration) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// threadCPU is the CPU time of the calling thread.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the peak resident set of this process image: VmHWM, not
// getrusage's maxrss, which Linux carries over from the parent across
// fork and exec (the query phase would report the builder's peak).
func maxRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb << 10
		}
	}
	return 0
}

// serveNATS is the child of the indexing measure: a NATS server with
// JetStream on 127.0.0.1, its client URL the first line on stdout. Each
// line "cpu" on stdin is answered with this process's user and system CPU
// time in nanoseconds; at the end of stdin (the parent closed it, or
// died) the server stops and the process exits.
func serveNATS(store string) {
	if store == "" {
		fail(fmt.Errorf("-phase nats needs -store DIR"))
	}
	srv, err := embedded.Start(embedded.Config{Host: "127.0.0.1", Port: -1, StoreDir: store})
	if err != nil {
		fail(err)
	}
	fmt.Println(srv.ClientURL())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "cpu" {
			u, s := cpuSplit()
			fmt.Println(u.Nanoseconds(), s.Nanoseconds())
		}
	}
	srv.Shutdown()
	srv.WaitForShutdown()
}

// natsChild is the running child of serveNATS, seen from the parent.
type natsChild struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	url string
	// stopped: waited for, so its pid may be another process's now.
	stopped bool
}

// startNATSChild runs this program again as the NATS server, in a process
// group of its own, killed if this process dies (Pdeathsig), by fail, or
// when its stdin closes.
func startNATSChild(store string) *natsChild {
	exe, err := os.Executable()
	if err != nil {
		fail(err)
	}
	cmd := exec.Command(exe, "-phase", "nats", "-store", store)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		fail(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	// Pdeathsig fires when the thread that forked exits, not the process:
	// keep this goroutine on its thread while starting the child (Go does
	// not end a thread it runs goroutines on unless one exits locked).
	runtime.LockOSThread()
	err = cmd.Start()
	runtime.UnlockOSThread()
	if err != nil {
		fail(err)
	}
	c := &natsChild{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	cleanups = append(cleanups, func() {
		if !c.stopped {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
		}
	})
	if !c.out.Scan() {
		fail(fmt.Errorf("nats child: no address (%v)", c.out.Err()))
	}
	c.url = c.out.Text()
	return c
}

// cpu asks the child for its CPU time so far.
func (c *natsChild) cpu() time.Duration {
	if _, err := io.WriteString(c.in, "cpu\n"); err != nil {
		fail(fmt.Errorf("nats child: %w", err))
	}
	var u, s int64
	if !c.out.Scan() {
		fail(fmt.Errorf("nats child: no answer (%v)", c.out.Err()))
	}
	if _, err := fmt.Sscan(c.out.Text(), &u, &s); err != nil {
		fail(fmt.Errorf("nats child: %q: %w", c.out.Text(), err))
	}
	return time.Duration(u + s)
}

// stop ends the child and waits for it to exit.
func (c *natsChild) stop() {
	c.in.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	c.stopped = true
}

// indexing publishes n articles of about size bytes to ARTICLES on a NATS
// server in a child process, then times the desk's indexer reading them
// into a new index on one core of this process.
func indexing(bodies []string, n, size int) {
	runtime.GOMAXPROCS(1)
	dir, err := os.MkdirTemp("", "bench-desk-")
	if err != nil {
		fail(err)
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	defer os.RemoveAll(dir)
	srv := startNATSChild(filepath.Join(dir, "nats"))
	defer srv.stop()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	o := bus.DefaultOptions()
	o.URL = srv.url
	c, err := bus.Connect(ctx, o, log)
	if err != nil {
		fail(err)
	}
	defer c.Close()
	if _, err := c.Setup(ctx, bus.DefaultTopology()); err != nil {
		fail(err)
	}
	now := time.Now().UTC()
	var total int
	batch := make([]*pipeline.Article, 0, 1000)
	for i := range n {
		text := fmt.Sprintf("Serial %d.\n\n", i)
		for b := i; len(text) < size; b++ {
			text += bodies[b%len(bodies)] + "\n\n"
		}
		text = text[:size]
		total += len(text)
		u := fmt.Sprintf("https://bench.example/%d", i)
		pub := now.Add(-time.Duration(n-i) * time.Second)
		batch = append(batch, &pipeline.Article{Schema: 1, ID: pipeline.ArticleID(u), URL: u, Source: "bench_example",
			Title: fmt.Sprintf("Bench article %d", i), Published: &pub, FetchedAt: now, Text: text, Extraction: pipeline.ExtractionPage})
		if len(batch) == cap(batch) || i == n-1 {
			if err := c.PublishArticles(ctx, batch); err != nil {
				fail(err)
			}
			batch = batch[:0]
		}
	}
	idx, err := desk.OpenSQLite(filepath.Join(dir, "desk.db"), desk.SQLiteOptions{})
	if err != nil {
		fail(err)
	}
	x := desk.NewIndexer(idx, c, desk.IndexerOptions{}, log)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	srvCPU0 := srv.cpu()
	user0, sys0 := cpuSplit()
	cpu0, t0 := user0+sys0, time.Now()
	go func() { x.Run(rctx); close(done) }()
	for x.Stats().Position[pipeline.ArticlesStream].Load() < int64(n) {
		time.Sleep(5 * time.Millisecond)
	}
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	user1, sys1 := cpuSplit()
	srvCPU := srv.cpu() - srvCPU0
	cancel()
	<-done
	cnt, _ := idx.Counts(ctx)
	// Closing writes the full-text segments still held in memory (the
	// last batches' postings, which a later merge would otherwise write).
	cpuClose := cpuTime()
	if err := idx.Close(); err != nil {
		fail(err)
	}
	cpuClose = cpuTime() - cpuClose
	fmt.Printf("indexing: %d articles (%.1f KB each) from ARTICLES into a new index, GOMAXPROCS=1, NATS server in a child process\n", cnt.Articles, float64(total)/float64(n)/1000)
	fmt.Printf("  desk process alone: %.1f s wall, %.2f s CPU: %.0f articles/s wall, %.0f per CPU-second (%.1f MB/s of text)\n",
		wall.Seconds(), cpu.Seconds(), float64(n)/wall.Seconds(), float64(n)/cpu.Seconds(), float64(total)/wall.Seconds()/1e6)
	fmt.Printf("  desk + NATS server: %.2f s CPU (server %.2f s): %.0f per CPU-second\n",
		(cpu + srvCPU).Seconds(), srvCPU.Seconds(), float64(n)/(cpu+srvCPU).Seconds())
	fmt.Printf("  CPU: %.2f s user, %.2f s system; peak RSS %d MB; closing the index after: %.2f s CPU\n",
		(user1 - user0).Seconds(), (sys1 - sys0).Seconds(), maxRSS()>>20, cpuClose.Seconds())
}

// sampler draws words with the frequencies of the corpus.
type sampler struct {
	words []string
	cum   []int
}

func newSampler(bodies []string) *sampler {
	freq := map[string]int{}
	for _, b := range bodies {
		for _, w := range strings.FieldsFunc(b, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
			freq[strings.ToLower(w)]++
		}
	}
	s := &sampler{}
	for w := range freq {
		s.words = append(s.words, w)
	}
	sort.Slice(s.words, func(i, j int) bool {
		return freq[s.words[i]] > freq[s.words[j]] || (freq[s.words[i]] == freq[s.words[j]] && s.words[i] < s.words[j])
	})
	sum := 0
	for _, w := range s.words {
		sum += freq[w]
		s.cum = append(s.cum, sum)
	}
	return s
}

func (s *sampler) word(r *rand.Rand) string {
	i, _ := slices.BinarySearch(s.cum, r.IntN(s.cum[len(s.cum)-1])+1)
	return s.words[i]
}

var firms = []struct{ name, cat, id string }{
	{"Huawei Cloud", "cloud", "huawei"}, {"Alibaba Cloud", "cloud", "alibaba"}, {"Tencent Cloud", "cloud", "tencent"},
	{"AWS", "cloud", "aws"}, {"Microsoft Azure", "cloud", "azure"}, {"Google Cloud", "cloud", "google"},
	{"the FCC", "policy", "fcc"}, {"the Commerce Department", "policy", "us-commerce"},
}

// buildBig writes n generated articles and n alerts into path, unless it is
// there already.
func buildBig(bodies []string, path string, n int, seed uint64) {
	if _, err := os.Stat(path); err == nil {
		fmt.Printf("big index: reusing %s\n", path)
		return
	}
	tmp := path + ".building"
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + s)
	}
	idx, err := desk.OpenSQLite(tmp, desk.SQLiteOptions{CacheMB: 256})
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	s := newSampler(bodies)
	r := rand.New(rand.NewPCG(seed, 7))
	end := time.Now().UTC()
	start := end.Add(-29 * 24 * time.Hour)
	step := end.Sub(start) / time.Duration(n)
	t0, cpu0 := time.Now(), cpuTime()
	const chunk = 2000
	var b desk.Batch
	for i := range n {
		var sb strings.Builder
		words := 200 + r.IntN(100)
		firm := -1
		if i%5 == 0 {
			firm = r.IntN(len(firms))
		}
		for w := 0; w < words; w++ {
			if w > 0 {
				if w%18 == 0 {
					sb.WriteString(". ")
					if w%90 == 0 {
						sb.WriteString("\n\n")
					}
				} else {
					sb.WriteByte(' ')
				}
			}
			if firm >= 0 && w == 40 {
				sb.WriteString(firms[firm].name + " ")
			}
			sb.WriteString(s.word(r))
		}
		sb.WriteByte('.')
		text := sb.String()
		at := start.Add(time.Duration(i) * step)
		u := fmt.Sprintf("https://big.example/%d", i)
		title := strings.ToUpper(s.word(r)[:1]) + s.word(r)[1:] + " " + s.word(r) + " " + s.word(r) + " " + s.word(r)
		a := pipeline.Article{Schema: 1, ID: pipeline.ArticleID(u), URL: u, Source: fmt.Sprintf("source%02d", i%40),
			Title: title, Published: &at, FetchedAt: at, Text: text, Extraction: pipeline.ExtractionPage}
		b.Articles = append(b.Articles, a)
		// One alert per article: the firm's when it names one, else a
		// rule of a broad topic with the article's first sentence.
		f := firms[i%len(firms)]
		if firm >= 0 {
			f = firms[firm]
		}
		snippet := text[:strings.IndexByte(text+".", '.')+1]
		al := pipeline.Alert{Schema: 1, ID: a.ID + ":" + f.id, Subject: pipeline.AlertSubject(f.cat, f.id), Rule: f.id, Category: f.cat,
			Name: strings.TrimPrefix(f.name, "the "), Severity: []string{"", "low", "medium", "high"}[i%4],
			Article: pipeline.ArticleRef{ID: a.ID, URL: u, Title: title, Source: a.Source, Published: &at},
			Matches: []pipeline.Match{{Entity: f.cat + "." + f.id, Text: f.name, Field: "body", Start: 0, End: len(f.name), Snippet: snippet}},
			Count:   1, TaggedAt: at.Add(30 * time.Second)}
		b.Alerts = append(b.Alerts, desk.AlertRecord{Alert: al})
		if len(b.Articles) == chunk || i == n-1 {
			if _, err := idx.Apply(ctx, &b); err != nil {
				fail(err)
			}
			b = desk.Batch{}
			if (i+1)%100_000 == 0 {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				fmt.Printf("  big index: %d articles, %.0f s (peak RSS %.0f MB, Go heap %.0f MB)\n", i+1, time.Since(t0).Seconds(),
					float64(maxRSS())/1e6, float64(m.HeapInuse)/1e6)
			}
		}
	}
	idx.Close()
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Rename(tmp+s, path+s)
	}
	st, _ := os.Stat(path)
	fmt.Printf("big index: %d articles and %d alerts written in %.0f s (%.0f CPU-s), %.1f GB\n", n, n,
		time.Since(t0).Seconds(), (cpuTime() - cpu0).Seconds(), float64(st.Size())/1e9)
}

// reexecQuery measures the big index in a fresh process, so its peak RSS
// is the desk's, not the builder's.
func reexecQuery(path string, queries int, seed uint64) {
	cmd := exec.Command(os.Args[0], "-phase", "query", "-big", path, "-queries", fmt.Sprint(queries), "-seed", fmt.Sprint(seed))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fail(err)
	}
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func summary(d []time.Duration) string {
	return fmt.Sprintf("p50 %.1f ms, p95 %.1f ms, max %.1f ms", ms(pct(d, .5)), ms(pct(d, .95)), ms(pct(d, 1)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// query opens the big index as a desk does and times what analysts do.
func query(bodies []string, path string, queries int, seed uint64) {
	ctx := context.Background()
	idx, err := desk.OpenSQLite(path, desk.SQLiteOptions{})
	if err != nil {
		fail(err)
	}
	defer idx.Close()
	c, err := idx.Counts(ctx)
	if err != nil {
		fail(err)
	}
	fmt.Printf("query: %s holds %d articles, %d alerts (GOMAXPROCS=%d)\n", path, c.Articles, c.Alerts, runtime.GOMAXPROCS(0))
	s := newSampler(bodies)
	r := rand.New(rand.NewPCG(seed, 9))
	// Two-word queries: words of the corpus below its 100 commonest
	// (function words), drawn by frequency, as an analyst's are likely to
	// be ordinary words; and firm names.
	var qs []string
	for len(qs) < queries {
		a, b := s.word(r), s.word(r)
		if rank(s, a) < 100 || rank(s, b) < 100 || a == b {
			continue
		}
		qs = append(qs, a+" "+b)
	}
	for _, f := range firms[:6] {
		qs = append(qs, strings.ToLower(f.name))
	}
	// Wall time is what an analyst waits, but on a shared machine it is
	// mostly waiting for a core; the CPU time of the searching thread is
	// what a search costs. (The search runs on this goroutine, locked to
	// its thread.)
	runtime.LockOSThread()
	var took, cpu []time.Duration
	hits := 0
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
	}
	for _, q := range qs {
		t0, c0 := time.Now(), threadCPU()
		p, err := idx.Search(ctx, desk.SearchQuery{Q: q})
		if err != nil {
			fail(fmt.Errorf("search %q: %w", q, err))
		}
		took = append(took, time.Since(t0))
		cpu = append(cpu, threadCPU()-c0)
		hits += len(p.Hits)
	}
	runtime.UnlockOSThread()
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Printf("  search, two words, ranked, first page of 20: %d queries, %s (%.1f hits a page)\n", len(qs), summary(took), float64(hits)/float64(len(qs)))
	fmt.Printf("    CPU time of the searching thread: %s\n", summary(cpu))
	slowest := make([]int, len(qs))
	for i := range slowest {
		slowest[i] = i
	}
	sort.Slice(slowest, func(a, b int) bool { return took[slowest[a]] > took[slowest[b]] })
	for _, i := range slowest[:3] {
		fmt.Printf("    slow: %q %.1f ms\n", qs[i], ms(took[i]))
	}
	fmt.Printf("  peak RSS after the searches: %.0f MB\n", float64(maxRSS())/1e6)

	srv, err := desk.NewServer(desk.Options{Index: idx})
	if err != nil {
		fail(err)
	}
	h := srv.Handler()
	for _, page := range []struct{ name, path string }{
		{"console first page of alerts (HTML)", "/"},
		{"console, filtered by rule", "/?rule=cloud.huawei"},
		{"console, filtered by severity and source", "/?severity=high&source=source07"},
		{"API first page of alerts (JSON)", "/api/alerts"},
	} {
		var d []time.Duration
		for range 50 {
			req := httptest.NewRequest("GET", "http://127.0.0.1"+page.path, nil)
			w := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(w, req)
			d = append(d, time.Since(t0))
			if w.Code != http.StatusOK {
				fail(fmt.Errorf("%s: %d %s", page.path, w.Code, w.Body.String()))
			}
		}
		fmt.Printf("  %s: %s (peak RSS %.0f MB)\n", page.name, summary(d), float64(maxRSS())/1e6)
	}
	fmt.Printf("  peak RSS of this process (index open, the queries above): %.0f MB\n", float64(maxRSS())/1e6)
}

func rank(s *sampler, w string) int {
	for i, x := range s.words[:200] {
		if x == w {
			return i
		}
	}
	return 200
}
