package notify

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is a sinks file, every secret resolved.
type Config struct {
	Sinks []*Sink
}

// Sink is one destination and what it receives.
type Sink struct {
	Name        string   // names the consumer notify-<name> and the subject notify.dead.<name>
	Subjects    []string // filters on ALERTS, e.g. alerts.cloud.>
	MinSeverity string   // "" lets every severity through
	// RateLimit is the most alerts a minute delivered one by one; beyond
	// it they are folded into one summary per subject. 0: no limit.
	RateLimit int
	// Hold delays each alert so that near-duplicate articles arriving
	// meanwhile fold into its message as "also in". 0: send at once.
	Hold  time.Duration
	Retry Retry

	Webhook *Webhook
	Slack   *Slack
	Email   *Email
}

// Kind is the sink's type: webhook, slack or email.
func (s *Sink) Kind() string {
	switch {
	case s.Webhook != nil:
		return "webhook"
	case s.Slack != nil:
		return "slack"
	default:
		return "email"
	}
}

// Retry is how often and how late a failed delivery is tried again.
type Retry struct {
	Attempts int           // tries in all, the first included
	First    time.Duration // wait after the first failure; doubled each time
	Max      time.Duration // longest wait, Retry-After included
}

// Webhook posts each alert as JSON, signed with Secret.
type Webhook struct {
	URL     string
	Secret  []byte // the key behind whsec_...
	Headers map[string]string
	Timeout time.Duration
}

// Slack posts each alert to a Slack incoming webhook.
type Slack struct {
	URL     string
	Timeout time.Duration
}

// Email sends a digest of the period's alerts on a schedule.
type Email struct {
	Schedule   Schedule
	From       string
	To         []string
	Subject    string
	MaxEntries int // articles listed in one digest; the rest are counted
	SMTP       SMTP
}

// SMTP is how digests leave.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // "starttls" (required), "tls" (implicit) or "none"
	Username string
	Password string
	Timeout  time.Duration
	// RootCAs, when set, are the only certificates trusted for the
	// server's TLS (a relay with an internal CA); nil: the system's.
	RootCAs *x509.CertPool
}

// Severities, lowest first, as rule files name them (pipeline/rules).
var severities = []string{"info", "low", "medium", "high", "critical"}

func severityRank(s string) int { return slices.Index(severities, s) }

// Defaults for what a sinks file leaves out.
var (
	DefaultRetry   = Retry{Attempts: 8, First: time.Second, Max: 5 * time.Minute}
	DefaultTimeout = 10 * time.Second
)

// maxSinksFile caps the sinks file; it is written by hand.
const maxSinksFile = 1 << 20

// maxSecret caps a secret read from a file.
const maxSecret = 64 << 10

// Load reads and checks a sinks file. Every problem is reported as
// file:line: reason, all of them at once. Secrets come from the
// environment (getenv) or from files named in it, relative to its folder.
func Load(path string, getenv func(string) string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSinksFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxSinksFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxSinksFile)
	}
	return Parse(path, data, getenv, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(path), name)
		}
		return readCapped(name, maxSecret)
	})
}

// LoadWithoutSecrets reads and checks a sinks file as Load does, but
// reads no secret and no file it names (they stay empty): what `newsmon
// setup` needs to write each sink's consumer (its name and subjects), on
// a machine that holds none of the sinks' credentials.
func LoadWithoutSecrets(path string) (*Config, error) {
	data, err := readCapped(path, maxSinksFile)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: path, skipSecrets: true}
	return d.parse(data)
}

func readCapped(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return b, nil
}

// Parse checks a sinks file's contents; name is used in messages,
// readFile reads the secret files it names.
func Parse(name string, data []byte, getenv func(string) string, readFile func(string) ([]byte, error)) (*Config, error) {
	d := &decoder{file: name, getenv: getenv, readFile: readFile}
	return d.parse(data)
}

func (d *decoder) parse(data []byte) (*Config, error) {
	name := d.file
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Config{}, nil // an empty file: no sinks
		}
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	cfg := &Config{}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	top, _ := d.mapping(doc.Content[0], "sinks file", "sinks")
	if n := top["sinks"]; n != nil {
		n = deref(n)
		if n.Kind != yaml.SequenceNode {
			if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
				d.errorf(n.Line, "sinks must be a list")
			}
		} else {
			names := map[string]int{}
			for _, item := range n.Content {
				s := d.sink(item)
				if s == nil {
					continue
				}
				if prev, dup := names[s.Name]; dup {
					d.errorf(item.Line, "sink %q: name already used on line %d", s.Name, prev)
					continue
				}
				names[s.Name] = item.Line
				cfg.Sinks = append(cfg.Sinks, s)
			}
		}
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return cfg, nil
}

