package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// newClient returns a Client allowed to reach the loopback test servers,
// with short timeouts so a hung test fails fast.
func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.Allow = Loopback
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestGetSendsHeadersAndParsesResponse(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sat, 28 Nov 2026 10:00:00 GMT")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("Expires", "Sun, 29 Nov 2026 12:00:00 GMT")
		io.WriteString(w, "<rss/>")
	}))
	defer srv.Close()

	resp, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL + "/feed", Accept: "application/rss+xml"})
	if err != nil {
		t.Fatal(err)
	}
	if ua := got.Get("User-Agent"); !strings.HasPrefix(ua, "newsmon/"+Version+" ") {
		t.Errorf("User-Agent = %q, want newsmon/%s ...", ua, Version)
	}
	if ae := got.Get("Accept-Encoding"); ae != "gzip, deflate, br" {
		t.Errorf("Accept-Encoding = %q", ae)
	}
	if a := got.Get("Accept"); a != "application/rss+xml" {
		t.Errorf("Accept = %q", a)
	}
	if got.Get("If-None-Match") != "" || got.Get("If-Modified-Since") != "" {
		t.Errorf("unconditional request sent validators: %v", got)
	}
	want := Response{
		URL:          srv.URL + "/feed",
		StatusCode:   200,
		ContentType:  "application/rss+xml; charset=utf-8",
		Body:         []byte("<rss/>"),
		ETag:         `"v1"`,
		LastModified: "Sat, 28 Nov 2026 10:00:00 GMT",
		MaxAge:       300 * time.Second,
		Expires:      time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
	}
	resp.Header = nil
	if fmt.Sprint(*resp) != fmt.Sprint(want) {
		t.Errorf("response\n got %+v\nwant %+v", *resp, want)
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"abc"`, "Sat, 28 Nov 2026 10:00:00 GMT"
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified) // without repeating the validators
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		io.WriteString(w, "body")
	}))
	defer srv.Close()
	c := newClient(t, Options{})
	ctx := context.Background()

	first, err := c.Get(ctx, Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Request{
		{URL: srv.URL, ETag: first.ETag},
		{URL: srv.URL, LastModified: first.LastModified},
	} {
		resp, err := c.Get(ctx, r)
		if !errors.Is(err, ErrNotModified) {
			t.Fatalf("Get(%+v) error = %v, want ErrNotModified", r, err)
		}
		if resp == nil || resp.StatusCode != 304 || resp.Body != nil {
			t.Fatalf("Get(%+v) response = %+v, want a 304 without body", r, resp)
		}
		if resp.ETag != r.ETag || resp.LastModified != r.LastModified {
			t.Errorf("304 validators = %q %q, want the request's %q %q", resp.ETag, resp.LastModified, r.ETag, r.LastModified)
		}
	}
	if _, err := c.Get(ctx, Request{URL: srv.URL, ETag: `"stale"`}); err != nil {
		t.Errorf("stale ETag: %v", err)
	}
	if hits.Load() != 4 {
		t.Errorf("server saw %d requests, want 4", hits.Load())
	}
}

func compress(t *testing.T, coding string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "raw-deflate":
		w, _ = flate.NewWriter(&b, flate.BestCompression)
	case "br":
		w = brotli.NewWriterLevel(&b, brotli.BestSpeed)
	default:
		t.Fatalf("no coding %s", coding)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// serve answers every request with body sent under Content-Encoding enc.
func serve(body []byte, enc string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if enc != "" {
			w.Header().Set("Content-Encoding", enc)
		}
		w.Write(body)
	}))
}

func TestDecodesBodies(t *testing.T) {
	text := bytes.Repeat([]byte("Huawei Cloud and Alibaba Cloud weighed by Commerce. "), 200)
	for _, tc := range []struct{ name, coding, header string }{
		{"gzip", "gzip", "gzip"},
		{"x-gzip", "gzip", "x-gzip"},
		{"zlib deflate", "deflate", "deflate"},
		{"raw deflate", "raw-deflate", "deflate"},
		{"brotli", "br", "br"},
		{"upper case", "gzip", "GZIP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(compress(t, tc.coding, text), tc.header)
			defer srv.Close()
			resp, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, text) {
				t.Errorf("body is %d bytes, want the %d of the original", len(resp.Body), len(text))
			}
		})
	}
	t.Run("gzip then br", func(t *testing.T) {
		srv := serve(compress(t, "br", compress(t, "gzip", text)), "gzip, br")
		defer srv.Close()
		resp, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
		if err != nil || !bytes.Equal(resp.Body, text) {
			t.Fatalf("err %v, body ok %v", err, err == nil && bytes.Equal(resp.Body, text))
		}
	})
	t.Run("unknown coding", func(t *testing.T) {
		srv := serve(text, "zstd")
		defer srv.Close()
		_, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
		if err == nil || !strings.Contains(err.Error(), `"zstd"`) || !strings.Contains(err.Error(), srv.URL) {
			t.Fatalf("err = %v, want one naming the coding and the URL", err)
		}
	})
	for _, enc := range []string{"gzip", "deflate", "br"} {
		t.Run("empty "+enc, func(t *testing.T) {
			srv := serve(nil, enc)
			defer srv.Close()
			resp, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
			if err != nil || len(resp.Body) != 0 {
				t.Fatalf("err = %v, resp = %+v; want an empty body", err, resp)
			}
		})
	}
	t.Run("corrupt gzip", func(t *testing.T) {
		srv := serve([]byte("not gzip at all"), "gzip")
		defer srv.Close()
		if _, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL}); err == nil {
			t.Fatal("corrupt gzip body accepted")
		}
	})
}

func TestBodyCap(t *testing.T) {
	const limit = 1 << 20
	zeros := make([]byte, 2*limit)
	// gzip members concatenate into one stream: 64 copies of a compressed
	// MiB of zeros decode to 64 MiB from about 64 KiB on the wire.
	bomb := bytes.Repeat(compress(t, "gzip", zeros[:limit]), 64)
	brBomb := compress(t, "br", zeros)
	exact := bytes.Repeat([]byte("x"), limit)
	for _, tc := range []struct {
		name    string
		srv     *httptest.Server
		wantErr error
	}{
		{"gzip bomb", serve(bomb, "gzip"), ErrTooLarge},
		{"brotli bomb", serve(brBomb, "br"), ErrTooLarge},
		{"plain with Content-Length", serve(zeros[:2*limit], ""), ErrTooLarge},
		{"plain chunked", httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for range 3 {
				w.Write(zeros[:limit/2+1])
				w.(http.Flusher).Flush()
			}
		})), ErrTooLarge},
		{"exactly the cap", serve(exact, ""), nil},
		{"exactly the cap, gzipped", serve(compress(t, "gzip", exact), "gzip"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.srv.Close()
			start := time.Now()
			resp, err := newClient(t, Options{MaxBytes: limit}).Get(context.Background(), Request{URL: tc.srv.URL})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tc.srv.URL) {
				t.Errorf("error %q does not name the URL", err)
			}
			if err == nil && len(resp.Body) != limit {
				t.Errorf("body is %d bytes, want %d", len(resp.Body), limit)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
	t.Run("per-request cap", func(t *testing.T) {
		srv := serve(exact, "")
		defer srv.Close()
		_, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL, MaxBytes: 1000})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
}

// redirects serves a chain: path "/<code>/<code>/..." answers with the first
// code and a Location dropping it; "/" answers 200 "end".
func redirects(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if first == "" {
			io.WriteString(w, "end")
			return
		}
		var code int
		fmt.Sscan(first, &code)
		http.Redirect(w, r, "/"+rest, code)
	}))
}

func TestRedirects(t *testing.T) {
	srv := redirects(t)
	defer srv.Close()
	for _, tc := range []struct {
		path          string
		wantPermanent bool
	}{
		{"/", false},
		{"/301/", true},
		{"/301/301/308/", true},
		{"/302/", false},
		{"/301/302/", false},
		{"/307/301/", false},
		{"/303/", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := newClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL + tc.path})
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "end" || resp.URL != srv.URL+"/" {
				t.Fatalf("ended at %s with %q", resp.URL, resp.Body)
			}
			want := ""
			if tc.wantPermanent {
				want = srv.URL + "/"
			}
			if resp.PermanentURL != want {
				t.Errorf("PermanentURL = %q, want %q", resp.PermanentURL, want)
			}
		})
	}
	t.Run("limit", func(t *testing.T) {
		c := newClient(t, Options{MaxRedirects: 2})
		if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/301/301/"}); err != nil {
			t.Fatalf("2 redirects with MaxRedirects 2: %v", err)
		}
		_, err := c.Get(context.Background(), Request{URL: srv.URL + "/301/301/301/"})
		if err == nil || !strings.Contains(err.Error(), "redirects") {
			t.Fatalf("3 redirects with MaxRedirects 2: err = %v", err)
		}
	})
	t.Run("non-http scheme", func(t *testing.T) {
		for _, loc := range []string{"file:///etc/passwd", "ftp://example.com/x", "gopher://x/"} {
			bad := httptest.NewServer(http.RedirectHandler(loc, http.StatusMovedPermanently))
			_, err := newClient(t, Options{}).Get(context.Background(), Request{URL: bad.URL})
			bad.Close()
			if err == nil || !strings.Contains(err.Error(), "unsupported scheme") {
				t.Errorf("redirect to %s: err = %v", loc, err)
			}
		}
	})
	t.Run("not modified after permanent move", func(t *testing.T) {
		moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/old" {
				http.Redirect(w, r, "/new", http.StatusMovedPermanently)
				return
			}
			w.WriteHeader(http.StatusNotModified)
		}))
		defer moved.Close()
		resp, err := newClient(t, Options{}).Get(context.Background(), Request{URL: moved.URL + "/old", ETag: `"x"`})
		if !errors.Is(err, ErrNotModified) || resp.PermanentURL != moved.URL+"/new" {
			t.Fatalf("err = %v, resp = %+v", err, resp)
		}
	})
}

func TestRefusesBadURLs(t *testing.T) {
	c := newClient(t, Options{})
	for _, u := range []string{"ftp://example.com/feed", "file:///etc/passwd", "example.com/feed", "http://", "http://[::1"} {
		_, err := c.Get(context.Background(), Request{URL: u})
		if err == nil || !strings.Contains(err.Error(), u) {
			t.Errorf("Get(%q) error = %v, want one naming the URL", u, err)
		}
	}
}

func TestGuardRefusesLoopback(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := New(Options{}) // nothing but public addresses
	defer c.CloseIdleConnections()
	// localhost stands for a public-looking name that resolves inward.
	for _, target := range []string{srv.URL, "http://localhost:" + u.Port() + "/"} {
		_, err := c.Get(context.Background(), Request{URL: target})
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("Get(%s) err = %v, want ErrBlocked", target, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("guarded server saw %d requests", hits.Load())
	}
}

func TestGuardRefusesRedirectInward(t *testing.T) {
	var innerHits atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { innerHits.Add(1) }))
	defer inner.Close()
	var target atomic.Value
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.Load().(string), http.StatusFound)
	}))
	defer outer.Close()
	outerAddr := netip.MustParseAddrPort(strings.TrimPrefix(outer.URL, "http://"))

	c := New(Options{ConnectTimeout: time.Second})
	defer c.CloseIdleConnections()
	c.exempt = func(ap netip.AddrPort) bool { return ap == outerAddr } // outer plays a public site

	// The guard refuses before connecting, so the metadata address gets no packet.
	for _, to := range []string{inner.URL + "/secret", "http://169.254.169.254/latest/meta-data/", "http://[::1]:1/"} {
		target.Store(to)
		_, err := c.Get(context.Background(), Request{URL: outer.URL})
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("redirect to %s: err = %v, want ErrBlocked", to, err)
		} else if !strings.Contains(err.Error(), outer.URL) || !strings.Contains(err.Error(), "redirect to") {
			t.Errorf("error %q should name the URL and the redirect", err)
		}
	}
	if innerHits.Load() != 0 {
		t.Errorf("inner server saw %d requests", innerHits.Load())
	}
}

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", false}, {"127.8.9.10", false}, {"10.1.2.3", false}, {"172.16.0.1", false},
		{"192.168.1.1", false}, {"169.254.169.254", false}, {"0.0.0.0", false}, {"100.64.0.1", false},
		{"224.0.0.1", false}, {"255.255.255.255", false}, {"::1", false}, {"::", false},
		{"fe80::1", false}, {"fd00::1", false}, {"fd00:ec2::254", false}, {"ff02::1", false}, {"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false}, {"64:ff9b::a9fe:a9fe", false}, {"2001:db8::1", false},
		{"192.0.2.1", false}, {"198.51.100.1", false}, {"203.0.113.9", false}, {"198.18.0.1", false},
		{"2001::1", false}, {"3fff::1", false}, {"2002:a9fe:a9fe::1", false}, {"2002:7f00:1::1", false},
		{"100::1", false}, {"::a9fe:a9fe", false}, {"64:ff9b:1::1", false},
		{"93.184.215.14", true}, {"1.1.1.1", true}, {"172.32.0.1", true}, {"2606:4700::1111", true},
		{"64:ff9b::5db8:d70e", true}, {"2002:5db8:d70e::1", true}, {"::ffff:1.1.1.1", true},
	} {
		if got := public(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("public(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

// Options.Allow opens named networks and nothing else; link-local (cloud
// metadata) only through a link-local network named as such (issue 9
// item 10: with the old all-or-nothing switch on, newsmon fetched
// http://169.254.169.254/robots.txt for an item link).
func TestAllowNetworks(t *testing.T) {
	must := func(s string) []netip.Prefix {
		p, err := ParseNetworks(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		allow, addr string
		want        bool
	}{
		{"", "1.1.1.1", true},
		{"", "127.0.0.1", false},
		{"loopback", "127.0.0.1", true},
		{"loopback", "::1", true},
		{"loopback", "10.0.0.1", false},
		{"loopback", "169.254.169.254", false},
		{"10.20.0.0/16", "10.20.3.4", true},
		{"10.20.0.0/16", "10.21.3.4", false},
		{"192.168.1.9", "192.168.1.9", true},
		{"0.0.0.0/0", "10.0.0.1", true},
		{"0.0.0.0/0", "169.254.169.254", false}, // wide ranges never cover metadata
		{"::/0", "fe80::1", false},
		{"128.0.0.0/1", "169.254.169.254", false},
		{"169.254.0.0/16", "169.254.169.254", true}, // named
		{"169.254.169.254", "169.254.169.254", true},
		{"fe80::/10", "fe80::1", true},
	} {
		if got := allowed(netip.MustParseAddr(tc.addr), must(tc.allow)); got != tc.want {
			t.Errorf("allow %q: %s allowed = %v, want %v", tc.allow, tc.addr, got, tc.want)
		}
	}
	if _, err := ParseNetworks("10.0.0.0/8, intranet"); err == nil || !strings.Contains(err.Error(), `"intranet"`) {
		t.Errorf("ParseNetworks: err %v, want one naming the bad entry", err)
	}
}

// With loopback allowed, a link to the metadata address is still refused
// before any packet is sent.
func TestAllowLoopbackNotMetadata(t *testing.T) {
	c := New(Options{Allow: Loopback, ConnectTimeout: time.Second})
	defer c.CloseIdleConnections()
	for _, u := range []string{"http://169.254.169.254/robots.txt", "http://[fe80::1]/", "http://10.0.0.1/"} {
		_, err := c.GetPage(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("GetPage(%s) err = %v, want ErrBlocked", u, err)
		}
	}
}

// stall holds a handler until the client goes away or the test ends.
func stall(t *testing.T, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
		t.Error("handler was never released")
	}
}

func TestTimeouts(t *testing.T) {
	t.Run("headers", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stall(t, r) }))
		defer srv.Close()
		c := newClient(t, Options{HeaderTimeout: 200 * time.Millisecond})
		start := time.Now()
		_, err := c.Get(context.Background(), Request{URL: srv.URL})
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || time.Since(start) > 3*time.Second {
			t.Fatalf("err = %v after %s, want a timeout near 200ms", err, time.Since(start))
		}
	})
	t.Run("slow body", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for {
				if _, err := io.WriteString(w, "drip "); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}))
		defer srv.Close()
		c := newClient(t, Options{Timeout: 200 * time.Millisecond})
		start := time.Now()
		_, err := c.Get(context.Background(), Request{URL: srv.URL})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
			t.Fatalf("err = %v after %s, want deadline exceeded near 200ms", err, time.Since(start))
		}
	})
	t.Run("deadline spans redirects", func(t *testing.T) {
		// Each hop alone fits in the timeout; the six together do not.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(100 * time.Millisecond)
			if r.URL.Path != "/0" {
				var n int
				fmt.Sscanf(r.URL.Path, "/%d", &n)
				http.Redirect(w, r, fmt.Sprintf("/%d", n-1), http.StatusFound)
			}
		}))
		defer srv.Close()
		c := newClient(t, Options{Timeout: 450 * time.Millisecond})
		if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/1"}); err != nil {
			t.Fatalf("two hops: %v", err)
		}
		_, err := c.Get(context.Background(), Request{URL: srv.URL + "/5"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("six hops: err = %v, want deadline exceeded", err)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stall(t, r) }))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := newClient(t, Options{}).Get(ctx, Request{URL: srv.URL})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the caller's deadline", err)
		}
	})
}

func TestStatusErrors(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		code       int
		retryAfter string
		wantDelay  time.Duration
		temporary  bool
	}{
		{429, "120", 120 * time.Second, true},
		{503, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{503, now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{503, "soon", 0, true},
		{500, "", 0, true},
		{408, "", 0, true},
		{404, "", 0, false},
		{410, "", 0, false},
		{300, "", 0, false}, // a 3xx without Location is not followed
	} {
		t.Run(fmt.Sprint(tc.code, " ", tc.retryAfter), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.code)
			}))
			defer srv.Close()
			c := newClient(t, Options{})
			c.now = func() time.Time { return now }
			resp, err := c.Get(context.Background(), Request{URL: srv.URL + "/feed"})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *StatusError", err)
			}
			if se.Code != tc.code || se.RetryAfter != tc.wantDelay || se.Temporary() != tc.temporary {
				t.Errorf("got %+v temporary %v, want code %d delay %s temporary %v", *se, se.Temporary(), tc.code, tc.wantDelay, tc.temporary)
			}
			if msg := err.Error(); !strings.Contains(msg, srv.URL+"/feed") || !strings.Contains(msg, fmt.Sprint(tc.code)) {
				t.Errorf("error %q should name the URL and the code", msg)
			}
			if resp != nil {
				t.Errorf("response = %+v with a StatusError, want nil", resp)
			}
		})
	}
}

func TestPerHostLimit(t *testing.T) {
	var mu sync.Mutex
	active, peak, want, finished := 0, 0, 0, 0
	const requests = 8
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		active++
		peak = max(peak, active)
		mu.Unlock()
		// A request holds its slot until as many are in as the limit
		// should allow (or every request not yet finished is in: the
		// last of a run may be alone), however the goroutines happen to
		// be scheduled; then a little longer, for any the limiter wrongly
		// let through to show.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			mu.Lock()
			full := active >= min(want, requests-finished)
			mu.Unlock()
			if full {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		active--
		finished++
		mu.Unlock()
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	run := func(c *Client, limit int, urls ...string) int {
		mu.Lock()
		peak, want, finished = 0, limit, 0
		mu.Unlock()
		var wg sync.WaitGroup
		for i := range requests {
			wg.Go(func() {
				if _, err := c.Get(context.Background(), Request{URL: urls[i%len(urls)]}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
	if p := run(newClient(t, Options{PerHost: 2}), 2, srv.URL); p != 2 {
		t.Errorf("PerHost 2: peak concurrency %d", p)
	}
	if p := run(newClient(t, Options{PerHost: 1}), 1, srv.URL); p != 1 {
		t.Errorf("PerHost 1: peak concurrency %d", p)
	}
	// Two names for the server are two hosts, each with its own slot.
	if p := run(newClient(t, Options{PerHost: 1}), 2, srv.URL, "http://localhost:"+u.Port()); p != 2 {
		t.Errorf("PerHost 1 over two host names: peak concurrency %d, want 2", p)
	}

	t.Run("waiting honours the context", func(t *testing.T) {
		release, arrived := make(chan struct{}), make(chan struct{}, 1)
		busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
		}))
		defer busy.Close()
		c := newClient(t, Options{PerHost: 1})
		done := make(chan error)
		go func() {
			_, err := c.Get(context.Background(), Request{URL: busy.URL})
			done <- err
		}()
		select { // the first request holds the host's one slot
		case <-arrived:
		case <-time.After(30 * time.Second):
			t.Fatal("the first request never reached the server")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Get(ctx, Request{URL: busy.URL})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("queued Get err = %v, want deadline exceeded", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Error(err)
		}
		if n := len(c.hosts.hosts); n != 0 {
			t.Errorf("limiter still tracks %d hosts when idle", n)
		}
	})
}

// A request's own user agent, headers and proxy are used; credentials stay
// with the host they were meant for across redirects.
func TestRequestAccess(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]http.Header{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen["other"] = r.Header.Clone()
		mu.Unlock()
	}))
	defer other.Close()
	u, _ := url.Parse(other.URL)
	otherLocalhost := "http://localhost:" + u.Port()
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Clone()
		mu.Unlock()
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, otherLocalhost+"/there", http.StatusFound)
		}
	}))
	defer feed.Close()
	c := newClient(t, Options{})
	h := http.Header{"Cookie": {"session=s3cret"}, "Authorization": {"Basic eDp5"}, "Accept-Language": {"de"}}
	for _, path := range []string{"/feed", "/moved"} {
		if _, err := c.Get(context.Background(), Request{URL: feed.URL + path, UserAgent: "Mozilla/5.0 (test)", Header: h}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if g := seen["/feed"]; g.Get("User-Agent") != "Mozilla/5.0 (test)" || g.Get("Cookie") != "session=s3cret" || g.Get("Accept-Language") != "de" {
		t.Errorf("feed request headers %v", g)
	}
	if g := seen["other"]; g.Get("Cookie") != "" || g.Get("Authorization") != "" || g.Get("Accept-Language") != "de" || g.Get("User-Agent") != "Mozilla/5.0 (test)" {
		t.Errorf("after a redirect to another host: %v; want the credentials gone, the rest kept", g)
	}
}

// A request through a proxy goes to the proxy, which the guard vets.
func TestRequestProxy(t *testing.T) {
	var asked atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.URL.String()) // a proxy sees the absolute URL
		w.Write([]byte("via proxy"))
	}))
	defer proxy.Close()
	c := newClient(t, Options{})
	resp, err := c.Get(context.Background(), Request{URL: "http://feeds.example.invalid/rss", Proxy: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "via proxy" || asked.Load() != "http://feeds.example.invalid/rss" {
		t.Errorf("body %q, proxy asked for %v", resp.Body, asked.Load())
	}
	if _, err := New(Options{}).Get(context.Background(), Request{URL: "http://feeds.example.invalid/rss", Proxy: proxy.URL}); !errors.Is(err, ErrBlocked) {
		t.Errorf("a proxy on loopback without it allowed: err %v, want ErrBlocked", err)
	}
	if _, err := c.Get(context.Background(), Request{URL: "http://x.example/", Proxy: "ftp://p"}); err == nil || !strings.Contains(err.Error(), "proxy") {
		t.Errorf("bad proxy: %v", err)
	}
}
