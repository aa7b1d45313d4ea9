package feed

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseListText(t *testing.T) {
	data := "\xEF\xBB\xBF# feeds we watch\r\nhttps://news.example.com/rss\r\n\r\n   # indented comment\n  http://blog.example.org/feed.xml  \n"
	got, err := ParseList("feeds.txt", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{{URL: "https://news.example.com/rss"}, {URL: "http://blog.example.org/feed.xml"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseListYAML(t *testing.T) {
	data := `# the operator's list
feeds:
  - url: https://news.example.com/rss
    name: example-news
    interval: 15m
    pages: false
    lang: en
    tags: [cloud, policy]
  - url: http://blog.example.org/feed.xml
`
	got, err := ParseList("feeds.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := []Source{
		{URL: "https://news.example.com/rss", Name: "example-news", Interval: 15 * time.Minute, Pages: &no, Lang: "en", Tags: []string{"cloud", "policy"}},
		{URL: "http://blog.example.org/feed.xml"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, err := ParseList("empty.yaml", nil); err != nil || len(got) != 0 {
		t.Errorf("empty YAML: %v, %v", got, err)
	}
}

func TestParseListOPML(t *testing.T) {
	data := `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Tech">
      <outline text="Cloud">
        <outline type="rss" text="Example News" xmlUrl="https://news.example.com/rss" language="en"/>
      </outline>
      <outline type="rss" text="Blog" XMLURL="http://blog.example.org/feed.xml" category="/Policy/EU,Weekly"/>
    </outline>
    <outline type="rss" text="Example News again" xmlUrl="https://news.example.com/rss"/>
    <outline text="a folder with no feed"/>
    <outline type="link" text="a web page" url="https://www.example.com/"/>
  </body>
</opml>`
	got, err := ParseList("subs.opml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{
		{URL: "https://news.example.com/rss", Name: "Example News", Lang: "en", Tags: []string{"Tech", "Cloud"}},
		{URL: "http://blog.example.org/feed.xml", Name: "Blog", Tags: []string{"Tech", "Policy/EU", "Weekly"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseListDetects(t *testing.T) {
	tests := []struct{ name, data, url string }{
		{"list", "https://a.example/feed\n", "https://a.example/feed"},
		{"feeds.conf", "# comment\nfeeds:\n  - url: https://a.example/feed\n", "https://a.example/feed"},
		{"subscriptions", "\n  <opml version=\"1.0\"><body><outline xmlUrl=\"https://a.example/feed\"/></body></opml>", "https://a.example/feed"},
		{"feeds.xml", "<opml version=\"1.0\"><body><outline xmlUrl=\"https://a.example/feed\"/></body></opml>", "https://a.example/feed"},
	}
	for _, tt := range tests {
		got, err := ParseList(tt.name, []byte(tt.data))
		if err != nil || len(got) != 1 || got[0].URL != tt.url {
			t.Errorf("%s: %+v, %v", tt.name, got, err)
		}
	}
}

func TestParseListErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string // each must appear in the error
	}{
		{"feeds.txt", "https://ok.example/rss\n/relative/feed\nftp://files.example/rss\nhttps://a.example/x https://b.example/y\nhttps://ok.example/rss\nhttp://\n",
			[]string{"feeds.txt:2: ", "/relative/feed", "feeds.txt:3: ", "ftp://files.example/rss", "feeds.txt:4: want one URL a line", "feeds.txt:5: https://ok.example/rss already listed on line 1", "feeds.txt:6: "}},
		{"feeds.yaml", "feeds:\n  - url: https://ok.example/rss\n    nmae: typo\n", []string{"feeds.yaml:3: ", "nmae"}},
		{"feeds.yaml", "feeds:\n  - url: https://ok.example/rss\n  - url: mailto:x@example.com\n  - name: no-url\n  - url: https://ok.example/rss\n",
			[]string{"feeds.yaml:3: ", "mailto:x@example.com", "feeds.yaml:4: empty URL", "feeds.yaml:5: https://ok.example/rss already listed on line 2"}},
		{"feeds.yaml", "feeds:\n  - url: https://ok.example/rss\n    interval: soon\n", []string{"feeds.yaml:3: ", "soon"}},
		{"feeds.yaml", "feeds:\n  - url: https://ok.example/rss\n    interval: -5m\n", []string{"feeds.yaml:2: negative interval"}},
		{"feeds.yaml", "feeds: [\n", []string{"feeds.yaml:"}},
		{"feeds.yaml", "sources:\n  - url: https://ok.example/rss\n", []string{"feeds.yaml:1: ", "sources"}},
		{"subs.opml", "<opml version=\"1.0\"><body>\n<outline xmlUrl=\"https://ok.example/rss\"/>\n<outline xmlUrl=\"|~/fetch.py\"/>\n</body></opml>", []string{"subs.opml:3: ", "|~/fetch.py"}},
		{"subs.opml", "<?xml version=\"1.0\"?>\n<not-opml><body><outline xmlUrl=\"https://ok.example/rss\"/></body></not-opml>", []string{"subs.opml:2: root element <not-opml>"}},
		{"subs.opml", "<opml><body><outline xmlUrl=\"https://ok.example/rss\">", []string{"subs.opml:1: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseList(tt.name, []byte(tt.data))
			if err == nil {
				t.Fatalf("no error; sources %+v", got)
			}
			if got != nil {
				t.Errorf("sources returned with an error: %+v", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(path, []byte("feeds:\n  - url: https://a.example/rss\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadList(path)
	if err != nil || len(got) != 1 {
		t.Errorf("LoadList: %+v, %v", got, err)
	}
	if _, err := LoadList(filepath.Join(dir, "missing.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#\n"), MaxList/2+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadList(big); err == nil || !strings.Contains(err.Error(), big) {
		t.Errorf("oversized list: %v", err)
	}
}

func TestWriteOPML(t *testing.T) {
	yes := true
	sources := []Source{
		{URL: "https://news.example.com/rss?a=1&b=2", Name: "example-news", Lang: "en", Tags: []string{"cloud", "policy"}, Pages: &yes},
		{URL: "http://blog.example.org/feed.xml"},
	}
	var b bytes.Buffer
	if err := WriteOPML(&b, "newsmon <feeds> & more", sources); err != nil {
		t.Fatal(err)
	}
	got, err := ParseList("out.opml", b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	// OPML keeps URL, name, language and tags; polling settings have no
	// place there.
	want := []Source{
		{URL: sources[0].URL, Name: "example-news", Lang: "en", Tags: []string{"cloud", "policy"}},
		{URL: sources[1].URL},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, b.String())
	}
	if !strings.Contains(b.String(), `<title>newsmon &lt;feeds&gt; &amp; more</title>`) {
		t.Errorf("title not escaped:\n%s", b.String())
	}
}

// TestCorpusOPML loads the OPML lists of the corpus: every xmlUrl that is
// an http(s) URL is listed once, and lists with other URLs fail naming the
// line.
func TestCorpusOPML(t *testing.T) {
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "realworld", "*", "*.opml"))
	if len(files) < 8 {
		t.Fatalf("%d OPML files", len(files))
	}
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadList(path)
		if err != nil {
			if !strings.Contains(err.Error(), path+":") {
				t.Errorf("%s: error without file:line: %v", rel, err)
			}
			t.Logf("%s: %v", rel, err)
			continue
		}
		urls := map[string]bool{}
		for _, m := range opmlURL.FindAllSubmatch(data, -1) {
			urls[strings.TrimSpace(string(m[1]))] = true
		}
		if len(got) != len(urls) {
			t.Errorf("%s: %d sources, file has %d distinct xmlUrl", rel, len(got), len(urls))
		}
		t.Logf("%s: %d feeds", rel, len(got))
	}
}

var opmlURL = regexp.MustCompile(`(?i)xmlUrl="([^"]*)"`)

func FuzzParseList(f *testing.F) {
	f.Add("feeds.txt", []byte("# c\nhttps://a.example/rss\n"))
	f.Add("feeds.yaml", []byte("feeds:\n  - url: https://a.example/rss\n    interval: 5m\n    tags: [x]\n"))
	f.Add("subs.opml", []byte(`<opml><body><outline text="t"><outline xmlUrl="https://a.example/rss" category="/a/b,c"/></outline></body></opml>`))
	f.Add("x", []byte("feeds: &a [*a]"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		got, err := ParseList(name, data)
		if err != nil {
			if got != nil {
				t.Errorf("sources and error: %v", err)
			}
			return
		}
		for _, s := range got {
			if _, err := checkURL(s.URL); err != nil {
				t.Errorf("source with a bad URL: %v", err)
			}
		}
	})
}

// Per-feed request settings: secrets named, never written; every mistake
// named with its file and line.
func TestParseListAccess(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(secretFile, []byte("pa55\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WIRE_COOKIES", "session=abc; consent=1")
	data := `feeds:
  - url: https://wire.example/rss
    user_agent: "Mozilla/5.0 (compatible; newsmon)"
    headers: {Accept-Language: en}
    proxy: http://proxy.internal:3128
    cookies_env: WIRE_COOKIES
    basic_auth: {user: reader, password_file: ` + secretFile + `}
`
	got, err := ParseList("feeds.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	a := got[0].Access
	if a.UserAgent != "Mozilla/5.0 (compatible; newsmon)" || a.Proxy != "http://proxy.internal:3128" || a.User != "reader" {
		t.Errorf("access %+v", a)
	}
	h, err := a.Header(true)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("Cookie") != "session=abc; consent=1" || h.Get("Authorization") != "Basic cmVhZGVyOnBhNTU=" || h.Get("Accept-Language") != "en" {
		t.Errorf("headers %v", h)
	}
	if h, _ := a.Header(false); h.Get("Cookie") != "" || h.Get("Authorization") != "" || h.Get("Accept-Language") != "en" {
		t.Errorf("headers for another host %v: want the plain ones only", h)
	}

	bad := `feeds:
  - url: https://a.example/rss
    basic_auth: {user: u, password: hunter2}
  - url: https://b.example/rss
    cookies: {session: abc}
  - url: https://c.example/rss
    headers: {Authorization: Bearer x}
  - url: https://d.example/rss
    cookies_env: NEWSMON_TEST_UNSET_VARIABLE
  - url: https://e.example/rss
    proxy: ftp://p
  - url: https://f.example/rss
    basic_auth: {user: u}
`
	_, err = ParseList("feeds.yaml", []byte(bad))
	if err == nil {
		t.Fatal("a list with secrets in it was accepted")
	}
	for _, want := range []string{
		"feeds.yaml:2: https://a.example/rss: basic_auth: a password is never in the list",
		"feeds.yaml:4: https://b.example/rss: cookies: never in the list",
		"feeds.yaml:6: https://c.example/rss: headers: Authorization is a credential",
		"feeds.yaml:8: https://d.example/rss: cookies: environment variable NEWSMON_TEST_UNSET_VARIABLE is not set",
		`feeds.yaml:10: https://e.example/rss: proxy "ftp://p"`,
		"feeds.yaml:12: https://f.example/rss: basic_auth: name password_env or password_file",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Error("the error repeats the password")
	}
}
