package ingest

import (
	"context"
	"testing"
	"time"
)

// Heavy documents share the budget: one over the whole budget runs alone,
// light ones never wait.
func TestMemoryBudget(t *testing.T) {
	m := newMemory(100 << 20)
	ctx := context.Background()
	release, err := m.Acquire(ctx, 500<<20) // over the budget: takes all of it
	if err != nil {
		t.Fatal(err)
	}
	light, err := m.Acquire(ctx, lightCost)
	if err != nil {
		t.Fatal("a light document waited")
	}
	light()
	got := make(chan struct{})
	go func() {
		r, err := m.Acquire(ctx, 10<<20)
		if err == nil {
			r()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a heavy document ran beside one that took the whole budget")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the budget was not given back")
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	r, _ := m.Acquire(ctx, 100<<20)
	if _, err := m.Acquire(short, 20<<20); err == nil {
		t.Error("Acquire did not end with its context")
	}
	r()
}
