package bus_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
)

// Setup creates the whole topology once; run again with the same settings
// it changes nothing, and with a new setting it changes only that.
func TestSetupCreatesThenChangesOnlyWhatDiffers(t *testing.T) {
	s := natstest.Start(t)
	c := natstest.Connect(t, s.ClientURL(), "setup")
	ctx := context.Background()
	top := bus.DefaultTopology()

	first, err := c.Setup(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(top.Streams()) + len(top.Buckets()) + len(top.Consumers()); len(first) != n {
		t.Fatalf("setup reported %d objects, want %d: %v", len(first), n, first)
	}
	for _, ch := range first {
		if ch.Action != "created" {
			t.Errorf("first setup: %s", ch)
		}
	}
	again, err := c.Setup(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range again {
		if ch.Action != "unchanged" {
			t.Errorf("second setup with the same settings: %s", ch)
		}
	}

	top.Alerts.MaxAge = 48 * time.Hour
	top.TaggerAckWait = time.Minute
	changed, err := c.Setup(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	var updated []string
	for _, ch := range changed {
		if ch.Action != "unchanged" {
			updated = append(updated, ch.String())
		}
	}
	want := []string{"stream ALERTS: updated (max_age 720h0m0s -> 48h0m0s)", "consumer ARTICLES > tagger: updated (ack_wait 30s -> 1m0s)"}
	if strings.Join(updated, "\n") != strings.Join(want, "\n") {
		t.Errorf("setup with two new settings:\n%s\nwant\n%s", strings.Join(updated, "\n"), strings.Join(want, "\n"))
	}
}

// The tagger's consumer runs with the ack wait the topology sets: the
// server reads the first backoff step as the ack wait, so the topology
// sets none (issue: 30 s configured, 1 s in force).
func TestTaggerConsumerEffectiveSettings(t *testing.T) {
	s := natstest.Start(t)
	natstest.Setup(t, s.ClientURL(), bus.DefaultTopology())
	js, err := jetstream.New(natstest.Connect(t, s.ClientURL(), "check").Conn())
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(context.Background(), pipeline.ArticlesStream, pipeline.TaggerConsumer)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.Config
	if cfg.AckWait != 30*time.Second || len(cfg.BackOff) != 0 || cfg.MaxDeliver != 8 || cfg.AckPolicy != jetstream.AckExplicitPolicy {
		t.Errorf("tagger consumer in force: ack wait %s, backoff %v, max deliver %d, ack %s; want 30s, none, 8, explicit",
			cfg.AckWait, cfg.BackOff, cfg.MaxDeliver, cfg.AckPolicy)
	}
}

// Verify names everything missing, and changes nothing.
func TestVerifyRefusesWhatIsMissing(t *testing.T) {
	s := natstest.Start(t)
	c := natstest.Connect(t, s.ClientURL(), "tagger")
	ctx := context.Background()
	err := c.Verify(ctx, bus.TaggerNeeds)
	if !errors.Is(err, bus.ErrNotSetUp) {
		t.Fatalf("verify on an empty server: %v, want ErrNotSetUp", err)
	}
	for _, want := range []string{"stream ARTICLES does not exist", "stream ALERTS does not exist", "consumer ARTICLES > tagger does not exist", "newsmon setup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	js, _ := jetstream.New(c.Conn())
	if names := js.StreamNames(ctx); names.Err() == nil {
		for n := range names.Name() {
			t.Errorf("verify left stream %s behind", n)
		}
	}
}

// Verify refuses an object of another shape than the topology's, naming
// what differs, and leaves it as it was.
func TestVerifyRefusesAnotherShape(t *testing.T) {
	s := natstest.Start(t)
	c := natstest.Connect(t, s.ClientURL(), "ingest")
	ctx := context.Background()
	natstest.Setup(t, s.ClientURL(), natstest.Topology())
	js, _ := jetstream.New(c.Conn())
	st, err := js.Stream(ctx, bus.PollStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.MaxMsgsPerSubject = 5
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	err = c.Verify(ctx, bus.IngestNeeds)
	if !errors.Is(err, bus.ErrNotSetUp) || !strings.Contains(err.Error(), "stream POLL: max messages per subject 5, want 1") {
		t.Fatalf("verify of a POLL stream holding 5 jobs a host: %v", err)
	}
	st, _ = js.Stream(ctx, bus.PollStream)
	if got := st.CachedInfo().Config.MaxMsgsPerSubject; got != 5 {
		t.Errorf("verify changed POLL: max messages per subject %d", got)
	}
	// Limits are the deployment's: a shorter max age is no reason to refuse.
	as, _ := js.Stream(ctx, pipeline.ArticlesStream)
	acfg := as.CachedInfo().Config
	acfg.MaxAge = time.Hour
	if _, err := js.UpdateStream(ctx, acfg); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(ctx, bus.TaggerNeeds); err != nil {
		t.Errorf("verify with a deployment's own max age: %v", err)
	}
}

// Every service's needs are met by the topology as set up.
func TestVerifyEveryServiceAfterSetup(t *testing.T) {
	s := natstest.StartSetUp(t)
	c := natstest.Connect(t, s.ClientURL(), "any")
	for name, n := range map[string]bus.Needs{
		"ingest": bus.IngestNeeds, "feeds status": bus.FeedStatusNeeds, "tagger": bus.TaggerNeeds,
		"desk": bus.DeskNeeds, "notify": bus.NotifyNeeds,
	} {
		if err := c.Verify(context.Background(), n); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Short ages and windows, as a soak or a small machine sets them, are set
// up as asked: the duplicate windows the server holds in memory are the
// deployment's to choose, and a fixed window never outlasts its stream's
// max age (which the server refuses). A window longer than its stream's
// age is refused before anything is written, naming both.
func TestSetupShortWindows(t *testing.T) {
	s := natstest.Start(t)
	c := natstest.Connect(t, s.ClientURL(), "setup")
	ctx := context.Background()
	top := bus.DefaultTopology()
	top.Articles.MaxAge, top.ArticlesDuplicates = 3*time.Minute, 2*time.Minute
	top.Alerts.MaxAge, top.AlertsDuplicates = 3*time.Minute, 3*time.Minute
	top.Feedback.MaxAge, top.Dead.MaxAge = time.Minute, 5*time.Minute
	if err := top.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Setup(ctx, top); err != nil {
		t.Fatalf("setup with short ages and windows: %v", err)
	}
	js, _ := jetstream.New(c.Conn())
	for name, want := range map[string]time.Duration{
		pipeline.ArticlesStream: 2 * time.Minute, pipeline.AlertsStream: 3 * time.Minute,
		bus.FeedbackStream: time.Minute, bus.NotifyDeadStream: 5 * time.Minute,
	} {
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.CachedInfo().Config.Duplicates; got != want {
			t.Errorf("stream %s: duplicate window %s, want %s", name, got, want)
		}
	}

	top.ArticlesDuplicates = 10 * time.Minute
	err := top.Validate()
	if err == nil || !strings.Contains(err.Error(), "articles duplicate window 10m0s: at most the articles max age 3m0s") {
		t.Errorf("validate with a window longer than the stream's age: %v", err)
	}
}
