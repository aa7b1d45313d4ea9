package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRobots(t *testing.T) {
	for _, tc := range []struct {
		name  string
		txt   string
		allow []string
		deny  []string
	}{
		{
			name:  "empty file allows all",
			txt:   "",
			allow: []string{"/", "/anything"},
		},
		{
			name:  "star group",
			txt:   "User-agent: *\nDisallow: /private\n",
			allow: []string{"/", "/public", "/priv"},
			deny:  []string{"/private", "/private/x", "/privateer"},
		},
		{
			name: "our group beats star",
			txt: "User-agent: *\nDisallow: /\n\n" +
				"User-agent: NewsMon\nDisallow: /admin\n",
			allow: []string{"/", "/news/1"},
			deny:  []string{"/admin/x"},
		},
		{
			name:  "other agents' groups are ignored",
			txt:   "User-agent: googlebot\nDisallow: /\n\nUser-agent: newsmonitor\nDisallow: /\n",
			allow: []string{"/", "/x"},
		},
		{
			name:  "product token with version",
			txt:   "User-agent: newsmon/2.0\nDisallow: /x\n",
			deny:  []string{"/x"},
			allow: []string{"/y"},
		},
		{
			name: "consecutive user-agent lines share a group",
			txt: "User-agent: a\nUser-agent: newsmon\nUser-agent: b\nDisallow: /shared\n" +
				"User-agent: c\nDisallow: /c-only\n",
			deny:  []string{"/shared"},
			allow: []string{"/c-only"},
		},
		{
			name:  "groups for the same agent merge",
			txt:   "User-agent: newsmon\nDisallow: /a\n\nUser-agent: other\nDisallow: /b\n\nUser-agent: newsmon\nDisallow: /c\n",
			deny:  []string{"/a", "/c"},
			allow: []string{"/b"},
		},
		{
			name:  "longest match wins",
			txt:   "User-agent: *\nDisallow: /news\nAllow: /news/public\nDisallow: /news/public/secret\n",
			deny:  []string{"/news", "/news/x", "/news/public/secret/1"},
			allow: []string{"/news/public", "/news/public/2"},
		},
		{
			name:  "allow wins a tie",
			txt:   "User-agent: *\nDisallow: /page\nAllow: /page\n",
			allow: []string{"/page"},
		},
		{
			name:  "wildcard and end anchor",
			txt:   "User-agent: *\nDisallow: /*.pdf$\nDisallow: /*/print/\nDisallow: /search*q=\n",
			deny:  []string{"/a/b.pdf", "/x/print/1", "/search?q=cloud", "/search/?page=2&q=x"},
			allow: []string{"/a/b.pdf?x=1", "/a/b.pdfx", "/print/", "/search"},
		},
		{
			name:  "anchor alone",
			txt:   "User-agent: *\nDisallow: /$\n",
			deny:  []string{"/"},
			allow: []string{"/index.html"},
		},
		{
			name:  "empty disallow allows all",
			txt:   "User-agent: newsmon\nDisallow:\n\nUser-agent: *\nDisallow: /\n",
			allow: []string{"/", "/x"},
		},
		{
			name:  "comments, case, spacing, CRLF, BOM",
			txt:   "\uFEFF# hello\r\nUSER-AGENT : * # everyone\r\n  disallow :  /tmp  # scratch\r\nAllow: /tmp/ok\r\n",
			deny:  []string{"/tmp", "/tmp/x"},
			allow: []string{"/tmp/ok", "/"},
		},
		{
			name:  "rules before any user-agent are ignored",
			txt:   "Disallow: /\nUser-agent: *\nDisallow: /x\n",
			allow: []string{"/", "/y"},
			deny:  []string{"/x"},
		},
		{
			name: "sitemap and unknown lines do not end a group",
			txt:  "User-agent: *\nSitemap: https://example.com/s.xml\nCrawl-delay: 5\nDisallow: /x\nnonsense\n",
			deny: []string{"/x"},
		},
		{
			name:  "percent-encoding compared case-insensitively, non-ASCII encoded",
			txt:   "User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /naïve\n",
			deny:  []string{"/caf%C3%A9", "/na%C3%AFve"},
			allow: []string{"/cafe"},
		},
		{
			name: "path without leading slash",
			txt:  "User-agent: *\nDisallow: private\n",
			deny: []string{"/private"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := parseRobots([]byte(tc.txt), "newsmon")
			for _, p := range tc.allow {
				if !rs.allowed(p) {
					t.Errorf("%s disallowed, want allowed (rules %v)", p, rs)
				}
			}
			for _, p := range tc.deny {
				if rs.allowed(p) {
					t.Errorf("%s allowed, want disallowed (rules %v)", p, rs)
				}
			}
		})
	}
}

