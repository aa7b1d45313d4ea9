package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// Seen is the SEEN bucket: a value under each key the caller recorded.
// Keys are the caller's and opaque here, any string (package ingest uses
// its items' dedup keys, URLs among them); the bucket files each under its
// digest (kvKey), since key-value keys allow only a small alphabet.
type Seen struct{ c *Client }

// NewSeen is SEEN through c.
func NewSeen(c *Client) *Seen { return &Seen{c: c} }

// kvKey is the bucket key of a caller's key: the first 16 bytes of its
// SHA-256 in hex. The digest is the one SEEN has always been written with,
// so records stored before keep being found.
func kvKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// SeenAll returns the value recorded under each of keys that has one. It
// costs one request per 512 keys.
func (s *Seen) SeenAll(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string)
	const chunk = 512
	prefix := "$KV." + SeenBucket + "."
	byKV := make(map[string]string, len(keys))
	for i := 0; i < len(keys); i += chunk {
		subjects := make([]string, 0, chunk)
		for _, k := range keys[i:min(i+chunk, len(keys))] {
			kv := kvKey(k)
			byKV[kv] = k
			subjects = append(subjects, prefix+kv)
		}
		err := s.c.directLast(ctx, "KV_"+SeenBucket, subjects, func(subject string, data []byte) {
			if k, ok := byKV[strings.TrimPrefix(subject, prefix)]; ok {
				out[k] = string(data)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("seen: %w", err)
		}
	}
	return out, nil
}

// MarkSeenAll records each value under its key and returns once all are
// stored.
func (s *Seen) MarkSeenAll(ctx context.Context, seen map[string]string) error {
	futures := make([]jetstream.PubAckFuture, 0, len(seen))
	for k, v := range seen {
		f, err := s.c.js.PublishAsync("$KV."+SeenBucket+"."+kvKey(k), []byte(v))
		if err != nil {
			return fmt.Errorf("mark seen %s: %w", k, err)
		}
		futures = append(futures, f)
	}
	return s.c.waitAcks(ctx, futures, "mark seen")
}

// checkKey refuses what is not a key-value key: it would be a wildcard or
// several subjects where one is meant.
func checkKey(k string) error {
	if k == "" || k[0] == '.' || k[len(k)-1] == '.' || strings.Contains(k, "..") {
		return fmt.Errorf("key %q: not a key-value key", k)
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '=', c == '/', c == '.':
		default:
			return fmt.Errorf("key %q: not a key-value key (%q)", k, c)
		}
	}
	return nil
}
