package bus

// This file is the delivery service's side of the bus: one durable
// consumer per sink on ALERTS, dead letters on notify.dead.<sink> in the
// NOTIFY_DEAD stream, and a read of ALERTS from a start time for spike
// detection. The streams and the sinks' consumers are the topology's
// (topology.go): setup writes them, notify binds to them and never
// creates or changes a consumer on ALERTS. pipeline/notify reaches it
// through the interfaces it declares (Stream, DeadLetters, Publisher);
// cmd/notify wires the two.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
)

// NotifyReasonHeader carries a dead letter's reason, so that
// `nats sub notify.dead.>` shows it without decoding the body.
const NotifyReasonHeader = "Notify-Reason"

// sinkConsumerPrefix starts the name of every sink's consumer.
const sinkConsumerPrefix = "notify-"

// SinkConsumer is the name of a sink's durable consumer on ALERTS.
func SinkConsumer(sink string) string { return sinkConsumerPrefix + sink }

// DeadSubject is the subject of a sink's dead letters.
func DeadSubject(sink string) string { return NotifyDeadSubject + "." + sink }

// VerifyNotify checks that ALERTS and NOTIFY_DEAD are set up, and that
// each sink's consumer exists and filters on the sink's subjects. It names
// every sink whose consumer is missing or differs, and asks for `newsmon
// setup -sinks FILE`.
func (c *Client) VerifyNotify(ctx context.Context, sinks []Sink) error {
	n := NotifyNeeds
	n.Sinks = sinks
	return c.Verify(ctx, n)
}

// SinkAckWait is how long ALERTS waits, by default, for a sink's ack
// before it hands the alert over again (Topology.SinkAckWait).
const SinkAckWait = 30 * time.Second

// SinkStream is a sink's durable consumer on ALERTS.
type SinkStream struct {
	c       *Client
	name    string
	cons    jetstream.Consumer
	ackWait time.Duration
}

// SinkStream binds to the durable consumer notify-<sink> on ALERTS, as
// setup wrote it from the sinks file; it creates and changes nothing. A
// missing consumer is an error wrapping ErrNotSetUp.
func (c *Client) SinkStream(ctx context.Context, sink string) (*SinkStream, error) {
	name := SinkConsumer(sink)
	cons, err := c.js.Consumer(ctx, pipeline.AlertsStream, name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("%w: sink %s: consumer %s > %s does not exist; run `newsmon setup -sinks FILE` with notify's sinks file",
			ErrNotSetUp, sink, pipeline.AlertsStream, name)
	}
	if err != nil {
		return nil, fmt.Errorf("sink %s: consumer %s > %s: %w", sink, pipeline.AlertsStream, name, err)
	}
	return &SinkStream{c: c, name: name, cons: cons, ackWait: cons.CachedInfo().Config.AckWait}, nil
}

// AckWait is how long the server waits for an alert's ack before it
// hands the alert over again: notify reports alerts it still holds in
// progress well within it.
func (s *SinkStream) AckWait() time.Duration { return s.ackWait }

func sinkMsg(m jetstream.Msg) AlertMsg {
	out := AlertMsg{Data: m.Data(), Ack: m.Ack, InProgress: m.InProgress}
	if md, err := m.Metadata(); err == nil {
		out.Seq, out.Stored = md.Sequence.Stream, md.Timestamp
	}
	return out
}

// AlertMsg is one alert handed to a sink. It has notify.Msg's fields, so
// that cmd/notify converts one to the other without bus importing notify.
type AlertMsg struct {
	Data       []byte
	Seq        uint64
	Stored     time.Time
	Ack        func() error
	InProgress func() error
}

// Consume hands each alert to handle in stream order until ctx ends, then
// drains the consumer.
func (s *SinkStream) Consume(ctx context.Context, handle func(AlertMsg)) error {
	cc, err := s.cons.Consume(func(m jetstream.Msg) { handle(sinkMsg(m)) },
		// Few messages wait in the client's buffer, where nobody reports
		// them in progress: a slow receiver must not let them time out.
		jetstream.PullMaxMessages(64),
		jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			s.c.log.Warn("consume alerts", "consumer", s.name, "err", err)
		}))
	if err != nil {
		return fmt.Errorf("consume %s: %w", s.name, err)
	}
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
	return nil
}

