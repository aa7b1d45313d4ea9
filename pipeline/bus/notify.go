package bus

// This file is the delivery service's side of the bus: one durable
// consumer per sink on ALERTS, dead letters on notify.dead.<sink> in the
// NOTIFY_DEAD stream (both streams are the topology's, topology.go), and
// an ordered read of ALERTS from a start time for spike detection. pipeline/notify reaches it through the interfaces it
// declares (Stream, DeadLetters, Publisher); cmd/notify wires the two.

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

// SinkConsumer is the name of a sink's durable consumer on ALERTS.
func SinkConsumer(sink string) string { return "notify-" + sink }

// DeadSubject is the subject of a sink's dead letters.
func DeadSubject(sink string) string { return NotifyDeadSubject + "." + sink }

// VerifyNotify checks that ALERTS and NOTIFY_DEAD are set up.
func (c *Client) VerifyNotify(ctx context.Context) error { return c.Verify(ctx, NotifyNeeds) }

// SinkAckWait is how long ALERTS waits, by default, for a sink's ack
// before it hands the alert over again: after a crash, the alerts the dead
// process held come back after this long. The delivery service reports
// alerts it still holds in progress well within it.
const SinkAckWait = 30 * time.Second

// SinkStream is a sink's durable consumer on ALERTS.
type SinkStream struct {
	c    *Client
	name string
	cons jetstream.Consumer
}

// SinkStream creates or updates the durable consumer notify-<sink> on
// ALERTS, filtered on the sink's subjects: notify owns these consumers,
// outside the shared topology. A new sink starts with the alerts stored
// since start (the time notify started), not the stream's 30 days; an
// existing one keeps its position and takes the new filter. Its replicas
// are the stream's.
func (c *Client) SinkStream(ctx context.Context, sink string, subjects []string, ackWait time.Duration, start time.Time) (*SinkStream, error) {
	if ackWait <= 0 {
		ackWait = SinkAckWait
	}
	start = start.UTC()
	cfg := jetstream.ConsumerConfig{
		Durable:        SinkConsumer(sink),
		Description:    "notify sink " + sink,
		FilterSubjects: subjects,
		AckPolicy:      jetstream.AckExplicitPolicy,
		DeliverPolicy:  jetstream.DeliverByStartTimePolicy,
		OptStartTime:   &start,
		AckWait:        ackWait,
		MaxDeliver:     -1, // notify retries and dead-letters itself
		MaxAckPending:  20000,
	}
	old, err := c.js.Consumer(ctx, pipeline.AlertsStream, cfg.Durable)
	switch {
	case err == nil:
		// Where a consumer starts cannot change once it exists.
		have := old.CachedInfo().Config
		cfg.DeliverPolicy, cfg.OptStartTime, cfg.OptStartSeq = have.DeliverPolicy, have.OptStartTime, have.OptStartSeq
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, fmt.Errorf("consumer %s: %w", cfg.Durable, err)
	}
	cons, err := c.js.CreateOrUpdateConsumer(ctx, pipeline.AlertsStream, cfg)
	if err != nil {
		return nil, fmt.Errorf("declare consumer %s: %w", cfg.Durable, err)
	}
	return &SinkStream{c: c, name: cfg.Durable, cons: cons}, nil
}

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
// stored alerts remain after this one: 0 once it has caught up.
func (c *Client) ReadAlerts(ctx context.Context, since time.Time, handle func(data []byte, stored time.Time, pending uint64)) error {
	cons, err := c.js.OrderedConsumer(ctx, pipeline.AlertsStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{pipeline.AlertsSubject + ".>"},
		DeliverPolicy:  jetstream.DeliverByStartTimePolicy,
		OptStartTime:   &since,
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", pipeline.AlertsStream, err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		md, err := m.Metadata()
		if err != nil {
			return
		}
		handle(m.Data(), md.Timestamp, md.NumPending)
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		c.log.Warn("read alerts", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("read %s: %w", pipeline.AlertsStream, err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	return nil
}
