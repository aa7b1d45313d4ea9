package feed

import (
	"testing"
	"time"
)

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Mon, 02 Jan 2006 15:04:05 JST", "Wed, 19 Feb 2012 22:40:00 GMT-01:01", "Fri, 2006/09/15 08:19:53 EDT",
		"2024年5月28日 10:30", "2004-07-08 23:56:58 -00:20", "Sat Oct 06 2018 09:30:00 GMT+0200 (CEST)",
		"mer, 16 nov 2022 00:38:15 +0100", "2017-06-13T03:18:00+00:0", "Κυρ, 11 Ιούλ 2004 12:00:00 EST",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := parseDate(s)
		if got.IsZero() {
			return
		}
		if got.Location() != time.UTC {
			t.Errorf("parseDate(%q) = %v, not UTC", s, got)
		}
		if again := parseDate(s); !again.Equal(got) {
			t.Errorf("parseDate(%q) = %v, then %v", s, got, again)
		}
	})
}
