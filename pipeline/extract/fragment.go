package extract

import (
	"html"
	"strings"

	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FragmentText turns an HTML fragment (a feed item's content or summary,
// which holds anything from plain text to a whole page) into plain text,
// printed as article bodies are: each block a paragraph, paragraphs
// separated by one blank line, white space collapsed, scripts, styles and
// other non-text elements dropped. Unlike Extract it removes no
// boilerplate: the fragment is taken as all content. Text with no markup
// keeps its own blank-line paragraphs. This is the one HTML-to-text
// conversion of the pipeline; its output for a given input is stable.
func FragmentText(fragment string) string {
	if !strings.Contains(fragment, "<") {
		return plainParagraphs(html.UnescapeString(fragment))
	}
	body := &nethtml.Node{Type: nethtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := nethtml.ParseFragment(strings.NewReader(string(stripRaw([]byte(fragment)))), body)
	if err != nil {
		// Nested deeper than the parser allows: drop the excess tags.
		nodes, err = nethtml.ParseFragment(strings.NewReader(string(flatten(stripRaw([]byte(fragment))))), body)
		if err != nil {
			return ""
		}
	}
	r := renderer{headlines: true}
	for _, n := range nodes {
		r.block(n, 0)
	}
	r.flush()
	var out strings.Builder
	for _, p := range r.paras {
		if out.Len() > 0 {
			out.WriteString("\n\n")
		}
		out.WriteString(p.text)
	}
	return out.String()
}

// plainParagraphs collapses white space inside paragraphs and separates
// paragraphs (split at blank lines) by exactly one blank line.
func plainParagraphs(s string) string {
	var paras []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}
