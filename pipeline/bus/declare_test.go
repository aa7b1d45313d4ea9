package bus

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus/embedded"
)

// A second process that declares the same settings changes nothing; one
// with a new setting updates the stream.
func TestDeclareUpdatesOnlyWhatDiffers(t *testing.T) {
	s, err := embedded.Start(embedded.Config{Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Shutdown(); s.WaitForShutdown() }()
	ctx := context.Background()
	o := DefaultOptions()
	o.URL = s.ClientURL()
	log := slog.New(slog.DiscardHandler)
	c, err := Connect(ctx, o, log)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// What the server stored must read as the same settings, or every
	// start would update every stream.
	for _, name := range []string{pipeline.ArticlesStream, pipeline.AlertsStream} {
		st, err := c.js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		want := c.streamConfigs()[name]
		if !sameStream(st.CachedInfo().Config, want) {
			t.Errorf("%s: the server's config does not read as the declared one:\nhave %+v\nwant %+v", name, st.CachedInfo().Config, want)
		}
	}
	if _, err := Connect(ctx, o, log); err != nil {
		t.Fatalf("second declare: %v", err)
	}

	o.AlertsMaxAge = 48 * time.Hour
	c3, err := Connect(ctx, o, log)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	st, err := c3.js.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.CachedInfo().Config.MaxAge; got != 48*time.Hour {
		t.Errorf("ALERTS max age after a changed declare = %s, want 48h", got)
	}
	kv, err := ensureKV(ctx, c3.js, jetstream.KeyValueConfig{Bucket: SeenBucket, TTL: time.Hour, History: 1})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := kv.Status(ctx); status.TTL() != time.Hour {
		t.Errorf("SEEN TTL after a changed declare = %s, want 1h", status.TTL())
	}
}
