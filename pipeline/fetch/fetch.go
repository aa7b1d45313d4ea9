package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Version is newsmon's version, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultUserAgent names newsmon, its version and where to read about it.
const DefaultUserAgent = "newsmon/" + Version + " (+https://github.com/newsmon/newsmon)"

// Options configure a Client. Zero fields take the defaults documented on
// each field.
type Options struct {
	UserAgent      string        // default DefaultUserAgent
	ConnectTimeout time.Duration // TCP connect and TLS handshake, default 10s
	HeaderTimeout  time.Duration // time to response headers, default 15s
	Timeout        time.Duration // whole Get including redirects and bodies, from when it gets a host slot, default 30s
	MaxBytes       int64         // body cap after decompression, default 5 MB
	// Allow lists networks reachable besides the public internet:
	// Loopback for tests, a company range for intranet feeds. Link-local
	// addresses (cloud metadata) only through a network inside the
	// link-local range, never through a wider one.
	Allow        []netip.Prefix
	PerHost      int  // concurrent requests per host name, default 2
	MaxRedirects int  // default 5
	Robots       bool // GetPage honours robots.txt

	RobotsTTL      time.Duration // how long a fetched robots.txt is trusted, default 24h
	RobotsErrorTTL time.Duration // how long an unreachable robots.txt disallows its host, default 10m
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 15 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 5 << 20
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = 24 * time.Hour
	}
	if o.RobotsErrorTTL <= 0 {
		o.RobotsErrorTTL = 10 * time.Minute
	}
	return o
}

// Request is one GET. ETag and LastModified are the validators from an
// earlier Response; when set the request is conditional.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	MaxBytes     int64  // 0 means Options.MaxBytes
	Accept       string // optional Accept header

	// For feeds that refuse bots (a feed list's per-feed settings):
	UserAgent string      // instead of Options.UserAgent
	Header    http.Header // added to the request; Authorization, Cookie and Proxy-Authorization are dropped on a redirect to another host
	Proxy     string      // http://, https:// or socks5:// proxy to go through; the address guard then vets the proxy's address
}

// Response is a fetched resource. With ErrNotModified a Response is returned
// too, with headers and validators (the request's when the 304 omits them)
// but no Body; with any other error it is nil.
type Response struct {
	URL          string // final URL after redirects
	PermanentURL string // set when every redirect hop was permanent (301/308): the URL to store
	StatusCode   int
	Header       http.Header
	ContentType  string
	Body         []byte // decoded from gzip, deflate or br
	ETag         string
	LastModified string
	MaxAge       time.Duration // Cache-Control max-age, 0 if absent
	Expires      time.Time     // zero if absent or invalid
}

var (
	ErrNotModified = errors.New("not modified")             // 304: the caller's copy is current
	ErrTooLarge    = errors.New("body too large")           // the body passed the byte cap
	ErrBlocked     = errors.New("address not allowed")      // private, loopback or link-local address refused
	ErrRobots      = errors.New("disallowed by robots.txt") // GetPage refused by the host's robots.txt
)

// Client fetches over HTTP(S) politely. It is safe for concurrent use.
type Client struct {
	opt       Options
	transport *http.Transport
	hosts     *limiter
	robots    *robotsCache
	agent     string                    // robots.txt product token, from the User-Agent
	now       func() time.Time          // injected in tests
	exempt    func(netip.AddrPort) bool // tests let one loopback server past the guard

	mu      sync.Mutex
	proxied map[string]*http.Transport // by proxy URL
}

// transportFor returns the transport of a request: the client's own, or
// one per proxy, made like it. The guard checks the address dialled, which
// with a proxy is the proxy's: the operator who names a proxy trusts it
// with the rest.
func (c *Client) transportFor(proxy string) (*http.Transport, error) {
	if proxy == "" {
		return c.transport, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.proxied[proxy]; ok {
		return t, nil
	}
	u, err := url.Parse(proxy)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		return nil, fmt.Errorf("proxy %q: want http://, https:// or socks5://host:port", proxy)
	}
	t := c.transport.Clone()
	t.Proxy = http.ProxyURL(u)
	c.proxied[proxy] = t
	return t, nil
}

