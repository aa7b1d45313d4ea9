package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
)

// Names of the NATS objects beyond those in package pipeline.
const (
	// FeedbackStream keeps analysts' verdicts on alerts, feedback.<category>.<rule-id>.
	FeedbackStream  = "FEEDBACK"
	FeedbackSubject = "feedback" // + "." + rule id
	// NotifyDeadStream keeps what a notify sink gave up on,
	// notify.dead.<sink>.
	NotifyDeadStream  = "NOTIFY_DEAD"
	NotifyDeadSubject = "notify.dead" // + "." + sink
)

// Topology is the whole NATS layout of one deployment: every stream,
// key-value bucket and shared durable consumer newsmon uses, with the
// settings an operator chooses (replicas, ages, sizes, ack waits). It is
// written to the server by one explicit step, Setup (`newsmon setup`, or
// the one-process newsmon on its own embedded server); services only
// Verify that what they need is there and has the shape they rely on, so
// no service's flags can change the deployment.
type Topology struct {
	// Replicas of every stream, bucket and consumer: 1 on one server, 3
	// on a cluster. 0 keeps each existing object's replicas and gives new
	// ones 3 on a cluster, 1 on a single server, so that running setup
	// again without the flag never shrinks a cluster's streams.
	Replicas int

	Articles Limits // ARTICLES: what ingest published, read by the tagger and desks
	Alerts   Limits // ALERTS: alerts, read by analysts, desks and notify
	Feedback Limits // FEEDBACK: analysts' verdicts, kept about a year
	Dead     Limits // NOTIFY_DEAD: deliveries notify gave up on

	// ArticlesDuplicates is how long ARTICLES remembers an article id, so
	// that an article published again (a replica's retry, a feed polled
	// twice before SEEN recorded it) is stored once. The server holds
	// every id of the window in memory (docs/operations.md, "Memory").
	ArticlesDuplicates time.Duration

	// AlertsDuplicates is how long ALERTS remembers an alert id. It must
	// outlast the tagger's whole redelivery span (each delivery's ack wait
	// and retry delay), or an article redelivered late could raise its
	// alert twice; the tagger refuses to start when it does not.
	AlertsDuplicates time.Duration

	SeenTTL time.Duration // how long SEEN remembers a published item
	NearTTL time.Duration // how long NEAR offers a published text as a near-duplicate original

	// TaggerAckWait is how long the tagger may work on an article before
	// the server hands it to another tagger; TaggerMaxDeliver caps the
	// deliveries of one article, so a poison message cannot loop.
	TaggerAckWait    time.Duration
	TaggerMaxDeliver int
	// PollAckWait is how long a poll job may go without a sign of life
	// before another ingest replica gets it: a killed replica's hosts are
	// taken over after this long.
	PollAckWait time.Duration

	// Sinks are notify's sinks, as its sinks file names them: each gets a
	// durable consumer notify-<name> on ALERTS, filtered on its subjects.
	// Setup writes them like the shared consumers, so that notify needs
	// no right to create or change a consumer on ALERTS (a right that,
	// names having no prefix match in permissions, would reach every
	// analyst's). A sink first set up receives the alerts stored from
	// then on.
	Sinks []Sink
	// SinkAckWait is how long ALERTS waits for a sink's ack before it
	// hands the alert over again: after a crash, the alerts the dead
	// notify held come back after this long.
	SinkAckWait time.Duration
}

// Sink is one of notify's sinks as the topology sees it: a name (the
// consumer notify-<name>) and the subjects it receives.
type Sink struct {
	Name     string
	Subjects []string
}

// Limits bound one stream. A zero MaxBytes means no size limit.
type Limits struct {
	MaxAge   time.Duration
	MaxBytes int64
}

// DefaultTopology is the layout of docs/messages.md on one server.
func DefaultTopology() Topology {
	return Topology{
		Articles:           Limits{MaxAge: 72 * time.Hour},
		Alerts:             Limits{MaxAge: 30 * 24 * time.Hour},
		Feedback:           Limits{MaxAge: 365 * 24 * time.Hour},
		Dead:               Limits{MaxAge: 30 * 24 * time.Hour},
		ArticlesDuplicates: 10 * time.Minute,
		AlertsDuplicates:   30 * time.Minute,
		SeenTTL:            30 * 24 * time.Hour,
		NearTTL:            72 * time.Hour,
		TaggerAckWait:      30 * time.Second,
		TaggerMaxDeliver:   8,
		PollAckWait:        30 * time.Second,
		SinkAckWait:        SinkAckWait,
	}
}

