package e2e

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
)

// userConn connects as a user of deploy/nats/accounts.conf on its own
// inbox prefix, recording the server's permission errors.
func userConn(t *testing.T, url, user string, v *violations) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url, nats.UserInfo(user, user+"-secret"), nats.CustomInboxPrefix("_INBOX_"+user),
		nats.ErrorHandler(v.handler))
	if err != nil {
		t.Fatalf("%s connects: %v", user, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// msgCounts is how many messages each stream holds.
func msgCounts(t *testing.T, js jetstream.JetStream) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	l := js.ListStreams(context.Background())
	for info := range l.Info() {
		out[info.Config.Name] = info.State.Msgs
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Least privilege holds: with the users of deploy/nats/accounts.conf, every
// operation that would let one service or analyst change the topology,
// forge an alert or an article, or touch another's consumer is refused for
// every user not meant to do it, and afterwards every stream, consumer and
// message count is as it was. (Before: ingest could shrink ALERTS to one
// message, add a subject to it and store a forged alert, and change the
// tagger's consumer; the tagger could shrink ARTICLES and ALERTS; an
// analyst could delete another analyst's consumer.)
func TestForbiddenOperations(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	url := s.ClientURL()
	ctx := context.Background()

	// State worth protecting: an article, an alert, analyst2's own replay
	// consumer and a notify sink's durable.
	var none violations
	_, adminJS := userConn(t, url, "setup", &none)
	_, ingJS := userConn(t, url, "ingest", &none)
	if _, err := ingJS.Publish(ctx, "news.articles.example", []byte(`{"id":"a:1"}`)); err != nil {
		t.Fatal(err)
	}
	_, tagJS := userConn(t, url, "tagger", &none)
	if _, err := tagJS.Publish(ctx, "tagged.alerts.cloud.huawei", []byte(`{"id":"a:1:huawei"}`)); err != nil {
		t.Fatal(err)
	}
	_, a2JS := userConn(t, url, "analyst2", &none)
	if _, err := a2JS.CreateOrUpdateConsumer(ctx, pipeline.AlertsStream, jetstream.ConsumerConfig{Durable: "analyst2", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatalf("analyst2 creates its own consumer: %v", err)
	}
	_, notJS := userConn(t, url, "notify", &none)
	if _, err := notJS.CreateOrUpdateConsumer(ctx, pipeline.AlertsStream, jetstream.ConsumerConfig{Durable: "notify-webhook", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatalf("notify creates a sink consumer: %v", err)
	}
	before, beforeCounts := readTopologyJS(t, adminJS), msgCounts(t, adminJS)

	// A refused API request gets no answer; a short wait tells.
	short := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 500*time.Millisecond) }
	streamEdit := func(name string, edit func(*jetstream.StreamConfig)) func(*nats.Conn, jetstream.JetStream) error {
		return func(_ *nats.Conn, js jetstream.JetStream) error {
			cfg := before.streams[name]
			edit(&cfg)
			c, cancel := short()
			defer cancel()
			_, err := js.UpdateStream(c, cfg)
			return err
		}
	}
	api := func(f func(context.Context, jetstream.JetStream) error) func(*nats.Conn, jetstream.JetStream) error {
		return func(_ *nats.Conn, js jetstream.JetStream) error {
			c, cancel := short()
			defer cancel()
			return f(c, js)
		}
	}
	stored := func(subject string) func(*nats.Conn, jetstream.JetStream) error {
		return api(func(c context.Context, js jetstream.JetStream) error {
			_, err := js.Publish(c, subject, []byte(`{"id":"forged"}`))
			return err
		})
	}
	// live is a core publish: refused ones are reported asynchronously.
	live := func(subject string) func(*nats.Conn, jetstream.JetStream) error {
		return func(nc *nats.Conn, _ jetstream.JetStream) error {
			if err := nc.Publish(subject, []byte(`{"id":"forged"}`)); err != nil {
				return err
			}
			return errLiveSent
		}
	}
	ops := []struct {
		name    string
		allowed []string // users meant to do it
		do      func(*nats.Conn, jetstream.JetStream) error
	}{
		{"shrink ALERTS to one message", nil, streamEdit(pipeline.AlertsStream, func(c *jetstream.StreamConfig) { c.MaxMsgs = 1 })},
		{"add a subject to ALERTS", nil, streamEdit(pipeline.AlertsStream, func(c *jetstream.StreamConfig) { c.Subjects = append(c.Subjects, "forged.>") })},
		{"shrink ARTICLES to one message", nil, streamEdit(pipeline.ArticlesStream, func(c *jetstream.StreamConfig) { c.MaxMsgs = 1 })},
		{"make POLL R1 of another shape", nil, streamEdit(bus.PollStream, func(c *jetstream.StreamConfig) { c.MaxMsgsPerSubject = 10 })},
		{"purge ALERTS", nil, api(func(c context.Context, js jetstream.JetStream) error {
			s, err := js.Stream(c, pipeline.AlertsStream)
			if err != nil {
				return err
			}
			return s.Purge(c)
		})},
		{"delete stream ARTICLES", nil, api(func(c context.Context, js jetstream.JetStream) error {
			return js.DeleteStream(c, pipeline.ArticlesStream)
		})},
		{"delete bucket SEEN", nil, api(func(c context.Context, js jetstream.JetStream) error { return js.DeleteKeyValue(c, bus.SeenBucket) })},
		{"create a stream", nil, api(func(c context.Context, js jetstream.JetStream) error {
			_, err := js.CreateStream(c, jetstream.StreamConfig{Name: "FORGED", Subjects: []string{"forged.>"}})
			return err
		})},
		{"change the tagger's consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			cfg := before.consumers[pipeline.ArticlesStream+" > "+pipeline.TaggerConsumer]
			cfg.MaxDeliver = 1
			_, err := js.CreateOrUpdateConsumer(c, pipeline.ArticlesStream, cfg)
			return err
		})},
		{"delete the tagger's consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			return js.DeleteConsumer(c, pipeline.ArticlesStream, pipeline.TaggerConsumer)
		})},
		{"take the tagger's articles", []string{"tagger"}, api(func(c context.Context, js jetstream.JetStream) error {
			cons, err := js.Consumer(c, pipeline.ArticlesStream, pipeline.TaggerConsumer)
			if err != nil {
				return err
			}
			_, err = cons.Fetch(1, jetstream.FetchMaxWait(300*time.Millisecond))
			return err
		})},
		{"change the ingest poll consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			cfg := before.consumers[bus.PollStream+" > "+bus.PollConsumer]
			cfg.AckWait = time.Hour
			_, err := js.CreateOrUpdateConsumer(c, bus.PollStream, cfg)
			return err
		})},
		{"delete another analyst's consumer", []string{"analyst2"}, api(func(c context.Context, js jetstream.JetStream) error {
			return js.DeleteConsumer(c, pipeline.AlertsStream, "analyst2")
		})},
		{"change another analyst's consumer", []string{"analyst2", "notify"}, api(func(c context.Context, js jetstream.JetStream) error {
			_, err := js.CreateOrUpdateConsumer(c, pipeline.AlertsStream, jetstream.ConsumerConfig{Durable: "analyst2", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1})
			return err
		})},
		{"delete a notify sink's consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			return js.DeleteConsumer(c, pipeline.AlertsStream, "notify-webhook")
		})},
		{"store a forged alert", []string{"tagger"}, stored("tagged.alerts.cloud.forged")},
		{"store a forged spike alert", []string{"tagger", "notify"}, stored("tagged.alerts.spike.forged")},
		{"store a forged article", []string{"ingest"}, stored("news.articles.forged")},
		{"send a live alert past the stream", nil, live("alerts.cloud.forged")},
		{"store feedback", []string{"desk"}, stored("feedback.forged")},
		{"store a dead letter", []string{"notify"}, stored("notify.dead.forged")},
	}
	users := []string{"ingest", "tagger", "desk", "notify", "analyst", "analyst2"}
	var wg sync.WaitGroup
	for _, user := range users {
		wg.Go(func() {
			var v violations
			nc, js := userConn(t, url, user, &v)
			for _, op := range ops {
				if slices.Contains(op.allowed, user) {
					continue
				}
				err := op.do(nc, js)
				switch {
				case err == errLiveSent:
					nc.Flush()
					v.waitFor(t, "alerts.cloud.forged")
				case err == nil:
					t.Errorf("%s may %s", user, op.name)
				}
			}
		})
	}
	wg.Wait()

	after, afterCounts := readTopologyJS(t, adminJS), msgCounts(t, adminJS)
	if !reflect.DeepEqual(before.streams, after.streams) {
		t.Errorf("streams changed:\nbefore %+v\nafter  %+v", before.streams, after.streams)
	}
	if !reflect.DeepEqual(before.consumers, after.consumers) {
		t.Errorf("consumers changed:\nbefore %+v\nafter  %+v", before.consumers, after.consumers)
	}
	if !reflect.DeepEqual(beforeCounts, afterCounts) {
		t.Errorf("messages stored changed: before %v, after %v", beforeCounts, afterCounts)
	}
}

