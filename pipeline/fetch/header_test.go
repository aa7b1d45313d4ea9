package fetch

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 30 ", 30 * time.Second, true},
		{"99999999999999999999999", maxDelay, true},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour, true},
		{"Sunday, 29-Nov-26 09:00:00 GMT", time.Hour, true}, // RFC 850
		{"Sun Nov 29 09:00:00 2026", time.Hour, true},       // asctime
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"12abc", 0, false},
		{"tomorrow", 0, false},
	} {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestMaxAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"max-age=300":                    300 * time.Second,
		"public, max-age=60, s-maxage=9": time.Minute,
		`MAX-AGE="45"`:                   45 * time.Second,
		"s-maxage=10":                    0,
		"no-cache":                       0,
		"max-age=":                       0,
		"max-age=-1":                     0,
		"max-age=abc, max-age=5":         0, // the first one counts, and it is invalid
		"max-age=1e9":                    0,
		"max-age=99999999999999999999":   maxDelay,
		"":                               0,
	} {
		if got := maxAge(in); got != want {
			t.Errorf("maxAge(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	for _, s := range []string{"120", "0", "", "Sun, 29 Nov 2026 09:00:00 GMT", "Sunday, 29-Nov-26 09:00:00 GMT", "99999999999999999999", "-1", " 7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := retryAfter(v, now)
		if d < 0 || d > maxDelay || (!ok && d != 0) {
			t.Fatalf("retryAfter(%q) = %s, %v", v, d, ok)
		}
		if n, err := strconv.ParseUint(v, 10, 32); err == nil && (!ok || d != min(time.Duration(n)*time.Second, maxDelay)) {
			t.Fatalf("retryAfter(%q) = %s, %v; want %ds", v, d, ok, n)
		}
	})
}

func FuzzMaxAge(f *testing.F) {
	for _, s := range []string{"max-age=300", "public, max-age=60", `max-age="5"`, "no-store", "max-age=99999999999999999999", ",,=,"} {
		f.Add(s, uint32(60))
	}
	f.Fuzz(func(t *testing.T, v string, n uint32) {
		if d := maxAge(v); d < 0 || d > maxDelay {
			t.Fatalf("maxAge(%q) = %s", v, d)
		}
		// A valid directive placed first is read exactly, whatever follows.
		if d := maxAge(fmt.Sprintf("max-age=%d, %s", n, v)); d != time.Duration(n)*time.Second {
			t.Fatalf("maxAge with max-age=%d first and %q after = %s", n, v, d)
		}
	})
}
