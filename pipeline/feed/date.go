package feed

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// months maps month names and abbreviations of the languages news feeds
// write dates in (English, French, German, Italian, Spanish, Portuguese,
// Dutch), lower-cased, to the English abbreviation time.Parse reads.
var months = map[string]string{}

func init() {
	for en, names := range map[string]string{
		"Jan": "jan january janv janvier gen gennaio ene enero januar januari janeiro",
		"Feb": "feb february fév févr février fev fevereiro febbraio febrero februar februari",
		"Mar": "mar march mars mär märz mrz marzo março maart mrt",
		"Apr": "apr april avr avril aprile abr abril",
		"May": "may mai mag maggio mayo maio mei",
		"Jun": "jun june juin giu giugno junio juni junho",
		"Jul": "jul july juil juillet lug luglio julio juli julho",
		"Aug": "aug august aoû août ago agosto augustus",
		"Sep": "sep sept september septembre set settembre septiembre setembro",
		"Oct": "oct october octobre ott ottobre octubre okt oktober out outubro",
		"Nov": "nov november novembre noviembre novembro",
		"Dec": "dec december déc décembre dic dicembre diciembre dez dezember dezembro",
	} {
		for _, n := range strings.Fields(names) {
			months[n] = en
		}
	}
}

var (
	shortZone = regexp.MustCompile(`([+-]\d\d):?(\d)$`) // "+00:0"
	dateSpace = regexp.MustCompile(`[\s,]+`)
	// JavaScript's Date.toString: "Sat Oct 06 2018 00:00:00 GMT+0200
	// (Central European Summer Time)"; the zone name in brackets is
	// free text, the offset after GMT is what counts.
	jsZone    = regexp.MustCompile(`\b(?:GMT|UTC)([+-]\d{2}:?\d{2})\b`)
	jsComment = regexp.MustCompile(`\s*\([^)]*\)\s*$`)
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
	"Jan 2 2006",
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseDate reads the dates gofeed gives up on: weekday and month names in
// other languages ("mer, 16 nov 2022 00:38:15 +0100"), a zone cut short
// ("+00:0"), JavaScript's Date.toString ("Sat Oct 06 2018 00:00:00 GMT",
// "... GMT+0200 (CEST)"). A date without a zone is taken as UTC. It returns the zero
// time when nothing fits.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	s = jsZone.ReplaceAllString(jsComment.ReplaceAllString(s, ""), "$1")
	if m := shortZone.FindStringSubmatchIndex(s); m != nil {
		s = s[:m[0]] + s[m[2]:m[3]] + ":0" + s[m[4]:m[5]]
	}
	fields := strings.Fields(dateSpace.ReplaceAllString(s, " "))
	var out []string
	for i, f := range fields {
		lower := strings.ToLower(strings.TrimSuffix(f, "."))
		if en, ok := monthName(lower); ok {
			out = append(out, en)
			continue
		}
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

func monthName(s string) (string, bool) {
	en, ok := months[s]
	return en, ok
}

func isWord(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}
