package feed

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// corpus is the feed corpus (testdata/feeds/README.md at the module root):
// real captures and other parsers' test documents, with their licences.
const corpus = "../../testdata/feeds"

// perFile bounds the time one document may take, even under -race on a
// loaded two-core machine; the slowest real feed (1.6 MB) takes about 0.2 s
// without the race detector.
const perFile = 10 * time.Second

func corpusDir(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(corpus, "README.md")); err != nil {
		t.Fatalf("feed corpus missing: %v", err)
	}
	return corpus
}

// isFeedFile reports whether path is a document of the corpus rather than an
// expected-output file, a licence or a manifest.
func isFeedFile(path string) bool {
	base := filepath.Base(path)
	switch {
	case strings.HasSuffix(base, "_expected.json"), base == "LICENSE", base == "README.md",
		strings.HasSuffix(base, ".tsv"), strings.HasPrefix(base, "."):
		return false
	case strings.HasSuffix(base, ".json") && strings.Contains(path, "gofeed/"):
		// gofeed keeps expected output as X.json beside X.xml; its JSON
		// Feed inputs live under a json/ folder.
		xml := strings.TrimSuffix(path, ".json") + ".xml"
		if _, err := os.Stat(xml); err == nil {
			return false
		}
	}
	return true
}

var headerLine = regexp.MustCompile(`(?mi)^Header:\s*Content-type:\s*(.*)$`)

// contentTypeOf returns the HTTP Content-Type a feedparser case assumes.
func contentTypeOf(body []byte) string {
	head := body[:min(len(body), 600)]
	if m := headerLine.FindSubmatch(head); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return ""
}

// reason classifies an error for the summary.
func reason(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrTooLarge):
		return "too large"
	case errors.Is(err, ErrNotFeed):
		s, _, _ := strings.Cut(err.Error(), ";")
		if i := strings.Index(s, "root <"); i >= 0 {
			return "not a feed: XML root"
		}
		if i := strings.Index(s, "starts with"); i >= 0 {
			return "not a feed: non-XML document"
		}
		return s
	default:
		s := err.Error()
		if i := strings.Index(s, " on line"); i >= 0 {
			s = s[:i]
		}
		return "error: " + s
	}
}

