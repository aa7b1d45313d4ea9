package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NearBucket indexes the SimHash bands of published articles so that any
// ingest replica finds an earlier near-identical text (docs/feeds.md).
const NearBucket = "NEAR"

// Ingest is the ingest service's view of NATS beyond articles and SEEN: feed
// state in FEEDS, the near-duplicate index in NEAR and poll jobs in POLL.
// Its methods satisfy the interfaces package ingest declares.
type Ingest struct {
	*Client
	feeds jetstream.KeyValue
	poll  jetstream.Consumer
	// pollAckWait is the poll consumer's ack wait as the server has it: a
	// job in hand is kept alive well within it.
	pollAckWait time.Duration
}

// Ingest verifies the ingest side's objects (IngestNeeds) and opens them.
func (c *Client) Ingest(ctx context.Context) (*Ingest, error) {
	if err := c.Verify(ctx, IngestNeeds); err != nil {
		return nil, err
	}
	in := &Ingest{Client: c}
	var err error
	if in.feeds, err = c.js.KeyValue(ctx, FeedsBucket); err != nil {
		return nil, fmt.Errorf("bucket %s: %w", FeedsBucket, err)
	}
	if in.poll, err = c.js.Consumer(ctx, PollStream, PollConsumer); err != nil {
		return nil, fmt.Errorf("consumer %s > %s: %w", PollStream, PollConsumer, err)
	}
	in.pollAckWait = in.poll.CachedInfo().Config.AckWait
	return in, nil
}

// FeedStates opens FEEDS alone, for tools that read feed states.
func (c *Client) FeedStates(ctx context.Context) (*Ingest, error) {
	if err := c.Verify(ctx, FeedStatusNeeds); err != nil {
		return nil, err
	}
	kv, err := c.js.KeyValue(ctx, FeedsBucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", FeedsBucket, err)
	}
	return &Ingest{Client: c, feeds: kv}, nil
}

