package feed

import (
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// guessCharset picks an encoding for bytes that are not UTF-8 and carry no
// usable label. Windows-1252 is what browsers assume for such documents and
// it decodes every byte, so a wrong guess costs accents, not the feed.
func guessCharset(b []byte) (encoding.Encoding, string) {
	return charmap.Windows1252, "windows-1252"
}