// eachCorpusFeed calls fn with every feed file of the corpus: its path
// under the corpus and its bytes.
func eachCorpusFeed(t *testing.T, fn func(rel string, body []byte)) {
	t.Helper()
	dir := corpusDir(t)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isFeedFile(path) {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fn(rel, body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCorpus(t *testing.T) {
	counts := map[string]int{}
	var files int
	eachCorpusFeed(t, func(rel string, body []byte) {
		files++
		start := time.Now()
		f, err := Parse(body, contentTypeOf(body), "http://example.org/feeds/"+filepath.Base(rel))
		if took := time.Since(start); took > perFile {
			t.Errorf("%s: took %v, over %v", rel, took, perFile)
		}
		r := reason(err)
		counts[r]++
		switch {
		case err == nil && f == nil:
			t.Errorf("%s: nil feed and nil error", rel)
		case err != nil && f != nil:
			t.Errorf("%s: feed and error both set", rel)
		case err != nil && !strings.Contains(err.Error(), ":") && !errors.Is(err, ErrNotFeed):
			t.Errorf("%s: error without a reason: %v", rel, err)
		}
		if testing.Verbose() && err != nil {
			t.Logf("%s: %v", rel, err)
		}
	})
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "%d corpus files:", files)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %5d  %s", counts[k], k)
	}
	t.Log(b.String())
	if files < 1000 {
		t.Errorf("walked only %d files; is the corpus complete?", files)
	}
}

// manifestRow is one line of realworld/MANIFEST.tsv.
type manifestRow struct {
	file, format, declared, traits, gofeed string
}

func readManifest(t *testing.T, dir string) []manifestRow {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, "realworld", "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 11 || c[0] == "file" {
			continue
		}
		rows = append(rows, manifestRow{file: c[0], format: c[7], declared: c[8], traits: c[9], gofeed: c[10]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCorpusManifest holds Parse to what realworld/MANIFEST.tsv records of
// plain gofeed: every document gofeed read gives at least as many items,
// and of those it failed on, the feeds now parse and the rest (HTML pages,
// OPML lists, other XML) are refused as ErrNotFeed.
func TestCorpusManifest(t *testing.T) {
	dir := corpusDir(t)
	rows := readManifest(t, dir)
	if len(rows) < 200 {
		t.Fatalf("manifest lists %d files", len(rows))
	}
	var recovered, refused int
	for _, r := range rows {
		body, err := os.ReadFile(filepath.Join(dir, "realworld", r.file))
		if err != nil {
			t.Errorf("%s: %v", r.file, err)
			continue
		}
		f, err := Parse(body, "", "https://feeds.example.net/"+filepath.Base(r.file))
		var n int
		if _, scanErr := fmt.Sscanf(r.gofeed, "ok %d items", &n); scanErr == nil {
			switch {
			case err != nil:
				t.Errorf("%s: gofeed read %d items, Parse failed: %v", r.file, n, err)
			case len(f.Items) < n:
				t.Errorf("%s: gofeed read %d items, Parse %d", r.file, n, len(f.Items))
			case len(f.Items) > n:
				t.Logf("%s (%s): gofeed read %d items, Parse %d", r.file, r.format, n, len(f.Items))
			}
			continue
		}
		switch r.format {
		case "html", "opml", "other-xml", "json(other)":
			if !errors.Is(err, ErrNotFeed) {
				t.Errorf("%s (%s): want ErrNotFeed, got %v", r.file, r.format, err)
			}
			refused++
		default:
			if err != nil {
				t.Errorf("%s (%s, %s; gofeed: %s): %v", r.file, r.format, r.traits, r.gofeed, err)
				continue
			}
			recovered++
			t.Logf("%s (%s; gofeed: %s): %d items, warnings %q", r.file, r.format, r.gofeed, len(f.Items), f.Warnings)
		}
	}
	t.Logf("of the documents plain gofeed failed on, %d now parse and %d are refused as not feeds", recovered, refused)
	if recovered < 6 {
		t.Errorf("only %d of gofeed's failures recovered, want the 6 feeds among them", recovered)
	}
}

// TestCorpusRealWorld checks a few real feeds where the expectation is
// simple to state.
func TestCorpusRealWorld(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "realworld")
	parse := func(rel string) *Feed {
		t.Helper()
		body, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(body, "", "https://feeds.example.net/"+filepath.Base(rel))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		return f
	}
	// FeedBurner click-counter links give way to the article's own URL.
	for _, it := range parse("feedjira/TechCrunch.xml").Items {
		if !strings.HasPrefix(it.Link, "http://techcrunch.com/") {
			t.Errorf("TechCrunch item link %q", it.Link)
		}
	}
	// One blog as Atom and as JSON Feed, captured together: the same
	// item titles (HTML in Atom, plain text in JSON), in the same order.
	var sets [2][]string
	for i, rel := range []string{"netnewswire/DaringFireball.atom", "netnewswire/DaringFireball.json"} {
		for _, it := range parse(rel).Items {
			sets[i] = append(sets[i], it.Title)
		}
	}
	if diff := cmp.Diff(sets[0], sets[1]); len(sets[0]) == 0 || diff != "" {
		t.Errorf("Daring Fireball titles, Atom (-) and JSON (+):\n%s", diff)
	}
}

// TestCorpusChardet checks the guess on feedparser's undeclared documents
// (illformed/chardet), named after their encoding.
func TestCorpusChardet(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "feedparser", "illformed", "chardet")
	want := map[string]string{
		"big5": "big5", "eucjp": "euc-jp", "euckr": "euc-kr", "gb2312": "gbk", "koi8r": "koi8-r",
		"shiftjis": "shift_jis", "tis620": "windows-874", "windows1255": "windows-1255",
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) != len(want) {
		t.Errorf("%d files in %s, want %d", len(files), dir, len(want))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".xml")
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(body, "", "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f.Encoding != want[name] {
			t.Errorf("%s: guessed %s, want %s", name, f.Encoding, want[name])
		}
		if f.Title == "" && len(f.Items) == 0 {
			t.Errorf("%s: neither title nor items", name)
		}
	}
}