// Validate gathers every setting that cannot work.
func (t Topology) Validate() error {
	var errs []error
	if t.Replicas < 0 || t.Replicas > 5 {
		errs = append(errs, fmt.Errorf("replicas %d: want 1 to 5 (3 on a cluster), or 0 to keep them", t.Replicas))
	}
	for _, l := range []struct {
		name string
		l    Limits
	}{{"articles", t.Articles}, {"alerts", t.Alerts}, {"feedback", t.Feedback}, {"dead", t.Dead}} {
		if l.l.MaxAge < time.Minute {
			errs = append(errs, fmt.Errorf("%s max age %s: at least 1m", l.name, l.l.MaxAge))
		}
		if l.l.MaxBytes < 0 {
			errs = append(errs, fmt.Errorf("%s max bytes %d: 0 (no limit) or more", l.name, l.l.MaxBytes))
		}
	}
	// The server refuses a duplicate window longer than the stream keeps
	// its messages.
	for _, w := range []struct {
		name           string
		window, maxAge time.Duration
	}{{"articles", t.ArticlesDuplicates, t.Articles.MaxAge}, {"alerts", t.AlertsDuplicates, t.Alerts.MaxAge}} {
		switch {
		case w.window < time.Second:
			errs = append(errs, fmt.Errorf("%s duplicate window %s: at least 1s", w.name, w.window))
		case w.window > w.maxAge && w.maxAge >= time.Minute:
			errs = append(errs, fmt.Errorf("%s duplicate window %s: at most the %s max age %s", w.name, w.window, w.name, w.maxAge))
		}
	}
	if t.SeenTTL < time.Minute || t.NearTTL < time.Minute {
		errs = append(errs, fmt.Errorf("seen ttl %s, near ttl %s: at least 1m each", t.SeenTTL, t.NearTTL))
	}
	if t.TaggerAckWait < 100*time.Millisecond || t.PollAckWait < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("tagger ack wait %s, poll ack wait %s: at least 100ms each", t.TaggerAckWait, t.PollAckWait))
	}
	if t.TaggerMaxDeliver < 1 {
		errs = append(errs, fmt.Errorf("tagger max deliver %d: at least 1", t.TaggerMaxDeliver))
	}
	if t.SinkAckWait < time.Second {
		errs = append(errs, fmt.Errorf("sink ack wait %s: at least 1s", t.SinkAckWait))
	}
	seen := map[string]bool{}
	for _, s := range t.Sinks {
		switch {
		case !validConsumerName(s.Name):
			errs = append(errs, fmt.Errorf("sink %q: not a name a consumer can take", s.Name))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("sink %q: named twice", s.Name))
		case len(s.Subjects) == 0:
			errs = append(errs, fmt.Errorf("sink %q: no subjects", s.Name))
		}
		seen[s.Name] = true
	}
	return errors.Join(errs...)
}

// maxBytes is a stream's byte limit as the server stores it.
func (l Limits) maxBytes() int64 {
	if l.MaxBytes <= 0 {
		return -1
	}
	return l.MaxBytes
}

