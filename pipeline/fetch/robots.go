package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// robotsMaxBytes is how much of a robots.txt is read; RFC 9309 asks crawlers
// to parse at least 500 KiB and lets them ignore the rest.
const robotsMaxBytes = 512 << 10

// robotsMaxHosts caps the cache; each entry holds one group's rules, at
// most robotsMaxBytes of text.
const robotsMaxHosts = 1024

// rules is the group of a robots.txt that applies to us. A path no rule
// matches is allowed.
type rules []rule

type rule struct {
	allow   bool
	pattern string // starts with "/" or "*"; "*" matches any run, a final "$" anchors the end
}

// disallowAll stands for a robots.txt that could not be fetched.
var disallowAll = rules{{allow: false, pattern: "/"}}

// maxCrawlDelay caps a robots.txt's Crawl-delay: a site asking for more is
// paced at this, so one line cannot stall a poll for hours.
const maxCrawlDelay = 30 * time.Second

// parseRobots reads a robots.txt (RFC 9309) and returns the rules of the
// groups for agent (a lower-case product token), or else of the "*" groups.
// Groups naming the same agent are merged. Unknown lines are skipped.
func parseRobots(body []byte, agent string) rules {
	rs, _ := parseRobotsGroup(body, agent)
	return rs
}

// parseRobotsGroup is parseRobots that also returns the group's
// Crawl-delay (not in RFC 9309, but widely written and meant): the time to
// leave between two requests, capped at maxCrawlDelay.
func parseRobotsGroup(body []byte, agent string) (rules, time.Duration) {
	var mine, star rules
	var mineDelay, starDelay time.Duration
	var foundMine, foundStar bool
	inMine, inStar := false, false // the current group applies to agent / to "*"
	inRules := false               // a rule line ended the group's user-agent lines
	text := strings.TrimPrefix(string(body), "\uFEFF")
	for len(text) > 0 {
		var line string
		if i := strings.IndexAny(text, "\r\n"); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		line, _, _ = strings.Cut(line, "#")
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		value = strings.TrimSpace(value)
		switch key {
		case "user-agent":
			if inRules {
				inMine, inStar, inRules = false, false, false
			}
			switch token := productToken(value); {
			case value == "*":
				inStar, foundStar = true, true
			case token != "" && token == agent:
				inMine, foundMine = true, true
			}
		case "crawl-delay":
			inRules = true
			secs, err := strconv.ParseFloat(value, 64)
			if err != nil || !(secs > 0) {
				continue
			}
			d := time.Duration(min(secs, maxCrawlDelay.Seconds()) * float64(time.Second))
			if inMine {
				mineDelay = max(mineDelay, d)
			}
			if inStar {
				starDelay = max(starDelay, d)
			}
		case "allow", "disallow":
			inRules = true
			if value == "" {
				continue // "Disallow:" with no path allows everything: no rule
			}
			if value[0] != '/' && value[0] != '*' {
				value = "/" + value
			}
			r := rule{allow: key == "allow", pattern: normalize(value)}
			if inMine {
				mine = append(mine, r)
			}
			if inStar {
				star = append(star, r)
			}
		}
	}
	switch {
	case foundMine:
		return mine, mineDelay
	case foundStar:
		return star, starDelay
	}
	return nil, 0
}

// productToken is the leading run of letters, '-' and '_' of a User-Agent
// value, lower-cased: "NewsMon/0.1 (+url)" gives "newsmon".
func productToken(ua string) string {
	i := 0
	for i < len(ua) {
		b := ua[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_') {
			break
		}
		i++
	}
	return strings.ToLower(ua[:i])
}

// allowed reports whether path (escaped path plus "?query") may be fetched:
// the longest matching pattern decides, and Allow wins a tie.
func (rs rules) allowed(path string) bool {
	path = normalize(path)
	best, allow := -1, true
	for _, r := range rs {
		n := len(r.pattern)
		if n < best || (n == best && allow) || !match(r.pattern, path) {
			continue
		}
		best, allow = n, r.allow
	}
	return allow
}

// match reports whether pattern matches a prefix of path, or all of it when
// the pattern ends in "$". Each "*" matches any run of bytes.
func match(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	if len(parts) == 1 {
		return !anchored || len(path) == len(parts[0])
	}
	rest := path[len(parts[0]):]
	// Taking each middle part at its leftmost place leaves the most room
	// for the parts after it, so no backtracking is needed.
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	last := parts[len(parts)-1]
	if anchored {
		return strings.HasSuffix(rest, last)
	}
	return strings.Contains(rest, last)
}

