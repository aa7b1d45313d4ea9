package article

import (
	"path/filepath"
	"testing"
)

// A file's address is absolute and escaped, so the same file gives the
// same article id from any working directory, and a name with a space or
// a "#" stays one path.
func TestFileURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	abs, err := filepath.Abs("a b#1.html")
	if err != nil {
		t.Fatal(err)
	}
	want := "file://" + filepath.ToSlash(filepath.Dir(abs)) + "/a%20b%231.html"
	if got := FileURL("a b#1.html"); got != want {
		t.Errorf("FileURL(relative) = %q, want %q", got, want)
	}
	if got := FileURL(abs); got != want {
		t.Errorf("FileURL(absolute) = %q, want %q", got, want)
	}
	if got := FileURL("-"); got != "stdin:" {
		t.Errorf("FileURL(-) = %q", got)
	}
}