// Streams are the settings of every stream, buckets excluded.
func (t Topology) Streams() []jetstream.StreamConfig {
	intake, live := pipeline.AlertsIntake+"."+pipeline.AlertsSubject, pipeline.AlertsSubject
	return []jetstream.StreamConfig{{
		Name:        pipeline.ArticlesStream,
		Description: "articles published by ingest, consumed by tagger",
		Subjects:    []string{pipeline.ArticlesSubject + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		MaxAge:      t.Articles.MaxAge,
		MaxBytes:    t.Articles.maxBytes(),
		MaxMsgSize:  1 << 20,
		Duplicates:  t.ArticlesDuplicates,
	}, {
		Name:        pipeline.AlertsStream,
		Description: "alerts published by tagger and notify, read by analysts, desks and sinks",
		Subjects:    []string{intake + ".>"},
		// Stored under alerts.>, so replays see the analysts' subjects...
		SubjectTransform: &jetstream.SubjectTransformConfig{Source: intake + ".>", Destination: live + ".>"},
		// ...and republished live only once stored: a duplicate dropped by
		// the window below never reaches `nats sub 'alerts.>'`.
		RePublish:  &jetstream.RePublish{Source: live + ".>", Destination: live + ".>"},
		Retention:  jetstream.LimitsPolicy,
		Storage:    jetstream.FileStorage,
		Replicas:   t.Replicas,
		MaxAge:     t.Alerts.MaxAge,
		MaxBytes:   t.Alerts.maxBytes(),
		MaxMsgSize: 1 << 20,
		Duplicates: t.AlertsDuplicates,
	}, {
		Name:        FeedbackStream,
		Description: "analysts' feedback on alerts, from desks",
		Subjects:    []string{FeedbackSubject + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		MaxAge:      t.Feedback.MaxAge,
		MaxBytes:    t.Feedback.maxBytes(),
		MaxMsgSize:  64 << 10,
		Duplicates:  min(2*time.Minute, t.Feedback.MaxAge),
	}, {
		Name:        NotifyDeadStream,
		Description: "alert deliveries notify gave up on, by sink",
		Subjects:    []string{NotifyDeadSubject + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		MaxAge:      t.Dead.MaxAge,
		MaxBytes:    t.Dead.maxBytes(),
		MaxMsgSize:  4 << 20,
		Duplicates:  min(10*time.Minute, t.Dead.MaxAge),
	}, {
		Name:        PollStream,
		Description: "poll jobs, one per feed host, shared by ingest replicas",
		Subjects:    []string{PollSubject + ".>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		MaxBytes:    -1,
		MaxMsgSize:  4 << 10,
		// One pending or in-flight job per host: a second one is refused
		// until the first is acknowledged.
		MaxMsgsPerSubject:    1,
		Discard:              jetstream.DiscardNew,
		DiscardNewPerSubject: true,
		Duplicates:           2 * time.Minute,
	}}
}

// Buckets are the settings of every key-value bucket.
func (t Topology) Buckets() []jetstream.KeyValueConfig {
	return []jetstream.KeyValueConfig{{
		Bucket:      FeedsBucket,
		Description: "per-feed poll state: validators, next poll, failures",
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		History:     1,
	}, {
		Bucket:      SeenBucket,
		Description: "items the ingester has published",
		TTL:         t.SeenTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		History:     1,
	}, {
		Bucket:      NearBucket,
		Description: "SimHash bands of published articles: band.article -> fingerprint article-id",
		TTL:         t.NearTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    t.Replicas,
		History:     1,
	}}
}

// Consumer is a durable consumer of the topology and its stream.
type Consumer struct {
	Stream string
	Config jetstream.ConsumerConfig
}

// Consumers are the durable consumers setup writes: the shared ones and
// one per notify sink. An analyst's replay consumers are the analyst's.
func (t Topology) Consumers() []Consumer {
	out := []Consumer{{
		Stream: pipeline.ArticlesStream,
		Config: jetstream.ConsumerConfig{
			Durable:       pipeline.TaggerConsumer,
			Description:   "tagger replicas share this consumer",
			FilterSubject: pipeline.ArticlesSubject + ".>",
			AckPolicy:     jetstream.AckExplicitPolicy,
			DeliverPolicy: jetstream.DeliverAllPolicy,
			// No BackOff: the server would take its first step as the ack
			// wait. A failed article's retry delay is the tagger's answer
			// (a nak with delay); an article whose tagger died comes back
			// after AckWait.
			AckWait:       t.TaggerAckWait,
			MaxDeliver:    t.TaggerMaxDeliver,
			MaxAckPending: 1000,
			Replicas:      t.Replicas,
		},
	}, {
		Stream: PollStream,
		Config: jetstream.ConsumerConfig{
			Durable:       PollConsumer,
			Description:   "ingest replicas share this consumer",
			AckPolicy:     jetstream.AckExplicitPolicy,
			DeliverPolicy: jetstream.DeliverAllPolicy,
			AckWait:       t.PollAckWait,
			MaxDeliver:    -1,
			MaxAckPending: 100000,
			Replicas:      t.Replicas,
		},
	}}
	for _, s := range t.Sinks {
		out = append(out, Consumer{Stream: pipeline.AlertsStream, Config: sinkConsumer(s, t.SinkAckWait, t.Replicas)})
	}
	return out
}

// sinkConsumer is the durable consumer of a notify sink.
func sinkConsumer(s Sink, ackWait time.Duration, replicas int) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:        SinkConsumer(s.Name),
		Description:    "notify sink " + s.Name,
		FilterSubjects: slices.Clone(s.Subjects),
		AckPolicy:      jetstream.AckExplicitPolicy,
		// The alerts stored from the consumer's creation on: a new sink
		// does not receive the stream's 30 days. Where a consumer starts
		// cannot change once it exists; setup keeps it.
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckWait:       ackWait,
		MaxDeliver:    -1, // notify retries and dead-letters itself
		MaxAckPending: 20000,
		Replicas:      replicas,
	}
}

// validConsumerName is what the server takes as a durable name.
func validConsumerName(name string) bool {
	return name != "" && len(name) <= 200 && !strings.ContainsAny(name, ".*> \t\r\n/\\")
}

// Needs names the objects a service uses; Verify checks them at start.
type Needs struct {
	Streams   []string
	Buckets   []string
	Consumers []ConsumerName
	// Sinks are notify's: each sink's consumer must exist and filter on
	// the sink's subjects.
	Sinks []Sink
}

// ConsumerName names a durable consumer on a stream.
type ConsumerName struct{ Stream, Name string }

// What each service uses. A service verifies its own list at start and
// refuses to run when anything is missing or of another shape.
var (
	IngestNeeds = Needs{
		Streams:   []string{pipeline.ArticlesStream, PollStream},
		Buckets:   []string{FeedsBucket, SeenBucket, NearBucket},
		Consumers: []ConsumerName{{PollStream, PollConsumer}},
	}
	// FeedStatusNeeds is what `ingest feeds status|export` reads.
	FeedStatusNeeds = Needs{Buckets: []string{FeedsBucket}}
	TaggerNeeds     = Needs{
		Streams:   []string{pipeline.ArticlesStream, pipeline.AlertsStream},
		Consumers: []ConsumerName{{pipeline.ArticlesStream, pipeline.TaggerConsumer}},
	}
	// DeskNeeds: ordered consumers on ARTICLES and ALERTS, publishes
	// feedback.>.
	DeskNeeds = Needs{Streams: []string{pipeline.ArticlesStream, pipeline.AlertsStream, FeedbackStream}}
	// NotifyNeeds: reads ALERTS, dead letters on notify.dead.>, spike
	// alerts through tagged.alerts.>; VerifyNotify adds its sinks'
	// consumers, which setup writes from the sinks file.
	NotifyNeeds = Needs{Streams: []string{pipeline.AlertsStream, NotifyDeadStream}}
)

// ErrNotSetUp marks a topology object that is missing or not of the shape
// the service relies on: the deployment needs `newsmon setup`.
var ErrNotSetUp = errors.New("NATS topology not set up")

// Verify checks that every object in n exists on the server with the shape
// newsmon relies on (subjects, retention, ack policy...); replicas, ages
// and sizes are the deployment's to choose and are not checked. It changes
// nothing. Missing or misshapen objects give one error wrapping
// ErrNotSetUp that names each; a server that does not answer (a cluster
// electing a leader) is asked again until ctx ends.
func (c *Client) Verify(ctx context.Context, n Needs) error {
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := verify(ctx, c.js, n)
		if err == nil || errors.Is(err, ErrNotSetUp) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("verify NATS topology: %w", err)
		}
		c.log.Warn("verify NATS topology; retrying", "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("verify NATS topology: %w", err)
		case <-time.After(wait):
		}
	}
}

