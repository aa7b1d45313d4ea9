package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/ingestd"
	"newsmon/cmd/internal/natsconn"
	"newsmon/pipeline/article"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/ingest"
)

// runFeeds runs `ingest feeds status|export|add|remove|pause|resume`.
//
//	ingest feeds status [--json] [--feeds FILE] [--nats URL]   every feed's health, from FEEDS
//	ingest feeds export [--feeds FILE | --nats URL]            the feed list as OPML
//	ingest feeds add|remove|pause|resume [flags] URL...        change the list of every replica (runFeedChange)
func runFeeds(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("feeds: want a subcommand: status, export, add, remove, pause or resume")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case ingest.ActionAdd, ingest.ActionRemove, ingest.ActionPause, ingest.ActionResume:
		return runFeedChange(ctx, sub, args, getenv, stdout, stderr)
	}
	q, err := parseFeedsQuery(sub, args, getenv, stderr)
	if err != nil {
		return err
	}
	if sub == "export" && len(q.sources) > 0 { // a list given: no need of NATS
		return feed.WriteOPML(stdout, q.title, q.sources)
	}
	side, closeNATS, err := openFeedStates(ctx, q.nats, stderr)
	if err != nil {
		return err
	}
	defer closeNATS()
	states, err := loadStates(ctx, side, q.sources)
	if err != nil {
		return err
	}
	return q.write(stdout, states)
}

// feedsQuery is what `ingest feeds status|export` was asked.
type feedsQuery struct {
	sub     string
	nats    natsconn.Flags
	sources []feed.Source // the -feed URLs and -feeds list; none: every feed in FEEDS
	asJSON  bool          // status
	title   string        // export
}

func parseFeedsQuery(sub string, args []string, getenv envflag.Getenv, stderr io.Writer) (*feedsQuery, error) {
	env := envflag.New("ingest feeds "+sub, stderr, getenv)
	q := &feedsQuery{sub: sub}
	var (
		list  string
		feeds []string
	)
	q.nats.Register(env)
	env.String(&list, "feeds", "INGEST_FEEDS", "", "feed list file (text, OPML or YAML)")
	env.List(&feeds, "feed", "INGEST_FEED", "feed URL")
	switch sub {
	case "status":
		env.FS.BoolVar(&q.asJSON, "json", false, "one JSON object a feed instead of a table")
	case "export":
		env.FS.StringVar(&q.title, "title", "newsmon feeds", "title of the OPML document")
	default:
		return nil, fmt.Errorf("feeds: unknown subcommand %q: want status, export, add, remove, pause or resume", sub)
	}
	if err := env.Parse(args); err != nil {
		return nil, err
	}
	var err error
	q.sources, err = ingestd.Sources(feeds, list)
	return q, err
}

// openFeedStates connects to NATS and opens FEEDS, after checking it is
// there as `newsmon setup` made it; close ends the connection.
func openFeedStates(ctx context.Context, natc natsconn.Flags, stderr io.Writer) (*bus.FeedStates, func(), error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, err := bus.Connect(ctx, natc.Options("ingest-feeds"), log)
	if err != nil {
		return nil, nil, err
	}
	if err := client.Verify(ctx, bus.FeedStatusNeeds); err != nil {
		client.Close()
		return nil, nil, err
	}
	side, err := bus.OpenFeedStates(ctx, client)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return side, client.Close, nil
}

// write prints the states: as OPML (export), JSON lines or a table.
func (q *feedsQuery) write(w io.Writer, states []ingest.FeedState) error {
	switch {
	case q.sub == "export":
		out := make([]feed.Source, 0, len(states))
		for _, st := range states {
			out = append(out, feed.Source{URL: st.URL})
		}
		return feed.WriteOPML(w, q.title, out)
	case q.asJSON:
		enc := json.NewEncoder(w)
		for _, st := range states {
			if err := enc.Encode(st); err != nil {
				return err
			}
		}
		return nil
	default:
		return printStatus(w, states, time.Now())
	}
}

// loadStates reads the feeds' states from FEEDS: every stored one, or only
// those of sources when a list is given (a listed feed never polled shows
// as new).
func loadStates(ctx context.Context, side *bus.FeedStates, sources []feed.Source) ([]ingest.FeedState, error) {
	raw, err := side.States(ctx)
	if err != nil {
		return nil, err
	}
	var out []ingest.FeedState
	if len(sources) > 0 {
		for _, s := range sources {
			st := ingest.FeedState{URL: s.URL, Source: article.SourceName(s, ""), State: ingest.StateNew}
			if data, ok := raw[ingest.FeedKey(s.URL)]; ok {
				if got, err := ingest.DecodeState(data); err == nil {
					st = got
				}
			}
			out = append(out, st)
		}
	} else {
		for key, data := range raw {
			st, err := ingest.DecodeState(data)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", bus.FeedsBucket, key, err)
			}
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

// printStatus writes one line a feed and a summary by state.
func printStatus(w io.Writer, states []ingest.FeedState, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tLAST OK\tNEXT POLL\tITEMS\tDUPS\tFAILS\tURL\tLAST ERROR\tNOTES")
	count := map[string]int{}
	for _, st := range states {
		state := st.State
		switch {
		case st.Removed:
			state = "removed"
		case st.Paused:
			state = "paused"
		}
		count[state]++
		u := st.URL
		if st.FetchURL != "" {
			u += " -> " + st.FetchURL
		}
		lastErr := st.LastError
		if lastErr != "" {
			lastErr = ago(st.LastErrorAt, now) + ": " + clip(lastErr, 120)
		}
		if lastErr == "" {
			lastErr = "-"
		}
		notes := st.Notes
		if st.Change != "" {
			notes = append([]string{st.Change}, notes...)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", state, ago(st.LastOK, now), until(st.Next, now),
			st.Items, st.Duplicates, st.Failures, u, lastErr, clip(strings.Join(notes, "; "), 200))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d feeds: %d ok, %d failing, %d disabled, %d new", len(states),
		count[ingest.StateOK], count[ingest.StateFailing], count[ingest.StateDisabled], count[ingest.StateNew])
	if err == nil && count["paused"]+count["removed"] > 0 {
		_, err = fmt.Fprintf(w, ", %d paused, %d removed", count["paused"], count["removed"])
	}
	if err == nil {
		_, err = fmt.Fprintln(w)
	}
	return err
}

func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func until(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if d := t.Sub(now); d > 0 {
		return "in " + d.Round(time.Second).String()
	}
	return "due"
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
