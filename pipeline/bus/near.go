package bus

import (
	"context"
	"errors"
	"fmt"
)

// NearBucket indexes the SimHash bands of published articles so that any
// ingest replica finds an earlier near-identical text (docs/feeds.md).
const NearBucket = "NEAR"

// Near is the NEAR bucket as an index: entries filed under "<band>.<member>"
// keys, looked up by band. Bands, members and values are the caller's.
type Near struct{ c *Client }

// NewNear is NEAR through c.
func NewNear(c *Client) *Near { return &Near{c: c} }

// NearCandidates returns the values stored under any of the given band
// keys: every entry filed under one of them. A band holding more entries
// than one answer may carry (1024) is left out: the other three bands of a
// near-identical text still find it unless they are crowded too.
func (n *Near) NearCandidates(ctx context.Context, bands []string) ([]string, error) {
	var out []string
	subjects := make([]string, len(bands))
	for i, b := range bands {
		if err := checkKey(b); err != nil {
			return nil, fmt.Errorf("near candidates: band: %w", err)
		}
		subjects[i] = "$KV." + NearBucket + "." + b + ".*"
	}
	// A band key of a busy day holds a few articles; small requests keep
	// most answers below the server's cap.
	const chunk = 32
	for i := 0; i < len(subjects); i += chunk {
		if err := n.last(ctx, subjects[i:min(i+chunk, len(subjects))], &out); err != nil {
			return nil, fmt.Errorf("near candidates: %w", err)
		}
	}
	return out, nil
}

// last appends the values under subjects to out, splitting a request whose
// answer would pass the server's cap and skipping a single crowded band.
func (n *Near) last(ctx context.Context, subjects []string, out *[]string) error {
	err := n.c.directLast(ctx, "KV_"+NearBucket, subjects, func(_ string, data []byte) {
		*out = append(*out, string(data))
	})
	if !errors.Is(err, errTooMany) {
		return err
	}
	if len(subjects) == 1 {
		n.c.log.Debug("near-duplicate band too crowded; skipped", "band", subjects[0])
		return nil
	}
	half := len(subjects) / 2
	if err := n.last(ctx, subjects[:half], out); err != nil {
		return err
	}
	return n.last(ctx, subjects[half:], out)
}

// AddNear files index entries, each a key "<band>.<member>" and its value.
// The index is best effort: the entries are sent without waiting for the
// server's acknowledgements (four acks an article cost more than the rest
// of its publishing), and Flush pushes them out; an entry lost to a failure
// lets one copy through.
func (n *Near) AddNear(ctx context.Context, entries map[string]string) error {
	for k, v := range entries {
		if err := checkKey(k); err != nil {
			return fmt.Errorf("add near: %w", err)
		}
		if err := n.c.nc.Publish("$KV."+NearBucket+"."+k, []byte(v)); err != nil {
			return fmt.Errorf("add near %s: %w", k, err)
		}
	}
	return nil
}