func verify(ctx context.Context, js jetstream.JetStream, n Needs) error {
	shape := DefaultTopology()
	var problems []string
	for _, name := range n.Streams {
		want, ok := findStream(shape.Streams(), name)
		if !ok {
			return fmt.Errorf("verify: stream %s is not part of the topology", name)
		}
		s, err := js.Stream(ctx, name)
		switch {
		case errors.Is(err, jetstream.ErrStreamNotFound):
			problems = append(problems, "stream "+name+" does not exist")
			continue
		case err != nil:
			return fmt.Errorf("stream %s: %w", name, err)
		}
		for _, p := range streamShape(s.CachedInfo().Config, want) {
			problems = append(problems, "stream "+name+": "+p)
		}
	}
	for _, name := range n.Buckets {
		kv, err := js.KeyValue(ctx, name)
		switch {
		case errors.Is(err, jetstream.ErrBucketNotFound):
			problems = append(problems, "bucket "+name+" does not exist")
			continue
		case errors.Is(err, jetstream.ErrBadBucket):
			problems = append(problems, "bucket "+name+" is not a key-value bucket")
			continue
		case err != nil:
			return fmt.Errorf("bucket %s: %w", name, err)
		}
		st, err := kv.Status(ctx)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
		// Batched lookups (SeenAll, NearCandidates) are direct gets.
		if !st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.AllowDirect {
			problems = append(problems, "bucket "+name+": direct gets not allowed")
		}
	}
	for _, cn := range n.Consumers {
		want, ok := findConsumer(shape.Consumers(), cn)
		if !ok {
			return fmt.Errorf("verify: consumer %s > %s is not part of the topology", cn.Stream, cn.Name)
		}
		cons, err := js.Consumer(ctx, cn.Stream, cn.Name)
		switch {
		case errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
			problems = append(problems, "consumer "+cn.Stream+" > "+cn.Name+" does not exist")
			continue
		case err != nil:
			return fmt.Errorf("consumer %s > %s: %w", cn.Stream, cn.Name, err)
		}
		for _, p := range consumerShape(cons.CachedInfo().Config, want.Config) {
			problems = append(problems, "consumer "+cn.Stream+" > "+cn.Name+": "+p)
		}
	}
	sinkProblems := 0
	for _, sink := range n.Sinks {
		name := SinkConsumer(sink.Name)
		what := "sink " + sink.Name + ": consumer " + pipeline.AlertsStream + " > " + name
		cons, err := js.Consumer(ctx, pipeline.AlertsStream, name)
		switch {
		case errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrStreamNotFound):
			problems = append(problems, what+" does not exist")
			sinkProblems++
			continue
		case err != nil:
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, p := range sinkShape(cons.CachedInfo().Config, sink) {
			problems = append(problems, what+": "+p)
			sinkProblems++
		}
	}
	if len(problems) > 0 {
		fix := "run `newsmon setup` with this deployment's settings (docs/operations.md)"
		if sinkProblems > 0 {
			fix = "run `newsmon setup -sinks FILE` with this deployment's settings and notify's sinks file (docs/delivery.md)"
		}
		return fmt.Errorf("%w: %s; %s", ErrNotSetUp, strings.Join(problems, "; "), fix)
	}
	return nil
}

