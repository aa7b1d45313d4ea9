package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

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

// SeenAll looks up many dedup keys at once and returns, for each key the
// ingester published (or recorded as a duplicate) before, the value stored
// with it. It costs one request per 512 keys.
func (c *Client) SeenAll(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string)
	byKV := make(map[string]string, len(keys))
	const chunk = 512
	for i := 0; i < len(keys); i += chunk {
		subjects := make([]string, 0, chunk)
		for _, k := range keys[i:min(i+chunk, len(keys))] {
			kv := seenKey(k)
			byKV[kv] = k
			subjects = append(subjects, "$KV."+SeenBucket+"."+kv)
		}
		err := c.directLast(ctx, "KV_"+SeenBucket, subjects, func(subject string, data []byte) {
			if k, ok := byKV[strings.TrimPrefix(subject, "$KV."+SeenBucket+".")]; ok {
				out[k] = string(data)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("seen: %w", err)
		}
	}
	return out, nil
}

// MarkSeenAll records many dedup keys at once, each with its value (the
// article id, or what the caller wants to remember about the item), and
// returns once all are stored.
func (c *Client) MarkSeenAll(ctx context.Context, seen map[string]string) error {
	futures := make([]jetstream.PubAckFuture, 0, len(seen))
	for k, v := range seen {
		f, err := c.js.PublishAsync("$KV."+SeenBucket+"."+seenKey(k), []byte(v))
		if err != nil {
			return fmt.Errorf("mark seen %s: %w", k, err)
		}
		futures = append(futures, f)
	}
	return c.waitAcks(ctx, futures, "mark seen")
}