type decoder struct {
	file     string
	getenv   func(string) string
	readFile func(string) ([]byte, error)
	errs     []error
	// skipSecrets checks the form of each secret and file reference but
	// reads none (LoadWithoutSecrets).
	skipSecrets bool
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("%s:%d: %s", d.file, line, fmt.Sprintf(format, args...)))
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping checks that n is a mapping with only the allowed keys and returns
// its values by key.
func (d *decoder) mapping(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, bool) {
	n = deref(n)
	vals := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%s must be a mapping of keys to values", what)
		return vals, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k.Line, "%s: keys must be plain words", what)
		case !slices.Contains(allowed, k.Value):
			d.errorf(k.Line, "%s: unknown key %q (known keys: %s)", what, k.Value, strings.Join(allowed, ", "))
		case vals[k.Value] != nil:
			d.errorf(k.Line, "%s: key %q given twice", what, k.Value)
		default:
			vals[k.Value] = v
		}
	}
	return vals, true
}

func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n.Line, "%s must be a single value", what)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) strings(n *yaml.Node, what string) []string {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		s, _ := d.str(n, what)
		return []string{s}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n.Line, "%s must be a list", what)
		return nil
	}
	var out []string
	for _, c := range n.Content {
		if s, ok := d.str(c, what); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) int(n *yaml.Node, what string, lo, hi int) int {
	s, ok := d.str(n, what)
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		d.errorf(n.Line, "%s %q: want a whole number from %d to %d", what, s, lo, hi)
		return 0
	}
	return v
}

func (d *decoder) duration(n *yaml.Node, what string, lo, hi time.Duration) time.Duration {
	s, ok := d.str(n, what)
	if !ok {
		return 0
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < lo || v > hi {
		d.errorf(n.Line, "%s %q: want a duration from %s to %s, like 10s or 5m", what, s, lo, hi)
		return 0
	}
	return v
}

// secret reads a value that must not be written in the sinks file itself:
// {env: NAME} or {file: PATH}.
func (d *decoder) secret(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		d.errorf(n.Line, "%s: a secret is never written in the sinks file; give {env: VARIABLE} or {file: PATH}", what)
		return "", false
	}
	m, ok := d.mapping(n, what, "env", "file")
	if !ok {
		return "", false
	}
	env, file := m["env"], m["file"]
	switch {
	case env != nil && file != nil:
		d.errorf(n.Line, "%s: give env or file, not both", what)
	case d.skipSecrets && env != nil:
		d.str(env, what+" env")
	case d.skipSecrets && file != nil:
		d.str(file, what+" file")
	case env != nil:
		name, ok := d.str(env, what+" env")
		if !ok {
			return "", false
		}
		v := ""
		if d.getenv != nil {
			v = d.getenv(name)
		}
		if v == "" {
			d.errorf(env.Line, "%s: environment variable %s is not set", what, name)
			return "", false
		}
		return v, true
	case file != nil:
		name, ok := d.str(file, what+" file")
		if !ok {
			return "", false
		}
		b, err := d.readFile(name)
		if err != nil {
			d.errorf(file.Line, "%s: %v", what, err)
			return "", false
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			d.errorf(file.Line, "%s: file %s is empty", what, name)
			return "", false
		}
		return v, true
	default:
		d.errorf(n.Line, "%s: give {env: VARIABLE} or {file: PATH}", what)
	}
	return "", false
}

var sinkName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

