// Package fetch is newsmon's polite HTTP GET for feeds, article pages and
// robots.txt. It owns the rules every outside request follows:
//
//   - a User-Agent naming newsmon and its Version;
//   - timeouts for connecting, for the response headers and for the whole
//     Get, redirects and bodies included;
//   - a body cap counted after gzip, deflate or br decoding, which we ask
//     for and undo ourselves, so a compression bomb stops at the cap;
//   - conditional requests from ETag and Last-Modified, 304 reported as
//     ErrNotModified with the validators still in the Response;
//   - redirects followed by hand, at most Options.MaxRedirects, http and
//     https only, with Response.PermanentURL set when every hop was 301/308;
//   - a guard, run on each resolved address just before connecting, that
//     lets through public unicast addresses only (an allow-list: IANA's
//     special-purpose ranges, loopback, private and link-local are out)
//     and the networks of Options.Allow, refusing the rest (ErrBlocked),
//     so neither a name that resolves inward nor a redirect can reach the
//     machine's neighbourhood or a cloud metadata service;
//   - at most Options.PerHost requests in flight per host name;
//   - for GetPage with Options.Robots, robots.txt (RFC 9309) checked for the
//     page and every redirect target, cached per origin, and its
//     Crawl-delay kept between two pages of one origin (at most 30 s).
//
// It does not schedule, retry or back off. It reports what the server said,
// a *StatusError with Retry-After, Cache-Control max-age and Expires, and
// leaves those decisions to the ingest loop.
package fetch
