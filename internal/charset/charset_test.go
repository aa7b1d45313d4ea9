package charset

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

const (
	ja = "政府は外国のクラウド事業者に対する新しい規則を検討していると、関係者が明らかにした。東京の会社も対応を急いでいる。"
	ru = "Министерство торговли рассматривает новые правила для иностранных поставщиков облачных услуг, сообщили источники."
	fr = "Le ministère a publié un rapport détaillé sur la sécurité des données hébergées à l’étranger."
	pl = "Łódź – Zürich, żółć „cytat”"
	zh = "美国商务部正在考虑针对中国云服务提供商的新规则，据知情人士透露，相关草案已经完成。"
)

// TestDecodeEvidence covers each way the labels and the bytes can relate:
// the bytes decide, a note says when a label lost.
func TestDecodeEvidence(t *testing.T) {
	xml := func(decl, text string) string {
		d := ""
		if decl != "" {
			d = `<?xml version="1.0" encoding="` + decl + `"?>`
		}
		return d + "<rss><channel><title>" + text + "</title></channel></rss>"
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want, by    string // encoding and how it was chosen
		text        string // the title in the decoded text
		note        string // a part of the note; "" for none
	}{
		{"utf-8 labelled so", []byte(xml("utf-8", ru)), "text/xml; charset=utf-8", "utf-8", "utf-8", ru, ""},
		{"utf-8 under a legacy http charset", []byte(xml("", ru)), "text/xml; charset=windows-1251", "utf-8", "utf-8", ru,
			"the HTTP charset is windows-1251 but the bytes are valid UTF-8"},
		{"ascii under any label", []byte(xml("koi8-r", "plain")), "text/xml; charset=iso-8859-1", "utf-8", "utf-8", "plain", ""},
		{"declared matches", enc(t, charmap.Windows1251, xml("windows-1251", ru)), "", "windows-1251", "document", ru, ""},
		{"http matches", enc(t, japanese.ShiftJIS, xml("", ja)), "text/xml; charset=Shift_JIS", "shift_jis", "http", ja, ""},
		// The three mislabellings of issue 9.
		{"shift_jis sent as euc-jp", enc(t, japanese.ShiftJIS, xml("Shift_JIS", ja)), "text/xml; charset=EUC-JP", "shift_jis", "document", ja,
			"the HTTP charset is euc-jp, but the bytes read as shift_jis"},
		{"windows-1251 sent as iso-8859-1", enc(t, charmap.Windows1251, xml("windows-1251", ru)), "text/xml; charset=ISO-8859-1", "windows-1251", "document", ru,
			"the HTTP charset is windows-1252, but the bytes read as windows-1251"},
		{"koi8-r sent as windows-1251", enc(t, charmap.KOI8R, xml("koi8-r", ru)), "text/xml; charset=windows-1251", "koi8-r", "document", ru,
			"the HTTP charset is windows-1251, but the bytes read as koi8-r"},
		// Only a wrong label: detection overrides it.
		{"windows-1251 labelled latin-1 alone", enc(t, charmap.Windows1251, xml("", ru)), "text/html; charset=iso-8859-1", "windows-1251", "detected", ru,
			"the bytes do not read as windows-1252"},
		{"shift_jis labelled euc-jp alone", enc(t, japanese.ShiftJIS, xml("euc-jp", ja)), "", "shift_jis", "detected", ja, "do not read as euc-jp"},
		{"gbk labelled big5 alone", enc(t, simplifiedchinese.GBK, xml("", zh)), "text/xml; charset=big5", "gbk", "detected", zh, "do not read as big5"},
		// A right label on text the guess would get wrong stays.
		{"latin label kept", enc(t, charmap.Windows1252, xml("", fr)), "text/xml; charset=iso-8859-1", "windows-1252", "http", fr, ""},
		{"iso-8859-2 label kept", enc(t, charmap.ISO8859_2, xml("iso-8859-2", "Zażółć gęślą jaźń, łódź")), "", "iso-8859-2", "document", "Zażółć gęślą jaźń, łódź", ""},
		{"utf-8 label on legacy bytes", enc(t, charmap.Windows1250, xml("windows-1250", pl)), "text/xml; charset=utf-8", "windows-1250", "document", pl,
			"the HTTP charset is utf-8 but the bytes are not"},
		{"unknown label", enc(t, charmap.Windows1251, xml("bogus-8", ru)), "", "windows-1251", "detected", ru, `"bogus-8" is not a known charset`},
		{"bom beats label", append([]byte{0xFF, 0xFE}, enc(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), xml("", ja))...), "text/xml; charset=iso-8859-1", "utf-16le", "bom", ja,
			"starts with a utf-16le byte order mark"},
		{"bom agrees with utf-16 label", append([]byte{0xFE, 0xFF}, enc(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), xml("utf-16", ja))...), "", "utf-16be", "bom", ja, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Decode(tt.body, tt.contentType, XMLDeclared(tt.body))
			if r.Encoding != tt.want || r.By != tt.by {
				t.Errorf("read as %s by %s, want %s by %s (note %q)", r.Encoding, r.By, tt.want, tt.by, r.Note)
			}
			if !strings.Contains(string(r.Text), "<title>"+tt.text+"</title>") {
				t.Errorf("text %q lacks the title %q", r.Text, tt.text)
			}
			switch {
			case tt.note == "" && r.Note != "":
				t.Errorf("unexpected note %q", r.Note)
			case !strings.Contains(r.Note, tt.note):
				t.Errorf("note %q, want it to say %q", r.Note, tt.note)
			}
		})
	}
}

