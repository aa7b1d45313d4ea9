package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
)

// PublishArticles stores articles in ARTICLES asynchronously, each with its
// id as Nats-Msg-Id, and returns once the server has acknowledged all of
// them, or with the first error. Articles that were stored before an error
// are stored once even if the caller sends them again within the stream's
// duplicate window.
func (c *Client) PublishArticles(ctx context.Context, arts []*pipeline.Article) error {
	futures := make([]jetstream.PubAckFuture, 0, len(arts))
	for _, a := range arts {
		data, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("encode article %s: %w", a.ID, err)
		}
		f, err := c.js.PublishAsync(pipeline.ArticleSubject(a.Source), data, jetstream.WithMsgID(a.ID))
		if err != nil {
			return fmt.Errorf("publish article %s: %w", a.ID, err)
		}
		futures = append(futures, f)
	}
	return c.waitAcksFunc(ctx, futures, "publish articles", func(ack *jetstream.PubAck) {
		if ack.Duplicate {
			c.articles.Duplicates.Add(1)
		} else {
			c.articles.Stored.Add(1)
		}
	})
}

// PublishStats counts what the server did with the articles this client
// published: stored them, or dropped them as duplicates of one with the
// same Msg-Id stored within the stream's duplicate window (a retry).
type PublishStats struct {
	Stored     atomic.Int64
	Duplicates atomic.Int64
}

// ArticleStats returns the counts of PublishArticles' outcomes.
func (c *Client) ArticleStats() *PublishStats { return &c.articles }

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

// Flush waits until every asynchronous publish of this client has been
// answered by the server, or has timed out.
func (c *Client) Flush(ctx context.Context) error {
	timer := time.NewTimer(c.opts.PublishTimeout + time.Second)
	defer timer.Stop()
	select {
	case <-c.js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("flush: %w", jetstream.ErrAsyncPublishTimeout)
	}
}
