// Command soak-bench runs the one-process newsmon (embedded NATS server,
// ingest, tagger, notify and desk) at a steady article rate for longer than
// its longest duplicate window and age, sampling the process's memory, so
// that memory which levels off once every window is full can be told from
// memory that keeps growing (issue 14 item 6).
//
//	go run ./bench/soak                           # 300 articles/s offered, windows 3m, 30 minutes
//	go run ./bench/soak -window 0 -duration 12m   # newsmon's default windows: memory grows for days
//	go run ./bench/soak -mode publish             # articles straight into ARTICLES, no feeds
//	go run ./bench/soak -mode keys                # what the NATS server keeps per key and id
//	go run ./bench/soak -mode ids -rate 2000 -window 1m -duration 6m   # the server's ids in a duplicate window over time
//
// The real `newsmon` binary (built from ./cmd/newsmon) runs as a child
// process, so that its resident memory is what an operator would see. Its
// duplicate windows (ARTICLES, ALERTS), stream ages (ARTICLES, ALERTS) and
// bucket TTLs (SEEN, NEAR) are all set to -window, and the tagger's
// redeliveries are cut to fit the ALERTS window.
//
// In -mode feeds (the default) articles come the way they come in
// production: a feed server on loopback addresses adds fresh items to its
// feeds at -rate items a second, spread over the feeds, and newsmon's
// ingester polls them (every -poll, pages: false: the feed carries the
// text), so every article costs a SEEN lookup and mark, NEAR lookups and
// entries, the tagger, the desk's index and notify's spike counts. In
// -mode publish the bench publishes articles straight into ARTICLES (with
// their ids as Msg-Ids) and ingest idles: the stream, tagger, desk and
// notify without SEEN and NEAR.
//
// Every -sample it reads the child's VmRSS from /proc, its Go heap and
// goroutines from its /metrics, and the sizes of the streams and buckets.
// The verdict: memory levelled off when the trend of resident memory and
// of the heap goal (twice the live heap at the last collection) over the
// last third of the run is at most -flat MiB a minute. The exit status is
// 1 when it did not.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
)

