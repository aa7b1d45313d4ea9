// Package envflagtest checks, for a command's tests, that the deploy env
// files set only variables the command reads, so a typo in deploy/ cannot
// silently fall back to a default.
package envflagtest

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Vars are the variables named "(env NAME)" in help, a command's -h output.
func Vars(help string) map[string]bool {
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`).FindAllStringSubmatch(help, -1) {
		known[m[1]] = true
	}
	return known
}

// CheckEnvFile fails t for every variable the env file (NAME=value lines,
// # comments) sets that help does not name.
func CheckEnvFile(t testing.TB, path, help string) {
	t.Helper()
	known := Vars(help)
	if len(known) == 0 {
		t.Fatalf("the help names no variables:\n%s", help)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, _, ok := strings.Cut(s, "=")
		if !ok || !known[k] {
			t.Errorf("%s:%d: %q is not a variable the command reads", path, line, k)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