// New returns a Client with o's zero fields set to their defaults.
func New(o Options) *Client {
	o = o.withDefaults()
	dialer := &net.Dialer{
		Timeout:   o.ConnectTimeout,
		KeepAlive: 30 * time.Second,
	}
	c := &Client{
		opt: o,
		transport: &http.Transport{
			Proxy:                  nil, // only a request's own Proxy, through proxyTransport
			DialContext:            dialer.DialContext,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    o.ConnectTimeout,
			ResponseHeaderTimeout:  o.HeaderTimeout,
			MaxResponseHeaderBytes: 256 << 10,
			MaxIdleConns:           100,
			MaxIdleConnsPerHost:    o.PerHost,
			IdleConnTimeout:        90 * time.Second,
			DisableCompression:     true, // we ask for and decode gzip, deflate and br ourselves
		},
		hosts:   newLimiter(o.PerHost),
		agent:   productToken(o.UserAgent),
		now:     time.Now,
		proxied: map[string]*http.Transport{},
	}
	// Checked on the resolved address of every connection, so neither DNS
	// names pointing inward nor redirects can reach private hosts.
	dialer.ControlContext = c.guard
	c.robots = newRobotsCache(c)
	return c
}

// CloseIdleConnections closes keep-alive connections not in use.
func (c *Client) CloseIdleConnections() {
	c.transport.CloseIdleConnections()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.proxied {
		t.CloseIdleConnections()
	}
}

// Get fetches r.URL, following up to Options.MaxRedirects redirects. A 304
// returns ErrNotModified, any other non-2xx status a *StatusError.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	return c.get(ctx, r, false, false)
}

// GetPage is Get for article pages: when Options.Robots is set, each URL
// (the first and every redirect target) must be allowed by its host's
// robots.txt, or GetPage returns ErrRobots without requesting it.
func (c *Client) GetPage(ctx context.Context, r Request) (*Response, error) {
	return c.get(ctx, r, c.opt.Robots, false)
}

// get runs the redirect loop itself rather than through http.Client, so each
// hop takes its own host's slot, gets its robots.txt checked and its scheme
// vetted, and no slot is held while waiting for another. truncate keeps the
// first limit bytes of an oversized body instead of failing (robots.txt).
func (c *Client) get(ctx context.Context, r Request, robots, truncate bool) (*Response, error) {
	u, err := parseURL(r.URL)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", r.URL, err)
	}
	limit := r.MaxBytes
	if limit <= 0 {
		limit = c.opt.MaxBytes
	}
	permanent := true
	var deadline time.Time // set when the first hop gets its slot
	for hop := 0; ; hop++ {
		resp, err := c.hop(ctx, u, r, robots, limit, truncate, &deadline)
		if err == nil && resp.StatusCode/100 == 3 {
			if hop >= c.opt.MaxRedirects {
				return nil, fmt.Errorf("get %s: stopped after %d redirects", r.URL, hop)
			}
			next, err := u.Parse(resp.Header.Get("Location"))
			if err == nil {
				err = checkScheme(next)
			}
			if err != nil {
				return nil, fmt.Errorf("get %s: redirect from %s: %w", r.URL, u, err)
			}
			next.Fragment, next.RawFragment = "", ""
			if !strings.EqualFold(next.Host, u.Host) && r.Header != nil {
				// Credentials meant for the feed's host stay with it, as
				// net/http's client does.
				r.Header = r.Header.Clone()
				for _, k := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
					r.Header.Del(k)
				}
			}
			code := resp.StatusCode
			permanent = permanent && (code == http.StatusMovedPermanently || code == http.StatusPermanentRedirect)
			u = next
			continue
		}
		if (err == nil || errors.Is(err, ErrNotModified)) && hop > 0 && permanent {
			resp.PermanentURL = resp.URL
		}
		var se *StatusError
		switch {
		case err == nil:
			return resp, nil
		case errors.As(err, &se):
			return nil, err // it names the URL itself
		case hop > 0:
			err = fmt.Errorf("redirect to %s: %w", u, err)
		}
		return resp, fmt.Errorf("get %s: %w", r.URL, err) // resp is nil unless 304
	}
}

