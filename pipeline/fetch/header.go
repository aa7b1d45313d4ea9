package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxDelay bounds parsed delays only so that huge numbers cannot overflow a
// time.Duration; callers apply their own, tighter bounds.
const maxDelay = 365 * 24 * time.Hour

// retryAfter parses a Retry-After value, delay-seconds or an HTTP date
// (RFC 9110 section 10.2.3), into a delay from now. A date in the past is a
// zero delay.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		return seconds(v)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	return min(max(d, 0), maxDelay), true
}

// maxAge returns the max-age directive of a Cache-Control value, 0 if it
// has none or an invalid one.
func maxAge(v string) time.Duration {
	for _, dir := range strings.Split(v, ",") {
		name, arg, _ := strings.Cut(strings.TrimSpace(dir), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "max-age") {
			continue
		}
		d, ok := seconds(strings.Trim(strings.TrimSpace(arg), `"`))
		if ok {
			return d
		}
		return 0
	}
	return 0
}

// seconds parses a non-negative decimal count of seconds, clamped to maxDelay.
func seconds(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > uint64(maxDelay/time.Second) {
		return maxDelay, true // all digits, so an error can only be overflow
	}
	return time.Duration(n) * time.Second, true
}
