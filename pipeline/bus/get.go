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
// nats.go's jetstream package has no batched get. The orbit.go extension's
// GetLastMsgsFor (jetstreamext) does the same request, but it cannot serve
// here: an answer cut off by a timeout ends its iterator as a complete one
// does, without an error, so a SEEN lookup that went unanswered would read
// as "never seen" and republish; the server's 413 (more than 1,024
// results, a crowded NEAR band) comes back as "batch get unsupported"; and
// its synchronous subscription allocates a 64k-slot channel per request,
// which dominated the ingest profile when this code used one.
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

// errTooMany is a batched get whose answer would pass the server's cap.
var errTooMany = errors.New("too many results")
