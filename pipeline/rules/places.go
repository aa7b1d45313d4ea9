package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the places the matcher knows, so that a body's namesake
// in another country or a U.S. state ("the Texas Senate", "India's
// commerce ministry", "the Dutch NCSC") is not taken for the body itself.
// An entity says which country it belongs to (country: US); a place in
// front of its name that is a U.S. state, or belongs to another country,
// makes the mention another body's.

// countryNames are the codes an entity's country key may take.
var countryNames = map[string]string{
	"US": "the United States", "CN": "China", "GB": "the United Kingdom", "EU": "the European Union",
	"JP": "Japan", "KR": "South Korea", "IN": "India", "DE": "Germany", "FR": "France", "CA": "Canada",
	"AU": "Australia", "TW": "Taiwan",
}

func countryCodes() []string {
	out := make([]string, 0, len(countryNames))
	for c := range countryNames {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// usState marks a U.S. state in the place table: never the federal body.
const usState = "US-state"

// places maps a place word or phrase, lower case with dots removed
// ("u.s." is "us"), to its country code, or to usState. Names of the
// country (China), its people (Chinese), its capital when it stands for
// the government (Beijing), in one table.
var places = func() map[string]string {
	m := map[string]string{}
	add := func(code, list string) {
		for _, p := range strings.Split(list, ",") {
			if p = strings.TrimSpace(p); p != "" {
				m[p] = code
			}
		}
	}
	add("US", "us, usa, united states, america, american, americans, washington, federal")
	add("CN", "china, chinese, beijing, prc, peoples republic of china, shanghai, shenzhen, guangzhou, hangzhou")
	add("GB", "uk, britain, british, united kingdom, england, english, scotland, scottish, wales, welsh, london, northern ireland, edinburgh, manchester, glasgow, cardiff, belfast, "+
		"birmingham, liverpool, leeds")
	add("EU", "eu, european union, european, europe, brussels")
	add("JP", "japan, japanese, tokyo, osaka")
	add("KR", "south korea, korea, korean, south korean, seoul, busan")
	add("IN", "india, indian, new delhi, mumbai, bengaluru, bangalore, chennai, kolkata, hyderabad")
	add("DE", "germany, german, berlin, frankfurt, munich, hamburg")
	add("FR", "france, french, paris")
	add("CA", "canada, canadian, ottawa, toronto, montreal, vancouver")
	add("AU", "australia, australian, canberra, sydney, melbourne, brisbane, perth")
	add("TW", "taiwan, taiwanese, taipei")
	add("other", `afghanistan, afghan, albania, albanian, algeria, algerian, angola, angolan, argentina, argentine,
		argentinian, armenia, armenian, austria, austrian, azerbaijan, azerbaijani, bahrain, bahraini, bangladesh,
		bangladeshi, belarus, belarusian, belgium, belgian, bolivia, bolivian, bosnia, bosnian, botswana, brazil,
		brazilian, bulgaria, bulgarian, cambodia, cambodian, cameroon, chile, chilean, colombia, colombian,
		costa rica, croatia, croatian, cuba, cuban, cyprus, cypriot, czech republic, czechia, czech, denmark, danish,
		dominican republic, ecuador, ecuadorian, egypt, egyptian, el salvador, estonia, estonian, ethiopia,
		ethiopian, fiji, finland, finnish, georgian, ghana, ghanaian, greece, greek, guatemala, haiti, honduras,
		hong kong, hungary, hungarian, iceland, icelandic, indonesia, indonesian, iran, iranian, iraq, iraqi,
		ireland, irish, israel, israeli, italy, italian, ivory coast, jamaica, jamaican, jordan, jordanian,
		kazakhstan, kazakh, kenya, kenyan, kuwait, kuwaiti, kyrgyzstan, laos, latvia, latvian, lebanon, lebanese,
		libya, libyan, lithuania, lithuanian, luxembourg, macau, malaysia, malaysian, malta, maltese, mexico,
		mexican, moldova, mongolia, mongolian, montenegro, morocco, moroccan, mozambique, myanmar, namibia,
		nepal, nepalese, netherlands, dutch, holland, new zealand, nicaragua, niger, nigeria, nigerian,
		north korea, north korean, norway, norwegian, oman, omani, pakistan, pakistani, palestine, palestinian,
		panama, panamanian, paraguay, peru, peruvian, philippines, philippine, filipino, poland, polish, portugal,
		portuguese, qatar, qatari, romania, romanian, russia, russian, rwanda, saudi arabia, saudi, senegal, serbia,
		serbian, singapore, singaporean, slovakia, slovak, slovenia, slovenian, somalia, south africa,
		south african, spain, spanish, sri lanka, sri lankan, sudan, sweden, swedish, switzerland, swiss, syria,
		syrian, tajikistan, tanzania, thailand, thai, tunisia, tunisian, turkey, turkish, turkiye, uganda,
		ukraine, ukrainian, united arab emirates, uae, emirati, uruguay, uzbekistan, venezuela, venezuelan,
		vietnam, vietnamese, yemen, zambia, zimbabwe, manila, jakarta, kuala lumpur, bangkok, hanoi, moscow,
		kyiv, rome, madrid, the hague, amsterdam, dublin, stockholm, oslo, copenhagen, helsinki, warsaw, vienna,
		bern, ankara, tehran, riyadh, abu dhabi, dubai, cairo, nairobi, pretoria, brasilia, mexico city,
		buenos aires, wellington, auckland, geneva, zurich, milan, barcelona, lisbon, athens, prague, budapest,
		istanbul, tel aviv, jerusalem, doha, karachi, islamabad, lahore, dhaka, colombo, kathmandu, lagos, abuja,
		johannesburg, cape town, sao paulo, rio de janeiro, manaus, lima, bogota, santiago, caracas, havana,
		ho chi minh city, phnom penh, yangon, singapore city`)
	add(usState, `alabama, alaska, arizona, arkansas, california, colorado, connecticut, delaware, florida,
		georgia, hawaii, idaho, illinois, indiana, iowa, kansas, kentucky, louisiana, maine, maryland,
		massachusetts, michigan, minnesota, mississippi, missouri, montana, nebraska, nevada, new hampshire,
		new jersey, new mexico, new york, north carolina, north dakota, ohio, oklahoma, oregon, pennsylvania,
		rhode island, south carolina, south dakota, tennessee, texas, utah, vermont, virginia, washington state,
		west virginia, wisconsin, wyoming, puerto rico, district of columbia, californian, texan, floridian`)
	return m
}()

// localWords, in lower case right before a body's name, make it a local
// body of that name: "the state Senate", "a student senate", "the county
// commerce department".
var localWords = map[string]bool{
	"state": true, "states": true, "city": true, "county": true, "municipal": true, "provincial": true,
	"province": true, "regional": true, "local": true, "student": true, "students": true, "university": true,
	"college": true, "school": true, "club": true, "company": true, "firm": true, "tribal": true,
	"territorial": true, "party": true, "youth": true, "faculty": true,
}

// placeKey normalises a word or phrase of the text for the places table:
// lower case, dots and a possessive dropped.
func placeKey(s string) string {
	var buf [48]byte
	return string(appendPlaceKey(buf[:0], s))
}

// appendPlaceKey appends the place key of s to b, so that callers can look
// a key up without allocating (m[string(b)]).
func appendPlaceKey(b []byte, s string) []byte {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "'s"), "’s")
	s = strings.TrimRight(s, "'’")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// placeOf looks a word of the text up in the places table.
func placeOf(tok string) string {
	var buf [48]byte
	return places[string(appendPlaceKey(buf[:0], tok))]
}

// stateAbbrevs are the abbreviations wire copy writes after a U.S. town
// ("White House, Tenn.", "Commerce, Calif."), lower case, dots removed.
var stateAbbrevs = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich
		minn miss mo mont neb nev nh nj nm ny nc nd okla ore pa ri sc sd tenn tex vt va wash wva wis wyo dc`) {
		m[w] = true
	}
	return m
}()

// townOfState reports whether the text right after i is a comma and a U.S.
// state, as after a town's name ("White House, Tenn., approves"): the
// state's abbreviation with its dot, or its name followed by punctuation
// or a dash.
func townOfState(text string, i int) bool {
	j := i
	if j >= len(text) || text[j] != ',' {
		return false
	}
	j++
	for j < len(text) && text[j] == ' ' {
		j++
	}
	k := j
	for k < len(text) && (alnum[text[k]] || text[k] == '.' || text[k] == ' ') && k-j < 20 {
		k++
	}
	name := strings.TrimRight(text[j:k], " ")
	var buf [24]byte
	key := string(appendPlaceKey(buf[:0], name))
	if stateAbbrevs[key] && strings.HasSuffix(name, ".") {
		return true
	}
	for _, n := range []string{name, strings.TrimSuffix(name, ".")} {
		if places[placeKey(n)] == usState {
			rest := strings.TrimLeft(text[j+len(n):], " ")
			return rest == "" || strings.ContainsRune(",.;:)", rune(rest[0])) || strings.HasPrefix(rest, "—") ||
				strings.HasPrefix(rest, "–") || strings.HasPrefix(rest, "-")
		}
	}
	return false
}

// dateline finds the place a story is filed from at the start of its body
// ("BRUSSELS —", "WHITE HOUSE, Tenn. —", "MANAUS, Brazil (AP) —",
// "SEATTLE--(BUSINESS WIRE)--"): the place's name in capitals, perhaps a
// comma and its state or country, perhaps an agency in brackets, then a
// dash. It returns where the dateline ends (0 for none) and the code of
// its place, if the place table knows it ("US" for a U.S. state).
func dateline(body string) (end int, code string) {
	const maxDateline = 80
	i := 0
	for i < len(body) && (body[i] == ' ' || body[i] == '\n') {
		i++
	}
	start := i
	letters := 0
	// The place in capitals.
	for i < len(body) && i-start < maxDateline {
		r, size := utf8.DecodeRuneInString(body[i:])
		switch {
		case unicode.IsUpper(r):
			letters++
		case r == ' ' || r == '.' || r == '\'' || r == '’':
		case r == '-' && i+1 < len(body) && body[i+1] != '-' && i > start && body[i-1] != ' ':
		default:
			goto placeDone
		}
		i += size
	}
placeDone:
	place := strings.TrimRight(body[start:i], " ")
	if letters < 3 || place == "" {
		return 0, ""
	}
	var region string
	// A comma and a state or country in ordinary case.
	if i < len(body) && body[i] == ',' {
		j := i + 1
		for j < len(body) && j-start < maxDateline && (alnum[body[j]] || body[j] == ' ' || body[j] == '.') {
			j++
		}
		region = strings.TrimSpace(body[i+1 : j])
		i = j
	}
	if region == "" && letters < 4 {
		return 0, "" // "FCC —" opens a sentence about the agency
	}
	skipBlank := func() {
		for i < len(body) && body[i] == ' ' {
			i++
		}
	}
	skipBracket := func() {
		if i < len(body) && body[i] == '(' {
			if k := strings.IndexByte(body[i:], ')'); k > 0 && k < 40 {
				i += k + 1
			}
		}
	}
	dash := func() bool {
		for _, d := range []string{"—", "–", "--", "-"} {
			if strings.HasPrefix(body[i:], d) {
				i += len(d)
				return true
			}
		}
		return false
	}
	skipBlank()
	skipBracket()
	skipBlank()
	if !dash() {
		return 0, ""
	}
	// SEATTLE--(BUSINESS WIRE)--
	if j := i; strings.HasPrefix(body[i:], "(") {
		skipBracket()
		if !dash() {
			i = j
		}
	}
	code = places[placeKey(place)]
	if region != "" {
		// A U.S. state after the place decides: ATHENS, Ga. and LIMA, Ohio
		// are American towns.
		var buf [24]byte
		key := string(appendPlaceKey(buf[:0], region))
		if stateAbbrevs[key] && strings.HasSuffix(region, ".") || places[key] == usState {
			return i, "US"
		}
	}
	if code == "" && region != "" {
		var buf [24]byte
		key := string(appendPlaceKey(buf[:0], region))
		switch {
		case stateAbbrevs[key] && strings.HasSuffix(region, "."):
			code = "US"
		default:
			code = places[key]
		}
	}
	if code == usState {
		code = "US"
	}
	return i, code
}