type options struct {
	mode        string
	rate        float64
	duration    time.Duration
	window      time.Duration
	sample      time.Duration
	report      time.Duration
	feeds       int
	hosts       int
	items       int
	poll        time.Duration
	alertShare  float64
	newsmon     string
	gogc        string
	memLimit    string
	restartIdle time.Duration
	flat        float64
	extra       string
	keep        bool
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "feeds", "feeds: newsmon polls a loopback feed server; publish: the bench publishes into ARTICLES")
	flag.Float64Var(&o.rate, "rate", 300, "articles a second offered")
	flag.DurationVar(&o.duration, "duration", 30*time.Minute, "how long the load runs (at least 3 windows)")
	flag.DurationVar(&o.window, "window", 3*time.Minute, "every duplicate window, stream age and bucket TTL of newsmon (0: newsmon's defaults)")
	flag.DurationVar(&o.sample, "sample", 5*time.Second, "time between samples")
	flag.DurationVar(&o.report, "report", time.Minute, "time between rows of the printed table")
	flag.IntVar(&o.feeds, "feeds", 200, "feeds (-mode feeds)")
	flag.IntVar(&o.hosts, "hosts", 10, "loopback hosts the feeds are spread over (127.0.0.1...)")
	flag.IntVar(&o.items, "items", 60, "items in a feed document (the newest)")
	flag.DurationVar(&o.poll, "poll", 5*time.Second, "each feed's fixed poll interval")
	flag.Float64Var(&o.alertShare, "alerts", 0.2, "share of articles that mention a watched firm or body")
	flag.StringVar(&o.newsmon, "newsmon", "", "newsmon binary (default: go build ./cmd/newsmon)")
	flag.StringVar(&o.gogc, "gogc", "", "GOGC of newsmon (empty: not set)")
	flag.StringVar(&o.memLimit, "gomemlimit", "", "GOMEMLIMIT of newsmon (empty: not set)")
	flag.DurationVar(&o.restartIdle, "restart-idle", 90*time.Second, "after the load, restart newsmon on the same store and sample it idle this long (0: skip)")
	flag.Float64Var(&o.flat, "flat", 5, "level-off threshold: MiB a minute over the last third (the trend of a levelled run wanders by a few MiB a minute)")
	flag.StringVar(&o.extra, "args", "", "more newsmon flags, space-separated")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (store, logs)")
	keys := flag.Int("keys", 200000, "articles whose keys -mode keys stores")
	flag.Parse()
	if o.mode == "keys" {
		if err := runKeys(*keys); err != nil {
			log.Fatal(err)
		}
		return
	}
	if o.mode == "ids" {
		if err := runIDs(o.rate, o.window, o.duration); err != nil {
			log.Fatal(err)
		}
		return
	}
	ok, err := run(o)
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(o options) (bool, error) {
	if o.mode != "feeds" && o.mode != "publish" {
		return false, fmt.Errorf("-mode %q: feeds or publish", o.mode)
	}
	if o.window > 0 && o.duration < 3*o.window {
		return false, fmt.Errorf("-duration %s: at least three windows (%s), or the last third cannot be after the windows filled", o.duration, 3*o.window)
	}
	if o.rate <= 0 || o.feeds < 1 || o.hosts < 1 || o.hosts > 250 || o.items < 1 {
		return false, errors.New("-rate, -feeds, -hosts (1-250) and -items must be positive")
	}
	// An item must leave its feed before SEEN forgets it, or it is
	// published again: it stays for -items polls' worth of new items.
	if stay := time.Duration(float64(o.items*o.feeds) / o.rate * float64(time.Second)); o.mode == "feeds" && o.window > 0 && stay > o.window/2 {
		return false, fmt.Errorf("an item stays in its feed for %s (-items × -feeds / -rate), more than half the -window %s: SEEN would forget it while it is still offered; give fewer -items or -feeds", stay.Round(time.Second), o.window)
	}
	root, err := repoRoot()
	if err != nil {
		return false, err
	}
	dir, err := os.MkdirTemp("", "soak-bench-")
	if err != nil {
		return false, err
	}
	if o.keep {
		log.Printf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.newsmon
	if bin == "" {
		bin = filepath.Join(dir, "newsmon")
		log.Printf("building newsmon")
		build := exec.Command("go", "build", "-o", bin, "./cmd/newsmon")
		build.Dir, build.Stderr = root, os.Stderr
		if err := build.Run(); err != nil {
			return false, fmt.Errorf("go build ./cmd/newsmon: %w", err)
		}
	}

	// The rules are copied: the binary was built from this tree as it is
	// now, and a checkout changing under a long run would leave it unable
	// to read them at the restart.
	rulesDir := filepath.Join(dir, "rules")
	if err := os.CopyFS(rulesDir, os.DirFS(filepath.Join(root, "rules"))); err != nil {
		return false, fmt.Errorf("copy rules: %w", err)
	}

	s := newSite(o)
	list, err := s.listen(dir)
	if err != nil {
		return false, err
	}
	defer s.close()

	natsPort, err := freePort()
	if err != nil {
		return false, err
	}
	opsPort, err := freePort()
	if err != nil {
		return false, err
	}
	w := o.window.String()
	args := []string{"run",
		"-data", filepath.Join(dir, "data"), "-nats-listen", fmt.Sprintf("127.0.0.1:%d", natsPort),
		"-http", fmt.Sprintf("127.0.0.1:%d", opsPort), "-desk-listen", "127.0.0.1:0",
		"-feeds", list, "-allow-networks", "loopback", "-rules", rulesDir,
		"-log-level", "warn",
	}
	if o.window > 0 {
		args = append(args,
			"-articles-max-age", w, "-articles-duplicates", w, "-alerts-max-age", w, "-alerts-duplicates", w,
			"-seen-ttl", w, "-near-ttl", w,
			// Redeliveries within the ALERTS window: 2 deliveries of up
			// to -window/4 each and the first retry delay (1s).
			"-tagger-ack-wait", (o.window / 4).String(), "-tagger-max-deliver", "2")
	}
	args = append(args, strings.Fields(o.extra)...)
	var env []string
	if o.gogc != "" {
		env = append(env, "GOGC="+o.gogc)
	}
	if o.memLimit != "" {
		env = append(env, "GOMEMLIMIT="+o.memLimit)
	}
	child := &proc{bin: bin, args: args, env: env, dir: root, logPath: filepath.Join(dir, "newsmon.log"),
		ops: fmt.Sprintf("http://127.0.0.1:%d", opsPort)}
	if err := child.start(); err != nil {
		return false, err
	}
	defer child.stop()

	nc, err := waitNATS(fmt.Sprintf("nats://127.0.0.1:%d", natsPort), 2*time.Minute)
	if err != nil {
		return false, child.failed(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := child.waitReady(2 * time.Minute); err != nil {
		return false, child.failed(err)
	}

	// Interrupted, the run stops the child and reports what it sampled.
	stopped, unnotify := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer unnotify()
	ctx, cancel := context.WithCancel(stopped)
	defer cancel()
	start := time.Now()
	s.begin(start)
	var pub *publisher
	if o.mode == "publish" {
		pub = &publisher{js: js, site: s}
		go pub.run(ctx, start)
	}
	log.Printf("load started: %s, %.0f articles/s offered, for %s; newsmon pid %d", o.mode, o.rate, o.duration, child.pid())

	var samples []sample
	base, _ := child.sample(ctx, js, start, s)
	samples = append(samples, base)
	log.Print(sampleHeader)
	log.Print(base.line())
	tick := time.NewTicker(o.sample)
	for now := range tick.C {
		if stopped.Err() != nil {
			log.Printf("interrupted")
			o.restartIdle = 0
			break
		}
		if err := child.exited(); err != nil {
			tick.Stop()
			return false, child.failed(err)
		}
		sm, err := child.sample(ctx, js, start, s)
		if err != nil {
			log.Printf("sample: %v", err)
			continue
		}
		prev := samples[len(samples)-1]
		dt := (sm.at - prev.at).Seconds()
		sm.storedRate, sm.offeredRate = float64(sm.stored-prev.stored)/dt, float64(sm.offered-prev.offered)/dt
		samples = append(samples, sm)
		log.Print(sm.line())
		if now.Sub(start) >= o.duration {
			break
		}
	}
	tick.Stop()
	s.end(time.Now())
	cancel()

	var idle []sample
	if o.restartIdle > 0 {
		log.Printf("restarting newsmon on the same store, idle for %s", o.restartIdle)
		child.stop()
		if err := child.start(); err != nil {
			return false, err
		}
		if err := child.waitReady(2 * time.Minute); err != nil {
			log.Printf("restart: %v", child.failed(err))
			return printReport(o, samples, nil, child), nil
		}
		restart := time.Now()
		for time.Since(restart) < o.restartIdle {
			time.Sleep(o.sample)
			sm, err := child.sample(context.Background(), js, restart, s)
			if err != nil {
				log.Printf("sample: %v", err)
				continue
			}
			idle = append(idle, sm)
			log.Print(sm.line())
		}
	}
	child.stop()
	return printReport(o, samples, idle, child), nil
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from the newsmon repository")
	}
	return filepath.Dir(mod), nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitNATS(url string, within time.Duration) (*nats.Conn, error) {
	deadline := time.Now().Add(within)
	for {
		nc, err := nats.Connect(url, nats.Name("soak-bench"), nats.MaxReconnects(-1))
		if err == nil {
			return nc, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("newsmon's NATS server at %s: %w", url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// proc is the newsmon child process.
type proc struct {
	bin     string
	args    []string
	env     []string
	dir     string
	logPath string
	ops     string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func (p *proc) start() error {
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout = io.Discard // one line per alert
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start newsmon: %w", err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.err = cmd, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		p.err = err
		if err == nil {
			p.err = errors.New("exited")
		}
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited is nil while the process runs.
func (p *proc) exited() error {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return fmt.Errorf("newsmon: %v", p.err)
	default:
		return nil
	}
}

// stop asks newsmon to stop (SIGTERM) and waits, killing it after a minute.
func (p *proc) stop() {
	if p.cmd == nil || p.exited() != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		log.Printf("newsmon did not stop within a minute of SIGTERM; killing it")
		p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) waitReady(within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if err := p.exited(); err != nil {
			return err
		}
		resp, err := http.Get(p.ops + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("newsmon not ready within %s", within)
}

// failed adds the end of newsmon's log to err.
func (p *proc) failed(err error) error {
	data, _ := os.ReadFile(p.logPath)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return fmt.Errorf("%w\nnewsmon log (end):\n%s", err, data)
}

// sample is one reading of the child process and the store.
type sample struct {
	at          time.Duration // since the load started
	offered     int64         // articles offered so far
	stored      uint64        // articles stored so far (ARTICLES' last sequence)
	alerts      uint64        // alerts stored so far
	rss, hwm    int64         // bytes
	rssFile     int64         // of rss, pages of mapped files (the binary itself)
	heapInuse   int64
	heapGoal    int64
	goHeld      int64 // what the Go runtime has from the OS and has not given back
	goroutines  int64
	cpu         time.Duration // user + system of the child
	articles    uint64        // messages in ARTICLES now
	alertMsgs   uint64
	seen, near  uint64 // messages in the SEEN and NEAR buckets' streams
	subjects    uint64 // distinct subjects over every stream
	storeBytes  uint64 // bytes over every stream
	storedRate  float64
	offeredRate float64
}

const sampleHeader = "    t | offered/s | stored/s |  RSS MiB | Go held | heap inuse | heap goal | goroutines | ARTICLES |  ALERTS |    SEEN |    NEAR | subjects | store MiB"

func (s sample) line() string {
	return fmt.Sprintf("%5.1fm | %9.0f | %8.0f | %8.1f | %7.1f | %10.1f | %9.1f | %10d | %8d | %7d | %7d | %7d | %8d | %9.1f",
		s.at.Minutes(), s.offeredRate, s.storedRate, mib(s.rss), mib(s.goHeld), mib(s.heapInuse), mib(s.heapGoal), s.goroutines,
		s.articles, s.alertMsgs, s.seen, s.near, s.subjects, mib(int64(s.storeBytes)))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func (p *proc) sample(ctx context.Context, js jetstream.JetStream, start time.Time, s *site) (sample, error) {
	sm := sample{at: time.Since(start), offered: s.offered(time.Now())}
	pid := p.pid()
	var err error
	if sm.rss, sm.hwm, sm.rssFile, err = procStatus(pid); err != nil {
		return sm, err
	}
	sm.cpu = cpuTime(pid)
	m, err := p.metrics()
	if err != nil {
		return sm, err
	}
	sm.heapInuse, sm.heapGoal, sm.goroutines = int64(m["go_memstats_heap_inuse_bytes"]), int64(m["go_memstats_next_gc_bytes"]), int64(m["go_goroutines"])
	sm.goHeld = int64(m["go_memstats_sys_bytes"] - m["go_memstats_heap_released_bytes"])
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for name := range js.StreamNames(ctx).Name() {
		st, err := js.Stream(ctx, name)
		if err != nil {
			return sm, err
		}
		info, err := st.Info(ctx)
		if err != nil {
			return sm, err
		}
		sm.subjects += info.State.NumSubjects
		sm.storeBytes += info.State.Bytes
		switch name {
		case pipeline.ArticlesStream:
			sm.stored, sm.articles = info.State.LastSeq, info.State.Msgs
		case pipeline.AlertsStream:
			sm.alerts, sm.alertMsgs = info.State.LastSeq, info.State.Msgs
		case "KV_SEEN":
			sm.seen = info.State.Msgs
		case "KV_NEAR":
			sm.near = info.State.Msgs
		}
	}
	return sm, nil
}

// metrics reads the gauges newsmon's /metrics has, by name (no labels).
func (p *proc) metrics() (map[string]float64, error) {
	resp, err := http.Get(p.ops + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = v
		}
	}
	return out, sc.Err()
}

// procStatus reads VmRSS, VmHWM and RssFile (bytes) of a process.
func procStatus(pid int) (rss, hwm, file int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		case "RssFile:":
			file = kb << 10
		}
	}
	return rss, hwm, file, nil
}

// cpuTime is a process's user and system CPU time from /proc/<pid>/stat.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	rest := string(data)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// slope is the Theil-Sen estimate of the trend of val in MiB a minute
// over the samples whose time is in [from, to]: the median of the slopes
// between every two samples, which the garbage collector's saw-tooth and a
// block cache loaded for a moment do not sway as they do a least-squares
// fit.
func slope(samples []sample, from, to time.Duration, val func(sample) int64) float64 {
	var in []sample
	for _, s := range samples {
		if s.at >= from && s.at <= to {
			in = append(in, s)
		}
	}
	var slopes []float64
	for i := range in {
		for j := i + 1; j < len(in); j++ {
			if dx := (in[j].at - in[i].at).Minutes(); dx > 0 {
				slopes = append(slopes, (mib(val(in[j]))-mib(val(in[i])))/dx)
			}
		}
	}
	if len(slopes) < 3 {
		return math.NaN()
	}
	sort.Float64s(slopes)
	return slopes[len(slopes)/2]
}

func printReport(o options, samples, idle []sample, p *proc) bool {
	last := samples[len(samples)-1]
	runFor := last.at
	third := runFor / 3
	rssLate := slope(samples, 2*third, runFor, func(s sample) int64 { return s.rss })
	goalLate := slope(samples, 2*third, runFor, func(s sample) int64 { return s.heapGoal })
	rssEarly := slope(samples, 0, third, func(s sample) int64 { return s.rss })
	goalEarly := slope(samples, 0, third, func(s sample) int64 { return s.heapGoal })
	var peakRSS, peakHWM int64
	for _, s := range samples {
		peakRSS, peakHWM = max(peakRSS, s.rss), max(peakHWM, s.hwm)
	}
	achieved := float64(last.stored) / runFor.Seconds()
	first := samples[0]

	windows := o.window.String()
	if o.window == 0 {
		windows = "the defaults"
	}
	fmt.Printf("\n## Memory soak: %s, %.0f articles/s offered, windows %s, %s\n\n", o.mode, o.rate, windows, runFor.Round(time.Second))
	fmt.Printf("| setting | value |\n|---|---|\n")
	fmt.Printf("| machine | %d CPUs, %s/%s, %s |\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if o.mode == "feeds" {
		fmt.Printf("| load | %d feeds on %d loopback hosts, polled every %s, %d items a document, pages: false; %.0f%% of articles mention a watched name |\n",
			o.feeds, o.hosts, o.poll, o.items, 100*o.alertShare)
	} else {
		fmt.Printf("| load | articles published into ARTICLES by the bench with their ids as Msg-Ids; %.0f%% mention a watched name |\n", 100*o.alertShare)
	}
	if o.window > 0 {
		fmt.Printf("| newsmon windows | -articles-duplicates, -alerts-duplicates, -articles-max-age, -alerts-max-age, -seen-ttl, -near-ttl: %s |\n", o.window)
	} else {
		fmt.Printf("| newsmon windows | the defaults: ARTICLES duplicates 10m, ALERTS duplicates 30m, SEEN 30 days, NEAR 72h |\n")
	}
	fmt.Printf("| newsmon flags | %s |\n", strings.Join(p.args[1:], " "))
	fmt.Printf("| GOGC, GOMEMLIMIT | %s, %s |\n", orUnset(o.gogc), orUnset(o.memLimit))
	fmt.Printf("| articles stored | %d (%.0f/s achieved of %.0f/s offered) |\n", last.stored, achieved, o.rate)
	fmt.Printf("| alerts stored | %d (%.0f/s) |\n", last.alerts, float64(last.alerts)/runFor.Seconds())
	fmt.Printf("| newsmon CPU | %s (%.0f%% of a core) |\n", last.cpu.Round(time.Second), 100*last.cpu.Seconds()/runFor.Seconds())
	fmt.Println()
	fmt.Println("| t | stored/s | RSS MiB | of which mapped files MiB | Go runtime holds MiB | heap in use MiB | heap goal MiB | goroutines | ARTICLES | ALERTS | SEEN | NEAR | subjects | store MiB |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	row := func(s sample, rate float64, label string) {
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %d | %d | %d | %d | %d | %.0f |\n",
			label, rate, mib(s.rss), mib(s.rssFile), mib(s.goHeld), mib(s.heapInuse), mib(s.heapGoal), s.goroutines,
			s.articles, s.alertMsgs, s.seen, s.near, s.subjects, mib(int64(s.storeBytes)))
	}
	row(first, 0, "0m (idle, set up)")
	// One row a -report: the first sample at or past each multiple of it,
	// and the last.
	prev, lastK := first, int64(0)
	for i, s := range samples[1:] {
		k := int64((s.at + o.sample/2) / o.report)
		if k <= lastK && i != len(samples)-2 {
			continue
		}
		lastK = k
		rate := float64(s.stored-prev.stored) / (s.at - prev.at).Seconds()
		row(s, rate, fmt.Sprintf("%.0fm", s.at.Minutes()))
		prev = s
	}
	if len(idle) > 0 {
		s := idle[len(idle)-1]
		row(s, 0, fmt.Sprintf("restarted, idle %s", s.at.Round(time.Second)))
	}
	fmt.Println()
	fmt.Printf("Peak RSS %.0f MiB (VmHWM %.0f MiB).\n", mib(peakRSS), mib(peakHWM))
	fmt.Printf("Slope, first third (0-%s): RSS %+.2f MiB/min, heap goal %+.2f MiB/min.\n", third.Round(time.Second), rssEarly, goalEarly)
	fmt.Printf("Slope, last third (%s-%s): RSS %+.2f MiB/min, heap goal %+.2f MiB/min (level off: at most %.2f).\n",
		(2 * third).Round(time.Second), runFor.Round(time.Second), rssLate, goalLate, o.flat)
	ok := rssLate <= o.flat && goalLate <= o.flat
	if ok {
		fmt.Println("Verdict: memory levelled off.")
	} else {
		fmt.Println("Verdict: memory did NOT level off.")
	}
	return ok
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// site serves the simulated feeds: item i (from 0) of the whole site
// appears at start + i/rate in feed i mod feeds, so the site as a whole
// offers rate new items a second, each seen only once.
type site struct {
	o      options
	feeds  []*simFeed
	lns    []net.Listener
	srv    *http.Server
	start  atomic.Int64 // unix nanoseconds; 0 before the load
	stopAt atomic.Int64 // unix nanoseconds; 0 while the load runs
}

type simFeed struct {
	idx  int
	url  string
	base string
	mu   sync.Mutex
	ring [][]byte // rendered items, item k at k mod len(ring)
	ks   []int    // which item each slot holds, -1: none
}

func newSite(o options) *site {
	s := &site{o: o}
	n := o.feeds
	if o.mode == "publish" {
		n = 1 // something for ingest to poll; it never changes
	}
	for i := range n {
		f := &simFeed{idx: i, ring: make([][]byte, o.items), ks: make([]int, o.items)}
		for j := range f.ks {
			f.ks[j] = -1
		}
		s.feeds = append(s.feeds, f)
	}
	return s
}

// listen starts one listener per host and writes the feed list.
func (s *site) listen(dir string) (string, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /f/{n}/feed.xml", s.serveFeed)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	hosts := make([]string, min(s.o.hosts, len(s.feeds)))
	for h := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+1))
		if err != nil {
			return "", err
		}
		s.lns = append(s.lns, ln)
		hosts[h] = ln.Addr().String()
		go s.srv.Serve(ln)
	}
	var b strings.Builder
	b.WriteString("feeds:\n")
	for _, f := range s.feeds {
		f.base = fmt.Sprintf("http://%s/f/%d", hosts[f.idx%len(hosts)], f.idx)
		f.url = f.base + "/feed.xml"
		fmt.Fprintf(&b, "  - {url: %q, name: soak%d, pages: false, interval: %s}\n", f.url, f.idx%10, s.o.poll)
	}
	path := filepath.Join(dir, "feeds.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

func (s *site) close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

func (s *site) begin(t time.Time) { s.start.Store(t.UnixNano()) }
func (s *site) end(t time.Time)   { s.stopAt.Store(t.UnixNano()) }

// offered is how many items the site has made by t.
func (s *site) offered(t time.Time) int64 {
	start := s.start.Load()
	if start == 0 {
		return 0
	}
	if stop := s.stopAt.Load(); stop != 0 && t.UnixNano() > stop {
		t = time.Unix(0, stop)
	}
	return int64(t.Sub(time.Unix(0, start)).Seconds() * s.o.rate)
}

func (s *site) serveFeed(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(s.feeds) {
		http.NotFound(w, r)
		return
	}
	f := s.feeds[n]
	count := 0 // items of this feed so far
	if s.o.mode == "feeds" {
		if total := s.offered(time.Now()); total > int64(f.idx) {
			count = int((total-int64(f.idx)-1)/int64(len(s.feeds))) + 1
		}
	}
	etag := fmt.Sprintf(`"%d"`, count)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Soak feed %d</title><link>%s</link><description>A feed of the soak benchmark</description><language>en</language>
`, f.idx, f.base)
	f.mu.Lock()
	for k := count - 1; k >= max(0, count-len(f.ring)); k-- {
		slot := k % len(f.ring)
		if f.ks[slot] != k {
			f.ring[slot] = s.renderItem(f, k)
			f.ks[slot] = k
		}
		b.Write(f.ring[slot])
	}
	f.mu.Unlock()
	b.WriteString("</channel></rss>\n")
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("ETag", etag)
	w.Write(b.Bytes())
}

// renderItem is item k of feed f as RSS.
func (s *site) renderItem(f *simFeed, k int) []byte {
	i := f.idx + k*len(s.feeds)
	st := story(uint64(i), s.o.alertShare)
	pub := time.Unix(0, s.start.Load()).Add(time.Duration(float64(i) / s.o.rate * float64(time.Second)))
	var b bytes.Buffer
	fmt.Fprintf(&b, "<item><title>%s</title><link>%s/story/%d</link><guid isPermaLink=\"false\">soak-%d-%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>%s</p><p>%s</p>]]></description></item>\n",
		st.title, f.base, k, f.idx, k, pub.UTC().Format(time.RFC1123Z), st.paras[0], st.paras[1])
	return b.Bytes()
}

// publisher publishes the site's items straight into ARTICLES (-mode
// publish), as an ingester would: JSON articles with their ids as Msg-Ids.
type publisher struct {
	js   jetstream.JetStream
	site *site
}

func (p *publisher) run(ctx context.Context, start time.Time) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	next := int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			upto := p.site.offered(now)
			var futures []jetstream.PubAckFuture
			for ; next < upto; next++ {
				data, id := p.article(next, start)
				f, err := p.js.PublishAsync(pipeline.ArticleSubject("soak"), data, jetstream.WithMsgID(id))
				if err != nil {
					log.Printf("publish: %v", err)
					break
				}
				futures = append(futures, f)
			}
			for _, f := range futures {
				select {
				case <-f.Ok():
				case err := <-f.Err():
					log.Printf("publish: %v", err)
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

func (p *publisher) article(i int64, start time.Time) ([]byte, string) {
	st := story(uint64(i), p.site.o.alertShare)
	url := fmt.Sprintf("http://soak.example/story/%d", i)
	pub := start.Add(time.Duration(float64(i) / p.site.o.rate * float64(time.Second))).UTC()
	text := st.paras[0] + "\n\n" + st.paras[1]
	a := pipeline.Article{
		Schema: pipeline.SchemaVersion, ID: pipeline.ArticleID(url), URL: url, Source: "soak",
		Title: st.title, Published: &pub, FetchedAt: time.Now().UTC(), Lang: "en",
		Text: text, ContentHash: pipeline.ContentHash(text), Extraction: pipeline.ExtractionFeedContent,
	}
	data, _ := json.Marshal(&a)
	return data, a.ID
}

// A story is a title and two paragraphs of made-up prose, the same for the
// same index; a share of them mention a watched firm or body.
type storyText struct {
	title string
	paras [2]string
}

var mentions = []string{
	"Alibaba Cloud shares fell after the Commerce Department added the company to the Entity List.",
	"Amazon Web Services won a government cloud contract, the company said on Monday.",
	"Huawei Cloud opened a new data centre in the region as regulators reviewed its contracts.",
	"Microsoft Azure revenue grew faster than analysts expected in the quarter.",
	"Tencent Cloud said it would invest in data centres abroad after the State Department warned of restrictions.",
	"Google Cloud signed a contract with the ministry to host its data, the regulator said.",
	"Baidu shares rose as investors weighed its cloud computing results.",
	"The FCC ordered carriers to remove equipment under a national security review.",
}

func story(i uint64, alertShare float64) storyText {
	rng := rand.New(rand.NewPCG(i, 0x50a4))
	// Each story has its own topic: the Zipf ranks map onto the vocabulary
	// through a permutation of its own, so stories do not share their
	// frequent words. Texts drawn alike from one vocabulary converge on the
	// same word counts, which real news does not: their SimHash bands
	// would all collide and every near-duplicate lookup would come back
	// crowded.
	topic := permutation{offset: rng.IntN(len(vocabulary)), stride: strides[rng.IntN(len(strides))]}
	var st storyText
	st.title = sentence(rng, topic, 6, 12)
	for p := range st.paras {
		var b strings.Builder
		for b.Len() < 300+rng.IntN(600) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(sentence(rng, topic, 8, 22))
		}
		st.paras[p] = b.String()
	}
	if rng.Float64() < alertShare {
		st.paras[1] = mentions[rng.IntN(len(mentions))] + " " + st.paras[1]
	}
	return st
}

// permutation maps a rank onto the vocabulary: (offset + rank·stride) mod
// its size, one to one when stride is coprime with the size.
type permutation struct{ offset, stride int }

func (p permutation) word(rank uint64) string {
	return vocabulary[(p.offset+int(rank)*p.stride)%len(vocabulary)]
}

// strides coprime with the vocabulary's 20,000 words (2^5·5^4).
var strides = func() []int {
	var out []int
	for s := 1; len(out) < 2000; s += 2 {
		if s%5 != 0 {
			out = append(out, s)
		}
	}
	return out
}()

// sentence draws n words from a Zipf distribution over the vocabulary, as
// words in news text are drawn, through the story's topic.
func sentence(rng *rand.Rand, topic permutation, minW, maxW int) string {
	n := minW + rng.IntN(maxW-minW+1)
	z := rand.NewZipf(rng, 1.1, 2, uint64(len(vocabulary)-1))
	var b strings.Builder
	for j := range n {
		w := topic.word(z.Uint64())
		if j == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

var vocabulary = func() []string {
	v := strings.Fields(`the a of to and in that is for on with as was by at from it be are has have said
	government agency minister court ruling appeal market investors bank rate inflation network outage
	election vote parliament senate council mayor city region province border trade tariff talks company
	profit revenue quarter forecast growth jobs workers union strike wage storm flood drought wildfire heat
	rain river coast island harbour port ship cargo rail airport flight hospital health doctors patients
	study research university students school teachers report police officers arrest trial judge prison
	lawyer charges evidence witness statement spokesperson energy oil gas power grid solar wind plant
	emissions climate targets summit treaty agreement football league season match coach players transfer
	museum exhibition film festival music album concert author book award prize theatre`)
	syl := strings.Fields("ka lo mi ne ru sa te vo pi da gu re ban tor lin mes cor ver al on")
	rng := rand.New(rand.NewPCG(7, 7))
	for len(v) < 20000 {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(syl[rng.IntN(len(syl))])
		}
		v = append(v, w.String())
	}
	return v
}()
