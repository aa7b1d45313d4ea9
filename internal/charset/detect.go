package charset

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// A candidate is an encoding detect may pick for unlabelled bytes,
// with what correctly decoded text in it looks like.
type candidate struct {
	name   string
	enc    encoding.Encoding
	script []*unicode.RangeTable // letters expected in the text
	common string                // frequent characters of its languages
	cased  bool                  // the script has upper and lower case
	set    map[rune]bool         // common, for lookup
}

func init() {
	for i := range candidates {
		c := &candidates[i]
		c.set = make(map[rune]bool, len(c.common))
		for _, r := range c.common {
			c.set[r] = true
		}
	}
}

// Frequent characters, for telling apart encodings whose byte ranges
// overlap: the same bytes are valid GBK, Big5, EUC-KR and EUC-JP, but decode
// to everyday characters in one of them only.
const (
	commonHans  = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域"
	commonHant  = "的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長知民樣現分將外但身些與高意進把法此實回二理美點月明其種聲全工己話兒者向情部正名定女問力機給等幾很業最間新什打便位因重被走電四第門相次東政海口使教西再平真聽世氣信北少關並內加化由卻代軍產入先山五太水萬市眼體別處總才場師書比住員九笑性通目華報立馬命張活難神數件安表原車白應路期叫死常提感金何更反合放做系計或司利受光王果親界及今京務制解各任至清物台象記邊共風戰乾接它許八特覺望直服毛林題建南度統色字請交愛讓認算論百吃義科怎元社術結六功指思非流每青管夫連遠資隊跟帶花快條院變聯言權往展該領傳近留紅治決周保達辦運武半候七必城父強步完革深區即求品士轉量空甚眾技輕程告江語英基派滿式李息寫呢識極令黃德收臉錢黨倒未持取設始版雙歷越史商千片容研像找友孩站廣改議形委早房音火際則首單據導影失拿網香似斯專石若兵弟誰校讀志飛觀爭究包組造落視濟喜離雖坐集編寶談府拉黑且隨格盡講布殺微怕母調局根曾準團段終樂切級克精哪官示冷域"
	commonJa    = "のにはをたがでてとしれさいうかなるまこすくっもらりんあおょきけせそつちみめよわーアイクトルンスリシラドレタカコテッマメロジフプデ日人年大本中出時行見月分後前生事上会自社者地業方新場員立開手力問代明動京目通言理体田主題意不作用度強公持野以思家世多正安院心界教文元重近考画海売知道集別物使品計死特私始朝運終台広住無真有口少町料工建空急止送切転研足究楽起着店病質待試族銀早映親験英医仕去味写字答夜音注帰古歌買悪図週室歩風紙黒花春赤青館屋色走秋夏習駅洋旅服"
	commonKo    = "이다는의에하고을가로한지서기사리수자대어도들으해나게일시적국인정보전만요있것과를라소우주제부상장성아년구여면내동경되할위원문생그중분화니세없습므운계공관연방저했회물유단신모조마무진실후말개용미통치식선반교학산안까데때터본당민영변결외명께며던건잘더못또좀왜너우리같오늘"
	commonThai  = "านรองกมเยดวลทตสบขคแไะปหจพชใถโผศซัิีึืุู่้็์ำ"
	commonRu    = "оеаинтсрвлкмдпуяыьгзбчйхжшюіОНВСПМК"
	commonEl    = "αοετινσρυκπμληςωγδΑΟΕΤΚΠΣ"
	commonHe    = "יוהלמארתנבשקעדכפחסגצטזךםןףץ"
	commonAr    = "الیمونرتبعهدسفكقحجشصطخذزءةىأإآثضظغ"
	commonLatin = "éèàçüöäßáíóúñãõêâôîïëûùœæåøÉÀÇÜÖÄ"
	commonTR    = "çğıöşüâîûÇĞİÖŞÜ"
	commonCE    = "ąęłśźżćńčřšžěůýáéíóúőűöüäôĺľťďňŁŚŻŹĆŃČŘŠŽ"
)

