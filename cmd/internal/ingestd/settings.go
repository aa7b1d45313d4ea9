package ingestd

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"newsmon/cmd/internal/envflag"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
	"newsmon/pipeline/ingest"
)

// Settings is the ingester's settings.
type Settings struct {
	Feeds         []string
	FeedsFile     string
	Interval      time.Duration
	MinInterval   time.Duration
	MaxInterval   time.Duration
	MaxBackoff    time.Duration
	DisableAfter  int
	Workers       int
	PerHost       int
	ListPoll      time.Duration
	AllowNetworks string         // -allow-networks as given
	Allow         []netip.Prefix // parsed by Validate
	Robots        bool
	PageMaxBytes  int64
	pageMaxMB     int
	Timeout       time.Duration
	NearMinWords  int
	PublishDups   bool
	ConfigFile    string
	env           *envflag.FlagSet
	configApplied bool
}

// Register defines the ingest flags.
func (c *Settings) Register(e *envflag.FlagSet) {
	c.env = e
	e.List(&c.Feeds, "feed", "INGEST_FEED", "feed URL to poll")
	e.String(&c.FeedsFile, "feeds", "INGEST_FEEDS", "", "file listing feeds: one URL a line (# comments), OPML, or YAML with per-feed options (docs/feeds.md)")
	e.Duration(&c.ListPoll, "feeds-reload-poll", "INGEST_FEEDS_RELOAD_POLL", 5*time.Second, "how often the -feeds file is checked for changes (0: only on SIGHUP)")
	e.String(&c.ConfigFile, "ingest-config", "INGEST_CONFIG", "", "YAML file of ingest settings (keys are the flag names); flags and variables given explicitly win")
	e.Duration(&c.Interval, "interval", "INGEST_INTERVAL", 5*time.Minute, "a feed's starting poll interval; adapted to how often it changes")
	e.Duration(&c.MinInterval, "min-interval", "INGEST_MIN_INTERVAL", 0, "fastest adaptive poll interval (default interval/5)")
	e.Duration(&c.MaxInterval, "max-interval", "INGEST_MAX_INTERVAL", 0, "slowest adaptive poll interval of a quiet feed (default 6×interval)")
	e.Duration(&c.MaxBackoff, "max-backoff", "INGEST_MAX_BACKOFF", 6*time.Hour, "longest wait of a failing feed, or of a server's max-age, ttl or Retry-After")
	e.Int(&c.DisableAfter, "disable-after", "INGEST_DISABLE_AFTER", 10, "failures in a row that disable a feed (then tried once a day)")
	e.Int(&c.Workers, "workers", "INGEST_WORKERS", 32, "feeds polled at once by this process")
	e.Int(&c.PerHost, "per-host", "INGEST_PER_HOST", 2, "requests to one host at once (across replicas: a host is polled by one replica at a time)")
	AllowNetworksFlag(e, &c.AllowNetworks)
	e.Bool(&c.Robots, "robots", "INGEST_ROBOTS", true, "honour robots.txt for article pages")
	e.Int(&c.pageMaxMB, "page-max-mb", "INGEST_PAGE_MAX_MB", 5, "largest feed or page body read, in MiB")
	e.Duration(&c.Timeout, "timeout", "INGEST_TIMEOUT", 30*time.Second, "longest a feed or page request may take")
	e.Int(&c.NearMinWords, "near-min-words", "INGEST_NEAR_MIN_WORDS", 50, "shortest text compared for near-duplicates (-1: off)")
	e.Bool(&c.PublishDups, "publish-duplicates", "INGEST_PUBLISH_DUPLICATES", false, "publish near-duplicates with duplicate_of set instead of only recording them")
}

// Validate gathers every problem with the settings, after reading the
// -ingest-config file if one is named.
func (c *Settings) Validate() error {
	var errs []error
	if err := c.applyConfig(); err != nil {
		errs = append(errs, err)
	}
	if len(c.Feeds) == 0 && c.FeedsFile == "" {
		errs = append(errs, errors.New("no feeds: give -feed URL or -feeds FILE"))
	}
	for _, f := range c.Feeds {
		if u, err := url.Parse(f); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("-feed %q: not an http(s) URL", f))
		}
	}
	if nets, err := fetch.ParseNetworks(c.AllowNetworks); err != nil {
		errs = append(errs, fmt.Errorf("-allow-networks: %w", err))
	} else {
		c.Allow = nets
	}
	if c.ListPoll < 0 {
		errs = append(errs, fmt.Errorf("-feeds-reload-poll %s: 0 or more", c.ListPoll))
	}
	if c.Interval < time.Second {
		errs = append(errs, fmt.Errorf("-interval %s: at least 1s", c.Interval))
	}
	if c.MinInterval < 0 || c.MaxInterval < 0 || (c.MaxInterval > 0 && c.MinInterval > c.MaxInterval) {
		errs = append(errs, fmt.Errorf("-min-interval %s, -max-interval %s: want 0 <= min <= max", c.MinInterval, c.MaxInterval))
	}
	if c.MaxBackoff < time.Second {
		errs = append(errs, fmt.Errorf("-max-backoff %s: at least 1s", c.MaxBackoff))
	}
	if c.DisableAfter < 1 {
		errs = append(errs, fmt.Errorf("-disable-after %d: at least 1", c.DisableAfter))
	}
	if c.Workers < 1 {
		errs = append(errs, fmt.Errorf("-workers %d: at least 1", c.Workers))
	}
	if c.PerHost < 1 {
		errs = append(errs, fmt.Errorf("-per-host %d: at least 1", c.PerHost))
	}
	if c.pageMaxMB < 1 {
		errs = append(errs, fmt.Errorf("-page-max-mb %d: at least 1", c.pageMaxMB))
	}
	c.PageMaxBytes = int64(c.pageMaxMB) << 20
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("-timeout %s: must be positive", c.Timeout))
	}
	if c.NearMinWords == 0 || c.NearMinWords < -1 {
		errs = append(errs, fmt.Errorf("-near-min-words %d: at least 1, or -1 for off", c.NearMinWords))
	}
	return errors.Join(errs...)
}

