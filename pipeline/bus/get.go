package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// directLast asks the stream for the last message of each subject (which
// may hold wildcards) in one batched direct get ("multi_last"), and calls
// fn for each message that is a value (not a delete marker), once the
// whole answer is in.
//
// nats.go's jetstream package (v1.55) has no batched get; its
// GetLastMsgForSubject costs a request a subject. The orbit.go extension's
// GetLastMsgsFor (jetstreamext v0.3.2) sends this request but cannot serve
// here: an answer cut off by its deadline ends the iterator as a complete
// one does, without an error, so a SEEN lookup that went unanswered would
// read as "never seen" and republish; the server's 413 (more than 1,024
// results: a crowded NEAR band) comes back as "batch get unsupported"; and
// its synchronous subscription allocates a 64k-slot channel per request,
// which dominated the ingest profile when this code used one.
func (c *Client) directLast(ctx context.Context, stream string, subjects []string, fn func(subject string, data []byte)) error {
	if len(subjects) == 0 {
		return nil
	}
	req, err := json.Marshal(struct {
		MultiLast []string `json:"multi_last"`
	}{MultiLast: subjects})
	if err != nil {
		return err
	}
	b := &lastBatch{stream: stream, done: make(chan struct{})}
	inbox := c.nc.NewRespInbox()
	sub, err := c.nc.Subscribe(inbox, b.take)
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
	case <-b.done:
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("direct get %s: no answer within 10s", stream)
	}
	if b.err != nil {
		return b.err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.got {
		fn(m.subject, m.data)
	}
	return nil
}

// lastBatch gathers one batched direct get's answer: the messages, then a
// status that ends it. take runs on the subscription's goroutine.
type lastBatch struct {
	stream string
	mu     sync.Mutex
	got    []lastMsg
	err    error // set once, before done closes
	done   chan struct{}
	once   sync.Once
}

type lastMsg struct {
	subject string
	data    []byte
}

func (b *lastBatch) take(m *nats.Msg) {
	switch status := m.Header.Get("Status"); status {
	case "":
	case "204", "404": // end of batch; nothing matched
		b.end(nil)
		return
	case "413":
		b.end(fmt.Errorf("direct get %s: %w", b.stream, errTooMany))
		return
	default:
		b.end(fmt.Errorf("direct get %s: status %s %s", b.stream, status, m.Header.Get("Description")))
		return
	}
	switch m.Header.Get("KV-Operation") {
	case "DEL", "PURGE":
		return
	}
	b.mu.Lock()
	b.got = append(b.got, lastMsg{m.Header.Get("Nats-Subject"), m.Data})
	b.mu.Unlock()
}

func (b *lastBatch) end(err error) {
	b.once.Do(func() {
		b.err = err
		close(b.done)
	})
}

// errTooMany is a batched get whose answer would pass the server's cap.
var errTooMany = errors.New("too many results")
