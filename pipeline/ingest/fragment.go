package ingest

import (
	"strings"

	"golang.org/x/net/html"
)

// blockTags end a paragraph in feed HTML.
var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true,
	"tr": true, "section": true, "article": true, "figure": true, "hr": true,
}

// FragmentText turns the HTML of a feed item's content or summary into plain
// text, paragraphs separated by blank lines. Feeds put anything from plain
// text to whole pages there; script and style contents are dropped.
func FragmentText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return normalizeParagraphs(fragment)
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return normalizeParagraphs(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case tag == "script" || tag == "style":
				skip++
			case blockTags[tag]:
				b.WriteString("\n\n")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case (tag == "script" || tag == "style") && skip > 0:
				skip--
			case blockTags[tag]:
				b.WriteString("\n\n")
			}
		}
	}
}

// normalizeParagraphs folds white space inside paragraphs and separates
// paragraphs by exactly one blank line.
func normalizeParagraphs(s string) string {
	var paras []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}
