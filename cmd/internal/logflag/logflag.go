// Package logflag builds a process's one logger from -log-format (text
// locally, json in deploy) and -log-level. Packages below take the logger
// it returns and add their own keys with With.
package logflag

import (
	"fmt"
	"io"
	"log/slog"

	"newsmon/cmd/internal/envflag"
)

// Flags is the logger's settings.
type Flags struct {
	Format string
	Level  string
}

// Register defines -log-format and -log-level.
func (l *Flags) Register(e *envflag.FlagSet) {
	e.String(&l.Format, "log-format", "LOG_FORMAT", "text", "log format: text or json")
	e.String(&l.Level, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn or error")
}

// Logger builds the process's logger writing to w.
func (l Flags) Logger(w io.Writer) (*slog.Logger, error) {
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
