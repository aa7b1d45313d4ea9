// Command image builds newsmon's container image without a container
// engine: it cross-compiles the commands as static binaries and writes an
// OCI image layout (and, for one platform, a tar that docker load and
// podman load read). No base image: the few files a Go binary needs (a
// user, a CA bundle, /tmp) are written here.
//
//	cd deploy && go run ./image -oci ../out/newsmon-oci -tar ../out/newsmon.tar
//
// docs/operations.md (Container image) says what the image holds and how to
// load it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"newsmon/deploy/internal/gobuild"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "image: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	var (
		src       = fs.String("src", "", "the main module's folder (default: found above the current folder)")
		platforms = fs.String("platforms", "linux/"+runtime.GOARCH, "platforms to build, comma-separated (linux/amd64,linux/arm64)")
		ociDir    = fs.String("oci", "", "write an OCI image layout to this folder")
		tarPath   = fs.String("tar", "", "write a tar for docker load or podman load (one platform)")
		tag       = fs.String("tag", "newsmon:dev", "the image's name and tag")
		epoch     = fs.Int64("epoch", -1, "time stamp of every file and of the image, Unix seconds (default: $SOURCE_DATE_EPOCH, else the last commit's time)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *ociDir == "" && *tarPath == "" {
		return errors.New("give -oci DIR, -tar FILE or both")
	}
	ref, err := name.NewTag(*tag)
	if err != nil {
		return fmt.Errorf("-tag %q: %w", *tag, err)
	}
	plats, err := parsePlatforms(*platforms)
	if err != nil {
		return err
	}
	if *tarPath != "" && len(plats) != 1 {
		return fmt.Errorf("-tar holds one platform, -platforms names %d", len(plats))
	}
	root := *src
	if root == "" {
		if root, err = gobuild.Root("."); err != nil {
			return err
		}
	}
	info := Info{Version: ref.TagStr(), Revision: gitOutput(root, "rev-parse", "HEAD")}
	if info.Created, err = sourceTime(*epoch, root); err != nil {
		return err
	}
	files, err := ConfigFiles(root)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "newsmon-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	images := make([]v1.Image, len(plats))
	for i, p := range plats {
		bin := filepath.Join(work, p.OS+"_"+p.Architecture)
		fmt.Fprintf(os.Stderr, "building %s binaries\n", p)
		if err := gobuild.Build(ctx, gobuild.Options{Root: root, Out: bin, GOOS: p.OS, GOARCH: p.Architecture, Static: true}); err != nil {
			return err
		}
		if images[i], err = Assemble(p, bin, files, info); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	if *ociDir != "" {
		digest, err := WriteLayout(*ociDir, ref, plats, images)
		if err != nil {
			return err
		}
		fmt.Printf("%s: OCI layout of %s, %s\n", *ociDir, ref, digest)
	}
	if *tarPath != "" {
		if err := os.MkdirAll(filepath.Dir(*tarPath), 0o755); err != nil {
			return err
		}
		if err := tarball.WriteToFile(*tarPath, ref, images[0]); err != nil {
			return err
		}
		digest, err := images[0].Digest()
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s (%s), %s\n", *tarPath, ref, plats[0], digest)
	}
	return nil
}

func parsePlatforms(s string) ([]v1.Platform, error) {
	var out []v1.Platform
	for _, f := range strings.Split(s, ",") {
		p, err := v1.ParsePlatform(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-platforms %q: %w", f, err)
		}
		if p.OS != "linux" {
			return nil, fmt.Errorf("-platforms %q: the image is for linux", f)
		}
		out = append(out, *p)
	}
	return out, nil
}

// sourceTime picks the time stamp that makes two builds of one commit the
// same image: the flag, SOURCE_DATE_EPOCH, the last commit's time, or 0.
func sourceTime(flagValue int64, root string) (time.Time, error) {
	if flagValue >= 0 {
		return time.Unix(flagValue, 0).UTC(), nil
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if s := gitOutput(root, "log", "-1", "--format=%ct"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC(), nil
		}
	}
	return time.Unix(0, 0).UTC(), nil
}

// gitOutput is the trimmed output of a git command in dir, or "" when git
// or the repository is missing (a source tarball builds too).
func gitOutput(dir string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
