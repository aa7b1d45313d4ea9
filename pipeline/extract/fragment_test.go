package extract

import "testing"

func TestFragmentText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text", "plain  text\nacross lines", "plain text across lines"},
		{"plain paragraphs", "first  one\n\n\nsecond &amp; last", "first one\n\nsecond & last"},
		{"blocks and entities", "<p>One &amp; two.</p><p>Three<br>four</p>", "One & two.\n\nThree\n\nfour"},
		{"scripts and styles", "<div>kept<script>dropped()</script><style>p{}</style> too</div>", "kept too"},
		{"json-ld", `<script type="application/ld+json">{"a":1}</script><p>text</p>`, "text"},
		{"headline kept", "<h1>Cloud deal</h1><p>Body.</p>", "Cloud deal\n\nBody."},
		{"list and link", `<ul><li>a <a href="/x">link</a>ed</li><li>b</li></ul>`, "a link ed\n\nb"},
		{"whole page", "<html><head><title>T</title></head><body><p>Only this.</p></body></html>", "Only this."},
		{"unclosed", "<p>open <b>bold", "open bold"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FragmentText(tc.in); got != tc.want {
				t.Errorf("FragmentText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
