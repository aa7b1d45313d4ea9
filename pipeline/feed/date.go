package feed

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"
)

// months maps month names and abbreviations of the languages news feeds
// write dates in (English, French, German, Italian, Spanish, Portuguese,
// Dutch, Greek, Russian, Polish), lower-cased, to the English abbreviation
// time.Parse reads.
var months = map[string]string{}

func init() {
	for en, names := range map[string]string{
		"Jan": "jan january janv janvier gen gennaio ene enero januar januari janeiro ιαν ιανουαρίου ιανουάριος янв января январь sty stycznia styczeń",
		"Feb": "feb february fév févr février fev fevereiro febbraio febrero februar februari φεβ φεβρουαρίου φεβρουάριος фев февраля февраль lut lutego luty",
		"Mar": "mar march mars mär märz mrz marzo março maart mrt μάρ μαρ μαρτίου μάρτιος мар марта март marca marzec",
		"Apr": "apr april avr avril aprile abr abril απρ απριλίου απρίλιος апр апреля апрель kwi kwietnia kwiecień",
		"May": "may mai mag maggio mayo maio mei μάι μαϊ μαΐου μάιος мая май maj maja",
		"Jun": "jun june juin giu giugno junio juni junho ιούν ιουν ιουνίου ιούνιος июн июня июнь cze czerwca czerwiec",
		"Jul": "jul july juil juillet lug luglio julio juli julho ιούλ ιουλ ιουλίου ιούλιος июл июля июль lip lipca lipiec",
		"Aug": "aug august aoû août ago agosto augustus αύγ αυγ αυγούστου αύγουστος авг августа август sie sierpnia sierpień",
		"Sep": "sep sept september septembre set settembre septiembre setembro σεπ σεπτεμβρίου σεπτέμβριος сен сентября сентябрь wrz września wrzesień",
		"Oct": "oct october octobre ott ottobre octubre okt oktober out outubro οκτ οκτωβρίου οκτώβριος окт октября октябрь paź października październik",
		"Nov": "nov november novembre noviembre novembro νοέ νοε νοεμβρίου νοέμβριος ноя ноября ноябрь lis listopada listopad",
		"Dec": "dec december déc décembre dic dicembre diciembre dez dezember dezembro δεκ δεκεμβρίου δεκέμβριος дек декабря декабрь gru grudnia grudzień",
	} {
		for _, n := range strings.Fields(names) {
			months[n] = en
		}
	}
}

// zones maps the time zone abbreviations feeds write to their offsets in
// minutes east of UTC. time.Parse reads an abbreviation it does not know
// (JST, IST, AEST, MSK...) as UTC without a word, which puts an article
// hours off; gofeed does the same. Where an abbreviation is ambiguous the
// meaning RFC 822 gives it wins (CST is US Central), then the one of the
// most feeds (IST is India).
var zones = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
	"MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60,
	"AKST": -9 * 60, "AKDT": -8 * 60, "HST": -10 * 60, "AST": -4 * 60, "ADT": -3 * 60,
	"NST": -3*60 - 30, "NDT": -2*60 - 30,
	// North American zones without standard or daylight (Disney's feeds
	// wrote them so); read as standard time.
	"AT": -4 * 60, "ET": -5 * 60, "CT": -6 * 60, "MT": -7 * 60, "PT": -8 * 60,
	"BRT": -3 * 60, "ART": -3 * 60,
	"WEST": 60, "BST": 60, "CET": 60, "MET": 60, "MEZ": 60,
	"CEST": 2 * 60, "MEST": 2 * 60, "MESZ": 2 * 60, "EET": 2 * 60, "SAST": 2 * 60,
	"EEST": 3 * 60, "MSK": 3 * 60, "TRT": 3 * 60,
	"GST": 4 * 60, "PKT": 5 * 60, "IST": 5*60 + 30, "NPT": 5*60 + 45,
	"ICT": 7 * 60, "WIB": 7 * 60,
	"SGT": 8 * 60, "HKT": 8 * 60, "PHT": 8 * 60, "MYT": 8 * 60, "AWST": 8 * 60, "WITA": 8 * 60,
	"JST": 9 * 60, "KST": 9 * 60, "WIT": 9 * 60,
	"ACST": 9*60 + 30, "ACDT": 10*60 + 30, "AEST": 10 * 60, "AEDT": 11 * 60,
	"NZST": 12 * 60, "NZDT": 13 * 60,
}

