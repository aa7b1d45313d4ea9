package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// FeedStates is the FEEDS bucket: one value a feed, under a key the
// caller chooses, written only over the revision it was read at. What the
// values mean is the caller's (package ingest stores its FeedState).
type FeedStates struct {
	c  *Client
	kv jetstream.KeyValue
}

// OpenFeedStates opens FEEDS (Setup created it).
func OpenFeedStates(ctx context.Context, c *Client) (*FeedStates, error) {
	kv, err := c.js.KeyValue(ctx, FeedsBucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", FeedsBucket, err)
	}
	return &FeedStates{c: c, kv: kv}, nil
}

// LoadState returns a feed's state and its revision, or nil and 0 when the
// feed has none yet.
func (f *FeedStates) LoadState(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := f.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, 0, nil
	case err != nil:
		return nil, 0, fmt.Errorf("load feed state %s: %w", key, err)
	}
	return e.Value(), e.Revision(), nil
}

// SaveState stores a feed's state if its revision is still rev (0: the
// feed has no state yet). ok is false when another writer got there first.
func (f *FeedStates) SaveState(ctx context.Context, key string, data []byte, rev uint64) (newRev uint64, ok bool, err error) {
	if rev == 0 {
		newRev, err = f.kv.Create(ctx, key, data)
	} else {
		newRev, err = f.kv.Update(ctx, key, data, rev)
	}
	var apiErr *jetstream.APIError
	switch {
	case err == nil:
		return newRev, true, nil
	case errors.Is(err, jetstream.ErrKeyExists),
		errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant):
		return 0, false, nil
	default:
		return 0, false, fmt.Errorf("save feed state %s: %w", key, err)
	}
}

// WatchStates calls fn with every feed state now in FEEDS and returns once
// they are all delivered; it goes on calling fn with each change, from one
// goroutine, until ctx ends or stop is called (stop waits for it). A
// deleted state comes with nil data.
//
// It reads the bucket's stream through an ordered pull consumer rather than
// the key-value watcher: the watcher is a push consumer whose flow-control
// replies need publish rights on $JS.FC.>, which a locked-down ingest user
// may not have, and without them it stalls after the first few thousand
// entries.
func (f *FeedStates) WatchStates(ctx context.Context, fn func(key string, data []byte, rev uint64)) (stop func(), err error) {
	prefix := "$KV." + FeedsBucket + "."
	oc, err := f.c.js.OrderedConsumer(ctx, "KV_"+FeedsBucket, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{prefix + ">"},
		DeliverPolicy:  jetstream.DeliverLastPerSubjectPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", FeedsBucket, err)
	}
	info, err := oc.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", FeedsBucket, err)
	}
	msgs, err := oc.Messages()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", FeedsBucket, err)
	}
	deliver := func(m jetstream.Msg) (remaining uint64) {
		md, err := m.Metadata()
		if err != nil {
			return 1
		}
		key := strings.TrimPrefix(m.Subject(), prefix)
		switch m.Headers().Get("KV-Operation") {
		case "DEL", "PURGE":
			fn(key, nil, md.Sequence.Stream)
		default:
			fn(key, m.Data(), md.Sequence.Stream)
		}
		return md.NumPending
	}
	for pending := info.NumPending; pending > 0; {
		m, err := msgs.Next(jetstream.NextContext(ctx))
		if err != nil {
			msgs.Stop()
			return nil, fmt.Errorf("watch %s: %w", FeedsBucket, err)
		}
		pending = deliver(m)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer msgs.Stop()
		for {
			m, err := msgs.Next(jetstream.NextContext(wctx))
			if err != nil {
				if wctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				f.c.log.Warn("watch feed states", "err", err)
				select {
				case <-wctx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			deliver(m)
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}

// States returns every feed state in FEEDS by key.
func (f *FeedStates) States(ctx context.Context) (map[string][]byte, error) {
	out := map[string][]byte{}
	stop, err := f.WatchStates(ctx, func(key string, data []byte, _ uint64) {
		if data == nil {
			delete(out, key)
		} else {
			out[key] = data
		}
	})
	if err != nil {
		return nil, err
	}
	stop()
	return out, nil
}