// Fetch returns up to n alerts waiting now, without waiting for more.
func (s *SinkStream) Fetch(ctx context.Context, n int) ([]AlertMsg, error) {
	batch, err := s.cons.FetchNoWait(n)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", s.name, err)
	}
	var out []AlertMsg
	for m := range batch.Messages() {
		out = append(out, sinkMsg(m))
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
		return out, fmt.Errorf("fetch %s: %w", s.name, err)
	}
	return out, nil
}

// PublishDead stores a dead letter on notify.dead.<sink>. Its Msg-Id is
// the delivery's id, so a dead letter stored twice in a crash is kept once.
func (c *Client) PublishDead(ctx context.Context, sink, id, reason string, data []byte) error {
	m := nats.NewMsg(DeadSubject(sink))
	m.Data = data
	m.Header.Set(NotifyReasonHeader, reason)
	if _, err := c.js.PublishMsg(ctx, m, jetstream.WithMsgID("dead:"+sink+":"+id)); err != nil {
		return fmt.Errorf("publish dead letter %s: %w", id, err)
	}
	return nil
}

// DeadLetter is one stored dead letter.
type DeadLetter struct {
	Seq    uint64
	Stored time.Time
	Reason string
	Data   []byte
}

// DeadLetters returns a sink's dead letters, oldest first.
func (c *Client) DeadLetters(ctx context.Context, sink string) ([]DeadLetter, error) {
	cons, err := c.js.OrderedConsumer(ctx, NotifyDeadStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{DeadSubject(sink)},
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", DeadSubject(sink), err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", DeadSubject(sink), err)
	}
	var out []DeadLetter
	for pending := info.NumPending; pending > 0; {
		batch, err := cons.Fetch(int(min(pending, 500)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return out, fmt.Errorf("read %s: %w", DeadSubject(sink), err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return out, err
			}
			out = append(out, DeadLetter{Seq: md.Sequence.Stream, Stored: md.Timestamp,
				Reason: m.Headers().Get(NotifyReasonHeader), Data: m.Data()})
			pending = md.NumPending
		}
		if err := batch.Error(); err != nil {
			return out, fmt.Errorf("read %s: %w", DeadSubject(sink), err)
		}
		if n == 0 {
			break
		}
	}
	return out, nil
}

// DeleteDead removes a dead letter once it was delivered.
func (c *Client) DeleteDead(ctx context.Context, seq uint64) error {
	s, err := c.js.Stream(ctx, NotifyDeadStream)
	if err != nil {
		return err
	}
	if err := s.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("delete dead letter %d: %w", seq, err)
	}
	return nil
}

// ReadAlerts hands every alert stored in ALERTS since a time to handle,
// then the new ones as they come, until ctx ends. pending is how many
// sequences of the stream as it was when the read began remain after this
// alert: 0 once it has caught up. ALERTS is read by get requests, as the
// desk reads it (followByGet): notify may not create consumers there.
func (c *Client) ReadAlerts(ctx context.Context, since time.Time, handle func(data []byte, stored time.Time, pending uint64)) error {
	subject := pipeline.AlertsSubject + ".>"
	s, err := c.js.Stream(ctx, pipeline.AlertsStream)
	if err != nil {
		return fmt.Errorf("read %s: %w", pipeline.AlertsStream, err)
	}
	first, err := firstStoredSince(ctx, s, subject, since)
	if err != nil {
		return fmt.Errorf("read %s since %s: %w", pipeline.AlertsStream, since.UTC().Format(time.RFC3339), err)
	}
	last := s.CachedInfo().State.LastSeq
	return c.followByGet(ctx, s, subject, first-1, func(m *jetstream.RawStreamMsg) error {
		var pending uint64
		if m.Sequence < last {
			pending = last - m.Sequence
		}
		handle(m.Data, m.Time, pending)
		return nil
	})
}

// firstStoredSince is the sequence of the first message on subject stored
// at or after since, or the one after the stream's last if none is: a
// binary search by get requests, as stored times grow with sequences.
func firstStoredSince(ctx context.Context, s jetstream.Stream, subject string, since time.Time) (uint64, error) {
	st := s.CachedInfo().State
	if st.Msgs == 0 {
		return st.LastSeq + 1, nil
	}
	lo, hi := max(st.FirstSeq, 1), st.LastSeq+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		m, err := s.GetMsg(ctx, mid, jetstream.WithGetMsgSubject(subject))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound): // nothing at or after mid
			hi = mid
		case err != nil:
			return 0, err
		case m.Time.Before(since):
			lo = m.Sequence + 1
		default:
			hi = mid
		}
	}
	return lo, nil
}
