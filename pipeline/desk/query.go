package desk

import (
	"strings"
)

// maxQueryBytes caps a search query.
const maxQueryBytes = 1024

// ftsQuery turns what an analyst types into a query of FTS5's language,
// which package fulltext reads. The syntax passes through: "phrases", AND, OR, NOT, parentheses, NEAR(a b, 5),
// prefix*, and title: or text: before a word. A word with punctuation that
// FTS5 would refuse (U.S., Wi-Fi, AT&T) becomes a phrase of its parts, so
// only queries that are wrong in their structure (an unclosed quote, AND
// with nothing after it, NOT at the start) are refused by the parser.
func ftsQuery(q string) (string, error) {
	if len(q) > maxQueryBytes {
		return "", &BadQueryError{Query: q[:64] + "…", Reason: "longer than 1024 bytes"}
	}
	if strings.TrimSpace(q) == "" {
		return "", &BadQueryError{Query: q, Reason: "empty query"}
	}
	var out []string
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			// A phrase, with "" inside for a quote; passed as it is, so an
			// unclosed one is the parser's to report.
			j := i + 1
			for j < len(q) {
				if q[j] == '"' {
					if j+1 < len(q) && q[j+1] == '"' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			if end < len(q) && q[end] == '*' {
				end++
			}
			out = append(out, q[i:end])
			i = end
		case c == '(' || c == ')' || c == ',' || c == '+' || c == '^':
			out = append(out, string(c))
			i++
		default:
			j := i
			for j < len(q) && !strings.ContainsRune(" \t\n\r\"(),", rune(q[j])) {
				j++
			}
			out = append(out, word(q[i:j]))
			i = j
		}
	}
	return strings.Join(out, " "), nil
}

// word passes an FTS5 bareword, operator, prefix or column filter, and
// quotes anything else.
func word(w string) string {
	switch w {
	case "AND", "OR", "NOT", "NEAR":
		return w
	}
	if col, rest, ok := strings.Cut(w, ":"); ok && (col == "title" || col == "text") {
		if rest == "" {
			return col + " :"
		}
		return col + " : " + word(rest)
	}
	if base, ok := strings.CutSuffix(w, "*"); ok && bare(base) {
		return w
	}
	if bare(w) {
		return w
	}
	return `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
}

// bare reports whether FTS5 reads w as one bareword: letters and digits of
// ASCII, '_', and any non-ASCII character.
func bare(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 || c == '_' || c == 0x1a || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			continue
		}
		return false
	}
	return true
}