var errLiveSent = fmt.Errorf("sent; the server answers a refusal asynchronously")

// readTopologyJS is readTopology over an existing connection.
func readTopologyJS(t *testing.T, js jetstream.JetStream) topologyState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st := topologyState{streams: map[string]jetstream.StreamConfig{}, consumers: map[string]jetstream.ConsumerConfig{}}
	streams := js.ListStreams(ctx)
	for info := range streams.Info() {
		st.streams[info.Config.Name] = info.Config
		s, err := js.Stream(ctx, info.Config.Name)
		if err != nil {
			t.Fatal(err)
		}
		cl := s.ListConsumers(ctx)
		for ci := range cl.Info() {
			if ci.Config.Durable != "" {
				st.consumers[info.Config.Name+" > "+ci.Name] = ci.Config
			}
		}
		if err := cl.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := streams.Err(); err != nil {
		t.Fatal(err)
	}
	return st
}

// The desk and notify users may do what docs/desk.md and docs/delivery.md
// need: the desk reads the streams and publishes feedback; notify keeps its
// sink consumers, reads ALERTS and NOTIFY_DEAD in order, files and removes
// dead letters.
func TestDeskAndNotifyMayDoTheirJobs(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	url := s.ClientURL()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var none violations
	_, ingJS := userConn(t, url, "ingest", &none)
	if _, err := ingJS.Publish(ctx, "news.articles.example", []byte(`{"id":"a:1"}`)); err != nil {
		t.Fatal(err)
	}
	_, tagJS := userConn(t, url, "tagger", &none)
	if _, err := tagJS.Publish(ctx, "tagged.alerts.cloud.huawei", []byte(`{"id":"a:1:huawei"}`)); err != nil {
		t.Fatal(err)
	}

	var deskV violations
	_, desk := userConn(t, url, "desk", &deskV)
	if _, err := desk.Publish(ctx, "feedback.huawei", []byte(`{"alert":"a:1:huawei","verdict":"wrong"}`)); err != nil {
		t.Errorf("desk publishes feedback: %v", err)
	}
	for _, stream := range []string{pipeline.ArticlesStream, bus.FeedbackStream} {
		oc, err := desk.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
		if err != nil {
			t.Errorf("desk reads %s in order: %v", stream, err)
			continue
		}
		if _, err := oc.Next(jetstream.FetchMaxWait(5 * time.Second)); err != nil {
			t.Errorf("desk reads %s: %v", stream, err)
		}
	}
	alerts, err := desk.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		t.Fatalf("desk looks up ALERTS: %v", err)
	}
	if m, err := alerts.GetMsg(ctx, 1, jetstream.WithGetMsgSubject("alerts.>")); err != nil || m.Subject != "alerts.cloud.huawei" {
		t.Errorf("desk reads stored alert 1: %v %v", m, err)
	}

	var notV violations
	_, notify := userConn(t, url, "notify", &notV)
	sink, err := notify.CreateOrUpdateConsumer(ctx, pipeline.AlertsStream, jetstream.ConsumerConfig{
		Durable: "notify-webhook", AckPolicy: jetstream.AckExplicitPolicy, FilterSubjects: []string{"alerts.cloud.>"}})
	if err != nil {
		t.Fatalf("notify creates its sink consumer: %v", err)
	}
	m, err := sink.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("notify takes an alert: %v", err)
	}
	if err := m.DoubleAck(ctx); err != nil {
		t.Errorf("notify acks: %v", err)
	}
	if _, err := notify.Publish(ctx, "notify.dead.webhook", []byte(`{}`)); err != nil {
		t.Errorf("notify files a dead letter: %v", err)
	}
	if _, err := notify.Publish(ctx, "tagged.alerts.spike.huawei", []byte(`{"id":"spike:1"}`)); err != nil {
		t.Errorf("notify publishes a spike alert: %v", err)
	}
	oc, err := notify.OrderedConsumer(ctx, bus.NotifyDeadStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatalf("notify reads NOTIFY_DEAD: %v", err)
	}
	dead, err := oc.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("notify reads a dead letter: %v", err)
	}
	md, _ := dead.Metadata()
	ds, err := notify.Stream(ctx, bus.NotifyDeadStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.DeleteMsg(ctx, md.Sequence.Stream); err != nil {
		t.Errorf("notify removes a replayed dead letter: %v", err)
	}
	for name, v := range map[string]*violations{"desk": &deskV, "notify": &notV} {
		v.mu.Lock()
		if len(v.errs) > 0 {
			t.Errorf("%s: %v", name, v.errs)
		}
		v.mu.Unlock()
	}
}
