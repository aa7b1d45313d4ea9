package envflag

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// A variable is the flag's default: a flag given wins, a list flag adds to
// the variable's list.
func TestVariableFallback(t *testing.T) {
	env := map[string]string{"T_URL": "nats://n:4222", "T_EVERY": "90s", "T_ON": "false", "T_N": "7", "T_FEED": "https://a.example/rss, https://b.example/rss", "T_NAME": "from-env"}
	e := New("t", io.Discard, func(k string) string { return env[k] })
	var (
		url, name string
		every     time.Duration
		on        bool
		n         int
		feeds     []string
	)
	e.String(&url, "url", "T_URL", "nats://127.0.0.1:4222", "server")
	e.String(&name, "name", "T_NAME", "default", "name")
	e.Duration(&every, "every", "T_EVERY", time.Minute, "interval")
	e.Bool(&on, "on", "T_ON", true, "switch")
	e.Int(&n, "n", "T_N", 1, "count")
	e.List(&feeds, "feed", "T_FEED", "feed URL")
	if err := e.Parse([]string{"-feed", "https://c.example/rss", "-name", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	if url != "nats://n:4222" || every != 90*time.Second || on || n != 7 {
		t.Errorf("variables not used: url %q every %s on %v n %d", url, every, on, n)
	}
	if name != "from-flag" {
		t.Errorf("name = %q, want the flag's value over the variable's", name)
	}
	if got := strings.Join(feeds, " "); got != "https://a.example/rss https://b.example/rss https://c.example/rss" {
		t.Errorf("feeds = %q", got)
	}
	if got := Var(e.FS.Lookup("every")); got != "T_EVERY" {
		t.Errorf("Var(-every) = %q", got)
	}
	if got := Var(&flag.Flag{Usage: "no variable"}); got != "" {
		t.Errorf("Var of a plain flag = %q", got)
	}
}

// Every variable that does not parse is reported, each by name, at once.
func TestVariableErrorsNamed(t *testing.T) {
	env := map[string]string{"T_EVERY": "soon", "T_N": "many", "T_ON": "perhaps"}
	e := New("t", io.Discard, func(k string) string { return env[k] })
	var (
		every time.Duration
		n     int
		on    bool
	)
	e.Duration(&every, "every", "T_EVERY", time.Minute, "interval")
	e.Int(&n, "n", "T_N", 1, "count")
	e.Bool(&on, "on", "T_ON", true, "switch")
	err := e.Parse(nil)
	for _, want := range []string{`T_EVERY="soon": not a duration`, `T_N="many": not an integer`, `T_ON="perhaps": not a boolean`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %s", err, want)
		}
	}
	if err := New("t", io.Discard, nil).Parse([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp for the caller to stay quiet on", err)
	}
}

func TestSubcommand(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		cmd, arg string
	}{
		{nil, "run", ""},
		{[]string{"-nats", "x"}, "run", "-nats"},
		{[]string{"check", "-rules", "r"}, "check", "-rules"},
		{[]string{""}, "run", ""},
	} {
		cmd, rest := Subcommand(tc.args)
		first := ""
		if len(rest) > 0 {
			first = rest[0]
		}
		if cmd != tc.cmd || first != tc.arg {
			t.Errorf("Subcommand(%q) = %q, %q", tc.args, cmd, rest)
		}
	}
}
