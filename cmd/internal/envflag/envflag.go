// Package envflag defines command-line flags that fall back to environment
// variables, the way every newsmon command reads its settings: a flag's
// help names its variable ("(env NATS_URL)"), the variable's value becomes
// the flag's default, so a flag given on the command line wins, and a
// variable that does not parse is an error naming it. It also splits a
// command's subcommand from its flags.
//
// What each flag means belongs to the package that registers it (logflag,
// natsconn, opsserver, the service packages); this one only parses.
package envflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Getenv reads an environment variable; tests pass a map's lookup.
type Getenv func(string) string

// FlagSet wraps a flag set so that every flag has an environment fallback.
type FlagSet struct {
	FS     *flag.FlagSet
	Getenv Getenv
	errs   []error
}

// New returns a flag set that reports errors (and -h) to stderr instead of
// exiting; a nil getenv reads the process's environment.
func New(name string, stderr io.Writer, getenv Getenv) *FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if getenv == nil {
		getenv = os.Getenv
	}
	return &FlagSet{FS: fs, Getenv: getenv}
}

// usage is how a flag's help names its variable; Var reads it back.
func usage(help, env string) string { return help + " (env " + env + ")" }

// Var is the environment variable named in a flag's help, or "" for a
// flag defined without one.
func Var(f *flag.Flag) string {
	i := strings.LastIndex(f.Usage, "(env ")
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(f.Usage[i+len("(env "):], ")")
}

// String defines a string flag.
func (e *FlagSet) String(p *string, name, env, def, help string) {
	if v := e.Getenv(env); v != "" {
		def = v
	}
	e.FS.StringVar(p, name, def, usage(help, env))
}

// Bool defines a boolean flag.
func (e *FlagSet) Bool(p *bool, name, env string, def bool, help string) {
	if v := e.Getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not a boolean", env, v))
		} else {
			def = b
		}
	}
	e.FS.BoolVar(p, name, def, usage(help, env))
}

// Int defines an integer flag.
func (e *FlagSet) Int(p *int, name, env string, def int, help string) {
	if v := e.Getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not an integer", env, v))
		} else {
			def = n
		}
	}
	e.FS.IntVar(p, name, def, usage(help, env))
}

// Duration defines a duration flag.
func (e *FlagSet) Duration(p *time.Duration, name, env string, def time.Duration, help string) {
	if v := e.Getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not a duration", env, v))
		} else {
			def = d
		}
	}
	e.FS.DurationVar(p, name, def, usage(help, env))
}

// List defines a repeatable flag; the variable holds a comma-separated
// list, and the flags given add to it.
func (e *FlagSet) List(p *[]string, name, env, help string) {
	if v := e.Getenv(env); v != "" {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				*p = append(*p, s)
			}
		}
	}
	e.FS.Func(name, usage(help+"; repeatable", env), func(s string) error {
		*p = append(*p, s)
		return nil
	})
}

// Parse parses args and returns every problem found in flags and
// variables at once.
func (e *FlagSet) Parse(args []string) error {
	if err := e.FS.Parse(args); err != nil {
		return err
	}
	return errors.Join(e.errs...)
}

// Subcommand splits args into the subcommand named first and the rest;
// "run" when args start with a flag or are empty.
func Subcommand(args []string) (string, []string) {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "run", args
}
