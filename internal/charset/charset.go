// Package charset turns a fetched body in whatever encoding it came in into
// UTF-8. It is the one detector behind both package feed (RSS, Atom, JSON
// Feed) and package extract (HTML pages), so a feed and its article pages
// are read by the same rules; it sits outside pipeline/ because those two
// leaves may not import each other.
//
// It decides by evidence, as browsers and Python's feedparser do, rather
// than trusting the first label it finds:
//
//  1. a byte order mark, or the zero-byte pattern of UTF-16/32;
//  2. bytes that are valid UTF-8 are UTF-8, whatever the labels say (a
//     legacy-encoded text almost never forms valid multi-byte sequences by
//     chance, while wrong labels are common);
//  3. bytes that are overwhelmingly valid UTF-8 are UTF-8 with the few bad
//     bytes replaced, not a whole document garbled by a legacy charset;
//  4. of the charsets declared (the HTTP Content-Type, the XML declaration
//     or the HTML meta tag), the one under which the bytes read as text of
//     one language: letters of one script, its frequent characters, sane
//     letter case, nothing undecodable;
//  5. when no declared charset reads cleanly, or none is declared, a guess
//     from the bytes among the legacy encodings news sites still serve.
//
// Whenever the labels and the bytes disagree, Result.Note says so, for the
// caller to log with the URL.
package charset

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Result is a body decoded to UTF-8 and how its encoding was chosen.
type Result struct {
	Text []byte
	// Encoding is the WHATWG name of the encoding the body was read in:
	// "utf-8", "utf-16le", "windows-1251", "shift_jis", ...
	Encoding string
	// By says what decided: "bom", "zero bytes" (UTF-16/32 without a
	// mark), "utf-8" (the bytes are valid UTF-8), "mostly utf-8", "http"
	// (the Content-Type charset), "document" (the XML declaration or the
	// meta tag), "detected" (a guess from the bytes).
	By string
	// Note is set when the declared charsets and the bytes disagree, or a
	// label was unusable: what was declared and what was done. Worth
	// logging with the URL; empty for a body that matched its labels.
	Note string
	// Replaced counts the characters that could not be decoded and became
	// U+FFFD.
	Replaced int
}

// Decode returns body as UTF-8. contentType is the HTTP Content-Type (its
// charset parameter is read leniently), declared the label the document
// gives itself (XMLDeclared or HTMLDeclared), either may be empty.
func Decode(body []byte, contentType, declared string) Result {
	labels := []label{
		{from: "http", what: "the HTTP charset", raw: ContentTypeCharset(contentType)},
		{from: "document", what: "the document's declared charset", raw: strings.TrimSpace(declared)},
	}
	var notes []string
	for i := range labels {
		l := &labels[i]
		if l.raw == "" {
			continue
		}
		l.enc, l.name = lookup(l.raw)
		if l.enc == nil {
			notes = append(notes, fmt.Sprintf("%s %q is not a known charset", l.what, l.raw))
		}
	}
	r := decide(body, labels, &notes)
	r.Note = strings.Join(notes, "; ")
	return r
}

// label is one declared charset.
type label struct {
	from, what string // "http" or "document"; how a note names it
	raw        string
	enc        encoding.Encoding // nil when absent or unknown
	name       string
}

func (l label) usable() bool { return l.enc != nil }

// wide reports labels of UTF-16 or UTF-32, which ASCII-compatible bytes
// prove wrong.
func (l label) wide() bool {
	return strings.HasPrefix(l.name, "utf-16") || strings.HasPrefix(l.name, "utf-32")
}