// candidates in order of preference when scores tie: Western European first,
// as browsers assume. The names are the WHATWG ones, as Decode reports them.
var candidates = []candidate{
	{"windows-1252", charmap.Windows1252, []*unicode.RangeTable{unicode.Latin}, commonLatin, true, nil},
	{"windows-1250", charmap.Windows1250, []*unicode.RangeTable{unicode.Latin}, commonCE, true, nil},
	{"windows-1254", charmap.Windows1254, []*unicode.RangeTable{unicode.Latin}, commonTR, true, nil},
	{"windows-1251", charmap.Windows1251, []*unicode.RangeTable{unicode.Cyrillic}, commonRu, true, nil},
	{"koi8-r", charmap.KOI8R, []*unicode.RangeTable{unicode.Cyrillic}, commonRu, true, nil},
	{"windows-1253", charmap.Windows1253, []*unicode.RangeTable{unicode.Greek}, commonEl, true, nil},
	{"windows-1255", charmap.Windows1255, []*unicode.RangeTable{unicode.Hebrew}, commonHe, false, nil},
	{"windows-1256", charmap.Windows1256, []*unicode.RangeTable{unicode.Arabic}, commonAr, false, nil},
	{"windows-874", charmap.Windows874, []*unicode.RangeTable{unicode.Thai}, commonThai, false, nil},
	{"shift_jis", japanese.ShiftJIS, []*unicode.RangeTable{unicode.Hiragana, unicode.Katakana, unicode.Han}, commonJa, false, nil},
	{"euc-jp", japanese.EUCJP, []*unicode.RangeTable{unicode.Hiragana, unicode.Katakana, unicode.Han}, commonJa, false, nil},
	{"gbk", simplifiedchinese.GBK, []*unicode.RangeTable{unicode.Han}, commonHans, false, nil},
	{"big5", traditionalchinese.Big5, []*unicode.RangeTable{unicode.Han}, commonHant, false, nil},
	{"euc-kr", korean.EUCKR, []*unicode.RangeTable{unicode.Hangul, unicode.Han}, commonKo, false, nil},
}

// sniffLimit bounds the bytes examined: the opening of a feed or a page
// holds enough text to tell its language.
const sniffLimit = 64 << 10

// detect picks an encoding for bytes that are not UTF-8 and carry no usable
// label, the job chardet does for feedparser, and returns it with its
// score. It decodes the sample with each candidate and scores how much the
// result looks like text: letters of the candidate's script, frequent
// characters of its languages, sane letter case, no script switches inside
// a word, no undecodable bytes. Windows-1252 wins ties and weak evidence:
// it is what browsers assume, and it decodes every byte, so a wrong guess
// costs accents, not the text.
func detect(b []byte) (encoding.Encoding, string, float64) {
	best, bestScore := 0, score(candidates[0], b)
	for i, c := range candidates[1:] {
		if s := score(c, b); s > bestScore+0.05 {
			best, bestScore = i+1, s
		}
	}
	return candidates[best].enc, candidates[best].name, bestScore
}

// scoreLabel scores bytes under a declared encoding: with the candidate of
// that name when there is one, else with a candidate made for the script
// most of the decoded letters belong to (iso-8859-5, ibm866, macintosh...).
func scoreLabel(enc encoding.Encoding, name string, b []byte) float64 {
	for _, c := range candidates {
		if c.name == name {
			return score(c, b)
		}
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return -1
	}
	counts := map[*unicode.RangeTable]int{}
	for _, r := range string(out) {
		if r < utf8.RuneSelf || !unicode.IsLetter(r) {
			continue
		}
		for _, t := range scripts {
			if unicode.Is(t, r) {
				counts[t]++
				break
			}
		}
	}
	var script *unicode.RangeTable
	for _, t := range scripts {
		if script == nil || counts[t] > counts[script] {
			script = t
		}
	}
	c := candidate{name: name, enc: enc, script: []*unicode.RangeTable{script}, set: map[rune]bool{},
		cased: script == unicode.Latin || script == unicode.Cyrillic || script == unicode.Greek}
	for _, k := range candidates {
		if k.script[0] == script {
			for r := range k.set {
				c.set[r] = true
			}
		}
	}
	return score(c, b)
}

// scripts are those of the candidates, for scoreLabel.
var scripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Hebrew,
	unicode.Arabic, unicode.Thai, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana}

// obsolete are letters of the candidates' scripts that modern text does
// not use; the Thai ones are what EUC-JP katakana turn into when read as
// Windows-874.
const obsolete = "ฃฅฦ"

