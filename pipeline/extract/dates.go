package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// This file reads publication dates written for readers rather than
// machines: "19. Oktober 2019", "le 07 mai 2020", "4 de mayo de 2022",
// "October 16, 2019", "21.01.2022 - 13:30", "2019年10月16日", in the
// elements sites name after dates (dateSelector) and in the attributes of
// hAtom markup ("abbr class=published title=...").

// monthNumbers maps month names and their usual abbreviations in English,
// German, French, Spanish, Italian, Portuguese and Dutch to 1..12.
var monthNumbers = map[string]int{}

func init() {
	for i, names := range []string{
		"january jan januar janvier enero gennaio janeiro januari jänner",
		"february feb februar février fevrier febrero febbraio fevereiro februari",
		"march mar märz maerz mars marzo março maart",
		"april apr avril abril aprile",
		"may mai mayo maggio maio mei",
		"june jun juni juin junio giugno junho",
		"july jul juli juillet julio luglio julho",
		"august aug août aout agosto augustus",
		"september sep sept septembre septiembre settembre setembro",
		"october oct oktober octobre octubre ottobre outubro okt",
		"november nov novembre noviembre novembro",
		"december dec dezember décembre decembre diciembre dicembre dezembro dez",
	} {
		for _, n := range strings.Fields(names) {
			monthNumbers[n] = i + 1
		}
	}
}

var (
	// 21.01.2022, 21. 1. 2022
	dottedDate = regexp.MustCompile(`\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})\b`)
	// 2022-01-21
	isoDate = regexp.MustCompile(`\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b`)
	// 19. Oktober 2019, 7 mai 2020, 4 de mayo de 2022, 21. Jan 2022
	dayMonthYear = regexp.MustCompile(`(?i)\b(\d{1,2})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?(\p{L}{3,10})\.?,?\s+(?:de\s+)?((?:19|20)\d{2})\b`)
	// October 16, 2019, Jan 18, 2019
	monthDayYear = regexp.MustCompile(`(?i)\b(\p{L}{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b`)
	// 2019年10月16日
	hanDate = regexp.MustCompile(`((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
)

// textDate finds the first date written in s, in one of the forms above,
// at midnight UTC. Day-first forms win over month-first ones, as most of
// the world writes them.
func textDate(s string) (time.Time, bool) {
	if len(s) > 300 {
		s = s[:300]
	}
	type found struct {
		at      int
		y, m, d int
	}
	var best *found
	try := func(at, y, m, d int) {
		if m < 1 || m > 12 || d < 1 || d > 31 {
			return
		}
		if best == nil || at < best.at {
			best = &found{at, y, m, d}
		}
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if g := dottedDate.FindStringSubmatchIndex(s); g != nil {
		try(g[0], num(s[g[6]:g[7]]), num(s[g[4]:g[5]]), num(s[g[2]:g[3]]))
	}
	if g := isoDate.FindStringSubmatchIndex(s); g != nil {
		try(g[0], num(s[g[2]:g[3]]), num(s[g[4]:g[5]]), num(s[g[6]:g[7]]))
	}
	if g := dayMonthYear.FindStringSubmatchIndex(s); g != nil {
		if m, ok := monthNumbers[strings.ToLower(s[g[4]:g[5]])]; ok {
			try(g[0], num(s[g[6]:g[7]]), m, num(s[g[2]:g[3]]))
		}
	}
	if g := monthDayYear.FindStringSubmatchIndex(s); g != nil {
		if m, ok := monthNumbers[strings.ToLower(s[g[2]:g[3]])]; ok {
			try(g[0], num(s[g[6]:g[7]]), m, num(s[g[4]:g[5]]))
		}
	}
	if g := hanDate.FindStringSubmatchIndex(s); g != nil {
		try(g[0], num(s[g[2]:g[3]]), num(s[g[4]:g[5]]), num(s[g[6]:g[7]]))
	}
	if best == nil {
		return time.Time{}, false
	}
	t := time.Date(best.y, time.Month(best.m), best.d, 0, 0, 0, 0, time.UTC)
	if t.Day() != best.d { // 31 February
		return time.Time{}, false
	}
	return t, true
}

// anyDate reads s as a machine date (parseTime) or, failing that, as one
// written for readers (textDate).
func anyDate(s string) (time.Time, bool) {
	if t, ok := parseTime(s); ok {
		return t, true
	}
	return textDate(s)
}

// dateSelector finds the elements that hold a story's date as text or in
// an attribute: <time> without a datetime, hAtom's published and updated
// stamps, and elements named after dates in English, German, French or
// Spanish.
const dateSelector = `time, abbr.published, .published, .updated, [class*=date i], [class*=datum i], ` +
	`[class*=time i], [class*=posted i], [class*=fecha i], [id*=date i], [itemprop=dateCreated i]`

// markupDate returns the first date stated in the story's date markup
// (dateSelector, outside teasers and comments), trying each element's
// datetime, title and content attributes, then its text when short.
func (m *metaSources) markupDate() time.Time {
	var t time.Time
	tried := 0
	storyOnly(m.doc.Find(dateSelector)).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		tried++
		for _, a := range []string{"datetime", "title", "content"} {
			if v := s.AttrOr(a, ""); v != "" {
				if d, ok := anyDate(v); ok {
					t = d
					return false
				}
			}
		}
		if text := clean(spacedText(s.Nodes[0])); text != "" && len(text) <= 120 {
			if d, ok := textDate(text); ok {
				t = d
				return false
			}
		}
		return tried < 40
	})
	return t
}
