package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/ingest"
)

// runFeedChange runs `ingest feeds add|remove|pause|resume URL...`: it
// writes the change into each feed's state in FEEDS, which every ingest
// replica watches and follows at once (docs/feeds.md), and prints what it
// did. A feed added so is listed by every replica until removed, whatever
// their list files say; a removed one is not polled even if a file lists it.
func runFeedChange(ctx context.Context, action string, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	env := envflag.New("ingest feeds "+action, stderr, getenv)
	var natc natsconn.Flags
	natc.Register(env)
	var l ingest.Listing
	var tags, pages string
	if action == ingest.ActionAdd {
		env.FS.StringVar(&l.Name, "name", "", "source name of its articles (default: the feed's host)")
		env.FS.DurationVar(&l.Interval, "interval", 0, "its own poll interval (default: adaptive)")
		env.FS.StringVar(&pages, "pages", "", "true or false: fetch article pages (default true)")
		env.FS.StringVar(&l.Lang, "lang", "", "its language")
		env.FS.StringVar(&tags, "tags", "", "its tags, comma-separated")
	}
	if err := env.Parse(args); err != nil {
		return err
	}
	if env.FS.NArg() == 0 {
		return fmt.Errorf("feeds %s: no feed URL (want ingest feeds %s [flags] URL...)", action, action)
	}
	switch pages {
	case "":
	case "true", "false":
		p := pages == "true"
		l.Pages = &p
	default:
		return fmt.Errorf("feeds %s: -pages %q: want true or false", action, pages)
	}
	for _, t := range strings.Split(tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			l.Tags = append(l.Tags, t)
		}
	}
	if l.Interval < 0 {
		return fmt.Errorf("feeds %s: -interval %s: want 0 or more", action, l.Interval)
	}
	var urls []string
	for _, u := range env.FS.Args() {
		checked, err := feed.ParseList("command line", []byte(u))
		if err != nil || len(checked) != 1 {
			return fmt.Errorf("feeds %s: %q: not an http(s) feed URL", action, u)
		}
		urls = append(urls, checked[0].URL)
	}

	side, closeNATS, err := openFeedStates(ctx, natc, stderr)
	if err != nil {
		return err
	}
	defer closeNATS()
	var listing *ingest.Listing
	if action == ingest.ActionAdd {
		listing = &l
	}
	var errs []error
	for _, u := range urls {
		st, err := ingest.ChangeFeed(ctx, side, ingest.Config{}, u, action, listing, who())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", u, st.Change)
	}
	return errors.Join(errs...)
}

// who names the operator for the change record: user@host.
func who() string {
	name := "someone"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}