func (d *decoder) sink(n *yaml.Node) *Sink {
	m, ok := d.mapping(n, "sink", "name", "subjects", "min_severity", "rate_limit", "hold", "retry", "webhook", "slack", "email")
	if !ok {
		return nil
	}
	nerr := len(d.errs)
	s := &Sink{Retry: DefaultRetry}
	if v := m["name"]; v == nil {
		d.errorf(n.Line, "sink: name is missing")
	} else if name, ok := d.str(v, "name"); ok {
		if !sinkName.MatchString(name) {
			d.errorf(v.Line, "sink name %q: use lower-case letters, digits, '-' and '_' (at most 64)", name)
		}
		s.Name = name
	}
	what := fmt.Sprintf("sink %q", s.Name)
	if v := m["subjects"]; v == nil {
		d.errorf(n.Line, "%s: subjects is missing (for example [alerts.cloud.>])", what)
	} else {
		s.Subjects = d.strings(v, what+" subjects")
		for i, f := range s.Subjects {
			if err := checkFilter(f); err != nil {
				d.errorf(deref(v).Line, "%s: subject filter %q: %v", what, f, err)
				continue
			}
			for _, g := range s.Subjects[:i] {
				if filtersOverlap(f, g) {
					d.errorf(deref(v).Line, "%s: subject filters %q and %q overlap; keep the wider one", what, g, f)
				}
			}
		}
		if len(s.Subjects) == 0 {
			d.errorf(deref(v).Line, "%s: subjects is empty", what)
		}
	}
	if v := m["min_severity"]; v != nil {
		if sev, ok := d.str(v, what+" min_severity"); ok {
			if severityRank(sev) < 0 {
				d.errorf(v.Line, "%s: min_severity %q: use one of %s", what, sev, strings.Join(severities, ", "))
			}
			s.MinSeverity = sev
		}
	}
	if v := m["rate_limit"]; v != nil {
		s.RateLimit = d.int(v, what+" rate_limit (alerts a minute)", 0, 100000)
	}
	if v := m["hold"]; v != nil {
		s.Hold = d.duration(v, what+" hold", 0, 10*time.Minute)
	}
	if v := m["retry"]; v != nil {
		r, _ := d.mapping(v, what+" retry", "attempts", "first", "max")
		if a := r["attempts"]; a != nil {
			s.Retry.Attempts = d.int(a, what+" retry attempts", 1, 100)
		}
		if a := r["first"]; a != nil {
			s.Retry.First = d.duration(a, what+" retry first", time.Millisecond, time.Hour)
		}
		if a := r["max"]; a != nil {
			s.Retry.Max = d.duration(a, what+" retry max", time.Millisecond, 24*time.Hour)
		}
	}
	kinds := 0
	for _, k := range []string{"webhook", "slack", "email"} {
		if m[k] != nil {
			kinds++
		}
	}
	if kinds != 1 {
		d.errorf(n.Line, "%s: give exactly one of webhook, slack or email", what)
	}
	if v := m["webhook"]; v != nil {
		s.Webhook = d.webhook(v, what+" webhook")
	}
	if v := m["slack"]; v != nil {
		s.Slack = d.slack(v, what+" slack")
	}
	if v := m["email"]; v != nil {
		s.Email = d.email(v, what+" email")
	}
	if len(d.errs) > nerr {
		return nil
	}
	return s
}

func (d *decoder) url(n *yaml.Node, what string) string {
	u, ok := d.secret(n, what)
	if !ok {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		// The URL is a secret: say what is wrong, never what it is.
		d.errorf(deref(n).Line, "%s: not an http or https URL", what)
		return ""
	}
	return u
}

