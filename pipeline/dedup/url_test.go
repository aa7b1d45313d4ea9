package dedup

import (
	"strings"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower scheme and host", "HTTPS://Example.COM/Path/To", "https://example.com/Path/To"},
		{"default http port", "http://example.com:80/a", "http://example.com/a"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"other port kept", "https://example.com:8443/a", "https://example.com:8443/a"},
		{"fragment dropped", "https://example.com/a#comments", "https://example.com/a"},
		{"empty path", "https://example.com", "https://example.com/"},
		{"utm params", "https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x", "https://example.com/a"},
		{"click ids", "https://example.com/a?fbclid=1&gclid=2&msclkid=3&yclid=4&igshid=5&_ga=6&mc_cid=7&mc_eid=8&ref_src=twsrc", "https://example.com/a"},
		{"kept params sorted", "https://example.com/a?z=1&utm_source=x&b=2&a=3", "https://example.com/a?a=3&b=2&z=1"},
		{"same key values keep order by value", "https://example.com/a?t=2&t=1", "https://example.com/a?t=1&t=2"},
		{"empty pairs dropped", "https://example.com/a?&&x=1&", "https://example.com/a?x=1"},
		{"dot segments", "https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"dot segment past root", "https://example.com/../../a", "https://example.com/a"},
		{"trailing slash kept", "https://example.com/a/", "https://example.com/a/"},
		{"double slash kept", "https://example.com/a//b", "https://example.com/a//b"},
		{"path case kept", "https://example.com/News/Story-ABC", "https://example.com/News/Story-ABC"},
		{"escape case normalised", "https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"},
		{"unreserved escapes decoded", "https://example.com/%7Euser/%41", "https://example.com/~user/A"},
		{"space escaped", "https://example.com/a b", "https://example.com/a%20b"},
		{"unicode path escaped", "https://example.com/café", "https://example.com/caf%C3%A9"},
		{"query value encoding kept", "https://example.com/s?q=a+b&r=c%2Fd", "https://example.com/s?q=a+b&r=c%2Fd"},
		{"trailing dot host", "https://example.com./a", "https://example.com/a"},
		{"surrounding space", "  https://example.com/a \n", "https://example.com/a"},
		{"ipv6", "http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"},
		{"user info dropped", "https://user:secret@example.com/a", "https://example.com/a"},
		{"semicolon separated", "https://example.com/a?b=1;utm_source=x", "https://example.com/a?b=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if err != nil {
				t.Fatalf("CanonicalURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := CanonicalURL(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
}

func TestCanonicalURLErrors(t *testing.T) {
	for _, in := range []string{"", "/relative/path", "mailto:a@example.com", "javascript:alert(1)", "ftp://example.com/x", "http://", "https:///path", "http://exa mple.com/", "%zz"} {
		if got, err := CanonicalURL(in); err == nil {
			t.Errorf("CanonicalURL(%q) = %q, want an error", in, got)
		}
	}
}

func TestKey(t *testing.T) {
	const feedURL = "https://example.com/feed.xml"
	tests := []struct {
		name, feed, guid, link, want string
	}{
		{"guid scoped by feed", feedURL, "post-42", "https://example.com/p/42", "guid:https://example.com/feed.xml post-42"},
		{"guid trimmed", feedURL, "  post-42\n", "", "guid:https://example.com/feed.xml post-42"},
		{"feed url canonicalised", "HTTPS://EXAMPLE.com:443/feed.xml#x", "post-42", "", "guid:https://example.com/feed.xml post-42"},
		{"no guid: canonical link", feedURL, "", "https://Example.com/p/42?utm_source=rss", "url:https://example.com/p/42"},
		{"no guid, odd link kept", feedURL, " ", "p/42", "url:p/42"},
		{"neither", feedURL, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Key(tt.feed, tt.guid, tt.link); got != tt.want {
				t.Errorf("Key(%q, %q, %q) = %q, want %q", tt.feed, tt.guid, tt.link, got, tt.want)
			}
		})
	}
	// The same GUID in two feeds names two items.
	if a, b := Key("https://a.example/feed", "1", ""), Key("https://b.example/feed", "1", ""); a == b {
		t.Errorf("GUID 1 of two feeds gave one key %q", a)
	}
	// Two spellings of one link are one item.
	if a, b := Key(feedURL, "", "https://example.com/p/42?fbclid=abc#top"), Key("other", "", "https://EXAMPLE.com/p/42"); a != b {
		t.Errorf("one link, two keys: %q and %q", a, b)
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/a?utm_source=x&b=1#f",
		"HTTP://EXAMPLE.COM:80/./a/../b/%7e?z=1&a=2",
		"https://example.com/caf%c3%a9?q=%2f+x",
		"http://[::1]:8080/x",
		"https://user:p%40ss@example.com/",
		"https://example.com/a;b?c;d=e",
		"https://example.com/%zz",
		"http://example.com/../..",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := CanonicalURL(raw)
		if err != nil {
			return
		}
		again, err := CanonicalURL(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c, raw, err)
		}
		if again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, c, again)
		}
		if strings.Contains(c, "#") {
			t.Fatalf("fragment kept: %q", c)
		}
	})
}
