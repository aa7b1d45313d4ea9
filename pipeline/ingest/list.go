package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"newsmon/pipeline/article"
	"newsmon/pipeline/feed"
)

// The feed list changes while the service runs in two ways (docs/feeds.md):
//
//   - the operator's list file is read again (SetSources, on SIGHUP or when
//     the file changes: WatchList): feeds new to it are added, feeds gone
//     from it removed, the options of the others updated;
//   - `ingest feeds add|remove|pause|resume URL` writes the feed's state in
//     FEEDS (Listing, Removed, Paused) and every replica, watching FEEDS,
//     follows it (observe). What a command did outlasts a reload of the
//     file and a restart: a feed removed by command stays removed, one
//     added stays listed, until another command says otherwise.

// Listing is a feed added by `ingest feeds add`, with its options, kept in
// its FEEDS state so that every replica lists it.
type Listing struct {
	Name     string        `json:"name,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	Pages    *bool         `json:"pages,omitempty"`
	Lang     string        `json:"lang,omitempty"`
	Tags     []string      `json:"tags,omitempty"`
}

// Source is the feed a listing describes.
func (l *Listing) Source(url string) feed.Source {
	return feed.Source{URL: url, Name: l.Name, Interval: l.Interval, Pages: l.Pages, Lang: l.Lang, Tags: l.Tags}
}

// NewState is the first state of a listed feed: new, due at now.
func (c *Config) NewState(src feed.Source, now time.Time) FeedState {
	return FeedState{URL: src.URL, Source: article.SourceName(src, ""), State: StateNew, Next: now, Interval: c.baseInterval(src.Interval)}
}

// SetSources makes sources the operator's list: feeds new to it are added
// (due now; with a StateStore their first state is filed), feeds no longer
// in it are dropped from this replica's polling (their state stays in
// FEEDS, so that listing them again resumes them), and the options of the
// others take effect at their next poll. Feeds added by command are kept.
func (in *Ingester) SetSources(ctx context.Context, sources []feed.Source) (added, removed int) {
	now := in.cfg.Now()
	want := make(map[string]feed.Source, len(sources))
	for _, s := range sources {
		if _, dup := want[FeedKey(s.URL)]; !dup {
			want[FeedKey(s.URL)] = s
		}
	}
	in.mu.Lock()
	var fresh []*entry
	for key, e := range in.feeds {
		s, ok := want[key]
		switch {
		case ok:
			e.src = s
		case e.byCommand:
		default:
			in.drop(e)
			removed++
			in.log.Info("feed no longer listed; not polled", "feed_url", e.src.URL)
		}
	}
	for key, s := range want {
		if in.feeds[key] != nil {
			continue
		}
		e := &entry{key: key, src: s, st: in.cfg.NewState(s, now)}
		in.feeds[key] = e
		in.index(e)
		fresh = append(fresh, e)
		added++
		in.log.Info("feed listed; polled from now on", "feed_url", s.URL)
	}
	in.mu.Unlock()
	if in.cfg.State != nil && len(fresh) > 0 {
		if err := in.seed(ctx); err != nil && ctx.Err() == nil {
			in.log.Warn("file the state of newly listed feeds", "err", err)
		}
	}
	return added, removed
}

// drop removes e from this replica's polling; call with mu held.
func (in *Ingester) drop(e *entry) {
	delete(in.feeds, e.key)
	list := in.byHost[e.host]
	for i, x := range list {
		if x == e {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(in.byHost, e.host)
	} else {
		in.byHost[e.host] = list
	}
}

// follow applies what a state written by a command says about listing: a
// feed added by command is listed here too, a removed one dropped. It
// reports whether st's feed is (still) polled here; call with mu held.
func (in *Ingester) follow(key string, st FeedState) (*entry, bool) {
	e := in.feeds[key]
	switch {
	case st.Removed && e != nil:
		in.drop(e)
		in.log.Info("feed removed by command; not polled", "feed_url", st.URL, "change", st.Change)
		return nil, false
	case st.Removed:
		return nil, false
	case e == nil && st.Listing != nil:
		e = &entry{key: key, src: st.Listing.Source(st.URL), byCommand: true, st: st}
		in.feeds[key] = e
		in.index(e)
		in.log.Info("feed added by command; polled from now on", "feed_url", st.URL, "change", st.Change)
		return e, true
	case e == nil:
		return nil, false
	}
	if st.Listing != nil {
		e.byCommand = true
	}
	if st.Paused != e.st.Paused {
		if st.Paused {
			in.log.Info("feed paused by command", "feed_url", st.URL, "change", st.Change)
		} else {
			in.log.Info("feed resumed by command", "feed_url", st.URL, "change", st.Change)
		}
	}
	return e, true
}

// WatchList reads the list again (load) when hup fires and, every poll,
// when stamp (the file's size and modification time) has changed and then
// held still for a poll, so that a file caught while being written is not
// read half-empty; it sets the list with SetSources. A list that does not
// read is logged and the current one kept.
func (in *Ingester) WatchList(ctx context.Context, load func() ([]feed.Source, error), stamp func() string, hup <-chan os.Signal, poll time.Duration) {
	last, pending := stamp(), ""
	var tick <-chan time.Time
	if poll > 0 {
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-tick:
			s := stamp()
			if s == last {
				continue
			}
			if s != pending {
				pending = s // changed: read it once it holds still
				continue
			}
		}
		last, pending = stamp(), ""
		sources, err := load()
		if err != nil {
			in.stats.ListErrors.Add(1)
			in.log.Error("feed list reload refused; the current list stays", "err", err)
			continue
		}
		added, removed := in.SetSources(ctx, sources)
		in.stats.ListReloads.Add(1)
		in.log.Info("feed list reloaded", "feeds", len(sources), "added", added, "removed", removed)
	}
}

// FileStamp is WatchList's stamp of a list file: its size and time, or the
// error reading them.
func FileStamp(path string) func() string {
	return func() string {
		fi, err := os.Stat(path)
		if err != nil {
			return "error: " + err.Error()
		}
		b, _ := json.Marshal([]any{fi.Size(), fi.ModTime().UnixNano()})
		return string(b)
	}
}

// What `ingest feeds` can do to a feed through FEEDS.
const (
	ActionAdd    = "add"    // list it on every replica (with a Listing)
	ActionRemove = "remove" // stop polling it on every replica, whatever the list file says
	ActionPause  = "pause"  // keep it listed, do not poll it
	ActionResume = "resume" // poll it again after a pause
)

// ChangeFeed applies an operator's action to a feed's state in FEEDS, with
// the revision it read, so that a poll or another command writing at the
// same time is not overwritten; every replica watching FEEDS follows it.
// listing gives the options of an added feed; by says who asked (a host
// name, a user), for the state's Change and the replicas' logs.
func ChangeFeed(ctx context.Context, store StateStore, cfg Config, feedURL, action string, listing *Listing, by string) (FeedState, error) {
	_ = cfg.fill() // the defaults of intervals and the clock; no fetch client is needed here
	key := FeedKey(feedURL)
	now := cfg.Now()
	for range 10 {
		data, rev, err := store.LoadState(ctx, key)
		if err != nil {
			return FeedState{}, err
		}
		var st FeedState
		switch {
		case data != nil:
			if st, err = DecodeState(data); err != nil {
				return FeedState{}, err
			}
		case action == ActionAdd:
			src := feed.Source{URL: feedURL}
			if listing != nil {
				src = listing.Source(feedURL)
			}
			st = cfg.NewState(src, now)
		default:
			return FeedState{}, fmt.Errorf("%s %s: no such feed in FEEDS (never polled nor added)", action, feedURL)
		}
		switch action {
		case ActionAdd:
			if listing == nil {
				listing = &Listing{}
			}
			st.Listing, st.Removed = listing, false
		case ActionRemove:
			st.Removed, st.Listing = true, nil
		case ActionPause:
			st.Paused = true
		case ActionResume:
			st.Paused = false
			st.Next = now // due at once
		default:
			return FeedState{}, fmt.Errorf("unknown action %q: want add, remove, pause or resume", action)
		}
		st.Change = fmt.Sprintf("%s by %s at %s", action, by, now.UTC().Format(time.RFC3339))
		out, err := json.Marshal(st)
		if err != nil {
			return FeedState{}, err
		}
		_, ok, err := store.SaveState(ctx, key, out, rev)
		if err != nil {
			return FeedState{}, err
		}
		if ok {
			return st, nil
		}
		// A poll wrote it meanwhile: read it again and reapply.
	}
	return FeedState{}, fmt.Errorf("%s %s: the feed's state kept changing; try again", action, feedURL)
}
