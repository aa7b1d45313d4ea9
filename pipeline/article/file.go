package article

import (
	"net/url"
	"path/filepath"
)

// FileURL is the address the offline tools (`ingest extract`, `tagger
// match`) give a local input file, and so what its article's id is made
// from: an escaped file: URL of its absolute path, or "stdin:" for "-".
func FileURL(name string) string {
	if name == "-" {
		return "stdin:"
	}
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(name)}).String()
}