func TestProductToken(t *testing.T) {
	for in, want := range map[string]string{
		DefaultUserAgent:                 "newsmon",
		"Mozilla/5.0 (compatible)":       "mozilla",
		"my_bot-2":                       "my_bot-",
		"*":                              "",
		"":                               "",
		"Googlebot-News":                 "googlebot-news",
		"newsmon (+https://example.com)": "newsmon",
	} {
		if got := productToken(in); got != want {
			t.Errorf("productToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// robotsServer serves robots.txt with the given status and body and counts
// requests per path; every other path answers "page".
type robotsServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   string
	hits   map[string]int
}

func newRobotsServer(t *testing.T, status int, body string) *robotsServer {
	s := &robotsServer{status: status, body: body, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		status, body := s.status, s.body
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/robots.txt":
			w.WriteHeader(status)
			io.WriteString(w, body)
		case strings.HasPrefix(r.URL.Path, "/go/"):
			http.Redirect(w, r, strings.TrimPrefix(r.URL.Path, "/go"), http.StatusFound)
		default:
			io.WriteString(w, "page")
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *robotsServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *robotsServer) set(status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

func TestGetPageRobots(t *testing.T) {
	ctx := context.Background()
	srv := newRobotsServer(t, 200, "User-agent: *\nDisallow: /private\n")
	c := newClient(t, Options{Robots: true})

	for range 3 {
		if resp, err := c.GetPage(ctx, Request{URL: srv.URL + "/news/1"}); err != nil || string(resp.Body) != "page" {
			t.Fatalf("allowed page: %v", err)
		}
	}
	_, err := c.GetPage(ctx, Request{URL: srv.URL + "/private/1"})
	if !errors.Is(err, ErrRobots) || !strings.Contains(err.Error(), srv.URL+"/private/1") {
		t.Fatalf("disallowed page: err = %v, want ErrRobots naming the URL", err)
	}
	if n := srv.count("/private/1"); n != 0 {
		t.Errorf("disallowed page was requested %d times", n)
	}
	// A redirect into a disallowed path is refused before it is followed.
	if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/go/private/2"}); !errors.Is(err, ErrRobots) {
		t.Errorf("redirect to a disallowed page: err = %v, want ErrRobots", err)
	}
	if n := srv.count("/private/2"); n != 0 {
		t.Errorf("disallowed redirect target was requested %d times", n)
	}
	if n := srv.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}
	// Get is for feeds and ignores robots.txt; so does GetPage with Robots off.
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/private/feed"}); err != nil {
		t.Errorf("Get: %v", err)
	}
	if _, err := newClient(t, Options{}).GetPage(ctx, Request{URL: srv.URL + "/private/3"}); err != nil {
		t.Errorf("GetPage without Robots: %v", err)
	}
}

func TestRobotsCacheExpiry(t *testing.T) {
	ctx := context.Background()
	srv := newRobotsServer(t, 200, "User-agent: *\nDisallow: /a\n")
	c := newClient(t, Options{Robots: true, RobotsTTL: time.Hour})
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }

	if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/a"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("err = %v, want ErrRobots", err)
	}
	srv.set(200, "User-agent: *\nDisallow: /b\n")
	now = now.Add(59 * time.Minute)
	if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/a"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("within TTL: err = %v, want the cached ErrRobots", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/a"}); err != nil {
		t.Fatalf("after TTL: %v, want the new robots.txt to allow /a", err)
	}
	if n := srv.count("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
}

