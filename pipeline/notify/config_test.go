package notify

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testEnv = map[string]string{
	"HOOK_URL":    "https://hooks.example.com/newsmon",
	"HOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	"SLACK_URL":   "https://hooks.slack.example/services/T0/B0/x",
	"SMTP_PASS":   "hunter2",
	"TOKEN":       "Bearer abc",
}

func parse(body string) (*Config, error) {
	files := map[string]string{"secrets/hook": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", "empty": "  \n"}
	return Parse("sinks.yaml", []byte(body), func(k string) string { return testEnv[k] }, func(name string) ([]byte, error) {
		if v, ok := files[name]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	})
}

const goodSinks = `
sinks:
  - name: soc-hook
    subjects: [alerts.cloud.>, alerts.watch.china-cloud-us-policy]
    min_severity: medium
    rate_limit: 30
    hold: 20s
    retry: {attempts: 6, first: 2s, max: 10m}
    webhook:
      url: {env: HOOK_URL}
      secret: {file: secrets/hook}
      headers:
        X-Team: china-desk
        Authorization: {env: TOKEN}
      timeout: 5s
  - name: chat
    subjects: alerts.watch.>
    slack:
      url: {env: SLACK_URL}
  - name: morning
    subjects: [alerts.>]
    email:
      schedule: {every: day, at: "08:30", time_zone: Europe/Berlin}
      from: newsmon@example.com
      to: [analysts@example.com, "Desk <desk@example.com>"]
      smtp: {host: mail.example.com, username: newsmon, password: {env: SMTP_PASS}}
`

func TestParseGoodFile(t *testing.T) {
	cfg, err := parse(goodSinks)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sinks) != 3 {
		t.Fatalf("%d sinks, want 3", len(cfg.Sinks))
	}
	h := cfg.Sinks[0]
	if h.Kind() != "webhook" || h.RateLimit != 30 || h.Hold != 20*time.Second || h.MinSeverity != "medium" ||
		h.Retry != (Retry{Attempts: 6, First: 2 * time.Second, Max: 10 * time.Minute}) {
		t.Errorf("webhook sink = %+v", h)
	}
	if h.Webhook.URL != testEnv["HOOK_URL"] || len(h.Webhook.Secret) != 24 || h.Webhook.Timeout != 5*time.Second ||
		h.Webhook.Headers["Authorization"] != "Bearer abc" || h.Webhook.Headers["X-Team"] != "china-desk" {
		t.Errorf("webhook = %+v", h.Webhook)
	}
	if s := cfg.Sinks[1]; s.Kind() != "slack" || s.Subjects[0] != "alerts.watch.>" || s.Retry != DefaultRetry || s.Slack.Timeout != DefaultTimeout {
		t.Errorf("slack sink = %+v", s)
	}
	e := cfg.Sinks[2].Email
	if e.Schedule.Every != "day" || e.Schedule.Hour != 8 || e.Schedule.Minute != 30 || e.Schedule.Zone.String() != "Europe/Berlin" {
		t.Errorf("schedule = %+v", e.Schedule)
	}
	if e.SMTP.Port != 587 || e.SMTP.TLS != "starttls" || e.SMTP.Password != "hunter2" || len(e.To) != 2 {
		t.Errorf("email = %+v", e)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, body := range []string{"", "sinks:\n", "sinks: []\n", "# nothing yet\n"} {
		cfg, err := parse(body)
		if err != nil || len(cfg.Sinks) != 0 {
			t.Errorf("%q: %v, %v; want no sinks and no error", body, cfg, err)
		}
	}
}

// Every bad file names file:line and the reason; a secret never shows.
func TestParseErrors(t *testing.T) {
	head := "sinks:\n  - name: a\n    subjects: [alerts.>]\n"
	cases := []struct{ name, body, want string }{
		{"unknown top key", "sink:\n  - name: a\n", `sinks.yaml:1: sinks file: unknown key "sink"`},
		{"unknown sink key", head + "    colour: blue\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:4: sink: unknown key "colour"`},
		{"unknown webhook key", head + "    webhook:\n      url: {env: HOOK_URL}\n      secret: {env: HOOK_SECRET}\n      retries: 3\n", `sinks.yaml:7: sink "a" webhook: unknown key "retries"`},
		{"no kind", head, `sinks.yaml:2: sink "a": give exactly one of webhook, slack or email`},
		{"two kinds", head + "    slack: {url: {env: SLACK_URL}}\n    webhook: {url: {env: HOOK_URL}, secret: {env: HOOK_SECRET}}\n", `sinks.yaml:2: sink "a": give exactly one`},
		{"bad name", "sinks:\n  - name: A B\n    subjects: [alerts.>]\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:2: sink name "A B"`},
		{"same name", head + "    slack: {url: {env: SLACK_URL}}\n" + "  - name: a\n    subjects: [alerts.>]\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:5: sink "a": name already used on line 2`},
		{"no subjects", "sinks:\n  - name: a\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:2: sink "a": subjects is missing`},
		{"wildcard inside token", "sinks:\n  - name: a\n    subjects: [alerts.cloud*]\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:3: sink "a": subject filter "alerts.cloud*"`},
		{"empty token", "sinks:\n  - name: a\n    subjects: [alerts..x]\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:3: sink "a": subject filter "alerts..x": has an empty token`},
		{"other stream", "sinks:\n  - name: a\n    subjects: [news.>]\n    slack: {url: {env: SLACK_URL}}\n", `must start with "alerts."`},
		{"overlap", "sinks:\n  - name: a\n    subjects: [alerts.cloud.>, alerts.*.huawei]\n    slack: {url: {env: SLACK_URL}}\n", `subject filters "alerts.cloud.>" and "alerts.*.huawei" overlap`},
		{"severity", head + "    min_severity: urgent\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:4: sink "a": min_severity "urgent": use one of info, low, medium, high, critical`},
		{"rate", head + "    rate_limit: lots\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:4: sink "a" rate_limit (alerts a minute) "lots"`},
		{"retry", head + "    retry: {attempts: 0}\n    slack: {url: {env: SLACK_URL}}\n", `sinks.yaml:4: sink "a" retry attempts "0"`},
		{"env not set", head + "    slack:\n      url: {env: NOPE}\n", `sinks.yaml:5: sink "a" slack url: environment variable NOPE is not set`},
		{"secret inline", head + "    slack:\n      url: https://hooks.slack.example/services/T0/B0/x\n", `sinks.yaml:5: sink "a" slack url: a secret is never written in the sinks file`},
		{"secret file missing", head + "    webhook:\n      url: {env: HOOK_URL}\n      secret: {file: /run/secrets/none}\n", `sinks.yaml:6: sink "a" webhook secret: open /run/secrets/none`},
		{"secret file empty", head + "    webhook:\n      url: {env: HOOK_URL}\n      secret: {file: empty}\n", `sinks.yaml:6: sink "a" webhook secret: file empty is empty`},
		{"no secret", head + "    webhook:\n      url: {env: HOOK_URL}\n", `sinks.yaml:5: sink "a" webhook: secret is missing`},
		{"weak secret", head + "    webhook:\n      url: {env: HOOK_URL}\n      secret: {env: SMTP_PASS}\n", `sinks.yaml:6: sink "a" webhook secret: want whsec_`},
		{"url not http", head + "    webhook:\n      url: {env: TOKEN}\n      secret: {env: HOOK_SECRET}\n", `sinks.yaml:5: sink "a" webhook url: not an http or https URL`},
		{"reserved header", head + "    webhook:\n      url: {env: HOOK_URL}\n      secret: {env: HOOK_SECRET}\n      headers: {Webhook-Id: x}\n", `sinks.yaml:7: sink "a" webhook headers: Webhook-Id is set by notify`},
		{"timeout", head + "    slack:\n      url: {env: SLACK_URL}\n      timeout: forever\n", `sinks.yaml:6: sink "a" slack timeout "forever"`},
		{"schedule", head + "    email:\n      schedule: {every: week}\n      from: a@example.com\n      to: b@example.com\n      smtp: {host: h}\n", `sinks.yaml:5: sink "a" email schedule every "week": use hour or day`},
		{"zone", head + "    email:\n      schedule: {every: day, at: \"08:00\", time_zone: Mars/Olympus}\n      from: a@example.com\n      to: b@example.com\n      smtp: {host: h}\n", `sinks.yaml:5: sink "a" email schedule time_zone "Mars/Olympus"`},
		{"address", head + "    email:\n      schedule: {every: hour}\n      from: nobody\n      to: b@example.com\n      smtp: {host: h}\n", `sinks.yaml:6: sink "a" email from "nobody": not an e-mail address`},
		{"password without user", head + "    email:\n      schedule: {every: hour}\n      from: a@example.com\n      to: b@example.com\n      smtp: {host: h, password: {env: SMTP_PASS}}\n", `sinks.yaml:8: sink "a" email smtp: a password needs a username`},
		{"tls", head + "    email:\n      schedule: {every: hour}\n      from: a@example.com\n      to: b@example.com\n      smtp: {host: h, tls: maybe}\n", `sinks.yaml:8: sink "a" email smtp tls "maybe"`},
		{"syntax", "sinks:\n  - name: [\n", `sinks.yaml: `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(c.body)
			if err == nil {
				t.Fatalf("accepted:\n%s", c.body)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, c.want)
			}
			for k, v := range testEnv {
				if k != "TOKEN" && strings.Contains(err.Error(), v) {
					t.Errorf("error shows secret %s: %v", k, err)
				}
			}
		})
	}
}

// Load reads secret files relative to the sinks file's folder.
func TestLoadReadsSecretFilesBesideIt(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hook.key"), []byte(testEnv["HOOK_SECRET"]+"\n"), 0o600)
	path := filepath.Join(dir, "sinks.yaml")
	os.WriteFile(path, []byte("sinks:\n  - name: a\n    subjects: [alerts.>]\n    webhook:\n      url: {env: HOOK_URL}\n      secret: {file: hook.key}\n"), 0o600)
	cfg, err := Load(path, func(k string) string { return testEnv[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sinks[0].Webhook.Secret) != 24 {
		t.Errorf("secret of %d bytes, want 24", len(cfg.Sinks[0].Webhook.Secret))
	}
	if _, err := Load(filepath.Join(dir, "none.yaml"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// Setup reads the sinks file without the sinks' secrets: none of the
// variables or files it names need exist (nor a CA file), names and
// subjects come out as Load gives them, and every other problem is still
// reported with file:line.
func TestLoadWithoutSecrets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sinks.yaml")
	body := goodSinks + "  - name: relay\n    subjects: [alerts.policy.>]\n    email:\n" +
		"      schedule: {every: hour, at: \"00:15\"}\n      from: newsmon@example.com\n      to: [desk@example.com]\n" +
		"      smtp: {host: relay.example.com, ca_file: /nowhere/ca.pem}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, func(string) string { return "" }); err == nil {
		t.Fatal("Load without the secrets succeeded; the test needs a file Load refuses for them")
	}
	cfg, err := LoadWithoutSecrets(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range cfg.Sinks {
		got = append(got, s.Name+" "+strings.Join(s.Subjects, ","))
	}
	want := "soc-hook alerts.cloud.>,alerts.watch.china-cloud-us-policy|chat alerts.watch.>|morning alerts.>|relay alerts.policy.>"
	if strings.Join(got, "|") != want {
		t.Errorf("sinks %q, want %q", strings.Join(got, "|"), want)
	}
	if h := cfg.Sinks[0].Webhook; h.URL != "" || len(h.Secret) != 0 || h.Headers["Authorization"] != "" {
		t.Errorf("a secret was read: %+v", h)
	}

	bad := strings.Replace(body, "subjects: alerts.watch.>", "subjects: alerts.watch.>.more", 1)
	bad = strings.Replace(bad, "url: {env: SLACK_URL}", "url: https://hooks.slack.example/in-the-clear", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadWithoutSecrets(path)
	for _, want := range []string{path + `:17: sink "chat": subject filter`, path + `:19: sink "chat" slack url: a secret is never written`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad file: %v, want %q", err, want)
		}
	}
}

func TestFiltersOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"alerts.cloud.>", "alerts.cloud.huawei", true},
		{"alerts.cloud.huawei", "alerts.policy.fcc", false},
		{"alerts.*.huawei", "alerts.cloud.*", true},
		{"alerts.cloud", "alerts.cloud.huawei", false},
		{"alerts.>", "alerts.spike.huawei", true},
	} {
		if got := filtersOverlap(c.a, c.b); got != c.want {
			t.Errorf("filtersOverlap(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(goodSinks))
	f.Add([]byte("sinks:\n  - name: a\n    subjects: [alerts.>]\n    slack: {url: {env: SLACK_URL}}\n"))
	f.Add([]byte("sinks: [&a {name: x}, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse(string(data))
		if err == nil {
			for _, s := range cfg.Sinks {
				if s.Name == "" || len(s.Subjects) == 0 || (s.Webhook == nil && s.Slack == nil && s.Email == nil) {
					t.Fatalf("accepted an incomplete sink: %+v", s)
				}
			}
		} else if !strings.HasPrefix(err.Error(), "sinks.yaml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}

func TestScheduleNext(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	daily := Schedule{Every: "day", Hour: 8, Minute: 0, Zone: berlin}
	cases := []struct {
		s        Schedule
		from     string
		wantNext string
	}{
		{daily, "2026-03-28T06:00:00Z", "2026-03-28T07:00:00Z"}, // 08:00 CET
		{daily, "2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z"}, // next day is CEST: still 08:00 local
		{Schedule{Every: "hour", Minute: 15}, "2026-11-02T10:20:00Z", "2026-11-02T11:15:00Z"},
		{Schedule{Every: "hour"}, "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z"},
	}
	for _, c := range cases {
		from, _ := time.Parse(time.RFC3339, c.from)
		want, _ := time.Parse(time.RFC3339, c.wantNext)
		if got := c.s.Next(from); !got.Equal(want) {
			t.Errorf("%s after %s = %s, want %s", c.s, c.from, got.UTC().Format(time.RFC3339), c.wantNext)
		}
	}
}