// hop is one request of a Get: robots.txt check, a slot for the host, then
// the request. The Get's deadline starts once its first hop has a slot, so
// queueing behind a busy host does not eat into it.
func (c *Client) hop(ctx context.Context, u *url.URL, r Request, robots bool, limit int64, truncate bool, deadline *time.Time) (*Response, error) {
	if robots && u.EscapedPath() != "/robots.txt" {
		if err := c.robots.check(ctx, u); err != nil {
			return nil, err
		}
	}
	release, err := c.hosts.acquire(ctx, hostKey(u))
	if err != nil {
		return nil, err
	}
	defer release()
	if deadline.IsZero() {
		*deadline = time.Now().Add(c.opt.Timeout)
	}
	ctx, cancel := context.WithDeadline(ctx, *deadline)
	defer cancel()
	return c.send(ctx, u, r, limit, truncate)
}

// send makes one request and reads its body. A redirect comes back as a
// Response with a 3xx StatusCode and no error, 304 as a Response and
// ErrNotModified, other statuses outside 2xx as *StatusError.
func (c *Client) send(ctx context.Context, u *url.URL, r Request, limit int64, truncate bool) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if r.UserAgent != "" {
		req.Header.Set("User-Agent", r.UserAgent)
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	transport, err := c.transportFor(r.Proxy)
	if err != nil {
		return nil, err
	}
	hr, err := transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer hr.Body.Close()

	resp := &Response{
		URL:          u.String(),
		StatusCode:   hr.StatusCode,
		Header:       hr.Header,
		ContentType:  hr.Header.Get("Content-Type"),
		ETag:         hr.Header.Get("ETag"),
		LastModified: hr.Header.Get("Last-Modified"),
		MaxAge:       maxAge(hr.Header.Get("Cache-Control")),
	}
	if t, err := http.ParseTime(hr.Header.Get("Expires")); err == nil {
		resp.Expires = t
	}
	switch code := hr.StatusCode; {
	case code >= 200 && code < 300:
		resp.Body, err = readBody(hr, limit, truncate)
		if err != nil {
			return nil, err
		}
		return resp, nil
	case code == http.StatusNotModified:
		// A 304 need not repeat the validators; the caller's still hold.
		if resp.ETag == "" {
			resp.ETag = r.ETag
		}
		if resp.LastModified == "" {
			resp.LastModified = r.LastModified
		}
		discard(hr.Body)
		return resp, ErrNotModified
	case isRedirect(code) && hr.Header.Get("Location") != "":
		discard(hr.Body)
		return resp, nil
	default:
		discard(hr.Body)
		se := &StatusError{URL: u.String(), Code: code}
		se.RetryAfter, _ = retryAfter(hr.Header.Get("Retry-After"), c.now())
		return nil, se
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// discard reads a little of an unwanted body so a small one leaves the
// connection reusable; a large one is cut off by Close.
func discard(body io.Reader) { io.CopyN(io.Discard, body, 4<<10) }

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

func checkScheme(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("no host in URL")
	}
	return nil
}

// hostKey names the per-host slot: the host name without port, so two
// ports of one server share its politeness budget.
func hostKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// StatusError is a non-2xx, non-304 response.
type StatusError struct {
	URL        string
	Code       int
	RetryAfter time.Duration // from Retry-After, 0 if absent
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("get %s: status %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Temporary reports whether a later try may succeed: 408, 429 and 5xx.
func (e *StatusError) Temporary() bool {
	return e.Code == http.StatusRequestTimeout || e.Code == http.StatusTooManyRequests || e.Code >= 500
}