func TestRobotsFailures(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"404 allows all", 404, false},
		{"403 allows all", 403, false},
		{"500 disallows", 500, true},
		{"503 disallows", 503, true},
		{"429 disallows", 429, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRobotsServer(t, tc.status, "User-agent: *\nDisallow: /\n")
			c := newClient(t, Options{Robots: true, RobotsErrorTTL: time.Minute})
			now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
			c.now = func() time.Time { return now }
			_, err := c.GetPage(ctx, Request{URL: srv.URL + "/news"})
			if got := errors.Is(err, ErrRobots); got != tc.wantErr {
				t.Fatalf("err = %v, want ErrRobots %v", err, tc.wantErr)
			}
			if !tc.wantErr {
				return
			}
			// The host recovers; we try again only after RobotsErrorTTL.
			srv.set(404, "")
			if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/news"}); !errors.Is(err, ErrRobots) {
				t.Errorf("within error TTL: err = %v, want ErrRobots", err)
			}
			now = now.Add(2 * time.Minute)
			if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/news"}); err != nil {
				t.Errorf("after error TTL: %v", err)
			}
		})
	}
	t.Run("unreachable host disallows", func(t *testing.T) {
		srv := newRobotsServer(t, 200, "")
		url := srv.URL
		srv.Close() // nothing listens there now
		_, err := newClient(t, Options{Robots: true}).GetPage(ctx, Request{URL: url + "/news"})
		if !errors.Is(err, ErrRobots) || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("err = %v, want ErrRobots for an unreachable robots.txt", err)
		}
	})
	t.Run("oversized robots.txt is read up to the cap", func(t *testing.T) {
		big := "User-agent: *\nDisallow: /x\n" + strings.Repeat("# padding\n", robotsMaxBytes/10+100) + "Disallow: /y\n"
		srv := newRobotsServer(t, 200, big)
		c := newClient(t, Options{Robots: true})
		if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/x"}); !errors.Is(err, ErrRobots) {
			t.Errorf("/x: err = %v, want ErrRobots", err)
		}
		if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/y"}); err != nil {
			t.Errorf("/y is past the cap and should be allowed: %v", err)
		}
	})
	t.Run("concurrent pages share one fetch", func(t *testing.T) {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				hits.Add(1)
				time.Sleep(50 * time.Millisecond)
			}
		}))
		defer srv.Close()
		c := newClient(t, Options{Robots: true, PerHost: 4})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := c.GetPage(ctx, Request{URL: srv.URL + "/p"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := hits.Load(); n != 1 {
			t.Errorf("robots.txt fetched %d times, want 1", n)
		}
	})
}

func TestRobotsCacheCap(t *testing.T) {
	c := newClient(t, Options{Robots: true})
	c.robots.max = 2
	var srvs []*robotsServer
	for range 4 {
		srvs = append(srvs, newRobotsServer(t, 200, "User-agent: *\nDisallow: /x\n"))
	}
	for _, s := range srvs {
		if _, err := c.GetPage(context.Background(), Request{URL: s.URL + "/x"}); !errors.Is(err, ErrRobots) {
			t.Fatalf("%s/x: err = %v, want ErrRobots", s.URL, err)
		}
		if n := len(c.robots.entries); n > 2 {
			t.Fatalf("cache holds %d hosts, cap 2", n)
		}
	}
	// The last host is cached; an evicted one is fetched again.
	last := srvs[len(srvs)-1]
	c.GetPage(context.Background(), Request{URL: last.URL + "/x"})
	if n := last.count("/robots.txt"); n != 1 {
		t.Errorf("most recent host's robots.txt fetched %d times, want 1", n)
	}
}

// globRegexp is an independent reading of a robots pattern, for the fuzzer.
func globRegexp(pattern string) *regexp.Regexp {
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	expr := "^" + strings.Join(parts, "(?s:.*)")
	if anchored {
		expr += "$"
	}
	return regexp.MustCompile(expr)
}

