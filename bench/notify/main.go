// Command notify-bench measures the delivery service: it runs an embedded
// NATS server with the topology set up, a webhook receiver on loopback that
// verifies every signature, and the real `notify` binary with one webhook
// sink, then
//
//   - throughput: stores -n alerts in ALERTS at once and times how long
//     notify takes to deliver them all (deliveries per second);
//   - latency: publishes alerts at -rate a second for -duration and
//     measures, for each, the time from the publish call (the tagger's
//     side; storing is part of it) to its arrival at the receiver: p50,
//     p99, max.
//
// It checks that every alert arrived, and counts repeats.
//
//	go run ./bench/notify -n 20000 -rate 200 -duration 30s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/embedded"
	"newsmon/pipeline/notify"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func main() {
	n := flag.Int("n", 20000, "alerts for the throughput run")
	rate := flag.Int("rate", 200, "alerts a second for the latency run")
	dur := flag.Duration("duration", 30*time.Second, "length of the latency run")
	lanes := flag.Int("lanes", 8, "notify -lanes")
	bin := flag.String("notify", "", "notify binary (default: built from ./cmd/notify)")
	flag.Parse()
	if err := run(*n, *rate, *dur, *lanes, *bin); err != nil {
		log.Fatal(err)
	}
}

// receiver is the webhook endpoint: it verifies each signature and notes
// when each alert id first arrived.
type receiver struct {
	key     []byte
	mu      sync.Mutex
	arrived map[string]time.Time
	repeats int
	bad     int
	changed chan struct{}
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("Webhook-Id")
	now := time.Now()
	if err := notify.Verify(r.key, id, req.Header.Get("Webhook-Timestamp"), req.Header.Get("Webhook-Signature"), body, now, 5*time.Minute); err != nil {
		r.mu.Lock()
		r.bad++
		r.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	if _, ok := r.arrived[id]; ok {
		r.repeats++
	} else {
		r.arrived[id] = now
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.arrived)
}

func run(n, rate int, dur time.Duration, lanes int, bin string) error {
	dir, err := os.MkdirTemp("", "notify-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "notify")
		build := exec.Command("go", "build", "-o", bin, "./cmd/notify")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build notify: %w", err)
		}
	}
	srv, err := embedded.Start(embedded.Config{Port: -1, StoreDir: filepath.Join(dir, "js")})
	if err != nil {
		return err
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	ctx := context.Background()
	o := bus.DefaultOptions()
	o.URL, o.Name = srv.ClientURL(), "bench"
	o.NATS = []nats.Option{nats.InProcessServer(srv)}
	client, err := bus.Connect(ctx, o, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer client.Close()
	// The sink's consumer, as `newsmon setup -sinks` writes it.
	top := bus.DefaultTopology()
	top.Sinks = []bus.Sink{{Name: "bench", Subjects: []string{"alerts.>"}}}
	if _, err := client.Setup(ctx, top); err != nil {
		return err
	}

	cfg, err := notify.Parse("bench", []byte("sinks:\n- name: x\n  subjects: [alerts.>]\n  webhook: {url: {env: U}, secret: {env: S}}\n"),
		func(k string) string { return map[string]string{"U": "http://127.0.0.1/", "S": secret}[k] }, nil)
	if err != nil {
		return err
	}
	rec := &receiver{key: cfg.Sinks[0].Webhook.Secret, arrived: map[string]time.Time{}, changed: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: rec}
	go hs.Serve(ln)
	defer hs.Close()

	sinks := filepath.Join(dir, "sinks.yaml")
	os.WriteFile(sinks, []byte("sinks:\n  - name: bench\n    subjects: [alerts.>]\n    webhook:\n      url: {env: HOOK_URL}\n      secret: {env: HOOK_SECRET}\n"), 0o600)
	cmd := exec.Command(bin, "-nats", srv.ClientURL(), "-sinks", sinks, "-http", "", "-spikes=false", "-lanes", fmt.Sprint(lanes), "-log-level", "warn")
	cmd.Env = append(os.Environ(), "HOOK_URL=http://"+ln.Addr().String()+"/", "HOOK_SECRET="+secret)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if ok, _ := notifyReading(client.Conn()); ok {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("notify did not read its consumer within 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Throughput: n alerts stored at once, then delivered.
	alerts := make([]pipeline.Alert, n)
	for i := range alerts {
		alerts[i] = alert("t", i)
	}
	for i := 0; i < n; i += 500 {
		if err := client.PublishAlerts(ctx, alerts[i:min(i+500, n)]); err != nil {
			return err
		}
	}
	stored := time.Now()
	cpu0 := cpuTime(cmd.Process.Pid)
	if err := waitCount(rec, n, 5*time.Minute); err != nil {
		return err
	}
	took := time.Since(stored)
	cpu1 := cpuTime(cmd.Process.Pid)
	fmt.Printf("throughput: %d webhook deliveries in %.2f s = %.0f/s (notify CPU %.2f s, %d lanes)\n",
		n, took.Seconds(), float64(n)/took.Seconds(), (cpu1 - cpu0).Seconds(), lanes)

	// Latency: alerts at rate for dur, each timed from its publish call.
	// Each alert is published on its own goroutine at its scheduled time,
	// so a slow publish acknowledgement does not lower the rate.
	sent := map[string]time.Time{}
	var smu sync.Mutex
	var wg sync.WaitGroup
	var perr error
	begin := time.Now()
	for i := 0; i < int(dur.Seconds()*float64(rate)); i++ {
		time.Sleep(time.Until(begin.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := alert("l", i)
			at := time.Now()
			err := client.PublishAlerts(ctx, []pipeline.Alert{a})
			smu.Lock()
			defer smu.Unlock()
			if err != nil {
				perr = err
				return
			}
			sent[a.ID] = at
		}()
	}
	wg.Wait()
	if perr != nil {
		return perr
	}
	achieved := float64(len(sent)) / time.Since(begin).Seconds()
	if err := waitCount(rec, n+len(sent), time.Minute); err != nil {
		return err
	}
	rec.mu.Lock()
	var lat []time.Duration
	for id, at := range sent {
		lat = append(lat, rec.arrived[id].Sub(at))
	}
	repeats, bad := rec.repeats, rec.bad
	rec.mu.Unlock()
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("latency at %.0f alerts/s for %s (%d alerts): p50 %s, p99 %s, max %s\n",
		achieved, dur, len(lat), q(0.50).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	fmt.Printf("every alert arrived: %d distinct of %d; repeats %d; bad signatures %d\n", rec.count(), n+len(sent), repeats, bad)
	return nil
}

// notifyReading tells whether notify waits on its sink's consumer (a pull
// request is pending), so that timing starts with notify ready.
func notifyReading(nc *nats.Conn) (bool, error) {
	m, err := nc.Request("$JS.API.CONSUMER.INFO."+pipeline.AlertsStream+".notify-bench", nil, time.Second)
	if err != nil {
		return false, err
	}
	var resp struct {
		Error      *struct{ Code int } `json:"error"`
		NumWaiting int                 `json:"num_waiting"`
	}
	json.Unmarshal(m.Data, &resp)
	return resp.Error == nil && resp.NumWaiting > 0, nil
}

func waitCount(rec *receiver, want int, limit time.Duration) error {
	deadline := time.After(limit)
	for rec.count() < want {
		select {
		case <-rec.changed:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			return fmt.Errorf("only %d of %d alerts arrived within %s", rec.count(), want, limit)
		}
	}
	return nil
}

// alert is a realistic alert: a title, two matches with their sentences.
func alert(run string, i int) pipeline.Alert {
	pub := time.Now().UTC()
	art := pipeline.ArticleRef{ID: fmt.Sprintf("a:%s%07d", run, i), URL: fmt.Sprintf("https://example.com/news/%s/%d", run, i),
		Title: "U.S. weighs new curbs on Chinese cloud providers as agencies consult AWS and Microsoft", Source: "example_com", Published: &pub}
	rule := []string{"huawei", "alibaba", "tencent", "baidu"}[i%4]
	snippet := "The Commerce Department is weighing new rules against " + rule + " cloud, people familiar with the matter said on Tuesday."
	return pipeline.Alert{Schema: 1, ID: art.ID + ":" + rule, Subject: "alerts.cloud." + rule, Rule: rule, Category: "cloud",
		Name: strings.ToUpper(rule[:1]) + rule[1:] + " Cloud", Severity: "medium", Description: "Mentions of " + rule, Article: art,
		Matches: []pipeline.Match{{Entity: "cloud." + rule, Text: rule, Field: "body", Start: 54, End: 60, Snippet: snippet},
			{Entity: "policy.us-commerce", Text: "Commerce Department", Field: "body", Start: 4, End: 23, Snippet: snippet}},
		Count: 2, TaggedAt: pub}
}

// cpuTime is a process's user+system CPU time from /proc (Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}