// reservedHeaders are set by the sender and cannot be overridden.
var reservedHeaders = []string{"Content-Type", "Content-Length", "Host", "Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "User-Agent"}

func (d *decoder) webhook(n *yaml.Node, what string) *Webhook {
	m, ok := d.mapping(n, what, "url", "secret", "headers", "timeout")
	if !ok {
		return nil
	}
	w := &Webhook{Timeout: DefaultTimeout, Headers: map[string]string{}}
	if v := m["url"]; v == nil {
		d.errorf(deref(n).Line, "%s: url is missing", what)
	} else {
		w.URL = d.url(v, what+" url")
	}
	if v := m["secret"]; v == nil {
		d.errorf(deref(n).Line, "%s: secret is missing (the signing key, whsec_ and base64)", what)
	} else if s, ok := d.secret(v, what+" secret"); ok {
		// The Standard Webhooks form; the prefix may be left out.
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || len(key) < 24 || len(key) > 64 {
			d.errorf(deref(v).Line, "%s secret: want whsec_ followed by 24 to 64 random bytes in base64", what)
		}
		w.Secret = key
	}
	if v := m["headers"]; v != nil {
		hv := deref(v)
		if hv.Kind != yaml.MappingNode {
			d.errorf(hv.Line, "%s headers must be a mapping of names to values", what)
		} else {
			for i := 0; i+1 < len(hv.Content); i += 2 {
				k, val := hv.Content[i], deref(hv.Content[i+1])
				name := textproto.CanonicalMIMEHeaderKey(k.Value)
				if !validHeaderName(k.Value) {
					d.errorf(k.Line, "%s headers: %q is not a header name", what, k.Value)
					continue
				}
				if slices.Contains(reservedHeaders, name) {
					d.errorf(k.Line, "%s headers: %s is set by notify", what, name)
					continue
				}
				var s string
				if val.Kind == yaml.MappingNode {
					s, ok = d.secret(val, what+" header "+name)
				} else {
					s, ok = d.str(val, what+" header "+name)
				}
				if ok && strings.ContainsAny(s, "\r\n") {
					d.errorf(val.Line, "%s header %s: a value must be one line", what, name)
				}
				w.Headers[name] = s
			}
		}
	}
	if v := m["timeout"]; v != nil {
		w.Timeout = d.duration(v, what+" timeout", 100*time.Millisecond, 5*time.Minute)
	}
	return w
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (d *decoder) slack(n *yaml.Node, what string) *Slack {
	m, ok := d.mapping(n, what, "url", "timeout")
	if !ok {
		return nil
	}
	s := &Slack{Timeout: DefaultTimeout}
	if v := m["url"]; v == nil {
		d.errorf(deref(n).Line, "%s: url is missing (the incoming webhook's address)", what)
	} else {
		s.URL = d.url(v, what+" url")
	}
	if v := m["timeout"]; v != nil {
		s.Timeout = d.duration(v, what+" timeout", 100*time.Millisecond, 5*time.Minute)
	}
	return s
}

func (d *decoder) email(n *yaml.Node, what string) *Email {
	m, ok := d.mapping(n, what, "schedule", "from", "to", "subject", "max_entries", "smtp")
	if !ok {
		return nil
	}
	e := &Email{Subject: "newsmon digest", MaxEntries: 200}
	if v := m["schedule"]; v == nil {
		d.errorf(deref(n).Line, "%s: schedule is missing ({every: hour} or {every: day, at: \"08:00\", time_zone: Europe/Berlin})", what)
	} else {
		e.Schedule = d.schedule(v, what+" schedule")
	}
	if v := m["from"]; v == nil {
		d.errorf(deref(n).Line, "%s: from is missing", what)
	} else if s, ok := d.str(v, what+" from"); ok {
		if _, err := mail.ParseAddress(s); err != nil {
			d.errorf(v.Line, "%s from %q: not an e-mail address", what, s)
		}
		e.From = s
	}
	if v := m["to"]; v == nil {
		d.errorf(deref(n).Line, "%s: to is missing", what)
	} else {
		e.To = d.strings(v, what+" to")
		for _, s := range e.To {
			if _, err := mail.ParseAddress(s); err != nil {
				d.errorf(deref(v).Line, "%s to %q: not an e-mail address", what, s)
			}
		}
		if len(e.To) == 0 {
			d.errorf(deref(v).Line, "%s: to is empty", what)
		}
	}
	if v := m["subject"]; v != nil {
		if s, ok := d.str(v, what+" subject"); ok {
			if strings.ContainsAny(s, "\r\n") {
				d.errorf(v.Line, "%s subject: must be one line", what)
			}
			e.Subject = s
		}
	}
	if v := m["max_entries"]; v != nil {
		e.MaxEntries = d.int(v, what+" max_entries", 1, 10000)
	}
	if v := m["smtp"]; v == nil {
		d.errorf(deref(n).Line, "%s: smtp is missing", what)
	} else {
		e.SMTP = d.smtp(v, what+" smtp")
	}
	return e
}

func (d *decoder) smtp(n *yaml.Node, what string) SMTP {
	s := SMTP{TLS: "starttls", Timeout: 30 * time.Second}
	m, ok := d.mapping(n, what, "host", "port", "tls", "username", "password", "timeout", "ca_file")
	if !ok {
		return s
	}
	if v := m["host"]; v == nil {
		d.errorf(deref(n).Line, "%s: host is missing", what)
	} else {
		s.Host, _ = d.str(v, what+" host")
	}
	if v := m["tls"]; v != nil {
		if t, ok := d.str(v, what+" tls"); ok {
			if !slices.Contains([]string{"starttls", "tls", "none"}, t) {
				d.errorf(v.Line, "%s tls %q: use starttls, tls or none", what, t)
			}
			s.TLS = t
		}
	}
	s.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[s.TLS]
	if v := m["port"]; v != nil {
		s.Port = d.int(v, what+" port", 1, 65535)
	}
	if v := m["username"]; v != nil {
		s.Username, _ = d.str(v, what+" username")
	}
	if v := m["password"]; v != nil {
		s.Password, _ = d.secret(v, what+" password")
		if s.Username == "" {
			d.errorf(deref(v).Line, "%s: a password needs a username", what)
		}
	}
	if v := m["timeout"]; v != nil {
		s.Timeout = d.duration(v, what+" timeout", time.Second, 10*time.Minute)
	}
	if v := m["ca_file"]; v != nil {
		if name, ok := d.str(v, what+" ca_file"); ok && !d.skipSecrets {
			pem, err := d.readFile(name)
			switch {
			case err != nil:
				d.errorf(v.Line, "%s ca_file: %v", what, err)
			default:
				s.RootCAs = x509.NewCertPool()
				if !s.RootCAs.AppendCertsFromPEM(pem) {
					d.errorf(v.Line, "%s ca_file %s: no PEM certificate in it", what, name)
				}
			}
		}
	}
	return s
}

func (d *decoder) schedule(n *yaml.Node, what string) Schedule {
	m, ok := d.mapping(n, what, "every", "at", "time_zone")
	if !ok {
		return Schedule{}
	}
	sc := Schedule{Zone: time.UTC}
	if v := m["every"]; v == nil {
		d.errorf(deref(n).Line, "%s: every is missing (hour or day)", what)
	} else if s, ok := d.str(v, what+" every"); ok {
		switch s {
		case "hour", "day":
			sc.Every = s
		default:
			d.errorf(v.Line, "%s every %q: use hour or day", what, s)
		}
	}
	if v := m["at"]; v != nil {
		if s, ok := d.str(v, what+" at"); ok {
			t, err := time.Parse("15:04", s)
			if err != nil {
				d.errorf(v.Line, "%s at %q: want a time of day like 08:00", what, s)
			}
			sc.Hour, sc.Minute = t.Hour(), t.Minute()
			if sc.Every == "hour" && sc.Hour != 0 {
				d.errorf(v.Line, "%s at %q: an hourly digest takes only minutes past the hour, like 00:15", what, s)
			}
		}
	}
	if v := m["time_zone"]; v != nil {
		if s, ok := d.str(v, what+" time_zone"); ok {
			loc, err := time.LoadLocation(s)
			if err != nil || s == "" {
				d.errorf(v.Line, "%s time_zone %q: not a known time zone (like Europe/Berlin or UTC)", what, s)
			} else {
				sc.Zone = loc
			}
		}
	}
	return sc
}

// checkFilter reports why f cannot filter the ALERTS stream's subjects.
func checkFilter(f string) error {
	toks := strings.Split(f, ".")
	if toks[0] != "alerts" {
		return errors.New(`must start with "alerts."`)
	}
	if len(toks) < 2 {
		return errors.New("needs a token after alerts, like alerts.> or alerts.cloud.huawei")
	}
	for i, t := range toks {
		switch {
		case t == "":
			return errors.New("has an empty token")
		case t == ">" && i != len(toks)-1:
			return errors.New("> may only be the last token")
		case t != "*" && t != ">" && strings.ContainsAny(t, "*> \t\r\n"):
			return fmt.Errorf("token %q: wildcards stand alone and subjects have no spaces", t)
		}
	}
	return nil
}

// filtersOverlap reports whether some subject matches both filters.
func filtersOverlap(a, b string) bool {
	at, bt := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; ; i++ {
		switch {
		case i == len(at) && i == len(bt):
			return true
		case i < len(at) && at[i] == ">", i < len(bt) && bt[i] == ">":
			return true
		case i == len(at) || i == len(bt):
			return false
		case at[i] != bt[i] && at[i] != "*" && bt[i] != "*":
			return false
		}
	}
}
