// Package cli holds what the three commands share: flags with environment
// fallbacks, the logger, the ingest and tagger settings, and the operations
// HTTP server (health and metrics). It wires; the work is in pipeline/.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Getenv reads an environment variable; tests pass a map's lookup.
type Getenv func(string) string

// Env wraps a flag set so that every flag has an environment fallback: the
// variable is named in the flag's help and read as its default.
type Env struct {
	FS     *flag.FlagSet
	Getenv Getenv
	errs   []error
}

func (e *Env) usage(help, env string) string { return help + " (env " + env + ")" }

// String defines a string flag.
func (e *Env) String(p *string, name, env, def, help string) {
	if v := e.Getenv(env); v != "" {
		def = v
	}
	e.FS.StringVar(p, name, def, e.usage(help, env))
}

// Bool defines a boolean flag.
func (e *Env) Bool(p *bool, name, env string, def bool, help string) {
	if v := e.Getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not a boolean", env, v))
		} else {
			def = b
		}
	}
	e.FS.BoolVar(p, name, def, e.usage(help, env))
}

// Int defines an integer flag.
func (e *Env) Int(p *int, name, env string, def int, help string) {
	if v := e.Getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not an integer", env, v))
		} else {
			def = n
		}
	}
	e.FS.IntVar(p, name, def, e.usage(help, env))
}

// Duration defines a duration flag.
func (e *Env) Duration(p *time.Duration, name, env string, def time.Duration, help string) {
	if v := e.Getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: not a duration", env, v))
		} else {
			def = d
		}
	}
	e.FS.DurationVar(p, name, def, e.usage(help, env))
}

// List defines a repeatable flag; the variable holds a comma-separated list.
func (e *Env) List(p *[]string, name, env, help string) {
	if v := e.Getenv(env); v != "" {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				*p = append(*p, s)
			}
		}
	}
	e.FS.Func(name, e.usage(help+"; repeatable", env), func(s string) error {
		*p = append(*p, s)
		return nil
	})
}

// Parse parses args and returns every problem found in flags and variables.
func (e *Env) Parse(args []string) error {
	if err := e.FS.Parse(args); err != nil {
		return err
	}
	return errors.Join(e.errs...)
}

// NewFlagSet returns a flag set that reports errors instead of exiting.
func NewFlagSet(name string, stderr io.Writer, getenv Getenv) *Env {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Env{FS: fs, Getenv: getenv}
}

// Log is the logger's settings.
type Log struct {
	Format string
	Level  string
}

// Register defines -log-format and -log-level.
func (l *Log) Register(e *Env) {
	e.String(&l.Format, "log-format", "LOG_FORMAT", "text", "log format: text or json")
	e.String(&l.Level, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn or error")
}

// Logger builds the process's logger writing to w.
func (l Log) Logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.Level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", l.Level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.Format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("-log-format %q: want text or json", l.Format)
	}
}

// FileURL is the address the offline tools give an input file: an escaped
// file: URL of its absolute path, or "stdin:" for "-".
func FileURL(name string) string {
	if name == "-" {
		return "stdin:"
	}
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(name)}).String()
}