// LoadState returns a feed's state and its revision, or nil and 0 when the
// feed has none yet.
func (in *Ingest) LoadState(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := in.feeds.Get(ctx, key)
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
func (in *Ingest) SaveState(ctx context.Context, key string, data []byte, rev uint64) (newRev uint64, ok bool, err error) {
	if rev == 0 {
		newRev, err = in.feeds.Create(ctx, key, data)
	} else {
		newRev, err = in.feeds.Update(ctx, key, data, rev)
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
func (in *Ingest) WatchStates(ctx context.Context, fn func(key string, data []byte, rev uint64)) (stop func(), err error) {
	prefix := "$KV." + FeedsBucket + "."
	oc, err := in.js.OrderedConsumer(ctx, "KV_"+FeedsBucket, jetstream.OrderedConsumerConfig{
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
				in.log.Warn("watch feed states", "err", err)
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
func (in *Ingest) States(ctx context.Context) (map[string][]byte, error) {
	out := map[string][]byte{}
	stop, err := in.WatchStates(ctx, func(key string, data []byte, _ uint64) {
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

// NearCandidates returns the values stored under any of the given SimHash
// band keys: every article sharing a band with the text being checked. A
// band holding more articles than one answer may carry (1024) is left out:
// the other three bands of a near-identical text still find it unless they
// are crowded too.
func (in *Ingest) NearCandidates(ctx context.Context, bands []string) ([]string, error) {
	var out []string
	subjects := make([]string, len(bands))
	for i, b := range bands {
		subjects[i] = "$KV." + NearBucket + "." + b + ".*"
	}
	// A band key of a busy day holds a few articles; small requests keep
	// most answers below the server's cap.
	const chunk = 32
	for i := 0; i < len(subjects); i += chunk {
		if err := in.nearLast(ctx, subjects[i:min(i+chunk, len(subjects))], &out); err != nil {
			return nil, fmt.Errorf("near candidates: %w", err)
		}
	}
	return out, nil
}

func (in *Ingest) nearLast(ctx context.Context, subjects []string, out *[]string) error {
	err := in.directLast(ctx, "KV_"+NearBucket, subjects, func(_ string, data []byte) {
		*out = append(*out, string(data))
	})
	if !errors.Is(err, errTooMany) {
		return err
	}
	if len(subjects) == 1 {
		in.log.Debug("near-duplicate band too crowded; skipped", "band", subjects[0])
		return nil
	}
	half := len(subjects) / 2
	if err := in.nearLast(ctx, subjects[:half], out); err != nil {
		return err
	}
	return in.nearLast(ctx, subjects[half:], out)
}

// errTooMany is a batched get whose answer would pass the server's cap.
var errTooMany = errors.New("too many results")

// AddNear files index entries, each a key "<band>.<member>" (member: a
// token naming the article) and its value. The index is best effort: the
// entries are sent without waiting for the server's acknowledgements (four
// acks an article cost more than the rest of its publishing), and Flush
// pushes them out; an entry lost to a failure lets one copy through.
func (in *Ingest) AddNear(ctx context.Context, entries map[string]string) error {
	for k, v := range entries {
		if err := in.nc.Publish("$KV."+NearBucket+"."+k, []byte(v)); err != nil {
			return fmt.Errorf("add near %s: %w", k, err)
		}
	}
	return nil
}

// directLast asks the stream for the last message of each subject (which
// may hold wildcards) in one batched direct get, and calls fn for each
// message that is a value (not a delete marker).
func (c *Client) directLast(ctx context.Context, stream string, subjects []string, fn func(subject string, data []byte)) error {
	if len(subjects) == 0 {
		return nil
	}
	req, err := json.Marshal(struct {
		MultiLast []string `json:"multi_last"`
		NoHeaders bool     `json:"no_hdr,omitempty"`
	}{MultiLast: subjects})
	if err != nil {
		return err
	}
	// An asynchronous subscription: a synchronous one allocates its whole
	// pending channel (64k slots) per request, which dominated the profile.
	type reply struct {
		subject string
		data    []byte
	}
	var (
		mu      sync.Mutex
		got     []reply
		failure error
	)
	done := make(chan struct{})
	var once sync.Once
	finish := func(err error) {
		once.Do(func() {
			failure = err
			close(done)
		})
	}
	inbox := c.nc.NewRespInbox()
	sub, err := c.nc.Subscribe(inbox, func(m *nats.Msg) {
		switch status := m.Header.Get("Status"); status {
		case "":
		case "204", "404": // end of batch; nothing matched
			finish(nil)
			return
		case "413":
			finish(fmt.Errorf("direct get %s: %w", stream, errTooMany))
			return
		default:
			finish(fmt.Errorf("direct get %s: status %s %s", stream, status, m.Header.Get("Description")))
			return
		}
		switch m.Header.Get("KV-Operation") {
		case "DEL", "PURGE":
			return
		}
		mu.Lock()
		got = append(got, reply{m.Header.Get("Nats-Subject"), m.Data})
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	sub.SetPendingLimits(-1, -1)
	if err := c.nc.PublishRequest("$JS.API.DIRECT.GET."+stream, inbox, req); err != nil {
		return err
	}
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("direct get %s: no answer within 10s", stream)
	}
	if failure != nil {
		return failure
	}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range got {
		fn(r.subject, r.data)
	}
	return nil
}

// waitAcks waits for every publish to be acknowledged and returns the first
// error. Each future ends by the client's publish timeout at the latest
// (an unanswered publish fails with jetstream.ErrAsyncPublishTimeout); the
// timer is a second bound should one not.
func (c *Client) waitAcks(ctx context.Context, futures []jetstream.PubAckFuture, what string) error {
	return c.waitAcksFunc(ctx, futures, what, nil)
}

// waitAcksFunc is waitAcks calling onAck with each acknowledgement.
func (c *Client) waitAcksFunc(ctx context.Context, futures []jetstream.PubAckFuture, what string, onAck func(*jetstream.PubAck)) error {
	timer := time.NewTimer(c.opts.PublishTimeout + time.Second)
	defer timer.Stop()
	var first error
	for _, f := range futures {
		select {
		case ack := <-f.Ok():
			if onAck != nil {
				onAck(ack)
			}
		case err := <-f.Err():
			if first == nil {
				first = fmt.Errorf("%s: %w", what, err)
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return fmt.Errorf("%s: %w", what, jetstream.ErrAsyncPublishTimeout)
		}
	}
	return first
}

// kvToken makes s usable as one token of a key-value key.
func kvToken(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '=':
			return r
		}
		return '_'
	}, s)
}
