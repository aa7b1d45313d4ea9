package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The POLL stream carries poll jobs, one subject per feed host. It is a work
// queue (a job is gone once acknowledged) holding at most one job per host:
// whichever replica asks first gets the host, so a host is polled by one
// replica at a time and its politeness budget lives in one place.
const (
	PollStream   = "POLL"
	PollSubject  = "news.poll"
	PollConsumer = "ingest"
)

// PollJobs is the POLL stream and its shared consumer: jobs named by a
// host token, taken by one replica at a time.
type PollJobs struct {
	c    *Client
	cons jetstream.Consumer
	// ackWait is the consumer's ack wait as the server has it: a job in
	// hand is kept alive well within it.
	ackWait time.Duration
}

// OpenPollJobs opens the POLL consumer (Setup created it).
func OpenPollJobs(ctx context.Context, c *Client) (*PollJobs, error) {
	cons, err := c.js.Consumer(ctx, PollStream, PollConsumer)
	if err != nil {
		return nil, fmt.Errorf("consumer %s > %s: %w", PollStream, PollConsumer, err)
	}
	return &PollJobs{c: c, cons: cons, ackWait: cons.CachedInfo().Config.AckWait}, nil
}

// EnqueuePoll asks for the feeds of host (a subject token) to be polled. id
// is the job's Msg-Id, derived from the feed states so that replicas asking
// for the same work emit the same id. A host that already has a job pending
// or in flight keeps it: the new one is dropped without error. It does not
// wait for the server; the client's Flush does.
func (p *PollJobs) EnqueuePoll(host, id string) error {
	_, err := p.c.js.PublishAsync(PollSubject+"."+host, nil, jetstream.WithMsgID(id))
	if err != nil {
		return fmt.Errorf("enqueue poll %s: %w", host, err)
	}
	return nil
}

// ConsumePolls takes poll jobs from the shared consumer, at most workers at
// a time and a few per request, and runs handle on each with the job's
// host token. While handle
// runs the job is kept alive with in-progress acks; it is acknowledged when
// handle returns nil and handed back for another replica when it fails. A
// replica that dies stops the in-progress acks and its job returns to the
// queue after the consumer's ack wait. It returns when ctx ends, once every job in hand
// has finished.
func (p *PollJobs) ConsumePolls(ctx context.Context, workers int, handle func(ctx context.Context, host string) error) error {
	cons := p.cons
	slots := make(chan struct{}, max(workers, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		// Wait for a free slot, then ask for as many jobs as slots are
		// free: jobs are not buffered where no one works on them.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		// At most a few at a time, so that replicas with free workers
		// share a queue of waiting jobs instead of the first one taking all.
		free := 1
		for free < min(cap(slots), 8) {
			select {
			case slots <- struct{}{}:
				free++
				continue
			default:
			}
			break
		}
		fctx, cancel := context.WithTimeout(ctx, time.Second)
		batch, err := cons.Fetch(free, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			for range free {
				<-slots
			}
			if ctx.Err() != nil {
				return nil
			}
			p.c.log.Warn("fetch poll jobs", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		got := 0
		for m := range batch.Messages() {
			got++
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				p.runJob(ctx, m, handle)
			}()
		}
		cancel()
		for ; got < free; got++ {
			<-slots
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			p.c.log.Warn("fetch poll jobs", "err", err)
		}
	}
	return nil
}

func (p *PollJobs) runJob(ctx context.Context, m jetstream.Msg, handle func(context.Context, string) error) {
	host := m.Subject()[len(PollSubject)+1:]
	done := make(chan struct{})
	var alive sync.WaitGroup
	alive.Add(1)
	go func() {
		defer alive.Done()
		t := time.NewTicker(max(p.ackWait/3, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := m.InProgress(); err != nil {
					p.c.log.Warn("poll job in progress", "host", host, "err", err)
				}
			}
		}
	}()
	err := handle(ctx, host)
	close(done)
	alive.Wait()
	if err == nil {
		err = m.DoubleAck(context.WithoutCancel(ctx))
		if err != nil {
			p.c.log.Warn("ack poll job", "host", host, "err", err)
		}
		return
	}
	// A job cut short by shutdown goes back at once for another replica.
	if nerr := m.Nak(); nerr != nil {
		p.c.log.Warn("nak poll job", "host", host, "err", nerr)
	}
	if ctx.Err() == nil {
		p.c.log.Warn("poll job", "host", host, "err", err)
	}
}