var (
	shortZone = regexp.MustCompile(`([+-]\d\d):?(\d)$`) // "+00:0"
	dateSpace = regexp.MustCompile(`[\s,]+`)
	// An offset written after GMT or UTC: JavaScript's Date.toString
	// ("Sat Oct 06 2018 00:00:00 GMT+0200 (Central European Summer
	// Time)", the zone name in brackets being free text), "GMT+8",
	// "UTC-01:00".
	gmtOffset = regexp.MustCompile(`\b(?:GMT|UTC)\s?([+-])(\d{1,2})(?::?(\d\d))?\b`)
	jsComment = regexp.MustCompile(`\s*\([^)]*\)\s*$`)
	// "2006/09/15", as Perforce and some Asian sites write dates.
	slashDate = regexp.MustCompile(`\b(\d{4})/(\d{1,2})/(\d{1,2})\b`)
	// "2024年5月28日", "2004년 05월 28일": Chinese, Japanese and Korean
	// sites write the parts of a date with these characters.
	cjkDate = regexp.MustCompile(`(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]`)
	// An offset with a colon after a space ("2004-07-08 23:56:58
	// -00:20", as MS SQL prints it); time.Parse wants it without.
	colonOffset = regexp.MustCompile(`\s([+-]\d\d):(\d\d)$`)
	// An offset of hours alone after the seconds ("10:00:00.000+02").
	hourOffset = regexp.MustCompile(`(:\d\d(?:\.\d+)?)([+-]\d\d)$`)
	// English ordinals: "May 1st, 2024".
	ordinal = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)\b`)
)

var dateLayouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2 2006 15:04:05 MST",
	"Jan 2 2006 15:04:05",
	"Jan 2 2006 15:04 -0700",
	"Jan 2 2006 15:04",
	"Jan 2 2006",
	"Jan 2 15:04:05 -0700 2006", // asctime with a zone, as Java's Date.toString prints it
	"Jan 2 15:04:05 2006",       // asctime
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05 -0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04 -0700",
	"2006-01-02 15:04",
	"2006-01-02",
	"02.01.2006 15:04:05", // day first, as German, Russian and Polish sites write
	"02.01.2006 15:04",
	"02.01.2006",
	"2006-01", // W3C-DTF allows a month or a year alone
	"2006",
}

// parseDate reads the dates feeds write: RFC 822 and RFC 3339 and their
// common variants, with weekday and month names in other languages ("mer,
// 16 nov 2022 00:38:15 +0100"), zone abbreviations time.Parse does not know
// ("JST", "AEST"), a zone cut short ("+00:0"), an offset after GMT
// ("GMT+8"), JavaScript's Date.toString ("Sat Oct 06 2018 00:00:00 GMT",
// "... GMT+0200 (CEST)"), slashes ("2006/09/15") and CJK date characters
// ("2024年5月28日"). A date without a zone is taken as UTC. It returns the
// zero time when nothing fits.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 100 {
		return time.Time{}
	}
	// Most feeds write RFC 3339 or RFC 1123 with a numeric zone: read
	// those without the rewriting below.
	for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	if strings.HasSuffix(s, " GMT") {
		if t, err := time.Parse(time.RFC1123, s); err == nil {
			return t.UTC()
		}
	}
	s = jsComment.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "Etc/GMT", "GMT")
	s = gmtOffset.ReplaceAllStringFunc(s, func(m string) string {
		g := gmtOffset.FindStringSubmatch(m)
		h, _ := strconv.Atoi(g[2])
		mm, _ := strconv.Atoi(g[3])
		return fmt.Sprintf("%s%02d%02d", g[1], h, mm)
	})
	s = slashDate.ReplaceAllStringFunc(s, isoDate(slashDate))
	s = cjkDate.ReplaceAllStringFunc(s, isoDate(cjkDate))
	if m := shortZone.FindStringSubmatchIndex(s); m != nil {
		s = s[:m[0]] + s[m[2]:m[3]] + ":0" + s[m[4]:m[5]]
	}
	s = colonOffset.ReplaceAllString(s, " $1$2")
	s = hourOffset.ReplaceAllString(s, "$1${2}00")
	s = ordinal.ReplaceAllString(s, "$1")
	fields := strings.Fields(dateSpace.ReplaceAllString(s, " "))
	var out []string
	timeSeen := false
	for i, f := range fields {
		lower := strings.ToLower(strings.TrimSuffix(f, "."))
		if i == 0 && isWord(lower) && monthAfter(fields[1:]) {
			// A weekday, even one spelled as a month: "mar" is
			// Tuesday in French, Italian and Spanish.
			continue
		}
		if en, ok := monthName(lower); ok {
			out = append(out, en)
			continue
		}
		if off, ok := zones[f]; ok && timeSeen {
			out = append(out, offset(off))
			continue
		}
		switch lower {
		case "-", "at", "@":
			continue // "May 1, 2024 - 10:00", "May 1, 2024 at 10:00"
		case "am", "pm":
			if n := len(out); n > 0 && timeSeen {
				out[n-1] = clock24(out[n-1], lower == "pm")
				continue
			}
		}
		timeSeen = timeSeen || strings.Contains(f, ":")
		if i == 0 && isWord(lower) {
			continue // a weekday in whatever language
		}
		out = append(out, f)
	}
	norm := strings.Join(out, " ")
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, norm); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// isoDate rewrites the year, month and day re matched as 2006-01-02.
func isoDate(re *regexp.Regexp) func(string) string {
	return func(m string) string {
		g := re.FindStringSubmatch(m)
		mo, _ := strconv.Atoi(g[2])
		d, _ := strconv.Atoi(g[3])
		return fmt.Sprintf("%s-%02d-%02d", g[1], mo, d)
	}
}

// offset formats minutes east of UTC as time.Parse's -0700.
func offset(min int) string {
	sign := '+'
	if min < 0 {
		sign, min = '-', -min
	}
	return fmt.Sprintf("%c%02d%02d", sign, min/60, min%60)
}

// itemDate is when an item was published: its published date, else its
// updated one. Each is read by parseDate first, whose zone handling is the
// stricter, and by gofeed's own parse when parseDate finds no date.
func itemDate(it *gofeed.Item) time.Time {
	for _, d := range []struct {
		raw    string
		parsed *time.Time
	}{{it.Published, it.PublishedParsed}, {it.Updated, it.UpdatedParsed}} {
		if t := parseDate(d.raw); !t.IsZero() {
			return t
		}
		if d.parsed != nil {
			return d.parsed.UTC()
		}
	}
	return time.Time{}
}

// clock24 rewrites a 12-hour time ("10:00", "12:30:15") as 24-hour; a
// field that is no such time comes back as it was.
func clock24(hm string, pm bool) string {
	h, rest, ok := strings.Cut(hm, ":")
	n, err := strconv.Atoi(h)
	if !ok || err != nil || n < 1 || n > 12 {
		return hm
	}
	n %= 12
	if pm {
		n += 12
	}
	return fmt.Sprintf("%02d:%s", n, rest)
}

// monthAfter reports whether one of fields names a month.
func monthAfter(fields []string) bool {
	for _, f := range fields {
		if _, ok := monthName(strings.ToLower(strings.TrimSuffix(f, "."))); ok {
			return true
		}
	}
	return false
}

func monthName(s string) (string, bool) {
	en, ok := months[s]
	return en, ok
}

func isWord(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}