// sinkShape lists how a sink's consumer differs from what notify relies
// on: a pull consumer with explicit acks, on the sink's subjects (as the
// sinks file says now), that never gives up on an alert by itself
// (notify retries and dead-letters).
func sinkShape(have jetstream.ConsumerConfig, sink Sink) []string {
	var out []string
	if have.DeliverSubject != "" {
		out = append(out, "a push consumer, want pull")
	}
	if have.AckPolicy != jetstream.AckExplicitPolicy {
		out = append(out, fmt.Sprintf("ack policy %s, want explicit", have.AckPolicy))
	}
	if h, w := filters(have), sorted(sink.Subjects); !slices.Equal(h, w) {
		out = append(out, fmt.Sprintf("filters %v, the sinks file wants %v", h, w))
	}
	if have.MaxDeliver > 0 {
		out = append(out, fmt.Sprintf("gives up after %d deliveries, want no limit", have.MaxDeliver))
	}
	return out
}

// filters are a consumer's subject filters, sorted, however given.
func filters(c jetstream.ConsumerConfig) []string {
	out := slices.Clone(c.FilterSubjects)
	if c.FilterSubject != "" {
		out = append(out, c.FilterSubject)
	}
	slices.Sort(out)
	return out
}

func findStream(list []jetstream.StreamConfig, name string) (jetstream.StreamConfig, bool) {
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return jetstream.StreamConfig{}, false
}

func findConsumer(list []Consumer, n ConsumerName) (Consumer, bool) {
	for _, c := range list {
		if c.Stream == n.Stream && c.Config.Durable == n.Name {
			return c, true
		}
	}
	return Consumer{}, false
}

// streamShape lists how have differs from want in what services rely on:
// where messages are stored and how they come out. Limits are left out.
func streamShape(have, want jetstream.StreamConfig) []string {
	var out []string
	if !slices.Equal(sorted(have.Subjects), sorted(want.Subjects)) {
		out = append(out, fmt.Sprintf("subjects %v, want %v", have.Subjects, want.Subjects))
	}
	if have.Retention != want.Retention {
		out = append(out, fmt.Sprintf("retention %s, want %s", have.Retention, want.Retention))
	}
	if !sameTransform(have.SubjectTransform, want.SubjectTransform) {
		out = append(out, fmt.Sprintf("subject transform %s, want %s", transformString(have.SubjectTransform), transformString(want.SubjectTransform)))
	}
	if !sameRepublish(have.RePublish, want.RePublish) {
		out = append(out, fmt.Sprintf("republish %s, want %s", republishString(have.RePublish), republishString(want.RePublish)))
	}
	if want.MaxMsgsPerSubject > 0 && have.MaxMsgsPerSubject != want.MaxMsgsPerSubject {
		out = append(out, fmt.Sprintf("max messages per subject %d, want %d", have.MaxMsgsPerSubject, want.MaxMsgsPerSubject))
	}
	if have.Discard != want.Discard || have.DiscardNewPerSubject != want.DiscardNewPerSubject {
		out = append(out, fmt.Sprintf("discard %s (per subject %v), want %s (per subject %v)", have.Discard, have.DiscardNewPerSubject, want.Discard, want.DiscardNewPerSubject))
	}
	if have.Duplicates <= 0 {
		out = append(out, "no duplicate window")
	}
	return out
}

