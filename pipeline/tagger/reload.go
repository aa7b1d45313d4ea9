package tagger

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"newsmon/pipeline/rules"
)

// WatchRules reloads the rule folder dir when a value arrives on hup (the
// SIGHUP channel) or when a .yaml file in it changes, checked every poll.
// A set that fails to load is refused and logged; the old one stays. It
// returns when ctx ends.
func (t *Tagger) WatchRules(ctx context.Context, dir string, hup <-chan os.Signal, poll time.Duration) {
	last := stamp(dir)
	var tick <-chan time.Time
	if poll > 0 {
		tk := time.NewTicker(poll)
		defer tk.Stop()
		tick = tk.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			last = stamp(dir)
			t.Reload(dir)
		case <-tick:
			if s := stamp(dir); s != last {
				last = s
				t.Reload(dir)
			}
		}
	}
}

// Reload loads dir and swaps it in, or keeps the current set when it fails.
// It reports whether the new set is in force.
func (t *Tagger) Reload(dir string) bool {
	set, err := rules.LoadDir(dir)
	if err != nil {
		t.stats.Refused.Add(1)
		t.log.Error("rules reload refused; the previous rules stay in force", "dir", dir, "err", err)
		return false
	}
	t.SetRules(set)
	t.stats.Reloads.Add(1)
	t.log.Info("rules reloaded", "dir", dir, "rules", len(set.Rules()))
	return true
}

// stamp summarises the names, sizes and modification times of the rule
// files, so a change to any of them changes the stamp. It follows symbolic
// links: a Kubernetes ConfigMap volume is a folder of links (r.yaml ->
// ..data/r.yaml) whose own times never change; an update swaps ..data to a
// new folder, so only the files the links reach show it.
func stamp(dir string) string {
	var b strings.Builder
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "error: " + err.Error()
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".yaml" {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil || info.IsDir() {
			continue
		}
		b.WriteString(stampOf(info))
	}
	return b.String()
}

func stampOf(info fs.FileInfo) string {
	return info.Name() + "\x00" + info.ModTime().Format(time.RFC3339Nano) + "\x00" + strconv.FormatInt(info.Size(), 10) + "\n"
}
