package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	json "github.com/goccy/go-json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
)

// Follow reads a stream in order from the message after sequence after,
// with an ordered consumer (no state on the server, read permissions
// only; ALERTS by get requests, see followByGet), and calls deliver with each message until ctx ends or deliver
// fails. A stream whose last sequence is below after was deleted and made
// again since: it is read from its start.
//
// The desk's index is a read model of the streams: it stores the last
// sequence it indexed and follows from there.
func (c *Client) Follow(ctx context.Context, stream string, after uint64, deliver func(seq uint64, subject string, data []byte) error) error {
	s, err := c.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("follow %s: %w", stream, err)
	}
	if last := s.CachedInfo().State.LastSeq; after > last {
		c.log.Warn("stream is behind the reader's position: it was made again; reading it from the start",
			"stream", stream, "position", after, "last_seq", last)
		after = 0
	}
	if stream == pipeline.AlertsStream {
		return c.followByGet(ctx, s, pipeline.AlertsSubject+".>", after, func(m *jetstream.RawStreamMsg) error {
			return deliver(m.Sequence, m.Subject, m.Data)
		})
	}
	cons, err := s.OrderedConsumer(ctx, startAfter(after))
	if err != nil {
		return fmt.Errorf("follow %s: %w", stream, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(500))
	if err != nil {
		return fmt.Errorf("follow %s: %w", stream, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("follow %s: %w", stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("follow %s: %w", stream, err)
		}
		if err := deliver(md.Sequence.Stream, m.Subject(), m.Data()); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// followByGet reads a stream message by message with get requests, in
// order of sequence, and after the last one waits for a live message on
// subject (the stream republishes what it stores) or a few seconds, then
// asks again. ALERTS is read this way, by the desk and by notify's spike
// watcher: the right to create a consumer on it would be the right to
// change notify's and the analysts' durable consumers, which neither may
// have (deploy/nats/accounts.conf).
func (c *Client) followByGet(ctx context.Context, s jetstream.Stream, subject string, after uint64, deliver func(*jetstream.RawStreamMsg) error) error {
	wake := make(chan struct{}, 1)
	sub, err := c.nc.Subscribe(subject, func(*nats.Msg) {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return fmt.Errorf("follow %s: %w", s.CachedInfo().Config.Name, err)
	}
	defer sub.Unsubscribe()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	seq := after + 1
	for {
		m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		switch {
		case err == nil:
			if err := deliver(m); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			seq = m.Sequence + 1
			continue
		case ctx.Err() != nil:
			return nil
		case !errors.Is(err, jetstream.ErrMsgNotFound):
			return fmt.Errorf("follow %s: %w", s.CachedInfo().Config.Name, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
	}
}

// ReadStream reads every message a stream holds now, in order, and returns
// when it reaches the last one (new messages after the call are not read).
func (c *Client) ReadStream(ctx context.Context, stream string, deliver func(seq uint64, subject string, data []byte) error) error {
	s, err := c.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	last := s.CachedInfo().State.LastSeq
	if s.CachedInfo().State.Msgs == 0 {
		return nil
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(500))
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s: %w", stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		if err := deliver(md.Sequence.Stream, m.Subject(), m.Data()); err != nil {
			return err
		}
		if md.Sequence.Stream >= last || md.NumPending == 0 {
			return nil
		}
	}
}

func startAfter(seq uint64) jetstream.OrderedConsumerConfig {
	if seq == 0 {
		return jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	}
	return jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: seq + 1}
}

// PublishFeedback stores an analyst's verdict in FEEDBACK on
// feedback.<category>.<rule-id>, with its id as Nats-Msg-Id.
func (c *Client) PublishFeedback(ctx context.Context, f *pipeline.Feedback) error {
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode feedback %s: %w", f.ID, err)
	}
	if _, err := c.js.Publish(ctx, pipeline.FeedbackSubjectOf(f.Rule), data, jetstream.WithMsgID(f.ID)); err != nil {
		return fmt.Errorf("publish feedback %s: %w", f.ID, err)
	}
	return nil
}