// normalize makes patterns and paths comparable: bytes outside ASCII are
// percent-encoded, as they are in an escaped URL path, and escapes get
// upper-case hex digits.
func normalize(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80 || c <= ' ':
			fmt.Fprintf(&b, "%%%02X", c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(s[i+1 : i+3]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// robotsCache holds each origin's rules for a while and fetches each
// robots.txt once however many pages wait for it.
type robotsCache struct {
	c       *Client
	mu      sync.Mutex
	entries map[string]robotsEntry // by scheme://host:port
	max     int                    // entries kept
	flight  singleflight.Group
	next    map[string]time.Time // by origin: the earliest a paced request may start
}

type robotsEntry struct {
	rules       rules
	delay       time.Duration // Crawl-delay
	unreachable bool
	expires     time.Time
}

func newRobotsCache(c *Client) *robotsCache {
	return &robotsCache{c: c, entries: make(map[string]robotsEntry), max: robotsMaxHosts, next: make(map[string]time.Time)}
}

// check returns nil if u may be fetched, an error wrapping ErrRobots if not.
func (rc *robotsCache) check(ctx context.Context, u *url.URL) error {
	origin := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	rc.mu.Lock()
	e, ok := rc.entries[origin]
	rc.mu.Unlock()
	if !ok || !rc.c.now().Before(e.expires) {
		for {
			v, err, _ := rc.flight.Do(origin, func() (any, error) {
				return rc.fetch(ctx, origin)
			})
			if err != nil && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				continue // the caller that fetched for us gave up; try ourselves
			}
			if err != nil {
				return err
			}
			e = v.(robotsEntry)
			break
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if e.rules.allowed(path) {
		return rc.pace(ctx, origin, e.delay)
	}
	if e.unreachable {
		return fmt.Errorf("%w (robots.txt unreachable, retried after %s)", ErrRobots, e.expires.Format(time.RFC3339))
	}
	return ErrRobots
}

// pace waits until origin's Crawl-delay since the previous request has
// passed. Each caller reserves its own start time under the lock, so
// concurrent callers queue one delay apart instead of all waking together.
func (rc *robotsCache) pace(ctx context.Context, origin string, delay time.Duration) error {
	if delay <= 0 {
		return nil
	}
	rc.mu.Lock()
	now := time.Now()
	start := now
	if t, ok := rc.next[origin]; ok && t.After(now) {
		start = t
	}
	rc.next[origin] = start.Add(delay)
	if len(rc.next) > rc.max {
		for k, t := range rc.next {
			if t.Before(now) {
				delete(rc.next, k)
			}
		}
	}
	rc.mu.Unlock()
	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// fetch gets and parses origin's robots.txt and stores the result. Per RFC
// 9309 a 4xx means no rules, while a 5xx or no answer means stay away until
// it is tried again.
func (rc *robotsCache) fetch(ctx context.Context, origin string) (robotsEntry, error) {
	c := rc.c
	resp, err := c.get(ctx, Request{URL: origin + "/robots.txt", MaxBytes: robotsMaxBytes, Accept: "text/plain"}, false, true)
	e := robotsEntry{expires: c.now().Add(c.opt.RobotsTTL)}
	var se *StatusError
	switch {
	case err == nil:
		e.rules, e.delay = parseRobotsGroup(resp.Body, c.agent)
	case ctx.Err() != nil:
		return e, err // our caller gave up; that says nothing about the host
	case errors.Is(err, ErrBlocked):
		return e, err
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != http.StatusTooManyRequests:
		// no robots.txt: everything allowed
	default:
		e.rules, e.unreachable = disallowAll, true
		e.expires = c.now().Add(c.opt.RobotsErrorTTL)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.entries) >= rc.max {
		now := c.now()
		for k, old := range rc.entries {
			if !now.Before(old.expires) {
				delete(rc.entries, k)
			}
		}
		for k := range rc.entries { // still full: drop any one
			if len(rc.entries) < rc.max {
				break
			}
			delete(rc.entries, k)
		}
	}
	rc.entries[origin] = e
	return e, nil
}
