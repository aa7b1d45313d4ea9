package fulltext

import (
	"strings"
)

// matches reports which tokens of a column are part of an instance of a
// phrase the query looks for.
func (q *Query) matches(toks []token, col int) []bool {
	hit := make([]bool, len(toks))
	for _, m := range q.marks {
		if m.cols&col == 0 {
			continue
		}
		for i := range toks {
			if m.initial && i > 0 {
				break
			}
			if i+len(m.terms) > len(toks) {
				break
			}
			ok := true
			for k, t := range m.terms {
				tk := toks[i+k].term
				if tk != t && !(m.prefix[k] && strings.HasPrefix(tk, t)) {
					ok = false
					break
				}
			}
			if ok {
				for k := range m.terms {
					hit[i+k] = true
				}
			}
		}
	}
	return hit
}

// markRuns writes s[from:to] with each run of neighbouring tokens the query
// looks for between start and end.
func markRuns(b *strings.Builder, s string, toks []token, hit []bool, from, to int, start, end string) {
	at := from
	for i := 0; i < len(toks); i++ {
		if !hit[i] || toks[i].start < from || toks[i].end > to {
			continue
		}
		j := i
		for j+1 < len(toks) && hit[j+1] && toks[j+1].end <= to {
			j++
		}
		b.WriteString(s[at:toks[i].start])
		b.WriteString(start)
		b.WriteString(s[toks[i].start:toks[j].end])
		b.WriteString(end)
		at = toks[j].end
		i = j
	}
	b.WriteString(s[at:to])
}

// Highlight returns the title with the query's tokens between start and
// end.
func (q *Query) Highlight(title, start, end string) string {
	toks := spans(title)
	var b strings.Builder
	markRuns(&b, title, toks, q.matches(toks, colTitle), 0, len(title), start, end)
	return b.String()
}

// Snippet returns the stretch of about n tokens of text where the query's
// tokens are densest, marked like Highlight, with ellipsis where it cuts
// the text.
func (q *Query) Snippet(text, start, end, ellipsis string, n int) string {
	toks := spans(text)
	if len(toks) == 0 {
		return ""
	}
	hit := q.matches(toks, colText)
	// The window with the most distinct terms found, then the most hits;
	// it opens a little before its first hit.
	best, bestScore := 0, -1
	for i := range toks {
		if !hit[i] {
			continue
		}
		from := max(0, min(i-n/8, len(toks)-n))
		seen := map[string]bool{}
		count := 0
		for j := from; j < min(from+n, len(toks)); j++ {
			if hit[j] {
				seen[toks[j].term] = true
				count++
			}
		}
		if sc := len(seen)*1000 + count; sc > bestScore {
			best, bestScore = from, sc
		}
	}
	last := min(best+n, len(toks)) - 1
	from, to := toks[best].start, toks[last].end
	if best == 0 {
		from = 0
	}
	if last == len(toks)-1 {
		to = len(text)
	}
	var b strings.Builder
	if best > 0 {
		b.WriteString(ellipsis)
	}
	markRuns(&b, text, toks, hit, from, to, start, end)
	if last < len(toks)-1 {
		b.WriteString(ellipsis)
	}
	return b.String()
}