func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"/a*b$", "/axxb"}, {"/*.pdf$", "/a.pdf"}, {"/a**b", "/ab"}, {"/$", "/"}, {"*", ""},
		{"/a*b*c$", "/abcbc"}, {"/x$y", "/x$y"}, {"/a*a$", "/a"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		// Rules and paths reach match normalized, in ASCII.
		pattern, path = normalize(pattern), normalize(path)
		if got, want := match(pattern, path), globRegexp(pattern).MatchString(path); got != want {
			t.Fatalf("match(%q, %q) = %v, regexp says %v", pattern, path, got, want)
		}
	})
}

func FuzzParseRobots(f *testing.F) {
	for _, s := range []string{
		"User-agent: *\nDisallow: /private\nAllow: /private/ok\n",
		"User-agent: newsmon\nUser-agent: x\nDisallow: /*.pdf$\n\nUser-agent: *\nDisallow: /\n",
		"\uFEFFuser-agent:*\r\ndisallow:/a#c\rallow:/a/b",
		"Disallow: /\n", "User-agent: newsmon\nDisallow:\n", ":::\n\x00\xff",
	} {
		f.Add([]byte(s), "/private/x?q=1")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		rs := parseRobots(body, "newsmon")
		allowed := rs.allowed(path)
		for _, r := range rs {
			if r.pattern == "" {
				t.Fatalf("empty pattern from %q", body)
			}
		}
		// Only a Disallow line can refuse a path.
		if !allowed && !strings.Contains(strings.ToLower(string(body)), "disallow") {
			t.Fatalf("%q refused with no Disallow in %q", path, body)
		}
		// Disallowing everything for every agent ahead of the file refuses
		// any path unless the file itself allows it.
		strict := parseRobots(append([]byte("User-agent: *\nUser-agent: newsmon\nDisallow: /\nDisallow: *\n"), body...), "newsmon")
		if !strings.Contains(strings.ToLower(string(body)), "allow") && strict.allowed(path) {
			t.Fatalf("%q allowed after a leading Disallow: / (file %q)", path, body)
		}
	})
}

func TestParseCrawlDelay(t *testing.T) {
	for _, tc := range []struct {
		txt  string
		want time.Duration
	}{
		{"User-agent: *\nCrawl-delay: 2\n", 2 * time.Second},
		{"User-agent: *\nCrawl-delay: 0.5\nDisallow: /x\n", 500 * time.Millisecond},
		{"User-agent: newsmon\nCrawl-delay: 1\n\nUser-agent: *\nCrawl-delay: 9\n", time.Second},
		{"User-agent: other\nCrawl-delay: 5\n", 0},
		{"User-agent: *\nCrawl-delay: 86400\n", maxCrawlDelay},
		{"User-agent: *\nCrawl-delay: soon\nCrawl-delay: -3\nCrawl-delay: NaN\n", 0},
	} {
		if _, got := parseRobotsGroup([]byte(tc.txt), "newsmon"); got != tc.want {
			t.Errorf("%q: delay %s, want %s", tc.txt, got, tc.want)
		}
	}
}

// Pages of a host whose robots.txt asks for a Crawl-delay are fetched that
// far apart, also when asked for at once.
func TestCrawlDelayPaces(t *testing.T) {
	ctx := context.Background()
	srv := newRobotsServer(t, 200, "User-agent: *\nCrawl-delay: 0.2\n")
	c := newClient(t, Options{Robots: true})
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetPage(ctx, Request{URL: fmt.Sprintf("%s/news/%d", srv.URL, i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Errorf("4 pages with a 0.2 s crawl delay took %s, want at least 0.6 s", took)
	}

	// Without a delay the same pages come at once.
	fast := newRobotsServer(t, 200, "User-agent: *\nDisallow: /private\n")
	start = time.Now()
	for i := range 4 {
		if _, err := c.GetPage(ctx, Request{URL: fmt.Sprintf("%s/news/%d", fast.URL, i)}); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("4 pages without a crawl delay took %s", took)
	}

	// A caller that gives up while waiting its turn gets its context's error.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	c.GetPage(ctx, Request{URL: srv.URL + "/news/a"})
	if _, err := c.GetPage(short, Request{URL: srv.URL + "/news/b"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("impatient caller: err = %v, want a deadline error", err)
	}
}
