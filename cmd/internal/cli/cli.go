// Package cli holds the ingest service's settings and wiring until they
// move to their own package beside taggerd, deskd and notifyd; the shared
// parts it once held are envflag, logflag, natsconn and opsserver, and
// the names below only point there meanwhile.
package cli

import (
	"io"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/logflag"
	"newsmon/pipeline/article"
)

type (
	Getenv = envflag.Getenv
	Env    = envflag.FlagSet
	Log    = logflag.Flags
)

// NewFlagSet is envflag.New.
func NewFlagSet(name string, stderr io.Writer, getenv Getenv) *Env {
	return envflag.New(name, stderr, getenv)
}

// FileURL is article.FileURL.
func FileURL(name string) string { return article.FileURL(name) }