// neutral are characters that appear in text of any language; they neither
// support nor count against a candidate.
const neutral = "“”‘’–—…«»·•€£¥°©®™§¶×÷¡¿\u00a0、。「」『』（）！？，：；・《》〈〉【】　"

func score(c candidate, b []byte) float64 {
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		return -1
	}
	text := string(out)
	var total, sum, upper, lower, ascii, accented float64
	freq := map[rune]int{}
	prev, prevLetter := ' ', false
	for i, r := range text {
		if r < 0x80 {
			prev, prevLetter = r, unicode.IsLetter(r)
			if prevLetter {
				ascii++
			}
			continue
		}
		if unicode.IsLetter(r) && unicode.Is(unicode.Latin, r) {
			accented++
		}
		total++
		freq[r]++
		next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
		switch {
		case r == utf8.RuneError || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Co, r) || !unicode.IsPrint(r):
			sum -= 3 // undecodable, control or private use: wrong encoding
		case strings.ContainsRune(neutral, r) || unicode.Is(unicode.Zs, r):
		case strings.ContainsRune(obsolete, r):
			sum -= 2 // letters no modern text uses
		case isLetter(r) && unicode.In(r, c.script...):
			v := 0.5
			if c.set[r] {
				v = 1
			}
			if c.cased && unicode.IsUpper(r) && prevLetter && unicode.IsLower(prev) {
				v = -1 // "ÐÅÒÅÖ": upper case inside a lower-case word
			}
			if c.script[0] != unicode.Latin && !isIdeographic(r) && (isASCIILetter(prev) || isASCIILetter(next)) {
				// "Cafй": another alphabet inside a Latin word. CJK
				// text does run into Latin words ("iPhone发布").
				v = -1
			}
			if unicode.IsMark(r) && !markFits(r, prev) {
				v = -1 // a vowel or tone mark with nothing to sit on
			}
			if unicode.IsUpper(r) {
				upper++
			} else if unicode.IsLower(r) {
				lower++
			}
			sum += v
		case isLetter(r):
			sum -= 1 // a letter of a script this encoding is not for
		default:
			if prevLetter && unicode.IsLetter(next) {
				sum -= 1 // a symbol inside a word: "³ódŸ"
			}
		}
		prev, prevLetter = r, isLetter(r)
	}
	if total == 0 {
		return 0
	}
	if c.script[0] != unicode.Latin && total >= 20 {
		// Double-byte text read as a single-byte script repeats the
		// lead bytes' letters every other character ("ค" and "ฅ" for
		// the hiragana and katakana of EUC-JP read as Thai); in no
		// alphabet do the two commonest letters make 30% of a text.
		var top1, top2 int
		for _, n := range freq {
			if n > top1 {
				top1, top2 = n, top1
			} else if n > top2 {
				top2 = n
			}
		}
		if f := float64(top1+top2) / total; f > 0.3 {
			sum -= 3 * (f - 0.3) * total
		}
	}
	if c.script[0] == unicode.Latin && accented > 0.4*(accented+ascii) {
		// Every Latin alphabet writes most letters without accents;
		// "Ìèíèñòåðñòâî" is Cyrillic read as a Western code page.
		sum -= 2 * (accented - 0.4*(accented+ascii))
	}
	if c.cased && upper > lower {
		// Running text is mostly lower case; KOI8-R read as
		// Windows-1251 (or the reverse) swaps the cases.
		sum -= upper - lower
	}
	return sum / total
}

// markFits reports whether combining mark r may follow prev. Thai vowel
// signs sit on a consonant, tone marks on a consonant or a vowel sign;
// elsewhere a mark needs a letter before it.
func markFits(r, prev rune) bool {
	thaiConsonant := prev >= 0x0E01 && prev <= 0x0E2E
	thaiVowelSign := prev == 0x0E31 || prev >= 0x0E34 && prev <= 0x0E3A || prev == 0x0E47
	switch {
	case r == 0x0E31 || r >= 0x0E34 && r <= 0x0E3A || r == 0x0E47:
		return thaiConsonant
	case r >= 0x0E48 && r <= 0x0E4E:
		return thaiConsonant || thaiVowelSign
	}
	return isLetter(prev)
}

// isLetter counts combining marks as letters: Thai vowels and Hebrew
// points are marks.
func isLetter(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r)
}

func isIdeographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func isASCIILetter(r rune) bool {
	return r < 0x80 && unicode.IsLetter(r)
}
