package fetch

import (
	"context"
	"sync"
)

// limiter caps concurrent requests per host. A host's entry lives only while
// someone holds or waits for one of its slots, so the map stays small.
type limiter struct {
	per   int
	mu    sync.Mutex
	hosts map[string]*slots
}

type slots struct {
	ch    chan struct{}
	users int // holders and waiters
}

func newLimiter(per int) *limiter {
	return &limiter{per: per, hosts: make(map[string]*slots)}
}

// acquire waits for a slot for host, or for ctx to end. The returned
// function gives the slot back.
func (l *limiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &slots{ch: make(chan struct{}, l.per)}
		l.hosts[host] = s
	}
	s.users++
	l.mu.Unlock()

	select {
	case s.ch <- struct{}{}:
		return func() {
			<-s.ch
			l.leave(host, s)
		}, nil
	case <-ctx.Done():
		l.leave(host, s)
		return nil, ctx.Err()
	}
}

func (l *limiter) leave(host string, s *slots) {
	l.mu.Lock()
	s.users--
	if s.users == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}
