package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"newsmon/pipeline/fetch"
)

// A feed poller keeps the validators of each fetch and sends them with the
// next, so an unchanged feed costs a 304 and no body.
func Example_conditionalPoll() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "max-age=600")
		fmt.Fprint(w, "<rss>...</rss>")
	}))
	defer srv.Close()

	// Loopback allowed only because this server is on it.
	c := fetch.New(fetch.Options{Allow: fetch.Loopback})
	ctx := context.Background()

	resp, err := c.Get(ctx, fetch.Request{URL: srv.URL, Accept: "application/rss+xml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d %s etag=%s max-age=%s\n", resp.StatusCode, resp.Body, resp.ETag, resp.MaxAge)

	resp, err = c.Get(ctx, fetch.Request{URL: srv.URL, ETag: resp.ETag})
	switch {
	case errors.Is(err, fetch.ErrNotModified):
		fmt.Println("unchanged, etag", resp.ETag)
	case err != nil:
		fmt.Println(err)
	}
	// Output:
	// 200 <rss>...</rss> etag="v1" max-age=10m0s
	// unchanged, etag "v1"
}
