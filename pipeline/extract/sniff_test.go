package extract

import (
	"errors"
	"strings"
	"testing"
)

// TestSniff covers saved and served pages whose first bytes hide that they
// are HTML, and the documents that must still be refused.
func TestSniff(t *testing.T) {
	const story = `<p>The regulator approved the merger of the two cloud providers on Friday after a review of eleven months.</p>`
	script := "<script>\n" + strings.Repeat("var tracking = window.tracking || []; tracking.push({event: 'view'});\n", 60) + "</script>\n"
	cases := []struct {
		name, ctype, body string
		html              bool
	}{
		{"comment then 4 KB of script, no type", "",
			"<!--\n  saved page, build 20240101\n-->\n" + script + "<html><head><title>x</title></head><body>" + story + "</body></html>", true},
		{"conditional comment then script, octet-stream", "application/octet-stream",
			"<!--[if lt IE 9]><script src=html5.js></script><![endif]-->\n" + script + "<div class=story>" + story + "</div>", true},
		{"stray xml line served as text/html", "text/html; charset=utf-8",
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE html>\n<body>" + story + "</body>", true},
		{"stray xml line, no type, html far down", "",
			`<?xml version="1.0"?>` + "\n<!-- " + strings.Repeat("x", 5000) + " -->\n<html><body>" + story + "</body></html>", true},
		{"BOM and blank lines", "", "\ufeff\n\n  \n<html><body>" + story + "</body></html>", true},
		{"text/plain header on a page", "text/plain", script + "<body>" + story + "</body>", true},
		{"rss behind a comment", "", "<!-- generated -->\n<rss version=\"2.0\"><channel><title>t</title></channel></rss>", false},
		{"atom declared xml", "application/xml", `<?xml version="1.0"?>` + "\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>", false},
		{"sitemap", "", `<?xml version="1.0"?><urlset><url><loc>https://example.com/</loc></url></urlset>`, false},
		{"unknown xml root", "text/xml", `<?xml version="1.0"?><catalog><book>t</book></catalog>`, false},
		{"pdf served as text/html", "text/html", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", false},
		{"gif served as text/html", "text/html", "GIF89a\x01\x00\x01\x00\x00\x00\x00", false},
		{"json", "", `  [{"title": "<b>x</b>"}]`, false},
		{"declared image", "image/png", "<html><body>" + story + "</body></html>", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Extract([]byte(c.body), c.ctype, "https://example.com/a")
			switch {
			case c.html && err != nil:
				t.Fatalf("refused: %v", err)
			case c.html && !strings.Contains(d.Text, "approved the merger"):
				t.Errorf("text = %q", d.Text)
			case !c.html && !errors.Is(err, ErrNotHTML):
				t.Fatalf("err = %v, want ErrNotHTML", err)
			}
		})
	}
}
