// Command memory-bench measures the ingest service's peak memory on the
// worst documents newsmon meets, all at once: it serves hostile feeds and
// pages from loopback addresses (one host per address), runs an embedded
// NATS server, starts the real `ingest` binary on them with its default
// workers, and reports the process's peak resident memory (VmHWM), how
// long until every feed was read, and what was stored (issue 9 item 7).
//
//	go run ./bench/memory                      # 64 feeds of 8 kinds on 32 hosts
//	go run ./bench/memory -gomemlimit 250MiB   # with a soft memory limit for the GC
//
// Every feed body is just under the service's 5 MiB cap. The kinds: the
// two of the issue (450k+ nested namespaced elements; 1.5M unclosed tags),
// the worst within the parser's limits (80,000 namespaced elements in 5,000
// items; items nested 60 deep), a 5,000-item JSON Feed padded to the cap,
// one element with a million attributes, a title of HTML entities, and a
// small feed whose items link to hostile pages (1.5M unclosed tags, 100,000
// tags, 5 MB of text).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/embedded"
)

// size is each feed and page body: just under ingest's default 5 MiB cap.
const size = 5<<20 - 16<<10

func fill(head, unit, tail string) []byte {
	n := (size - len(head) - len(tail)) / len(unit)
	return []byte(head + strings.Repeat(unit, n) + tail)
}

