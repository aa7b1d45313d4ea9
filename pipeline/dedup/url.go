// Package dedup decides when two feed items are the same article: the item
// key (the GUID within its feed, else the canonical URL), URL
// canonicalisation that strips tracking parameters, and SimHash fingerprints
// that find near-identical texts published under different URLs. It holds no
// state: remembering which keys were seen is the job of the store (NATS KV
// SEEN), which can look fingerprints up by their Bands.
package dedup

import (
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// trackingParams are query parameters that identify a campaign, a click or a
// mailing, never the page. Matched case-insensitively; utm_* by prefix.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "igshid": true, "ref_src": true, "ref_url": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true, "oly_anon_id": true,
	"oly_enc_id": true, "vero_id": true, "vero_conv": true, "wickedid": true, "rb_clickid": true,
	"s_cid": true, "icid": true, "ncid": true, "cmpid": true, "at_medium": true, "at_campaign": true,
	"spm": true, "scid": true, "sr_share": true, "ito": true, "cmp": true,
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	return trackingParams[k] || strings.HasPrefix(k, "utm_") || strings.HasPrefix(k, "pk_") ||
		strings.HasPrefix(k, "hsa_") || strings.HasPrefix(k, "__s")
}

// CanonicalURL returns the form of an http(s) URL under which the same page
// is recognised however a feed or a share button spelt it: scheme and host
// in lower case, no user info (credentials have no place in a key), no
// default port, no fragment, no tracking parameters, the remaining query
// parameters sorted, dot segments removed and percent-escapes normalised. The path keeps its case: servers may tell /A from /a.
// CanonicalURL(CanonicalURL(u)) == CanonicalURL(u).
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("canonical url %q: not an absolute http(s) URL", raw)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("canonical url %q: no host", raw)
	}
	if !validHost(host) {
		return "", fmt.Errorf("canonical url %q: bad host %q", raw, host)
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		host = "[" + a.String() + "]"
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("canonical url %q: bad port %q", raw, p)
		}
		if !(scheme == "http" && n == 80) && !(scheme == "https" && n == 443) {
			host += ":" + strconv.Itoa(n)
		}
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	p := removeDots(normEscapes(u.EscapedPath(), pathChars))
	if p == "" {
		p = "/"
	}
	b.WriteString(p)
	if q := canonicalQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

// validHost accepts DNS names (letters of any script, digits, '-', '_',
// non-empty labels) and IP literals.
func validHost(h string) bool {
	if h == "" || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		return err == nil && a.Zone() == ""
	}
	for _, r := range h {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// canonicalQuery drops empty and tracking parameters and sorts the rest,
// working on the raw text so that the encoding of values survives.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for _, pair := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' }) {
		// Normalise first: every % is then a valid escape, so the key
		// unescapes the same now as it will when the result comes back.
		pair = normEscapes(pair, queryChars)
		key, _, _ := strings.Cut(pair, "=")
		if key == "" {
			continue
		}
		if k, err := url.QueryUnescape(key); err == nil && isTracking(k) {
			continue
		}
		kept = append(kept, pair)
	}
	sort.Strings(kept)
	return strings.Join(kept, "&")
}

const (
	unreserved = "-._~"
	subDelims  = "!$&'()*+,;="
	pathChars  = unreserved + subDelims + ":@/"
	queryChars = unreserved + "!$'()*+,=:@/?" // & and ; separate pairs
)

// normEscapes rewrites s so that every byte outside the allowed set is
// percent-escaped with upper-case hex, and escapes of unreserved characters
// are decoded, making two spellings of one URL equal.
func normEscapes(s, allowed string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isAlnum(d) || strings.IndexByte(unreserved, d) >= 0 {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(upper(s[i+1]))
				b.WriteByte(upper(s[i+2]))
			}
			i += 2
			continue
		}
		if isAlnum(c) || strings.IndexByte(allowed, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// removeDots applies RFC 3986 section 5.2.4 to a path. Unlike path.Clean it
// keeps empty segments and a trailing slash, which servers may treat as
// different pages.
func removeDots(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if !strings.HasPrefix(r, "/") && strings.HasPrefix(p, "/") {
		r = "/" + r
	}
	return r
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Key returns the dedup key of a feed item: its GUID scoped by the feed URL
// (GUIDs are unique only within a feed) when it has one, else the canonical
// form of its link, else "". The key is readable; pipeline.ArticleID hashes
// it into the message id.
func Key(feedURL, guid, link string) string {
	if guid = strings.TrimSpace(guid); guid != "" {
		feed := strings.TrimSpace(feedURL)
		if c, err := CanonicalURL(feed); err == nil {
			feed = c
		}
		return "guid:" + feed + " " + guid
	}
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	if c, err := CanonicalURL(link); err == nil {
		return "url:" + c
	}
	return "url:" + link
}
