package feed

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxList is the largest feed-list file LoadList reads.
const MaxList = 8 << 20

// Source is one feed of the operator's list (the --feeds file).
type Source struct {
	URL      string
	Name     string        // source name for the subject news.articles.<source>; "" = derive from host
	Interval time.Duration // 0 = default
	Pages    *bool         // fetch article pages (nil = default true) or use feed content
	Lang     string
	Tags     []string
	Access   Access // how to request it: user agent, headers, proxy, cookies, basic auth (YAML lists)
}

// LoadList reads a feed list file; see ParseList.
func LoadList(path string) ([]Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxList+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxList {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxList)
	}
	return ParseList(path, data)
}

// ParseList reads a feed list in one of three formats, told apart by the
// file name's extension or else by the content:
//
//   - text: one URL a line; blank lines and lines starting with # are skipped;
//   - OPML: the xmlUrl of every outline, however deeply nested, named by
//     its own title (the ingester makes a subject token of it), with the
//     titles of the enclosing outlines and its category attribute as tags
//     and its language attribute as Lang;
//   - YAML: a document "feeds: [{url, name, interval, pages, lang, tags}]",
//     unknown keys being errors.
//
// Every URL must be an absolute http or https URL. Errors read
// "name:line: reason", every problem of the file joined. A URL listed twice
// is an error, except in OPML, where readers export a feed once per folder
// it sits in and the copies are merged.
func ParseList(name string, data []byte) ([]Source, error) {
	switch listFormat(name, data) {
	case "opml":
		return parseOPML(name, data)
	case "yaml":
		return parseYAML(name, data)
	default:
		return parseText(name, data)
	}
}

func listFormat(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".opml", ".xml":
		return "opml"
	case ".yaml", ".yml":
		return "yaml"
	case ".txt", ".list":
		return "text"
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte("<")) {
		return "opml"
	}
	for line := range strings.SplitSeq(string(trimmed), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "feeds:") || strings.HasPrefix(line, "---") {
			return "yaml"
		}
		break
	}
	return "text"
}

// checkURL validates a feed URL and returns it trimmed.
func checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("URL %q: want an absolute http(s) URL", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("URL %q: no host", raw)
	}
	return raw, nil
}

func parseText(name string, data []byte) ([]Source, error) {
	var (
		out  []Source
		errs []error
		seen = map[string]int{}
	)
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))))
	sc.Buffer(nil, 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.ContainsAny(line, " \t") {
			errs = append(errs, fmt.Errorf("%s:%d: want one URL a line, got %q", name, n, line))
			continue
		}
		u, err := checkURL(line)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %v", name, n, err))
			continue
		}
		if first, dup := seen[u]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: %s already listed on line %d", name, n, u, first))
			continue
		}
		seen[u] = n
		out = append(out, Source{URL: u})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// yamlList is the YAML form of a feed list.
type yamlList struct {
	Feeds []yamlSource `yaml:"feeds"`
}

type yamlSource struct {
	URL         string            `yaml:"url"`
	Name        string            `yaml:"name"`
	Interval    time.Duration     `yaml:"interval"`
	Pages       *bool             `yaml:"pages"`
	Lang        string            `yaml:"lang"`
	Tags        []string          `yaml:"tags"`
	UserAgent   string            `yaml:"user_agent"`
	Headers     map[string]string `yaml:"headers"`
	Proxy       string            `yaml:"proxy"`
	CookiesEnv  string            `yaml:"cookies_env"`
	CookiesFile string            `yaml:"cookies_file"`
	Cookies     any               `yaml:"cookies"` // refused: cookies are secrets
	BasicAuth   *yamlAuth         `yaml:"basic_auth"`
}