func decide(body []byte, labels []label, notes *[]string) Result {
	if enc, name, n := bom(body); name != "" {
		for _, l := range labels {
			if l.usable() && !sameFamily(l.name, name) {
				*notes = append(*notes, fmt.Sprintf("%s is %s but the body starts with a %s byte order mark; read as %s", l.what, l.name, name, name))
			}
		}
		body = body[n:]
		if enc == nil {
			return Result{Text: valid(body), Encoding: name, By: "bom", Replaced: invalidCount(body)}
		}
		return decodeAs(enc, name, "bom", body)
	}
	if enc, name := zeroBytes(body); enc != nil {
		return decodeAs(enc, name, "zero bytes", body)
	}
	if utf8.Valid(body) {
		// Stateful 7-bit encodings are valid UTF-8 byte for byte but mean
		// something else; only they keep their label.
		if bytes.IndexByte(body, 0x1b) >= 0 {
			for _, l := range labels {
				if l.usable() && strings.HasPrefix(l.name, "iso-2022") {
					return decodeAs(l.enc, l.name, l.from, body)
				}
			}
		}
		if hasHighBytes(body) {
			for _, l := range labels {
				if l.usable() && l.name != "utf-8" && !l.wide() {
					*notes = append(*notes, fmt.Sprintf("%s is %s but the bytes are valid UTF-8; read as utf-8", l.what, l.name))
				}
			}
		}
		return Result{Text: body, Encoding: "utf-8", By: "utf-8"}
	}
	if mostlyUTF8(body) {
		text, bad := repairUTF8(body)
		for _, l := range labels {
			if l.usable() && l.name != "utf-8" {
				*notes = append(*notes, fmt.Sprintf("%s is %s but the bytes are UTF-8 apart from %d stray bytes; read as utf-8", l.what, l.name, bad))
			}
		}
		if len(*notes) == 0 {
			*notes = append(*notes, fmt.Sprintf("%d bytes are not valid UTF-8; read each on its own", bad))
		}
		return Result{Text: text, Encoding: "utf-8", By: "mostly utf-8", Replaced: bytes.Count(text, []byte("\uFFFD"))}
	}

	// Legacy bytes: weigh the declared charsets against each other and
	// against a guess.
	sample := body[:min(len(body), sniffLimit)]
	var best *label
	bestScore := 0.0
	for i := range labels {
		l := &labels[i]
		if !l.usable() {
			continue
		}
		if l.name == "utf-8" || l.wide() {
			*notes = append(*notes, fmt.Sprintf("%s is %s but the bytes are not; ignored", l.what, l.name))
			continue
		}
		if best != nil && best.name == l.name {
			continue
		}
		s := scoreLabel(l.enc, l.name, sample)
		if best == nil || s > bestScore {
			best, bestScore = l, s
		}
	}
	guess, guessName, guessScore := detect(sample)
	if best == nil {
		return decodeAs(guess, guessName, "detected", body)
	}
	if bestScore < trustScore && guessScore > bestScore+overrideMargin && guessName != best.name {
		*notes = append(*notes, fmt.Sprintf("the bytes do not read as %s (%s); detected %s", declaredNames(labels), best.what, guessName))
		return decodeAs(guess, guessName, "detected", body)
	}
	for _, l := range labels {
		if l.usable() && l.name != best.name && l.name != "utf-8" && !l.wide() {
			*notes = append(*notes, fmt.Sprintf("%s is %s, but the bytes read as %s (%s)", l.what, l.name, best.name, best.what))
		}
	}
	return decodeAs(best.enc, best.name, best.from, body)
}

// trustScore is the score (see score) above which a declared charset is
// kept without looking further: text in it reads as mostly letters of one
// script. overrideMargin is how much better a guess must read before it
// overrides a declaration that scores lower.
const (
	trustScore     = 0.3
	overrideMargin = 0.4
)

// declaredNames lists the usable labels for a note.
func declaredNames(labels []label) string {
	var names []string
	for _, l := range labels {
		if l.usable() && l.name != "utf-8" && !l.wide() {
			names = append(names, l.name)
		}
	}
	return strings.Join(names, " or ")
}

// sameFamily reports whether a label agrees with a byte order mark: "utf-16"
// with utf-16le, "utf-8" with utf-8.
func sameFamily(labelName, bomName string) bool {
	return strings.HasPrefix(bomName, labelName) || strings.HasPrefix(labelName, bomName)
}

// lookup resolves a charset label to an encoding and its canonical name,
// as browsers do (WHATWG labels: "iso-8859-1" is windows-1252), plus the
// UTF-32 labels that XML allows and browsers do not know.
func lookup(raw string) (encoding.Encoding, string) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "utf-32", "utf32", "ucs-4", "iso-10646-ucs-4":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM), "utf-32"
	case "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be"
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"
	}
	return htmlcharset.Lookup(raw)
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func decodeAs(enc encoding.Encoding, name, by string, b []byte) Result {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// Decoders replace bad sequences; an error here means the
		// transform itself gave up, so keep what is readable as is.
		out = b
	}
	out = valid(out)
	return Result{Text: out, Encoding: name, By: by, Replaced: bytes.Count(out, []byte("\uFFFD"))}
}

func valid(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

func invalidCount(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			n++
		}
		i += size
	}
	return n
}

// bom reports the encoding a byte order mark names and the mark's length; a
// nil Encoding with a name means UTF-8.
func bom(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return nil, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 4
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 4
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	}
	return nil, "", 0
}

// zeroBytes recognises UTF-16 and UTF-32 without a byte order mark by where
// the zero bytes fall around the first ASCII character ('<' or '{'), as
// XML 1.0 appendix F describes.
func zeroBytes(b []byte) (encoding.Encoding, string) {
	if len(b) < 4 {
		return nil, ""
	}
	z := func(i int) bool { return b[i] == 0 }
	switch {
	case z(0) && z(1) && z(2) && !z(3):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be"
	case !z(0) && z(1) && z(2) && z(3):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"
	case z(0) && !z(1) && z(2) && !z(3):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be"
	case !z(0) && z(1) && !z(2) && z(3):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"
	}
	return nil, ""
}
