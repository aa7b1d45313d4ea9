package ingest

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// lightCost is the parse or extraction cost (feed.ParseCost,
// article.PageCost) a worker may spend without asking: with its body, a
// worker then holds about one capped body's worth, so Workers bounds it.
const lightCost = 4 << 20

// memory bounds what the documents too big for lightCost take at once
// across the workers of this process (issue 9 item 7: four hostile 4.5 MB
// feeds at once took 876 MB). Each such document takes its cost from a
// budget of Config.HeavyBudget bytes before it is parsed and gives it back
// after; a cost over the whole budget takes the whole budget, so one
// document at a time. Nothing waits while holding a share, so nothing
// deadlocks. Peak memory is then about Workers × the body cap, plus the
// budget, plus the process's own (docs/benchmarks.md measures it).
type memory struct {
	sem  *semaphore.Weighted
	size int64
}

func newMemory(size int64) *memory {
	return &memory{sem: semaphore.NewWeighted(size), size: size}
}

// Acquire waits until cost bytes of the budget are free, unless cost is
// light, and returns the function that gives them back.
func (m *memory) Acquire(ctx context.Context, cost int64) (func(), error) {
	if m == nil || cost <= lightCost {
		return func() {}, nil
	}
	n := min(cost, m.size)
	if err := m.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { m.sem.Release(n) }, nil
}