// TestCorpusFields counts, over every feed of the corpus that parses, the
// items that came out with each field a published article needs, and holds
// the counts at or above what the parser reached (docs/feeds.md, "How well
// feeds are read"): a change that loses links, titles, dates or text on
// real documents fails here even when every document still parses.
func TestCorpusFields(t *testing.T) {
	type counts struct{ docs, items, link, title, date, text int }
	var c counts
	eachCorpusFeed(t, func(rel string, body []byte) {
		f, err := Parse(body, contentTypeOf(body), "https://feeds.example.net/"+filepath.Base(rel))
		if err != nil {
			return
		}
		c.docs++
		for _, it := range f.Items {
			c.items++
			if it.Link != "" {
				c.link++
			}
			if it.Title != "" {
				c.title++
			}
			if !it.Published.IsZero() {
				c.date++
			}
			if it.Summary != "" || it.Content != "" {
				c.text++
			}
		}
	})
	t.Logf("%d documents parsed, %d items: %d with a link, %d with a title, %d with a date, %d with text",
		c.docs, c.items, c.link, c.title, c.date, c.text)
	floor := counts{docs: 2030, items: 3904, link: 3153, title: 3171, date: 2969, text: 3177}
	for _, f := range []struct {
		what      string
		got, want int
	}{
		{"documents parsed", c.docs, floor.docs}, {"items", c.items, floor.items},
		{"items with a link", c.link, floor.link}, {"items with a title", c.title, floor.title},
		{"items with a date", c.date, floor.date}, {"items with text", c.text, floor.text},
	} {
		if f.got < f.want {
			t.Errorf("%s: %d, was at least %d", f.what, f.got, f.want)
		}
	}
}

// knownDateDifferences are feedparser's date cases read otherwise here, and
// why.
var knownDateDifferences = map[string]string{
	"2004년 05월 28일  01:31:15":    "no zone: read as UTC, where feedparser assumes Korea's",
	"2004-05-25 오후 11:23:17":     "Korean afternoon marker: a 2004 portal's format",
	"2004-július-13T9:15-05:00":  "Hungarian month inside ISO 8601: a 2004 blog's format",
	"-0312":                      "ISO 8601 two-digit years: no feed seen writing them",
	"031231":                     "ISO 8601 two-digit years",
	"03-12-31":                   "ISO 8601 two-digit years",
	"-03-12":                     "ISO 8601 two-digit years",
	"03335":                      "ISO 8601 two-digit year and day of year",
	"2003-012-31T10:14:55+00:00": "a three-digit month, one publisher's bug of 2004",
}

// TestCorpusFeedparserDates reads the date strings of feedparser's date
// parser tests (feedparser/dates.tsv) as an RSS pubDate and an Atom
// updated, and compares the instants with feedparser's.
func TestCorpusFeedparserDates(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir(t), "feedparser", "dates.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var cases, met int
	for _, line := range strings.Split(string(data), "\n") {
		c := strings.Split(line, "\t")
		if len(c) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		for _, body := range []string{
			`<rss version="2.0"><channel><title>T</title><item><title>x</title><pubDate>` + html.EscapeString(c[1]) + `</pubDate></item></channel></rss>`,
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>x</title><updated>` + html.EscapeString(c[1]) + `</updated></entry></feed>`,
		} {
			cases++
			f, err := Parse([]byte(body), "", "")
			if err != nil {
				t.Fatalf("%q: %v", c[1], err)
			}
			got := "none"
			if p := f.Items[0].Published; !p.IsZero() {
				got = p.Format(time.RFC3339)
			}
			switch {
			case got == c[2]:
				met++
			case knownDateDifferences[c[1]] != "":
				t.Logf("%s %q: %s, feedparser %s (%s)", f.Format, c[1], got, c[2], knownDateDifferences[c[1]])
			default:
				t.Errorf("%s %q: %s, feedparser %s", f.Format, c[1], got, c[2])
			}
		}
	}
	t.Logf("feedparser's date cases: %d of %d read to the same instant", met, cases)
	if cases < 120 {
		t.Errorf("only %d cases; is dates.tsv complete?", cases)
	}
}
