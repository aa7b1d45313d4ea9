package bus

import (
	"context"
	"errors"
	"reflect"
	"slices"

	"github.com/nats-io/nats.go/jetstream"
)

// ensureStream creates a stream, or updates it only when a setting newsmon
// chooses differs from the server's. Every process declares on start, and
// an update that changes nothing is not free: on a cluster it goes through
// the stream's raft group, and nats-server 2.15 races a concurrent consumer
// creation against it (seen under the race detector).
func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, want)
		if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return s, err
		}
		s, err = js.Stream(ctx, want.Name) // another process created it first
	}
	if err != nil {
		return nil, err
	}
	if sameStream(s.CachedInfo().Config, want) {
		return s, nil
	}
	return js.UpdateStream(ctx, want)
}

// sameStream reports whether have already has every setting want sets; a
// zero in want leaves the server's value alone.
func sameStream(have, want jetstream.StreamConfig) bool {
	set := func(h, w int64) bool { return w == 0 || h == w }
	return slices.Equal(have.Subjects, want.Subjects) &&
		have.Retention == want.Retention && have.Storage == want.Storage &&
		have.Discard == want.Discard && have.DiscardNewPerSubject == want.DiscardNewPerSubject &&
		set(int64(have.Replicas), int64(want.Replicas)) &&
		set(int64(have.MaxAge), int64(want.MaxAge)) &&
		set(int64(have.Duplicates), int64(want.Duplicates)) &&
		set(int64(have.MaxMsgSize), int64(want.MaxMsgSize)) &&
		set(have.MaxMsgsPerSubject, want.MaxMsgsPerSubject) &&
		have.Description == want.Description &&
		reflect.DeepEqual(have.SubjectTransform, want.SubjectTransform) &&
		reflect.DeepEqual(have.RePublish, want.RePublish)
}

// ensureKV opens a key-value bucket, creating it when missing and updating
// it only when its TTL, history or replicas differ from want.
func ensureKV(ctx context.Context, js jetstream.JetStream, want jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, want.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, want)
		if !errors.Is(err, jetstream.ErrBucketExists) {
			return kv, err
		}
		kv, err = js.KeyValue(ctx, want.Bucket)
	}
	if err != nil {
		return nil, err
	}
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, err
	}
	info := st.(*jetstream.KeyValueBucketStatus).StreamInfo()
	history := int64(max(want.History, 1))
	if st.TTL() == want.TTL && st.History() == history && info.Config.Replicas == max(want.Replicas, 1) {
		return kv, nil
	}
	return js.UpdateKeyValue(ctx, want)
}
