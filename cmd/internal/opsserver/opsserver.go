// Package opsserver is the operations side every newsmon service runs: an
// HTTP server with /healthz (alive), /readyz (ready to work, by a check
// the command gives) and /metrics (Prometheus), the -http flag that places
// it, the registry the services add their metrics to, and Run, which runs
// a process's loops beside the server until ctx ends or one fails. With
// -pprof it also serves the Go runtime's profiles under /debug/pprof/.
package opsserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"newsmon/cmd/internal/envflag"
)

// Server is the operations HTTP server.
type Server struct {
	Addr  string // "": no server
	Reg   *prometheus.Registry
	Ready func() error // nil: always ready
	// Profiles serves /debug/pprof/ (heap, goroutines, CPU...). Off by
	// default: a profile shows the process's internals to whoever reaches
	// the address, and a CPU or trace profile costs CPU while it runs.
	Profiles bool
}

// Flag defines -http, the server's address, with the command's default,
// and -pprof, which adds the Go runtime's profiles to it.
func Flag(e *envflag.FlagSet, o *Server, def string) {
	e.String(&o.Addr, "http", "HTTP_ADDR", def, "address of /healthz, /readyz and /metrics (empty: off)")
	e.Bool(&o.Profiles, "pprof", "PPROF", false, "also serve the Go runtime's profiles under /debug/pprof/ on -http (go tool pprof http://ADDR/debug/pprof/heap)")
}

// NewRegistry returns a registry with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Counter exports v, a count kept by the code it measures, as a counter.
func Counter(reg *prometheus.Registry, name, help string, v func() int64) {
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v()) }))
}

// Serve runs the server until ctx ends.
func (o Server) Serve(ctx context.Context, log *slog.Logger) error {
	if o.Addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if o.Ready != nil {
			if err := o.Ready(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.Reg, promhttp.HandlerOpts{Registry: o.Reg}))
	if o.Profiles {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("ops server listening", "addr", ln.Addr().String())
	served, shut := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(shut)
		select {
		case <-ctx.Done():
		case <-served: // Serve failed on its own: nothing to shut down
			return
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	err = srv.Serve(ln)
	close(served)
	<-shut
	if !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Run runs a process's loops beside its operations server until ctx ends
// or any of them fails, which stops the others.
func Run(ctx context.Context, name string, ops Server, log *slog.Logger, loops ...func(context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return ops.Serve(gctx, log) })
	for _, loop := range loops {
		g.Go(func() error { return loop(gctx) })
	}
	err := g.Wait()
	log.Info(name + " stopped")
	return err
}
