// Package deskd wires the analysts' desk for the two commands that run it,
// cmd/desk alone and cmd/newsmon beside the others: its settings (flags
// with variables, prefixed in newsmon), the index, indexer, pruner and
// console built from them over a bus client, and its metrics. The desk
// itself, index and handlers, is package desk's.
package deskd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/opsserver"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/desk"
)

// The bus client is what the desk follows the streams with and publishes
// feedback to.
var (
	_ desk.Follower          = (*bus.Client)(nil)
	_ desk.FeedbackPublisher = (*bus.Client)(nil)
)

// Settings is the desk's settings.
type Settings struct {
	Listen         string
	Index          string
	RetentionDays  int
	Rules          string
	Users          string
	SessionKeyFile string
	CacheMB        int
	prefix         string
}

// Register defines the desk flags, each name after prefix: "" in cmd/desk
// (-listen), "desk-" in newsmon (-desk-listen). The variables are the same.
func (d *Settings) Register(e *envflag.FlagSet, prefix string) {
	d.prefix = prefix
	e.String(&d.Listen, prefix+"listen", "DESK_LISTEN", "127.0.0.1:8080", "address of the console and API; anything but loopback needs -"+prefix+"users")
	e.String(&d.Index, prefix+"index", "DESK_INDEX", d.Index, "the index file (SQLite); delete it and it is rebuilt from the streams")
	e.Int(&d.RetentionDays, prefix+"retention-days", "DESK_RETENTION_DAYS", 30, "days of articles and alerts the index keeps")
	e.String(&d.Rules, prefix+"rules", "DESK_RULES", "rules", "rule folder that \"try a rule\" loads a pasted file beside (empty: none)")
	e.String(&d.Users, prefix+"users", "DESK_USERS", "", "users file (desk users add NAME); needed unless the console listens on loopback")
	e.String(&d.SessionKeyFile, prefix+"session-key-file", "DESK_SESSION_KEY_FILE", "", "file of at least 32 bytes that signs session cookies (share it between replicas; default: random, logins end at restart)")
	e.Int(&d.CacheMB, prefix+"index-cache-mb", "DESK_INDEX_CACHE_MB", 32, "SQLite page cache per connection, MiB")
}

// Validate gathers every problem with the settings.
func (d *Settings) Validate() error {
	var errs []error
	host, _, err := net.SplitHostPort(d.Listen)
	if err != nil {
		errs = append(errs, fmt.Errorf("-%slisten %q: %v", d.prefix, d.Listen, err))
	} else if d.Users == "" && !loopback(host) {
		errs = append(errs, fmt.Errorf("-%slisten %s is not loopback: give -%susers FILE (desk users add NAME), and TLS through a reverse proxy (docs/desk.md)", d.prefix, d.Listen, d.prefix))
	}
	if d.Index == "" {
		errs = append(errs, fmt.Errorf("-%sindex: a file is needed", d.prefix))
	}
	if d.RetentionDays < 1 {
		errs = append(errs, fmt.Errorf("-%sretention-days %d: at least 1", d.prefix, d.RetentionDays))
	}
	if d.CacheMB < 1 || d.CacheMB > 4096 {
		errs = append(errs, fmt.Errorf("-%sindex-cache-mb %d: from 1 to 4096", d.prefix, d.CacheMB))
	}
	return errors.Join(errs...)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// metrics exports the indexer's counters.
func metrics(reg *prometheus.Registry, x *desk.Indexer, hub *desk.Hub) {
	st := x.Stats()
	for _, stream := range desk.Streams {
		labels := prometheus.Labels{"stream": stream}
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "newsmon_desk_indexed_total",
			Help: "Records added to the desk's index.", ConstLabels: labels}, func() float64 { return float64(st.Indexed[stream].Load()) }))
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "newsmon_desk_malformed_total",
			Help: "Stream messages skipped because they could not be decoded or lacked ids.", ConstLabels: labels}, func() float64 { return float64(st.Malformed[stream].Load()) }))
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmon_desk_position",
			Help: "Last stream sequence stored in the index.", ConstLabels: labels}, func() float64 { return float64(st.Position[stream].Load()) }))
	}
	opsserver.Counter(reg, "newsmon_desk_batches_total", "Batches stored in the index.", st.Batches.Load)
	opsserver.Counter(reg, "newsmon_desk_index_errors_total", "Batches the index refused (retried).", st.Errors.Load)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "newsmon_desk_live_consoles",
		Help: "Consoles following alerts live."}, func() float64 { return float64(hub.Subscribers()) }))
}

// Run runs the desk until ctx ends: the indexer following the streams,
// the retention pruner and the console. listening, when not nil, is told
// the console's address once it listens.
func Run(ctx context.Context, d *Settings, client *bus.Client, reg *prometheus.Registry, log *slog.Logger, listening func(addr string)) error {
	if err := client.Verify(ctx, bus.DeskNeeds); err != nil {
		return err
	}
	var key []byte
	if d.SessionKeyFile != "" {
		var err error
		if key, err = os.ReadFile(d.SessionKeyFile); err != nil {
			return fmt.Errorf("-session-key-file: %w", err)
		}
	}
	auth, err := desk.NewAuth(desk.AuthOptions{UsersFile: d.Users, SessionKey: key})
	if err != nil {
		return err
	}
	idx, err := desk.OpenSQLite(d.Index, desk.SQLiteOptions{CacheMB: d.CacheMB})
	if err != nil {
		return err
	}
	defer idx.Close()
	hub := desk.NewHub()
	retention := time.Duration(d.RetentionDays) * 24 * time.Hour
	x := desk.NewIndexer(idx, client, desk.IndexerOptions{Retention: retention, OnAlerts: hub.Publish}, log.With("part", "indexer"))
	metrics(reg, x, hub)
	srv, err := desk.NewServer(desk.Options{Index: idx, Publisher: client, Auth: auth, Hub: hub, RulesDir: d.Rules, Indexer: x, Log: log.With("part", "console")})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", d.Listen)
	if err != nil {
		return fmt.Errorf("-listen: %w", err)
	}
	g, gctx := errgroup.WithContext(ctx)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 3 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		// Requests see gctx, so the live streams end when the desk stops.
		BaseContext: func(net.Listener) context.Context { return gctx }}
	log.Info("desk listening", "console", "http://"+ln.Addr().String(), "index", d.Index, "open", auth.Open())
	if listening != nil {
		listening(ln.Addr().String())
	}
	g.Go(func() error {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	})
	g.Go(func() error { return x.Run(gctx) })
	g.Go(func() error { return x.Prune(gctx, time.Hour) })
	return g.Wait()
}
