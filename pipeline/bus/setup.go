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

// Change is what Setup did to one object, or found there for the
// operator to act on.
type Change struct {
	Object string   // "stream ARTICLES", "bucket SEEN", "consumer ARTICLES > tagger"
	Action string   // "created", "updated", "unchanged", or NotInSinks
	Fields []string // for "updated": each setting changed, "replicas 1 -> 3"
	Hint   string   // what the operator may do about it
}

// NotInSinks is the Action of a sink's consumer on ALERTS whose sink the
// sinks file no longer names. Setup leaves it (and its position) alone:
// removing it is the operator's call.
const NotInSinks = "not in the sinks file"

func (c Change) String() string {
	s := c.Object + ": " + c.Action
	for i, f := range c.Fields {
		if i == 0 {
			s += " ("
		} else {
			s += ", "
		}
		s += f
	}
	if len(c.Fields) > 0 {
		s += ")"
	}
	if c.Hint != "" {
		s += "; " + c.Hint
	}
	return s
}

// Setup writes the topology to the server: it creates what is missing and
// updates what differs from t, leaving the rest alone, and says what it
// did to each object. It is the only code that creates or changes
// streams, buckets, shared consumers and notify's sink consumers; run it
// with a user allowed to (deploy/nats/accounts.conf: setup). Streams come
// first, then buckets, then consumers; last, the sink consumers on ALERTS
// that t.Sinks no longer names are reported as NotInSinks, not removed.
func (c *Client) Setup(ctx context.Context, t Topology) ([]Change, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	keep := t.Replicas == 0
	if keep {
		t.Replicas = 1
		if c.nc.ConnectedClusterName() != "" {
			t.Replicas = 3
		}
	}
	var out []Change
	for _, want := range t.Streams() {
		ch, err := setupStream(ctx, c.js, want, keep)
		if err != nil {
			return out, fmt.Errorf("setup stream %s: %w", want.Name, err)
		}
		out = append(out, ch)
	}
	for _, want := range t.Buckets() {
		ch, err := setupBucket(ctx, c.js, want, keep)
		if err != nil {
			return out, fmt.Errorf("setup bucket %s: %w", want.Bucket, err)
		}
		out = append(out, ch)
	}
	for _, want := range t.Consumers() {
		ch, err := setupConsumer(ctx, c.js, want, keep)
		if err != nil {
			return out, fmt.Errorf("setup consumer %s > %s: %w", want.Stream, want.Config.Durable, err)
		}
		out = append(out, ch)
	}
	stale, err := staleSinks(ctx, c.js, t.Sinks)
	if err != nil {
		return out, fmt.Errorf("setup: %w", err)
	}
	return append(out, stale...), nil
}

// staleSinks reports the consumers on ALERTS named like a sink's that no
// sink of sinks owns: a sink removed from the sinks file, or renamed. Its
// consumer still holds its position (and, until removed, the alerts it
// has not acknowledged): whether to remove it is the operator's decision.
func staleSinks(ctx context.Context, js jetstream.JetStream, sinks []Sink) ([]Change, error) {
	s, err := js.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", pipeline.AlertsStream, err)
	}
	want := map[string]bool{}
	for _, sink := range sinks {
		want[SinkConsumer(sink.Name)] = true
	}
	var out []Change
	names := s.ConsumerNames(ctx)
	for name := range names.Name() {
		if !strings.HasPrefix(name, sinkConsumerPrefix) || want[name] {
			continue
		}
		out = append(out, Change{
			Object: "consumer " + pipeline.AlertsStream + " > " + name,
			Action: NotInSinks,
			Hint: fmt.Sprintf("keep it by naming sink %s in the sinks file, or remove it with `nats consumer rm %s %s` as the setup user",
				strings.TrimPrefix(name, sinkConsumerPrefix), pipeline.AlertsStream, name),
		})
	}
	if err := names.Err(); err != nil {
		return nil, fmt.Errorf("consumers of %s: %w", pipeline.AlertsStream, err)
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Object, b.Object) })
	return out, nil
}

func setupStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig, keep bool) (Change, error) {
	ch := Change{Object: "stream " + want.Name}
	s, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		if _, err := js.CreateStream(ctx, want); err != nil {
			return ch, err
		}
		ch.Action = "created"
		return ch, nil
	}
	if err != nil {
		return ch, err
	}
	have := s.CachedInfo().Config
	if keep {
		want.Replicas = have.Replicas
	}
	ch.Fields = streamChanges(have, want)
	if len(ch.Fields) == 0 {
		ch.Action = "unchanged"
		return ch, nil
	}
	// Keep what newsmon does not set (an operator's placement, say).
	next := have
	next.Description, next.Subjects, next.Retention, next.Storage = want.Description, want.Subjects, want.Retention, want.Storage
	next.Replicas, next.MaxAge, next.MaxBytes, next.MaxMsgSize = want.Replicas, want.MaxAge, want.MaxBytes, want.MaxMsgSize
	next.Duplicates, next.MaxMsgsPerSubject = want.Duplicates, noLimit(want.MaxMsgsPerSubject)
	next.Discard, next.DiscardNewPerSubject = want.Discard, want.DiscardNewPerSubject
	next.SubjectTransform, next.RePublish = want.SubjectTransform, want.RePublish
	if _, err := js.UpdateStream(ctx, next); err != nil {
		return ch, err
	}
	ch.Action = "updated"
	return ch, nil
}