// applyConfig sets, from the -ingest-config YAML file, every setting not
// given as a flag or an environment variable. Keys are the flag names
// ("allow-networks: 10.0.0.0/8"); unknown keys are errors.
func (c *Settings) applyConfig() error {
	if c.ConfigFile == "" || c.configApplied || c.env == nil {
		return nil
	}
	c.configApplied = true
	data, err := os.ReadFile(c.ConfigFile)
	if err != nil {
		return fmt.Errorf("-ingest-config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", c.ConfigFile, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping of setting: value", c.ConfigFile, m.Line)
	}
	explicit := map[string]bool{}
	c.env.FS.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	var errs []error
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		f := c.env.FS.Lookup(k.Value)
		if f == nil || !configurable[k.Value] {
			errs = append(errs, fmt.Errorf("%s:%d: unknown setting %q", c.ConfigFile, k.Line, k.Value))
			continue
		}
		if explicit[k.Value] || c.env.Getenv(envflag.Var(f)) != "" {
			continue
		}
		vals := []string{v.Value}
		if v.Kind == yaml.SequenceNode {
			vals = vals[:0]
			for _, x := range v.Content {
				vals = append(vals, x.Value)
			}
		} else if v.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Errorf("%s:%d: %s: want a value", c.ConfigFile, v.Line, k.Value))
			continue
		}
		for _, x := range vals {
			if err := f.Value.Set(x); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %s: %v", c.ConfigFile, v.Line, k.Value, err))
			}
		}
	}
	return errors.Join(errs...)
}

// configurable are the settings an -ingest-config file may hold.
var configurable = map[string]bool{
	"feed": true, "feeds": true, "interval": true, "min-interval": true, "max-interval": true, "max-backoff": true,
	"disable-after": true, "workers": true, "per-host": true, "allow-networks": true, "feeds-reload-poll": true, "robots": true,
	"page-max-mb": true, "timeout": true, "near-min-words": true,
	"publish-duplicates": true,
}

// Sources reads the feed list: -feed URLs first, then the -feeds file.
func (c *Settings) Sources() ([]feed.Source, error) {
	return Sources(c.Feeds, c.FeedsFile)
}

// Sources is the feed list of urls, then of the list file (when not ""),
// as the service and `ingest feeds` read them.
func Sources(urls []string, file string) ([]feed.Source, error) {
	var out []feed.Source
	for _, u := range urls {
		out = append(out, feed.Source{URL: u})
	}
	if file != "" {
		list, err := feed.LoadList(file)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// AllowNetworksFlag defines -allow-networks, for the service and the
// offline tools alike.
func AllowNetworksFlag(e *envflag.FlagSet, p *string) {
	e.String(p, "allow-networks", "INGEST_ALLOW_NETWORKS", "", "networks feeds and pages may be on besides the public internet, comma-separated: CIDR prefixes, addresses or \"loopback\"; link-local (cloud metadata) only when a link-local network is named")
}

// FetchClient builds the polite HTTP client.
func (c *Settings) FetchClient() *fetch.Client {
	return fetch.New(fetch.Options{
		Timeout:  c.Timeout,
		MaxBytes: c.PageMaxBytes,
		Allow:    c.Allow,
		Robots:   c.Robots,
		PerHost:  c.PerHost,
	})
}

// Config builds the ingester's configuration.
func (c *Settings) Config() (ingest.Config, error) {
	sources, err := c.Sources()
	if err != nil {
		return ingest.Config{}, err
	}
	if len(sources) == 0 {
		return ingest.Config{}, errors.New("the feed list is empty")
	}
	return ingest.Config{
		Sources:           sources,
		Interval:          c.Interval,
		MinInterval:       c.MinInterval,
		MaxInterval:       c.MaxInterval,
		MaxBackoff:        c.MaxBackoff,
		DisableAfter:      c.DisableAfter,
		Workers:           c.Workers,
		PerHost:           c.PerHost,
		NearMinWords:      c.NearMinWords,
		PublishDuplicates: c.PublishDups,
		Fetch:             c.FetchClient(),
		Extract:           &extract.Extractor{MaxBytes: c.PageMaxBytes},
	}, nil
}