// feedKinds render a feed body; base is the site's URL, for item links.
var feedKinds = map[string]func(base string) []byte{
	"nested namespaced elements": func(string) []byte {
		return fill(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title><item><title>x</title>`, `<a:b>`, `</item></channel></rss>`)
	},
	"unclosed tags": func(string) []byte {
		return fill(`<rss version="2.0"><channel><title>t</title>`, `<p>`, ``)
	},
	"80k namespaced elements": func(base string) []byte {
		var b strings.Builder
		b.WriteString(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title>`)
		pad := strings.Repeat("x", 800)
		for i := 0; i < 5000; i++ {
			fmt.Fprintf(&b, `<item><title>Item %d</title><link>%s/page/normal/%d</link><guid>%d</guid>`, i, base, i, i)
			for k := 0; k < 12; k++ {
				fmt.Fprintf(&b, `<a:e%d k="v">%d</a:e%d>`, k, k, k)
			}
			fmt.Fprintf(&b, `<description>%s</description></item>`, pad)
		}
		b.WriteString(`</channel></rss>`)
		return []byte(b.String())
	},
	"items nested 60 deep": func(base string) []byte {
		var b strings.Builder
		b.WriteString(`<rss version="2.0" xmlns:a="http://a.example/"><channel><title>t</title>`)
		deep := strings.Repeat("<a:n>", 58) + "x" + strings.Repeat("</a:n>", 58)
		for i := 0; b.Len() < size-len(deep)-200; i++ {
			fmt.Fprintf(&b, `<item><title>Item %d</title><link>%s/page/normal/%d</link>%s</item>`, i, base, i, deep)
		}
		b.WriteString(`</channel></rss>`)
		return []byte(b.String())
	},
	"JSON Feed of 5,000+ items": func(base string) []byte {
		var b strings.Builder
		b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[`)
		for i := 0; b.Len() < size-300; i++ {
			fmt.Fprintf(&b, `{"id":"%d","url":"%s/page/normal/%d","title":"Item %d","content_text":"%s"},`, i, base, i, i, strings.Repeat("y", 200))
		}
		b.WriteString(`{"id":"last","url":"` + base + `/page/normal/last"}]}`)
		return []byte(b.String())
	},
	"a million attributes": func(string) []byte {
		return fill(`<rss version="2.0"><channel><title>t</title><item a0="1"`, ` a="1"`, `/></channel></rss>`)
	},
	"HTML entities": func(string) []byte {
		return fill(`<rss version="2.0"><channel><title>`, `&eacute;&nbsp;&bogus;&`, `</title></channel></rss>`)
	},
	"links to hostile pages": func(base string) []byte {
		var items []string
		for i, p := range []string{"unclosed", "tags100k", "text5mb", "text5mb", "normal"} {
			items = append(items, fmt.Sprintf(`<item><title>Page %d</title><link>%s/page/%s/%d</link></item>`, i, base, p, i))
		}
		return []byte(`<rss version="2.0"><channel><title>t</title>` + strings.Join(items, "") + `</channel></rss>`)
	},
}

// pageKinds render the hostile page bodies.
var pageKinds = map[string]func() []byte{
	"unclosed": func() []byte { return fill(`<html><body><article>`, `<p>`, ``) },
	"tags100k": func() []byte {
		unit := "<p>" + strings.Repeat("The Commerce Department weighs rules. ", 1) + "</p>"
		var b strings.Builder
		b.WriteString(`<html><body><article>`)
		for i := 0; i < 49_000; i++ {
			b.WriteString(unit)
		}
		for b.Len() < size-100 {
			b.WriteString("padding text ")
		}
		b.WriteString(`</article></body></html>`)
		return []byte(b.String())
	},
	"text5mb": func() []byte {
		var b strings.Builder
		b.WriteString(`<html><body><article>`)
		for i := 0; b.Len() < size-200; i++ {
			fmt.Fprintf(&b, "<p>Paragraph %d. %s</p>\n", i, strings.Repeat("Huawei Cloud and the State Department weigh new rules. ", 40))
		}
		b.WriteString(`</article></body></html>`)
		return []byte(b.String())
	},
}

// normalPage is an ordinary story page, its words drawn from the path so
// that no two pages are near-duplicates of each other.
func normalPage(path string) []byte {
	var b strings.Builder
	b.WriteString(`<html><head><title>Story</title></head><body><article><p>`)
	h := uint64(14695981039346656037)
	for _, c := range path {
		h = (h ^ uint64(c)) * 1099511628211
	}
	for i := 0; i < 300; i++ {
		h ^= h << 13
		h ^= h >> 7
		h ^= h << 17
		fmt.Fprintf(&b, "w%d ", h%5000)
	}
	b.WriteString(`</p></article></body></html>`)
	return []byte(b.String())
}

type site struct {
	feeds    map[string][]byte // by path
	pages    map[string][]byte // by kind
	requests sync.Map          // path -> *atomic.Int64
	last     atomic.Int64      // unix nanos of the last request
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.last.Store(time.Now().UnixNano())
	v, _ := s.requests.LoadOrStore(r.URL.Path, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	if body, ok := s.feeds[r.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/xml")
		w.Write(body)
		return
	}
	if kind, ok := strings.CutPrefix(r.URL.Path, "/page/"); ok {
		kind, _, _ = strings.Cut(kind, "/")
		if kind == "normal" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(normalPage(r.URL.Path))
			return
		}
		if body, ok := s.pages[kind]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
			return
		}
	}
	http.NotFound(w, r)
}

func main() {
	hosts := flag.Int("hosts", 32, "loopback addresses (127.0.0.1...) the feeds are spread over")
	copies := flag.Int("copies", 8, "feeds of each kind")
	memLimit := flag.String("gomemlimit", "", "GOMEMLIMIT of the ingest process (empty: none)")
	bin := flag.String("ingest", "", "ingest binary (default: go build ./cmd/ingest)")
	flag.Parse()
	if err := run(*hosts, *copies, *memLimit, *bin); err != nil {
		log.Fatal(err)
	}
}

func run(hosts, copies int, memLimit, bin string) error {
	dir, err := os.MkdirTemp("", "memory-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "ingest")
		build := exec.Command("go", "build", "-o", bin, "./cmd/ingest")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build ingest: %w", err)
		}
	}
	ln0, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln0.Addr().(*net.TCPAddr).Port
	lns := []net.Listener{ln0}
	for h := 2; h <= hosts; h++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:%d", h, port))
		if err != nil {
			return fmt.Errorf("listen on 127.0.0.%d: %w", h, err)
		}
		lns = append(lns, ln)
	}
	s := &site{feeds: map[string][]byte{}, pages: map[string][]byte{}}
	for kind, render := range pageKinds {
		s.pages[kind] = render()
	}
	names := make([]string, 0, len(feedKinds))
	for k := range feedKinds {
		names = append(names, k)
	}
	sort.Strings(names)
	var list strings.Builder
	list.WriteString("feeds:\n")
	n := 0
	for _, kind := range names {
		for c := 0; c < copies; c++ {
			host := fmt.Sprintf("127.0.0.%d", n%hosts+1)
			path := fmt.Sprintf("/feed/%d.xml", n)
			base := fmt.Sprintf("http://%s:%d", host, port)
			s.feeds[path] = feedKinds[kind](base)
			fmt.Fprintf(&list, "  - {url: %q, name: %q}\n", base+path, fmt.Sprintf("f%d", n))
			n++
		}
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range lns {
		go srv.Serve(ln)
	}
	defer srv.Close()
	listFile := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(listFile, []byte(list.String()), 0o644); err != nil {
		return err
	}

	ns, err := embedded.Start(embedded.Config{Port: -1, StoreDir: filepath.Join(dir, "nats")})
	if err != nil {
		return err
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if err := setup(ns.ClientURL()); err != nil {
		return err
	}
	cmd := exec.Command(bin, "run", "-nats", ns.ClientURL(), "-feeds", listFile, "-allow-networks", "loopback",
		"-robots=false", "-http", "", "-log-level", "error")
	cmd.Stderr = os.Stderr
	cmd.Env = os.Environ()
	if memLimit != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+memLimit)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	var peak int64
	allRead := func() bool {
		for path := range s.feeds {
			v, ok := s.requests.Load(path)
			if !ok || v.(*atomic.Int64).Load() == 0 {
				return false
			}
		}
		return true
	}
	// Until every feed was read and then nothing was asked for 15 s, or
	// for two minutes more: the first polls and their pages are done, and
	// the feeds of thousands of items are into their later polls.
	deadline := start.Add(10 * time.Minute)
	var readAt time.Duration
	for time.Now().Before(deadline) {
		peak = max(peak, rssPeak(cmd.Process.Pid))
		if readAt == 0 && allRead() {
			readAt = time.Since(start)
		}
		if readAt > 0 && (time.Since(time.Unix(0, s.last.Load())) > 15*time.Second || time.Since(start) > readAt+2*time.Minute) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	peak = max(peak, rssPeak(cmd.Process.Pid))
	stored, distinct, err := countIDs(ns.ClientURL())
	if err != nil {
		return err
	}
	var pages, feeds int64
	s.requests.Range(func(k, v any) bool {
		if strings.HasPrefix(k.(string), "/page/") {
			pages += v.(*atomic.Int64).Load()
		} else {
			feeds += v.(*atomic.Int64).Load()
		}
		return true
	})
	limit := memLimit
	if limit == "" {
		limit = "none"
	}
	fmt.Printf("\n| measure | value |\n|---|---|\n")
	fmt.Printf("| feeds | %d (%d kinds × %d) on %d hosts, each %.2f MB but the last kind |\n", n, len(names), copies, hosts, float64(size)/1e6)
	fmt.Printf("| ingest: workers, GOMEMLIMIT | default (32), %s |\n", limit)
	fmt.Printf("| every feed read after | %s |\n", readAt.Round(100*time.Millisecond))
	fmt.Printf("| requests: feeds, pages | %d, %d |\n", feeds, pages)
	fmt.Printf("| ARTICLES: messages, distinct ids | %d, %d |\n", stored, distinct)
	fmt.Printf("| ingest peak RSS (VmHWM) | %.0f MB |\n", float64(peak)/1e6)
	fmt.Printf("| machine load average (1 min) at the end | %s |\n", loadAvg())
	fmt.Printf("| ceiling 300 MB | %s |\n", map[bool]string{true: "met", false: "NOT met"}[peak < 300e6 && stored == distinct])
	return nil
}

// setup writes the default topology to the server, as `newsmon setup` does.
func setup(url string) error {
	opts := bus.DefaultOptions()
	opts.URL, opts.Name = url, "bench-setup"
	c, err := bus.Connect(context.Background(), opts, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Setup(context.Background(), bus.DefaultTopology())
	return err
}

// countIDs reads ARTICLES and counts messages and distinct article ids.
func countIDs(url string) (int, int, error) {
	nc, err := nats.Connect(url)
	if err != nil {
		return 0, 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, pipeline.ArticlesStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, 0, err
	}
	st, err := js.Stream(ctx, pipeline.ArticlesStream)
	if err != nil {
		return 0, 0, err
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, 0, err
	}
	total := int(info.State.Msgs)
	ids := map[string]bool{}
	for range total {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			return total, len(ids), err
		}
		ids[msg.Headers().Get(jetstream.MsgIDHeader)] = true
	}
	return total, len(ids), nil
}

// rssPeak reads a process's peak resident set (VmHWM) in bytes.
func rssPeak(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}
