package feed

import "testing"

func TestFixMojibake(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cafÃ© crÃ¨me", "café crème"},
		{"donâ€™t â€œquoteâ€\u009d", "don’t “quote”"},
		{"ellipsisâ€¦", "ellipsis…"},
		{"â\u0080¦ via latin-1", "… via latin-1"},
		{"Å\u0081Ã³dÅº", "Łódź"},
		{"emoji ðŸ\u008d\u008f", "emoji 🍏"},
		// Real text is left alone.
		{"São Paulo, Ângela, Ãgua", "São Paulo, Ângela, Ãgua"},
		{"déjà vu — “quoted” ©2024 Â", "déjà vu — “quoted” ©2024 Â"},
		{"plain ascii", "plain ascii"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fixMojibake(tt.in); got != tt.want {
			t.Errorf("fixMojibake(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
