package rules

import "strings"

// This file makes the other forms of words at compile time, so that
// matching stays a lookup: inflections of the quoted words of rules ("ban"
// also finds bans, banned, banning) and other spellings of aliases
// (Commerce Dept., F.C.C.).

// maxInflections caps the forms one quoted phrase expands to.
const maxInflections = 64

// uninflected words are left as written in a phrase: particles and
// function words ("phase out", "stop using").
var uninflected = map[string]bool{
	"out": true, "off": true, "on": true, "in": true, "up": true, "down": true, "of": true, "the": true,
	"a": true, "an": true, "and": true, "or": true, "to": true, "for": true, "with": true, "from": true,
	"by": true, "over": true, "into": true, "away": true, "back": true, "not": true, "no": true, "its": true,
	"their": true, "as": true, "at": true, "against": true, "would": true, "should": true, "will": true,
	"data": true, "us": true, "s": true,
}

// irregular past forms of the verbs of bans and curbs.
var irregular = map[string][]string{
	"keep": {"kept"}, "cut": {"cut"}, "shut": {"shut"}, "put": {"put"}, "set": {"set"}, "hold": {"held"},
	"withhold": {"withheld"}, "forbid": {"forbade", "forbidden"}, "freeze": {"froze", "frozen"},
	"take": {"took", "taken"}, "sell": {"sold"}, "buy": {"bought"}, "bar": {"barred"}, "ban": {"banned"},
	"spy": {"spied"}, "rip": {"ripped"}, "drop": {"dropped"}, "stop": {"stopped"}, "bid": {"bid"},
	"tell": {"told"}, "write": {"wrote", "written"}, "seek": {"sought"}, "draw": {"drew", "drawn"},
}

// inflections returns the other forms of a phrase: each word that may
// inflect (lower-case letters only, not a function word) in its plural or
// third person, past and -ing forms, and its base form when it is written
// inflected. Forms that are not words do no harm: they never occur.
func inflections(norm, exact []string) [][]string {
	choices := make([][]string, len(norm))
	total := 1
	for i, w := range norm {
		choices[i] = []string{w}
		if (exact != nil && exact[i] != "") || uninflected[w] || !lowerLetters(w) || len(w) < 2 {
			continue
		}
		choices[i] = wordForms(w)
		total *= len(choices[i])
	}
	if total > maxInflections {
		// Long phrases: inflect the first and last words only, where
		// verbs ("phase out") and plurals ("export controls") sit.
		for i := 1; i < len(norm)-1; i++ {
			choices[i] = choices[i][:1]
		}
	}
	var out [][]string
	var walk func(i int, cur []string)
	walk = func(i int, cur []string) {
		if len(out) >= maxInflections {
			return
		}
		if i == len(norm) {
			if !equalWords(cur, norm) {
				out = append(out, append([]string(nil), cur...))
			}
			return
		}
		for _, f := range choices[i] {
			walk(i+1, append(cur, f))
		}
	}
	walk(0, make([]string, 0, len(norm)))
	return out
}

// wordForms returns w first, then its other forms.
func wordForms(w string) []string {
	forms := []string{w}
	seen := map[string]bool{w: true}
	add := func(f string) {
		if len(f) >= 2 && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	for _, b := range bases(w) {
		add(b)
		for _, f := range inflect(b) {
			add(f)
		}
	}
	return forms
}

// bases guesses the base forms of a word that may be written inflected.
func bases(w string) []string {
	out := []string{w}
	n := len(w)
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		out = append(out, w[:n-3]+"y")
	case strings.HasSuffix(w, "es") && n > 4:
		out = append(out, w[:n-2], w[:n-1])
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && n > 3:
		out = append(out, w[:n-1])
	case strings.HasSuffix(w, "ied") && n > 4:
		out = append(out, w[:n-3]+"y")
	case strings.HasSuffix(w, "ed") && n > 4:
		out = append(out, w[:n-2], w[:n-1])
		if w[n-3] == w[n-4] {
			out = append(out, w[:n-3]) // barred: bar
		}
	case strings.HasSuffix(w, "ing") && n > 5:
		out = append(out, w[:n-3], w[:n-3]+"e")
		if w[n-4] == w[n-5] {
			out = append(out, w[:n-4]) // banning: ban
		}
	}
	for base, past := range irregular {
		for _, p := range past {
			if p == w {
				out = append(out, base)
			}
		}
	}
	return out
}

