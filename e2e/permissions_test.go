package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
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

// webhookSink is the sink these tests set up for notify.
var webhookSink = bus.Sink{Name: "webhook", Subjects: []string{"alerts.cloud.>"}}

// withSinks is the test topology with notify's sinks.
func withSinks(sinks ...bus.Sink) bus.Topology {
	top := natstest.Topology()
	top.Sinks = sinks
	return top
}

// take fetches one message from a durable consumer and reports whether
// it got one: a refused pull request is never answered.
func take(stream, consumer string) func(context.Context, jetstream.JetStream) error {
	return func(c context.Context, js jetstream.JetStream) error {
		cons, err := js.Consumer(c, stream, consumer)
		if err != nil {
			return err
		}
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(300*time.Millisecond))
		if err != nil {
			return err
		}
		n := 0
		for range batch.Messages() {
			n++
		}
		if n == 0 {
			return errors.New("nothing taken")
		}
		return nil
	}
}

// Least privilege holds: with the users of deploy/nats/accounts.conf, every
// operation that would let one service or analyst change the topology,
// forge an alert or an article, or touch another's consumer is refused for
// every user not meant to do it, and afterwards every stream, consumer and
// message count is as it was. (Before: ingest could shrink ALERTS to one
// message, add a subject to it and store a forged alert, and change the
// tagger's consumer; the tagger could shrink ARTICLES and ALERTS; an
// analyst could delete another analyst's consumer; notify, which created
// its sinks' consumers itself, could create or change any consumer on
// ALERTS, an analyst's included.)
func TestForbiddenOperations(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	url := s.ClientURL()
	ctx := context.Background()

	// State worth protecting: an article, an alert, analyst2's own replay
	// consumer and a notify sink's durable, which setup writes; each
	// consumer has the alert waiting.
	setupAs(t, url, "setup", withSinks(webhookSink))
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
	before, beforeCounts := readTopologyJS(t, adminJS), msgCounts(t, adminJS)
	if _, ok := before.consumers[pipeline.AlertsStream+" > notify-webhook"]; !ok {
		t.Fatalf("setup wrote no consumer for the webhook sink: %v", before.consumers)
	}

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
		{"take the tagger's articles", []string{"tagger"}, api(take(pipeline.ArticlesStream, pipeline.TaggerConsumer))},
		{"change the ingest poll consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			cfg := before.consumers[bus.PollStream+" > "+bus.PollConsumer]
			cfg.AckWait = time.Hour
			_, err := js.CreateOrUpdateConsumer(c, bus.PollStream, cfg)
			return err
		})},
		{"delete another analyst's consumer", []string{"analyst2"}, api(func(c context.Context, js jetstream.JetStream) error {
			return js.DeleteConsumer(c, pipeline.AlertsStream, "analyst2")
		})},
		{"change another analyst's consumer", []string{"analyst2"}, api(func(c context.Context, js jetstream.JetStream) error {
			_, err := js.CreateOrUpdateConsumer(c, pipeline.AlertsStream, jetstream.ConsumerConfig{Durable: "analyst2", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 1})
			return err
		})},
		{"take another analyst's alerts", []string{"analyst2"}, api(take(pipeline.AlertsStream, "analyst2"))},
		{"create a consumer on ALERTS under a sink's name", nil, api(func(c context.Context, js jetstream.JetStream) error {
			_, err := js.CreateConsumer(c, pipeline.AlertsStream, jetstream.ConsumerConfig{Durable: "notify-forged", AckPolicy: jetstream.AckExplicitPolicy})
			return err
		})},
		{"create a durable on ALERTS by the older API", nil, func(nc *nats.Conn, _ jetstream.JetStream) error {
			return durableCreate(nc, pipeline.AlertsStream, "notify-forged")
		}},
		{"change a notify sink's consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			cfg := before.consumers[pipeline.AlertsStream+" > notify-webhook"]
			cfg.FilterSubjects = []string{"alerts.>"}
			_, err := js.UpdateConsumer(c, pipeline.AlertsStream, cfg)
			return err
		})},
		{"delete a notify sink's consumer", nil, api(func(c context.Context, js jetstream.JetStream) error {
			return js.DeleteConsumer(c, pipeline.AlertsStream, "notify-webhook")
		})},
		{"take a notify sink's alerts", []string{"notify"}, api(take(pipeline.AlertsStream, "notify-webhook"))},
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

// durableCreate creates a durable consumer through the JetStream API's
// older subject, $JS.API.CONSUMER.DURABLE.CREATE.<stream>.<name>, which
// the client library no longer uses but the server still serves.
func durableCreate(nc *nats.Conn, stream, name string) error {
	req, _ := json.Marshal(map[string]any{"stream_name": stream, "config": map[string]any{"durable_name": name, "ack_policy": "explicit"}})
	resp, err := nc.Request("$JS.API.CONSUMER.DURABLE.CREATE."+stream+"."+name, req, 500*time.Millisecond)
	if err != nil {
		return err
	}
	var answer struct {
		Error *struct {
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp.Data, &answer); err != nil {
		return err
	}
	if answer.Error != nil {
		return errors.New(answer.Error.Description)
	}
	return nil
}

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
// need: the desk reads the streams and publishes feedback; notify binds to
// the sink consumers setup wrote and takes and acks their alerts, reads
// ALERTS by get for spike detection, reads NOTIFY_DEAD in order, files and
// removes dead letters.
func TestDeskAndNotifyMayDoTheirJobs(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	url := s.ClientURL()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	setupAs(t, url, "setup", withSinks(webhookSink))
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
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.InboxPrefix = url, "notify", "notify", "notify-secret", "_INBOX_notify"
	o.NATS = []nats.Option{nats.ErrorHandler(notV.handler)}
	notifyBus, err := bus.Connect(ctx, o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer notifyBus.Close()
	if err := notifyBus.VerifyNotify(ctx, []bus.Sink{webhookSink}); err != nil {
		t.Fatalf("notify verifies its sinks: %v", err)
	}
	sink, err := notifyBus.SinkStream(ctx, webhookSink.Name)
	if err != nil {
		t.Fatalf("notify binds to its sink's consumer: %v", err)
	}
	var taken []bus.AlertMsg
	for deadline := time.Now().Add(5 * time.Second); len(taken) == 0 && time.Now().Before(deadline); {
		if taken, err = sink.Fetch(ctx, 10); err != nil {
			t.Fatalf("notify takes an alert: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(taken) != 1 {
		t.Fatalf("notify took %d alerts from its sink, want the 1 stored", len(taken))
	}
	if err := taken[0].Ack(); err != nil {
		t.Errorf("notify acks: %v", err)
	}
	read := make(chan string, 1)
	rctx, stopRead := context.WithCancel(ctx)
	readDone := make(chan error, 1)
	go func() {
		readDone <- notifyBus.ReadAlerts(rctx, time.Now().Add(-time.Hour), func(data []byte, _ time.Time, _ uint64) {
			select {
			case read <- string(data):
			default:
			}
		})
	}()
	select {
	case got := <-read:
		if got != `{"id":"a:1:huawei"}` {
			t.Errorf("spike reader read %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("notify's spike reader read nothing from ALERTS")
	}
	stopRead()
	if err := <-readDone; err != nil {
		t.Errorf("notify's spike reader: %v", err)
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
