package extract

import (
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// langSample bounds the text given to the language detector: its trigram
// count grows with the text, and a few paragraphs decide as well as a
// whole article.
const langSample = 1024

// detectLang names the language of an article's text (an ISO 639-1 code,
// else 639-3) with whatlanggo's trigram profiles, for pages that state no
// language; "" when the text is too short or the guess is not reliable.
func detectLang(text string) string {
	if len(text) < 40 {
		return ""
	}
	if len(text) > langSample {
		cut := langSample
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	info := whatlanggo.Detect(text)
	if !info.IsReliable() {
		return ""
	}
	if code := info.Lang.Iso6391(); code != "" {
		return code
	}
	return info.Lang.Iso6393()
}