// inflect returns the -s, past and -ing forms of a base word.
func inflect(b string) []string {
	n := len(b)
	last := b[n-1]
	var out []string
	// -s
	switch {
	case strings.HasSuffix(b, "s") || strings.HasSuffix(b, "x") || strings.HasSuffix(b, "z") ||
		strings.HasSuffix(b, "ch") || strings.HasSuffix(b, "sh"):
		out = append(out, b+"es")
	case last == 'y' && n > 1 && !isVowel(b[n-2]):
		out = append(out, b[:n-1]+"ies")
	default:
		out = append(out, b+"s")
	}
	// past and -ing
	switch {
	case last == 'e':
		out = append(out, b+"d", b[:n-1]+"ing")
	case last == 'y' && n > 1 && !isVowel(b[n-2]):
		out = append(out, b[:n-1]+"ied", b+"ing")
	default:
		out = append(out, b+"ed", b+"ing")
		if cvc(b) {
			out = append(out, b+string(last)+"ed", b+string(last)+"ing")
		}
	}
	out = append(out, irregular[b]...)
	return out
}

// cvc: a short word ending consonant, vowel, consonant doubles its last
// letter before -ed and -ing (ban, banned).
func cvc(b string) bool {
	n := len(b)
	if n < 3 || n > 5 {
		return false
	}
	c := b[n-1]
	return !isVowel(c) && c != 'w' && c != 'x' && c != 'y' && isVowel(b[n-2]) && !isVowel(b[n-3])
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

func lowerLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// spelling is another way of writing an alias.
type spelling struct {
	norm, exact []string
	// regional: written the other side of the Atlantic's way (Defence
	// for Defense): a body's name so spelt is another country's unless
	// the text names the body's own (sense.go).
	regional bool
}

// wordSpellings are words that wire copy writes in more than one way.
var wordSpellings = map[string][]string{
	"department": {"dept"}, "centre": {"center"}, "center": {"centre"}, "defense": {"defence"},
	"defence": {"defense"}, "organization": {"organisation"}, "organisation": {"organization"},
	"program": {"programme"}, "programme": {"program"}, "labor": {"labour"}, "labour": {"labor"},
}

// regionalSpelling: the other spellings above that are American or
// British usage rather than abbreviation.
func regionalSpelling(w string) bool { return w != "department" }

// maxSpellings caps the other spellings of one alias.
const maxSpellings = 8

// spellings returns the other spellings of an alias: a word written in
// another way (Dept. for Department, Centre for Center), an acronym with
// dots (F.C.C. for FCC: for a public body's acronyms, which wire copy
// writes that way; a firm's may be listed with dots as an alias) and one
// without (US for U.S.).
func spellings(norm, exact []string, dotted bool) []spelling {
	var out []spelling
	add := func(n, e []string, regional bool) {
		if len(out) < maxSpellings && !equalWords(n, norm) {
			out = append(out, spelling{n, e, regional})
		}
	}
	for i, w := range norm {
		for _, alt := range wordSpellings[w] {
			n := append(append(append([]string(nil), norm[:i]...), alt), norm[i+1:]...)
			var e []string
			if exact != nil {
				e = append([]string(nil), exact...)
				if e[i] != "" {
					e[i] = recase(alt, e[i])
				}
			}
			add(n, e, regionalSpelling(w))
		}
	}
	if exact == nil {
		return out
	}
	// F.C.C. for FCC: the scanner reads it as three one-letter words. Not
	// for acronyms starting with A or I, which would make the commonest
	// one-letter words of English start phrases.
	for i, e := range exact {
		if !dotted || len(e) < 3 || len(e) > 4 || !isAcronym(e) || !asciiUpper(e) || e[0] == 'A' || e[0] == 'I' {
			continue
		}
		var n, x []string
		n, x = append(n, norm[:i]...), append(x, exact[:i]...)
		for j := 0; j < len(e); j++ {
			n, x = append(n, strings.ToLower(e[j:j+1])), append(x, e[j:j+1])
		}
		n, x = append(n, norm[i+1:]...), append(x, exact[i+1:]...)
		add(n, x, false)
	}
	// US for U.S.: a run of one-letter capitals, written with dots.
	for i := 0; i < len(exact); {
		j := i
		for j < len(exact) && len(exact[j]) == 1 && exact[j][0] >= 'A' && exact[j][0] <= 'Z' {
			j++
		}
		if j-i >= 2 {
			joined := strings.Join(exact[i:j], "")
			n := append(append(append([]string(nil), norm[:i]...), strings.ToLower(joined)), norm[j:]...)
			x := append(append(append([]string(nil), exact[:i]...), joined), exact[j:]...)
			add(n, x, false)
			i = j
			continue
		}
		i++
	}
	return out
}

// recase writes alt in the case pattern of like: DEPT, Dept or dept.
func recase(alt, like string) string {
	switch {
	case like == strings.ToUpper(like):
		return strings.ToUpper(alt)
	case like[:1] == strings.ToUpper(like[:1]):
		return strings.ToUpper(alt[:1]) + alt[1:]
	}
	return alt
}

func asciiUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
