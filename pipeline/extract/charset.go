package extract

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// decode returns body as UTF-8. Valid UTF-8 is kept as it is, whatever the
// header or meta tag claim, because a wrong declaration is far more common
// than a legacy-encoded page that happens to be valid UTF-8. Otherwise the
// encoding comes from the BOM or the Content-Type header, then from a meta
// tag anywhere in the head, and failing those from the bytes themselves.
func decode(body []byte, contentType string) []byte {
	if utf8.Valid(body) {
		return body
	}
	enc, _, certain := charset.DetermineEncoding(body, contentType)
	if !certain {
		// DetermineEncoding reads meta tags in the first 1024 bytes only;
		// heads full of scripts put them later.
		if name := metaCharset(body); name != "" {
			if e, _ := charset.Lookup(name); e != nil {
				enc, certain = e, true
			}
		}
	}
	if !certain {
		enc = sniff(body)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return bytes.ToValidUTF8(out, []byte("\uFFFD"))
}

// metaCharset finds the charset a <meta> element declares in the first
// 64 KB, before <body>.
func metaCharset(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body[:min(len(body), 64<<10)]))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "meta":
				var cs, content string
				httpEquiv := false
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "charset":
						cs = string(v)
					case "content":
						content = string(v)
					case "http-equiv":
						httpEquiv = strings.EqualFold(string(v), "content-type")
					}
				}
				if cs != "" {
					return strings.TrimSpace(cs)
				}
				if httpEquiv {
					if i := strings.Index(strings.ToLower(content), "charset="); i >= 0 {
						return strings.Trim(content[i+len("charset="):], ` "';`)
					}
				}
			}
		}
	}
}

// sniffCandidates are the legacy encodings sniff chooses among; the first
// is the default for pages with too little evidence, as in browsers.
var sniffCandidates = []struct {
	enc encoding.Encoding
	// common holds frequent characters of the languages written in the
	// encoding; text decoded with the wrong table rarely produces them.
	common string
}{
	{charmap.Windows1252, ""},
	{simplifiedchinese.GB18030, "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于" +
		"着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还" +
		"进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情" +
		"明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或" +
		"新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员" +
		"解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太"},
	{traditionalchinese.Big5, "的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於" +
		"著下自之年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還" +
		"進好小部其些主樣理心她本前開但因只從想實日軍者意無力它與長把機十民第公此已工使情" +
		"明性知全三又關點正業外將兩高間由問很最重並物手應戰向頭文體政美相見被利什二等產或" +
		"新己制身果加西斯月話合回特代內信表化老給世位次度門任常先海通教兒原東聲提立及比員" +
		"解水名真論處走義各入幾口認條平系氣題活爾更別打女變四神總何電數安少報才結反受目太"},
	{japanese.ShiftJIS, "のにはをたがでてとしれさあるいうかもなすこっりまよらんだくおつけやどきえせわみじひちそねゃめずろむ日本人年大一中出事者会時上自生見行国分社前後新的円万月東京市"},
	{japanese.EUCJP, "のにはをたがでてとしれさあるいうかもなすこっりまよらんだくおつけやどきえせわみじひちそねゃめずろむ日本人年大一中出事者会時上自生見行国分社前後新的円万月東京市"},
	{korean.EUCKR, "이다의는에하고을가지를한서기로사으도들있리한과인대나것수해게정일만보시어아내우리국전자부그"},
}

// sniff picks the legacy encoding under which the page's non-ASCII bytes
// decode cleanly into the most frequent characters of a language.
// Windows-1252 wins when no other encoding shows such evidence.
func sniff(body []byte) encoding.Encoding {
	sample := body[:min(len(body), 256<<10)]
	best, bestScore := sniffCandidates[0].enc, 0.0
	for _, c := range sniffCandidates[1:] {
		out, err := c.enc.NewDecoder().Bytes(sample)
		if err != nil {
			continue
		}
		var common, bad, other int
		for _, r := range string(out) {
			switch {
			case r < 0x80:
			case r == utf8.RuneError:
				bad++
			case strings.ContainsRune(c.common, r):
				common++
			case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
				unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r):
				other++
			default:
				other += 2 // symbols and Latin letters from a wrong table
			}
		}
		total := common + bad + other
		if total == 0 || common < 5 {
			continue
		}
		score := float64(common-5*bad) / float64(total)
		if score > bestScore {
			best, bestScore = c.enc, score
		}
	}
	return best
}
