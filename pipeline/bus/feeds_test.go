package bus_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
)

// side is the ingest stores on one client.
type side struct {
	*bus.Client
	natstest.Ingest
}

func ingestBus(t *testing.T, ackWait time.Duration) (side, string) {
	t.Helper()
	s := natstest.Start(t)
	top := natstest.Topology()
	top.PollAckWait = ackWait
	natstest.Setup(t, s.ClientURL(), top)
	return connectIngest(t, s.ClientURL()), s.ClientURL()
}

func connectIngest(t *testing.T, url string) side {
	t.Helper()
	c := natstest.Connect(t, url, "ingest")
	return side{c, natstest.OpenIngest(t, c)}
}

// Batched seen lookups find exactly the keys marked before, with their values.
func TestSeenAll(t *testing.T) {
	in, _ := ingestBus(t, time.Second)
	ctx := context.Background()
	marked := map[string]string{}
	var keys []string
	for i := range 1200 { // more than one request's worth
		k := fmt.Sprintf("story%d", i)
		keys = append(keys, k)
		if i%3 == 0 {
			marked[k] = fmt.Sprintf("a:%d", i)
		}
	}
	if err := in.Seen.MarkSeenAll(ctx, marked); err != nil {
		t.Fatal(err)
	}
	got, err := in.Seen.SeenAll(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(marked, got); d != "" {
		t.Errorf("SeenAll (-want +got):\n%s", d)
	}
	if none, err := in.Seen.SeenAll(ctx, []string{"never"}); err != nil || len(none) != 0 {
		t.Errorf("SeenAll(unseen) = %v, %v", none, err)
	}
	// Keys are the caller's, any string: one that would be a wildcard
	// or several tokens as a subject is stored and found as itself only.
	odd := map[string]string{"a.*": "1", "a.>": "2", "": "3", "a..b": "4", "url:https://example.com/x?y=z": "5"}
	if err := in.Seen.MarkSeenAll(ctx, odd); err != nil {
		t.Fatal(err)
	}
	got, err = in.Seen.SeenAll(ctx, []string{"a.*", "a.>", "", "a..b", "url:https://example.com/x?y=z", "a.b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(odd, got); d != "" {
		t.Errorf("SeenAll of odd keys (-want +got):\n%s", d)
	}
}

// SEEN records written before the bus derived bucket keys itself (under
// the hash of the key as article ids have it) are still found.
func TestSeenKeepsEarlierRecords(t *testing.T) {
	in, _ := ingestBus(t, time.Second)
	ctx := context.Background()
	key := "url:https://example.com/story?id=1"
	js, err := jetstream.New(in.Conn())
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, bus.SeenBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, strings.TrimPrefix(pipeline.ArticleID(key), "a:"), []byte("a:old")); err != nil {
		t.Fatal(err)
	}
	got, err := in.Seen.SeenAll(ctx, []string{key})
	if err != nil || got[key] != "a:old" {
		t.Errorf("SeenAll(%q) = %v, %v; want the earlier record", key, got, err)
	}
}

// Band lookups return every article filed under any of the bands asked for.
func TestNearCandidates(t *testing.T) {
	in, _ := ingestBus(t, time.Second)
	ctx := context.Background()
	err := in.Near.AddNear(ctx, map[string]string{
		"b0-0001.x1": "fp1 a:1", "b1-0002.x1": "fp1 a:1",
		"b0-0001.x2": "fp2 a:2", "b1-0003.x2": "fp2 a:2",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Entries are sent without acks: they become visible shortly.
	var got []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		got, err = in.Near.NearCandidates(ctx, []string{"b0-0001", "b3-ffff"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	sort.Strings(got)
	if d := cmp.Diff([]string{"fp1 a:1", "fp2 a:2"}, got); d != "" {
		t.Errorf("candidates (-want +got):\n%s", d)
	}
	got, err = in.Near.NearCandidates(ctx, []string{"b1-0003"})
	if err != nil || len(got) != 1 || got[0] != "fp2 a:2" {
		t.Errorf("candidates of b1-0003 = %v, %v", got, err)
	}
	if got, err := in.Near.NearCandidates(ctx, []string{"b2-0000"}); err != nil || len(got) != 0 {
		t.Errorf("candidates of an empty band = %v, %v", got, err)
	}
}

// Feed state is saved only over the revision it was read at, and watchers
// see every change.
func TestFeedStateRevisions(t *testing.T) {
	in, url := ingestBus(t, time.Second)
	ctx := context.Background()
	other := connectIngest(t, url)

	var mu sync.Mutex
	seen := map[string]string{}
	stop, err := other.States.WatchStates(ctx, func(key string, data []byte, _ uint64) {
		mu.Lock()
		seen[key] = string(data)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	rev, ok, err := in.States.SaveState(ctx, "f1", []byte("v1"), 0)
	if err != nil || !ok {
		t.Fatalf("create: %v %v", ok, err)
	}
	if _, ok, err := other.States.SaveState(ctx, "f1", []byte("v1 again"), 0); err != nil || ok {
		t.Errorf("second create: ok %v err %v, want refused", ok, err)
	}
	rev2, ok, err := in.States.SaveState(ctx, "f1", []byte("v2"), rev)
	if err != nil || !ok {
		t.Fatalf("update: %v %v", ok, err)
	}
	if _, ok, err := other.States.SaveState(ctx, "f1", []byte("stale"), rev); err != nil || ok {
		t.Errorf("update at a stale revision: ok %v err %v, want refused", ok, err)
	}
	data, got, err := other.States.LoadState(ctx, "f1")
	if err != nil || got != rev2 || string(data) != "v2" {
		t.Errorf("load = %q rev %d err %v, want v2 rev %d", data, got, err, rev2)
	}
	if data, rev, err := other.States.LoadState(ctx, "absent"); err != nil || data != nil || rev != 0 {
		t.Errorf("load absent = %q %d %v", data, rev, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		v := seen["f1"]
		mu.Unlock()
		if v == "v2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watcher saw %q, want v2", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
	all, err := other.States.States(ctx)
	if err != nil || len(all) != 1 || string(all["f1"]) != "v2" {
		t.Errorf("States = %v, %v", all, err)
	}
}

// A host has at most one poll job at a time; a job whose worker dies
// comes back to another after the ack wait.
func TestPollJobs(t *testing.T) {
	ackWait := 600 * time.Millisecond
	a, url := ingestBus(t, ackWait)
	b := connectIngest(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for i := range 5 { // five asks for the same host, one job
		if err := a.Jobs.EnqueuePoll("example_com", fmt.Sprintf("example.com:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Jobs.EnqueuePoll("example_org", "example.org:1"); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Replica a takes jobs and hangs on them without a sign of life: it
	// stands for a killed replica (its in-progress acks stop with it).
	actx, acancel := context.WithCancel(ctx)
	hung := make(chan string, 10)
	var aDone sync.WaitGroup
	aDone.Add(1)
	go func() {
		defer aDone.Done()
		a.Jobs.ConsumePolls(actx, 1, func(ctx context.Context, host string) error {
			hung <- host
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	first := <-hung
	// Kill a's connection: no ack, no nak, no in-progress.
	a.Conn().Close()

	var got sync.Map
	var n atomic.Int32
	bctx, bcancel := context.WithCancel(ctx)
	go b.Jobs.ConsumePolls(bctx, 2, func(_ context.Context, host string) error {
		got.Store(host, true)
		n.Add(1)
		return nil
	})
	start := time.Now()
	for n.Load() < 2 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := got.Load(first); !ok {
		t.Errorf("the dead replica's job for %s was not taken over", first)
	}
	if d := time.Since(start); d > 5*ackWait {
		t.Errorf("takeover took %s, ack wait %s", d, ackWait)
	}
	time.Sleep(3 * ackWait)
	if c := n.Load(); c != 2 {
		t.Errorf("handled %d jobs, want 2 (one per host)", c)
	}
	bcancel()
	acancel()
	aDone.Wait()
}

// A job delivered and not yet acknowledged still holds its host: a second
// ask for the host is dropped, not handed to another worker.
func TestPollJobInFlightKeepsHost(t *testing.T) {
	a, _ := ingestBus(t, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Jobs.EnqueuePoll("h", "h:1"); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 10)
	jctx, jcancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Jobs.ConsumePolls(jctx, 4, func(ctx context.Context, host string) error {
			got <- host
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-got
	if err := a.Jobs.EnqueuePoll("h", "h:2"); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-got:
		t.Errorf("a second job for %s while the first is in flight", h)
	case <-time.After(time.Second):
	}
	jcancel()
	<-done
}

// A band holding more articles than one answer may carry is left out; the
// other bands asked for still answer.
func TestNearCandidatesCrowdedBand(t *testing.T) {
	in, _ := ingestBus(t, time.Second)
	ctx := context.Background()
	entries := map[string]string{"b1-0002.lone": "fp a:lone"}
	for i := range 1100 {
		entries[fmt.Sprintf("b0-0001.m%d", i)] = fmt.Sprintf("fp a:%d", i)
	}
	if err := in.Near.AddNear(ctx, entries); err != nil {
		t.Fatal(err)
	}
	// Entries are sent without acks: wait until all are stored.
	js, err := jetstream.New(in.Conn())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := js.Stream(ctx, "KV_"+bus.NearBucket)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == uint64(len(entries)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("NEAR holds %d entries, want %d", info.State.Msgs, len(entries))
		}
	}
	got, err := in.Near.NearCandidates(ctx, []string{"b0-0001", "b1-0002"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "fp a:lone" {
		t.Errorf("candidates = %d values (%.40v), want only the lone band's", len(got), got)
	}
}

// A lookup nobody answers is an error, never an empty answer: read as
// "nothing seen", it would republish every item.
func TestSeenAllUnansweredIsAnError(t *testing.T) {
	s := natstest.Start(t) // no topology: no stream answers the get
	seen := bus.NewSeen(natstest.Connect(t, s.ClientURL(), "ingest"))
	got, err := seen.SeenAll(context.Background(), []string{"url:https://example.com/a"})
	if err == nil {
		t.Fatalf("SeenAll without a SEEN stream = %v, nil; want an error", got)
	}
}
