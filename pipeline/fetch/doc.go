// Package fetch is newsmon's polite HTTP GET, used for feeds, article pages
// and robots.txt. It owns the rules every outside request follows: a
// User-Agent naming newsmon, timeouts for connect, headers and the whole
// body, a byte cap counted after decompression, conditional requests with
// ETag and Last-Modified, a limit on concurrent requests per host, redirects
// followed by hand with permanent moves reported, a guard that refuses
// private and loopback addresses at dial time, and, for pages, robots.txt.
//
// It does not schedule, retry or back off: it reports what the server said
// (ErrNotModified, a *StatusError with Retry-After, Cache-Control max-age)
// and leaves the decisions to the ingest loop.
package fetch
