package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"log/slog"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/embedded"
)

// runKeys (-mode keys) measures, in this process, what the embedded NATS
// server keeps in memory for each thing newsmon stores: a SEEN key, a NEAR
// key, an article id inside the ARTICLES duplicate window, an article
// after its id has left the window, and the same after a restart on the
// store. Each figure is the growth of the live heap (after a full GC) over
// n of them, divided by n.
func runKeys(n int) error {
	dir, err := os.MkdirTemp("", "soak-keys-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	top := bus.DefaultTopology()
	srv, js, err := startKeysServer(dir, top, true)
	if err != nil {
		return err
	}
	ctx := context.Background()
	type row struct {
		what  string
		count int
		bytes float64
	}
	var rows []row
	measure := func(what string, count int, fill func() error) error {
		before := liveHeap()
		start := time.Now()
		if err := fill(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		grow := float64(int64(liveHeap()) - int64(before))
		rows = append(rows, row{what, count, grow / float64(count)})
		log.Printf("%s: %d in %s, live heap +%.1f MiB", what, count, time.Since(start).Round(time.Millisecond), grow/(1<<20))
		return nil
	}
	key := func(i int) string {
		sum := sha256.Sum256([]byte(fmt.Sprint("item", i)))
		return hex.EncodeToString(sum[:16])
	}
	publish := func(count int, subject func(i int) string, data func(i int) []byte, opts func(i int) []jetstream.PublishOpt) error {
		var futures []jetstream.PubAckFuture
		for i := range count {
			var o []jetstream.PublishOpt
			if opts != nil {
				o = opts(i)
			}
			f, err := js.PublishAsync(subject(i), data(i), o...)
			if err != nil {
				return err
			}
			futures = append(futures, f)
			if len(futures) == 4096 || i == count-1 {
				for _, f := range futures {
					select {
					case <-f.Ok():
					case err := <-f.Err():
						return err
					case <-time.After(time.Minute):
						return fmt.Errorf("no ack within a minute")
					}
				}
				futures = futures[:0]
			}
		}
		return nil
	}
	value := []byte("a:0123456789abcdef0123456789abcdef")
	if err := measure("SEEN key", n, func() error {
		return publish(n, func(i int) string { return "$KV." + bus.SeenBucket + "." + key(i) }, func(int) []byte { return value }, nil)
	}); err != nil {
		return err
	}
	if err := measure("NEAR key (4 an article)", 4*n, func() error {
		return publish(4*n, func(i int) string {
			return fmt.Sprintf("$KV.%s.b%d-%04x.%s", bus.NearBucket, i%4, (i*7919)&0xffff, key(i/4))
		}, func(int) []byte { return []byte("0123456789abcdef a:0123456789abcdef0123456789abcdef") }, nil)
	}); err != nil {
		return err
	}
	text := []byte(strings.Repeat("x", 1500))
	if err := measure("article in ARTICLES, its id in the duplicate window", n, func() error {
		return publish(n, func(i int) string { return pipeline.ArticleSubject(fmt.Sprint("soak", i%10)) },
			func(int) []byte { return text },
			func(i int) []jetstream.PublishOpt { return []jetstream.PublishOpt{jetstream.WithMsgID("a:" + key(i))} })
	}); err != nil {
		return err
	}
	// The same stream with the window shrunk to 1s: the ids leave it.
	if err := measure("article in ARTICLES, its id past the window", n, func() error {
		st, err := js.Stream(ctx, pipeline.ArticlesStream)
		if err != nil {
			return err
		}
		cfg := st.CachedInfo().Config
		cfg.Duplicates = time.Second
		if _, err := js.UpdateStream(ctx, cfg); err != nil {
			return err
		}
		time.Sleep(3 * time.Second)
		return nil
	}); err != nil {
		return err
	}
	// What an article costs once its id has left the window: what it
	// cost in it, less what leaving freed.
	rows[len(rows)-1].bytes += rows[len(rows)-2].bytes
	js.Conn().Close()
	srv.Shutdown()
	srv.WaitForShutdown()

	// A restart on the same store: what is rebuilt from it.
	before := liveHeap()
	srv, js, err = startKeysServer(dir, top, false)
	if err != nil {
		return err
	}
	defer func() { js.Conn().Close(); srv.Shutdown(); srv.WaitForShutdown() }()
	restart := float64(int64(liveHeap()) - int64(before))
	log.Printf("restart on the store: live heap +%.1f MiB", restart/(1<<20))
	// A message block's per-subject state is dropped after two idle
	// minutes; the server's subject index stays.
	time.Sleep(2*time.Minute + 10*time.Second)
	idle := float64(int64(liveHeap()) - int64(before))
	log.Printf("restart, then 2m10s idle: live heap +%.1f MiB", idle/(1<<20))

	fmt.Printf("\n## What the embedded NATS server keeps in memory per stored thing (%d articles)\n\n", n)
	fmt.Println("| stored | count | live heap per one |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %.0f bytes |\n", r.what, r.count, r.bytes)
	}
	fmt.Printf("| all of the above, after a restart on the store (%d SEEN, %d NEAR keys, %d articles) | | %.0f bytes an article (%.1f MiB) |\n",
		n, 4*n, n, restart/float64(n), restart/(1<<20))
	fmt.Printf("| the same, 2m10s later (idle blocks' subject state dropped) | | %.0f bytes an article (%.1f MiB) |\n",
		idle/float64(n), idle/(1<<20))
	return nil
}

func startKeysServer(dir string, top bus.Topology, setup bool) (*server.Server, jetstream.JetStream, error) {
	srv, err := embedded.Start(embedded.Config{Port: -1, StoreDir: dir})
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	if setup {
		o := bus.DefaultOptions()
		o.Name, o.NATS = "soak-keys-setup", []nats.Option{nats.InProcessServer(srv)}
		c, err := bus.Connect(ctx, o, slog.New(slog.DiscardHandler))
		if err != nil {
			return nil, nil, err
		}
		_, err = c.Setup(ctx, top)
		c.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(8192))
	if err != nil {
		return nil, nil, err
	}
	if !setup { // wait until the streams are recovered
		for range js.StreamNames(ctx).Name() {
		}
	}
	return srv, js, nil
}

// liveHeap is the heap in use after two full collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// runIDs (-mode ids) follows, in this process, the memory the embedded
// NATS server keeps for the ids in a stream's duplicate window: rate
// one-byte messages a second, each with its own Msg-Id, into a stream
// whose window is window, for duration, printing the live heap every
// 10 s. The server drops an id from its lookup table when it leaves the
// window but trims its list of ids only when two thirds of it are gone,
// so the memory rises past the full window's and falls back in a cycle.
func runIDs(rate float64, window, duration time.Duration) error {
	if window <= 0 {
		return fmt.Errorf("-mode ids needs a -window")
	}
	dir, err := os.MkdirTemp("", "soak-ids-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(embedded.Config{Port: -1, StoreDir: dir})
	if err != nil {
		return err
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(8192))
	if err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "IDS", Subjects: []string{"ids.>"},
		Storage: jetstream.FileStorage, Duplicates: window, MaxAge: 24 * time.Hour}); err != nil {
		return err
	}
	base := liveHeap()
	fmt.Printf("\n## The server's ids in a duplicate window of %s, %.0f ids a second\n\n", window, rate)
	fmt.Printf("| t | ids published | ids in the window | live heap over the start MiB |\n|---|---|---|---|\n")
	const tick = 100 * time.Millisecond
	perTick := max(1, int(rate*tick.Seconds()))
	start := time.Now()
	next, report, n := start, start.Add(10*time.Second), 0
	for time.Since(start) < duration {
		for range perTick {
			n++
			if _, err := js.PublishAsync("ids.x", []byte("x"), jetstream.WithMsgID(fmt.Sprintf("a:%032x", n))); err != nil {
				return err
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(time.Minute):
			return fmt.Errorf("no publish acks within a minute")
		}
		if now := time.Now(); !now.Before(report) {
			inWindow := min(float64(n), rate*window.Seconds())
			fmt.Printf("| %.0fs | %d | %.0f | %.1f |\n", now.Sub(start).Seconds(), n, inWindow, float64(int64(liveHeap())-int64(base))/(1<<20))
			report = report.Add(10 * time.Second)
		}
		next = next.Add(tick)
		time.Sleep(time.Until(next))
	}
	return nil
}