// TestDecodeStrayBytes: a body that is UTF-8 but for a few bad bytes is
// read as UTF-8, under any label, with only the bad bytes replaced.
func TestDecodeStrayBytes(t *testing.T) {
	var b strings.Builder
	for range 20 {
		b.WriteString("<item><title>" + ru + "</title></item>")
	}
	good := b.String()
	tests := []struct {
		name, body, want string
		bad              int
	}{
		{"latin-1 letter in a word", good + "<title>caf\xe9 cr\xe8me</title>", good + "<title>café crème</title>", 2},
		{"windows-1252 quotes", good + "<title>\x93ok\x94</title>", good + "<title>“ok”</title>", 2},
		{"sequence cut short", good + "<title>Росси\xd1</title><title>x\xe2\x80 y</title>", good + "<title>Росси\uFFFD</title><title>x\uFFFD y</title>", 3},
		{"lead byte after lower case", good + "<title>caf\xc3</title>", good + "<title>caf\uFFFD</title>", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Decode([]byte(tt.body), "text/xml; charset=windows-1251", "")
			if r.Encoding != "utf-8" || r.By != "mostly utf-8" {
				t.Fatalf("read as %s by %s", r.Encoding, r.By)
			}
			if string(r.Text) != tt.want {
				t.Errorf("text ends %q, want %q", tail(string(r.Text)), tail(tt.want))
			}
			if !strings.Contains(r.Note, "windows-1251") || !strings.Contains(r.Note, "stray bytes") {
				t.Errorf("note %q", r.Note)
			}
		})
	}
}

func tail(s string) string {
	if len(s) > 60 {
		return s[len(s)-60:]
	}
	return s
}

// TestDecodeAlwaysValid: whatever the bytes and labels, the text is UTF-8.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("caf\xe9"), "text/xml; charset=utf-8", "")
	f.Add([]byte{0xFF, 0xFE, 'a', 0}, "", "utf-16")
	f.Add([]byte("\x1b$B$3\x1b(B"), "", "iso-2022-jp")
	f.Add([]byte("\x93\x94\xe9\xd1\x80"), "text/html; charset=bogus", "koi8-r")
	f.Fuzz(func(t *testing.T, body []byte, contentType, declared string) {
		r := Decode(body, contentType, declared)
		if !utf8.Valid(r.Text) {
			t.Fatalf("invalid UTF-8 out of %q as %s", body, r.Encoding)
		}
		if r.Encoding == "" || r.By == "" {
			t.Fatalf("no encoding or reason: %+v", r)
		}
	})
}

func enc(t *testing.T, e encoding.Encoding, s string) []byte { return encode(t, e, s) }
