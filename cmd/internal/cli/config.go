package cli

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"newsmon/pipeline/bus"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

// NATS is the client's connection settings.
type NATS struct {
	URL      string
	User     string
	Password string
	Creds    string
	Inbox    string
	Replicas int
}

// Register defines the NATS flags.
func (n *NATS) Register(e *Env) {
	e.String(&n.URL, "nats", "NATS_URL", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated")
	e.String(&n.User, "nats-user", "NATS_USER", "", "NATS user")
	e.String(&n.Password, "nats-password", "NATS_PASSWORD", "", "NATS password")
	e.String(&n.Creds, "nats-creds", "NATS_CREDS", "", "NATS credentials file")
	e.String(&n.Inbox, "nats-inbox", "NATS_INBOX_PREFIX", "", "prefix of reply subjects (default _INBOX; the deploy config gives each service its own)")
	e.Int(&n.Replicas, "replicas", "NATS_REPLICAS", 1, "replicas of streams and buckets (3 on a cluster)")
}

// Options turns the flags into bus options.
func (n NATS) Options(name string) bus.Options {
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.Creds, o.Replicas = n.URL, name, n.User, n.Password, n.Creds, n.Replicas
	o.InboxPrefix = n.Inbox
	return o
}

// Ingest is the ingester's settings.
type Ingest struct {
	Feeds        []string
	FeedsFile    string
	Interval     time.Duration
	Workers      int
	AllowPrivate bool
	Robots       bool
	PageMaxBytes int64
	pageMaxMB    int
	Timeout      time.Duration
}

// Register defines the ingest flags.
func (c *Ingest) Register(e *Env) {
	e.List(&c.Feeds, "feed", "INGEST_FEED", "feed URL to poll")
	e.String(&c.FeedsFile, "feeds", "INGEST_FEEDS", "", "file listing feeds: one URL a line (# comments), OPML, or YAML")
	e.Duration(&c.Interval, "interval", "INGEST_INTERVAL", 5*time.Minute, "how often each feed is polled")
	e.Int(&c.Workers, "workers", "INGEST_WORKERS", 8, "feeds polled at once")
	e.Bool(&c.AllowPrivate, "allow-private-networks", "INGEST_ALLOW_PRIVATE_NETWORKS", false, "allow feeds and pages on loopback, private and link-local addresses")
	e.Bool(&c.Robots, "robots", "INGEST_ROBOTS", true, "honour robots.txt for article pages")
	e.Int(&c.pageMaxMB, "page-max-mb", "INGEST_PAGE_MAX_MB", 5, "largest feed or page body read, in MiB")
	e.Duration(&c.Timeout, "timeout", "INGEST_TIMEOUT", 30*time.Second, "longest a feed or page request may take")
}

// Validate gathers every problem with the settings.
func (c *Ingest) Validate() error {
	var errs []error
	if len(c.Feeds) == 0 && c.FeedsFile == "" {
		errs = append(errs, errors.New("no feeds: give -feed URL or -feeds FILE"))
	}
	for _, f := range c.Feeds {
		if u, err := url.Parse(f); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("-feed %q: not an http(s) URL", f))
		}
	}
	if c.Interval < time.Second {
		errs = append(errs, fmt.Errorf("-interval %s: at least 1s", c.Interval))
	}
	if c.Workers < 1 {
		errs = append(errs, fmt.Errorf("-workers %d: at least 1", c.Workers))
	}
	if c.pageMaxMB < 1 {
		errs = append(errs, fmt.Errorf("-page-max-mb %d: at least 1", c.pageMaxMB))
	}
	c.PageMaxBytes = int64(c.pageMaxMB) << 20
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("-timeout %s: must be positive", c.Timeout))
	}
	return errors.Join(errs...)
}

// Sources reads the feed list: -feed URLs first, then the -feeds file.
func (c *Ingest) Sources() ([]feed.Source, error) {
	var out []feed.Source
	for _, u := range c.Feeds {
		out = append(out, feed.Source{URL: u})
	}
	if c.FeedsFile != "" {
		list, err := feed.LoadList(c.FeedsFile)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// FetchClient builds the polite HTTP client.
func (c *Ingest) FetchClient() *fetch.Client {
	return fetch.New(fetch.Options{
		Timeout:      c.Timeout,
		MaxBytes:     c.PageMaxBytes,
		AllowPrivate: c.AllowPrivate,
		Robots:       c.Robots,
	})
}

// Config builds the ingester's configuration.
func (c *Ingest) Config() (ingest.Config, error) {
	sources, err := c.Sources()
	if err != nil {
		return ingest.Config{}, err
	}
	if len(sources) == 0 {
		return ingest.Config{}, errors.New("the feed list is empty")
	}
	return ingest.Config{
		Sources:  sources,
		Interval: c.Interval,
		Workers:  c.Workers,
		Fetch:    c.FetchClient(),
		Extract:  &extract.Extractor{MaxBytes: c.PageMaxBytes},
	}, nil
}

// Tagger is the tagger's settings.
type Tagger struct {
	Rules      string
	ReloadPoll time.Duration
}

// Register defines the tagger flags.
func (t *Tagger) Register(e *Env) {
	e.String(&t.Rules, "rules", "TAGGER_RULES", "rules", "folder of rule files (*.yaml)")
	e.Duration(&t.ReloadPoll, "reload-poll", "TAGGER_RELOAD_POLL", 5*time.Second, "how often the rules folder is checked for changes (0: only on SIGHUP)")
}