// consumerShape lists how have differs from want in what the service that
// shares the consumer relies on: a pull consumer with explicit acks over
// the right subjects, that gives up on a message at some point.
func consumerShape(have, want jetstream.ConsumerConfig) []string {
	var out []string
	if have.DeliverSubject != "" {
		out = append(out, "a push consumer, want pull")
	}
	if have.AckPolicy != want.AckPolicy {
		out = append(out, fmt.Sprintf("ack policy %s, want %s", have.AckPolicy, want.AckPolicy))
	}
	if have.FilterSubject != want.FilterSubject || len(have.FilterSubjects) > 0 {
		out = append(out, fmt.Sprintf("filter %q %v, want %q", have.FilterSubject, have.FilterSubjects, want.FilterSubject))
	}
	if want.MaxDeliver > 0 && have.MaxDeliver <= 0 {
		out = append(out, "redelivers without limit, want a max deliver")
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func sameTransform(a, b *jetstream.SubjectTransformConfig) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func sameRepublish(a, b *jetstream.RePublish) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func transformString(t *jetstream.SubjectTransformConfig) string {
	if t == nil {
		return "none"
	}
	return t.Source + " -> " + t.Destination
}

func republishString(r *jetstream.RePublish) string {
	if r == nil {
		return "none"
	}
	s := r.Source + " -> " + r.Destination
	if r.HeadersOnly {
		s += " (headers only)"
	}
	return s
}

// VerifyTagger verifies TaggerNeeds, and that ALERTS remembers an alert id
// for longer than an article can keep coming back: the tagger consumer's
// deliveries (each up to its ack wait, read from the server) and the
// tagger's retry delays between them. Otherwise an article redelivered
// late would raise its alerts a second time.
func (c *Client) VerifyTagger(ctx context.Context, retry []time.Duration) error {
	if err := c.Verify(ctx, TaggerNeeds); err != nil {
		return err
	}
	cons, err := c.js.Consumer(ctx, pipeline.ArticlesStream, pipeline.TaggerConsumer)
	if err != nil {
		return fmt.Errorf("consumer %s > %s: %w", pipeline.ArticlesStream, pipeline.TaggerConsumer, err)
	}
	alerts, err := c.js.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		return fmt.Errorf("stream %s: %w", pipeline.AlertsStream, err)
	}
	cfg := cons.CachedInfo().Config
	span := redeliverySpan(cfg.AckWait, cfg.BackOff, cfg.MaxDeliver, retry)
	if window := alerts.CachedInfo().Config.Duplicates; window < span {
		return fmt.Errorf("%w: stream %s remembers alert ids for %s, but an article can come back for %s (consumer %s: ack wait %s, max deliver %d; retry delays %v); run `newsmon setup` with a longer -alerts-duplicates or a shorter -tagger-ack-wait",
			ErrNotSetUp, pipeline.AlertsStream, window, span, pipeline.TaggerConsumer, cfg.AckWait, cfg.MaxDeliver, retry)
	}
	return nil
}

// redeliverySpan is the longest time between a message's first delivery
// and its last: every delivery may run to its ack wait (a backoff step
// when the consumer has them) and every failure adds its retry delay.
func redeliverySpan(ackWait time.Duration, backoff []time.Duration, maxDeliver int, retry []time.Duration) time.Duration {
	step := func(list []time.Duration, i int, def time.Duration) time.Duration {
		switch {
		case len(list) == 0:
			return def
		case i < len(list):
			return list[i]
		default:
			return list[len(list)-1]
		}
	}
	if maxDeliver <= 0 {
		maxDeliver = 100 // no limit: the window cannot cover it; ask for a lot
	}
	var d time.Duration
	for i := range maxDeliver {
		d += step(backoff, i, ackWait)
		if i < maxDeliver-1 {
			d += step(retry, i, 0)
		}
	}
	return d
}