// streamChanges lists the settings newsmon chooses that differ between the
// server's stream and want.
func streamChanges(have, want jetstream.StreamConfig) []string {
	var out []string
	diff := func(name string, h, w any) {
		if fmt.Sprint(h) != fmt.Sprint(w) {
			out = append(out, fmt.Sprintf("%s %v -> %v", name, h, w))
		}
	}
	diff("description", have.Description, want.Description)
	if !slices.Equal(sorted(have.Subjects), sorted(want.Subjects)) {
		diff("subjects", have.Subjects, want.Subjects)
	}
	diff("retention", have.Retention, want.Retention)
	diff("storage", have.Storage, want.Storage)
	diff("replicas", have.Replicas, want.Replicas)
	diff("max_age", have.MaxAge, want.MaxAge)
	diff("max_bytes", noLimit(have.MaxBytes), noLimit(want.MaxBytes))
	diff("max_msg_size", noLimit(int64(have.MaxMsgSize)), noLimit(int64(want.MaxMsgSize)))
	diff("duplicate_window", have.Duplicates, want.Duplicates)
	diff("max_msgs_per_subject", noLimit(have.MaxMsgsPerSubject), noLimit(want.MaxMsgsPerSubject))
	diff("discard", have.Discard, want.Discard)
	diff("discard_new_per_subject", have.DiscardNewPerSubject, want.DiscardNewPerSubject)
	if !sameTransform(have.SubjectTransform, want.SubjectTransform) {
		diff("subject_transform", transformString(have.SubjectTransform), transformString(want.SubjectTransform))
	}
	if !sameRepublish(have.RePublish, want.RePublish) {
		diff("republish", republishString(have.RePublish), republishString(want.RePublish))
	}
	return out
}

func setupBucket(ctx context.Context, js jetstream.JetStream, want jetstream.KeyValueConfig, keep bool) (Change, error) {
	ch := Change{Object: "bucket " + want.Bucket}
	kv, err := js.KeyValue(ctx, want.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		if _, err := js.CreateKeyValue(ctx, want); err != nil {
			return ch, err
		}
		ch.Action = "created"
		return ch, nil
	}
	if err != nil {
		return ch, err
	}
	st, err := kv.Status(ctx)
	if err != nil {
		return ch, err
	}
	have := st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config
	if keep {
		want.Replicas = have.Replicas
	}
	diff := func(name string, h, w any) {
		if fmt.Sprint(h) != fmt.Sprint(w) {
			ch.Fields = append(ch.Fields, fmt.Sprintf("%s %v -> %v", name, h, w))
		}
	}
	diff("description", have.Description, want.Description)
	diff("replicas", have.Replicas, max(want.Replicas, 1))
	diff("ttl", have.MaxAge, want.TTL)
	diff("history", have.MaxMsgsPerSubject, int64(max(want.History, 1)))
	diff("storage", have.Storage, want.Storage)
	if len(ch.Fields) == 0 {
		ch.Action = "unchanged"
		return ch, nil
	}
	if _, err := js.UpdateKeyValue(ctx, want); err != nil {
		return ch, err
	}
	ch.Action = "updated"
	return ch, nil
}

func setupConsumer(ctx context.Context, js jetstream.JetStream, want Consumer, keep bool) (Change, error) {
	ch := Change{Object: "consumer " + want.Stream + " > " + want.Config.Durable}
	cons, err := js.Consumer(ctx, want.Stream, want.Config.Durable)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		if _, err := js.CreateConsumer(ctx, want.Stream, want.Config); err != nil {
			return ch, err
		}
		ch.Action = "created"
		return ch, nil
	}
	if err != nil {
		return ch, err
	}
	have := cons.CachedInfo().Config
	w := want.Config
	if keep {
		w.Replicas = have.Replicas
	}
	diff := func(name string, h, w any) {
		if fmt.Sprint(h) != fmt.Sprint(w) {
			ch.Fields = append(ch.Fields, fmt.Sprintf("%s %v -> %v", name, h, w))
		}
	}
	diff("description", have.Description, w.Description)
	diff("filter_subjects", filters(have), filters(w))
	diff("ack_policy", have.AckPolicy, w.AckPolicy)
	diff("ack_wait", have.AckWait, w.AckWait)
	diff("max_deliver", have.MaxDeliver, w.MaxDeliver)
	diff("backoff", durations(have.BackOff), durations(w.BackOff))
	diff("max_ack_pending", have.MaxAckPending, w.MaxAckPending)
	diff("replicas", have.Replicas, w.Replicas)
	if len(ch.Fields) == 0 {
		ch.Action = "unchanged"
		return ch, nil
	}
	// Where a consumer starts cannot change once it exists: it keeps its
	// own (and its position).
	w.DeliverPolicy, w.OptStartSeq, w.OptStartTime = have.DeliverPolicy, have.OptStartSeq, have.OptStartTime
	if _, err := js.UpdateConsumer(ctx, want.Stream, w); err != nil {
		return ch, err
	}
	ch.Action = "updated"
	return ch, nil
}

func durations(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	return fmt.Sprint(d)
}

// noLimit maps every "no limit" to -1, as the server stores it.
func noLimit(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}