type yamlAuth struct {
	User         string `yaml:"user"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	Password     string `yaml:"password"` // refused: never in the list
}

// access reads the per-feed request settings of an entry.
func (s yamlSource) access() (Access, error) {
	a := Access{UserAgent: strings.TrimSpace(s.UserAgent), Headers: s.Headers, Proxy: strings.TrimSpace(s.Proxy),
		CookiesEnv: s.CookiesEnv, CookiesFile: s.CookiesFile}
	var errs []error
	if s.Cookies != nil {
		errs = append(errs, errors.New("cookies: never in the list: name cookies_env or cookies_file"))
	}
	if b := s.BasicAuth; b != nil {
		if b.Password != "" {
			errs = append(errs, errors.New("basic_auth: a password is never in the list: name password_env or password_file"))
		}
		a.User, a.PasswordEnv, a.PasswordFile = b.User, b.PasswordEnv, b.PasswordFile
	}
	if len(errs) == 0 {
		if err := a.check(); err != nil {
			errs = append(errs, err)
		}
	}
	return a, errors.Join(errs...)
}

func parseYAML(name string, data []byte) ([]Source, error) {
	var list yamlList
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // an empty file lists no feeds
		}
		return nil, yamlErr(name, err)
	}
	// A second pass over the node tree gives each entry its line number.
	var doc yaml.Node
	_ = yaml.Unmarshal(data, &doc)
	lines := entryLines(&doc)
	var (
		out  []Source
		errs []error
		seen = map[string]int{}
	)
	for i, s := range list.Feeds {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		at := fmt.Sprintf("%s:%d", name, line)
		u, err := checkURL(s.URL)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", at, err))
			continue
		}
		if s.Interval < 0 {
			errs = append(errs, fmt.Errorf("%s: negative interval %v", at, s.Interval))
			continue
		}
		if first, dup := seen[u]; dup {
			errs = append(errs, fmt.Errorf("%s: %s already listed on line %d", at, u, first))
			continue
		}
		access, err := s.access()
		if err != nil {
			for _, e := range unjoin(err) {
				errs = append(errs, fmt.Errorf("%s: %s: %v", at, u, e))
			}
			continue
		}
		seen[u] = line
		out = append(out, Source{URL: u, Name: strings.TrimSpace(s.Name), Interval: s.Interval,
			Pages: s.Pages, Lang: strings.TrimSpace(s.Lang), Tags: s.Tags, Access: access})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// yamlErr rewrites yaml's "line N: reason" as "name:N: reason".
func yamlErr(name string, err error) error {
	at := func(msg string) error {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			return fmt.Errorf("%s:%s", name, rest)
		}
		return fmt.Errorf("%s: %s", name, msg)
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, 0, len(te.Errors))
		for _, e := range te.Errors {
			errs = append(errs, at(e))
		}
		return errors.Join(errs...)
	}
	return at(err.Error())
}

// entryLines returns the line of each element of the top-level feeds list.
func entryLines(doc *yaml.Node) []int {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "feeds" {
			var lines []int
			for _, e := range m.Content[i+1].Content {
				lines = append(lines, e.Line)
			}
			return lines
		}
	}
	return nil
}

// opmlList collects the feeds of an OPML document as parseOPML reads it.
type opmlList struct {
	name   string
	out    []Source
	index  map[string]int // out's position of each URL
	titles []string       // titles of the enclosing outlines
	errs   []error
}

// outline is what one <outline> element says.
type outline struct {
	title, xmlURL, lang string
	tags                []string
}

func parseOPML(name string, data []byte) ([]Source, error) {
	d := newDecoder(data)
	l := opmlList{name: name, index: map[string]int{}}
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		line, _ := d.InputPos()
		if err != nil {
			l.errs = append(l.errs, fmt.Errorf("%s:%d: %v", name, line, err))
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			local := strings.ToLower(t.Name.Local)
			if root == "" {
				root = local
				if root != "opml" {
					return nil, fmt.Errorf("%s:%d: root element <%s>, want <opml>", name, line, t.Name.Local)
				}
			}
			if local == "outline" {
				l.open(readOutline(t.Attr), line)
			}
		case xml.EndElement:
			if strings.ToLower(t.Name.Local) == "outline" {
				l.close()
			}
		}
	}
	if root == "" && len(l.errs) == 0 {
		l.errs = append(l.errs, fmt.Errorf("%s:1: not an OPML document: no root element", name))
	}
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return l.out, nil
}

// readOutline reads an outline's attributes, whatever their case.
func readOutline(attrs []xml.Attr) outline {
	var o outline
	for _, a := range attrs {
		switch strings.ToLower(a.Name.Local) {
		case "xmlurl":
			o.xmlURL = a.Value
		case "title":
			o.title = a.Value
		case "text":
			if o.title == "" {
				o.title = a.Value
			}
		case "language":
			o.lang = strings.TrimSpace(a.Value)
		case "category":
			// OPML 2.0: comma-separated, each a slash-delimited path.
			for c := range strings.SplitSeq(a.Value, ",") {
				o.tags = append(o.tags, strings.Trim(strings.TrimSpace(c), "/"))
			}
		}
	}
	return o
}

// open takes in an outline that starts at line: a feed when it has an
// xmlUrl (tagged with the titles of the outlines around it), a folder
// otherwise; either way the outlines inside it are tagged with its title.
func (l *opmlList) open(o outline, line int) {
	if o.xmlURL != "" {
		l.add(o, line)
	}
	l.titles = append(l.titles, strings.TrimSpace(o.title))
}

func (l *opmlList) close() {
	if len(l.titles) > 0 {
		l.titles = l.titles[:len(l.titles)-1]
	}
}

// add lists the feed of an outline, or merges its tags into the same feed
// listed in another folder (readers export a feed once per folder).
func (l *opmlList) add(o outline, line int) {
	tags := mergeTags(append([]string(nil), l.titles...), o.tags)
	u, err := checkURL(o.xmlURL)
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("%s:%d: %v", l.name, line, err))
		return
	}
	if i, dup := l.index[u]; dup {
		l.out[i].Tags = mergeTags(l.out[i].Tags, tags)
		return
	}
	l.index[u] = len(l.out)
	// A feed outline's own title names the source, as the reader that
	// exported it showed it; WriteOPML writes it back.
	src := Source{URL: u, Lang: o.lang, Tags: mergeTags(nil, tags)}
	if t := strings.TrimSpace(o.title); t != "" && t != o.xmlURL && t != u {
		src.Name = t
	}
	l.out = append(l.out, src)
}

func mergeTags(tags, add []string) []string {
	for _, t := range add {
		if t == "" {
			continue
		}
		dup := false
		for _, have := range tags {
			dup = dup || have == t
		}
		if !dup {
			tags = append(tags, t)
		}
	}
	return tags
}

// WriteOPML writes sources as an OPML 2.0 subscription list, one outline
// per feed, which every feed reader imports.
func WriteOPML(w io.Writer, title string, sources []Source) error {
	type outline struct {
		Type   string `xml:"type,attr"`
		Text   string `xml:"text,attr"`
		Title  string `xml:"title,attr,omitempty"`
		XMLURL string `xml:"xmlUrl,attr"`
		Lang   string `xml:"language,attr,omitempty"`
		Cat    string `xml:"category,attr,omitempty"`
	}
	doc := struct {
		XMLName xml.Name  `xml:"opml"`
		Version string    `xml:"version,attr"`
		Title   string    `xml:"head>title"`
		Body    []outline `xml:"body>outline"`
	}{Version: "2.0", Title: title}
	for _, s := range sources {
		text := s.Name
		if text == "" {
			text = s.URL
		}
		doc.Body = append(doc.Body, outline{Type: "rss", Text: text, Title: s.Name, XMLURL: s.URL,
			Lang: s.Lang, Cat: strings.Join(s.Tags, ",")})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
