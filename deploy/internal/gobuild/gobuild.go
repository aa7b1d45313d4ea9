// Package gobuild builds newsmon's commands from the main module (the
// repository root, one folder above this module), for the container image
// and for the tests that run them.
package gobuild

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Commands are the binaries the image carries, each a folder of cmd/.
var Commands = []string{"ingest", "tagger", "desk", "notify", "newsmon"}

// Root returns the main module's folder: the nearest folder at or above
// dir whose go.mod declares module newsmon.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if isMainModule(filepath.Join(d, "go.mod")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod of module newsmon at or above %s", dir)
		}
	}
}

func isMainModule(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return fields[1] == "newsmon"
		}
	}
	return false
}

// Options say what to build and where.
type Options struct {
	Root   string // the main module's folder
	Out    string // folder the binaries are written to
	GOOS   string // target system; empty: the host's
	GOARCH string // target architecture; empty: the host's
	// Static builds what a container without a C library runs: no cgo,
	// no file system paths of the build machine in the binary, no symbol
	// tables.
	Static bool
}

// Build compiles every command into opts.Out in one go build, so shared
// packages compile once.
func Build(ctx context.Context, opts Options) error {
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	out, err := filepath.Abs(opts.Out)
	if err != nil {
		return err
	}
	args := []string{"build", "-o", out + string(filepath.Separator)}
	env := os.Environ()
	if opts.Static {
		args = append(args, "-trimpath", "-ldflags=-s -w")
		env = append(env, "CGO_ENABLED=0")
	}
	if opts.GOOS != "" {
		env = append(env, "GOOS="+opts.GOOS)
	}
	if opts.GOARCH != "" {
		env = append(env, "GOARCH="+opts.GOARCH)
	}
	for _, c := range Commands {
		args = append(args, "./cmd/"+c)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opts.Root
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), opts.Root, err, stderr.Bytes())
	}
	for _, c := range Commands {
		if _, err := os.Stat(filepath.Join(out, c)); err != nil {
			return errors.Join(fmt.Errorf("go build wrote no %s", c), err)
		}
	}
	return nil
}
