package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/buildinfo"
	"debug/elf"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"newsmon/deploy/internal/gobuild"
)

// built is the image the tests share: the command run once for this
// machine's platform, written both ways.
var built struct {
	root, dir, oci, tar string
	err                 error
	fs                  *unpacked // the image unpacked, once
}

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "newsmon-image-test-")
		if err != nil {
			built.err = err
			return m.Run()
		}
		defer os.RemoveAll(dir)
		built.dir = dir
		built.root, built.err = gobuild.Root(".")
		built.oci = filepath.Join(dir, "oci")
		built.tar = filepath.Join(dir, "newsmon.tar")
		if built.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			built.err = run(ctx, []string{"-platforms", "linux/" + runtime.GOARCH, "-oci", built.oci, "-tar", built.tar, "-tag", "newsmon:test", "-epoch", "1767225600"})
			cancel()
		}
		return m.Run()
	}()
	os.Exit(code)
}

func image(t *testing.T) v1.Image {
	t.Helper()
	if built.err != nil {
		t.Fatalf("building the image: %v", built.err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image's binaries are linux binaries; this test runs them")
	}
	idx, err := layout.ImageIndexFromPath(built.oci)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("index.json lists %d manifests, want 1", len(im.Manifests))
	}
	d := im.Manifests[0]
	if d.MediaType != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s, want %s", d.MediaType, types.OCIManifestSchema1)
	}
	if got := d.Annotations["org.opencontainers.image.ref.name"]; got != "test" {
		t.Errorf("ref.name = %q, want test", got)
	}
	if d.Platform == nil || d.Platform.OS != "linux" || d.Platform.Architecture != runtime.GOARCH {
		t.Errorf("platform %v, want linux/%s", d.Platform, runtime.GOARCH)
	}
	img, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// The config says: not root, the command is a binary's name, the
// environment points at files the image has.
func TestConfig(t *testing.T) {
	img := image(t)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	if len(c.Entrypoint) != 0 {
		t.Errorf("entrypoint %q, want none (the command names the binary)", c.Entrypoint)
	}
	if len(c.Cmd) == 0 || c.Cmd[0] != "newsmon" {
		t.Errorf("cmd %q, want the all-in-one newsmon", c.Cmd)
	}
	if cf.RootFS.Type != "layers" || len(cf.RootFS.DiffIDs) != 3 {
		t.Errorf("rootfs %+v, want type layers and 3 diff ids", cf.RootFS)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("config platform %s/%s", cf.OS, cf.Architecture)
	}
	if want := time.Unix(1767225600, 0).UTC(); !cf.Created.Time.Equal(want) {
		t.Errorf("created %v, want the -epoch %v", cf.Created.Time, want)
	}
	files := extract(t, img)
	env := map[string]string{}
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range []string{"TAGGER_RULES", "DESK_RULES", "INGEST_FEEDS", "SSL_CERT_FILE", "PATH"} {
		if env[k] == "" {
			t.Errorf("env %s not set", k)
		} else if _, ok := files.entries[env[k]]; !ok {
			t.Errorf("env %s=%s: not in the image", k, env[k])
		}
	}
	if _, ok := files.entries[path.Dir(env["DESK_INDEX"])]; !ok {
		t.Errorf("DESK_INDEX=%s: its folder is not in the image", env["DESK_INDEX"])
	}
	for _, kv := range c.Env {
		if strings.Contains(kv, "PASSWORD") || strings.Contains(kv, "SECRET") {
			t.Errorf("the image's environment holds a secret: %s", kv)
		}
	}
}

// The user exists, and the folders a process writes are its own or
// everyone's; everything else is root's and read-only to it.
func TestUserAndWritableFolders(t *testing.T) {
	files := extract(t, image(t))
	passwd := string(files.data["/etc/passwd"])
	if !strings.Contains(passwd, "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no user 65532:\n%s", passwd)
	}
	if !strings.Contains(string(files.data["/etc/group"]), ":65532:") {
		t.Errorf("/etc/group has no group 65532")
	}
	for p, want := range map[string]struct {
		mode int64
		uid  int
	}{
		"/tmp":             {0o1777, 0},
		"/var/lib/newsmon": {0o755, 65532},
		"/home/nonroot":    {0o700, 65532},
	} {
		h, ok := files.entries[p]
		if !ok || h.Typeflag != tar.TypeDir {
			t.Errorf("%s: no folder", p)
			continue
		}
		if h.Mode != want.mode || h.Uid != want.uid {
			t.Errorf("%s: mode %o uid %d, want %o %d", p, h.Mode, h.Uid, want.mode, want.uid)
		}
	}
	for p, h := range files.entries {
		if h.Uid == 65532 || h.Mode&0o002 != 0 {
			if p != "/tmp" && p != "/var/lib/newsmon" && p != "/home/nonroot" {
				t.Errorf("%s is writable by the user (uid %d, mode %o)", p, h.Uid, h.Mode)
			}
		}
		if !h.ModTime.Equal(time.Unix(1767225600, 0)) {
			t.Errorf("%s: time %v, want the -epoch", p, h.ModTime)
		}
	}
}

// The rules and the feed list are the repository's, byte for byte, and the
// CA bundle parses.
func TestFiles(t *testing.T) {
	files := extract(t, image(t))
	want, err := ConfigFiles(built.root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range want {
		if !bytes.Equal(files.data[f.Path], f.Data) {
			t.Errorf("%s differs from the repository's", f.Path)
		}
	}
	rules, _ := filepath.Glob(filepath.Join(built.root, "rules", "*.yaml"))
	if len(rules) == 0 {
		t.Fatal("no rules in the repository")
	}
	for _, r := range rules {
		if _, ok := files.data["/etc/newsmon/rules/"+filepath.Base(r)]; !ok {
			t.Errorf("rules/%s is not in the image", filepath.Base(r))
		}
	}
	rest, n := files.data["/etc/ssl/certs/ca-certificates.crt"], 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Errorf("CA bundle certificate %d: %v", n, err)
		}
		n++
	}
	if n < 100 || len(bytes.TrimSpace(rest)) != 0 {
		t.Errorf("CA bundle: %d certificates and %d bytes of rest, want over 100 and none", n, len(rest))
	}
}

// Every binary is a static Linux executable that runs from the unpacked
// image: the rule files there load, the feed list there parses.
func TestBinariesStaticAndRunnable(t *testing.T) {
	files := extract(t, image(t))
	for _, c := range gobuild.Commands {
		p := filepath.Join(files.dir, "usr", "local", "bin", c)
		f, err := elf.Open(p)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				t.Errorf("%s asks for a dynamic loader", c)
			}
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("%s needs shared libraries %v", c, libs)
		}
		f.Close()
		bi, err := buildinfo.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		for _, s := range bi.Settings {
			if s.Key == "CGO_ENABLED" && s.Value != "0" {
				t.Errorf("%s built with CGO_ENABLED=%s", c, s.Value)
			}
			if s.Key == "-trimpath" && s.Value != "true" {
				t.Errorf("%s built without -trimpath", c)
			}
		}
		// -h prints the flags and exits 1 (flag's convention here).
		out, _ := exec.Command(p, "-h").CombinedOutput()
		if !strings.Contains(string(out), "Usage of "+c) {
			t.Errorf("%s -h:\n%s", c, out)
		}
	}
	bin := filepath.Join(files.dir, "usr", "local", "bin")
	for _, args := range [][]string{
		{"tagger", "check", "-rules", filepath.Join(files.dir, "etc", "newsmon", "rules")},
		{"ingest", "feeds", "export", "-feeds", filepath.Join(files.dir, "etc", "newsmon", "feeds.txt")},
	} {
		out, err := exec.Command(filepath.Join(bin, args[0]), args[1:]...).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// docker load and podman load read the tar: one image, named, the same
// config and layers as the layout's.
func TestTarMatchesLayout(t *testing.T) {
	img := image(t)
	tag, err := name.NewTag("newsmon:test")
	if err != nil {
		t.Fatal(err)
	}
	fromTar, err := tarball.ImageFromPath(built.tar, &tag)
	if err != nil {
		t.Fatal(err)
	}
	a, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fromTar.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("config %s in the tar, %s in the layout", b, a)
	}
	la, _ := img.Layers()
	lb, _ := fromTar.Layers()
	if len(la) != 3 || len(lb) != len(la) {
		t.Fatalf("layers: %d in the layout, %d in the tar, want 3", len(la), len(lb))
	}
	for i := range la {
		da, _ := la[i].DiffID()
		db, _ := lb[i].DiffID()
		if da != db {
			t.Errorf("layer %d: %s in the layout, %s in the tar", i, da, db)
		}
	}
}

// One source and one time stamp make one image: assembling again from the
// same binaries gives the same digest.
func TestReproducible(t *testing.T) {
	img := image(t)
	files, err := ConfigFiles(built.root)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(extract(t, img).dir, "usr", "local", "bin")
	info := Info{Version: "test", Revision: cf.Config.Labels["org.opencontainers.image.revision"], Created: time.Unix(1767225600, 0).UTC()}
	again, err := Assemble(v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, bin, files, info)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, err := again.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if d1 != d2 {
		t.Errorf("digest %s, then %s from the same input", d1, d2)
	}
}

// The flags refuse what cannot be done, naming it.
func TestFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "give -oci DIR, -tar FILE or both"},
		{[]string{"-tar", "x.tar", "-platforms", "linux/amd64,linux/arm64"}, "-tar holds one platform"},
		{[]string{"-oci", "x", "-platforms", "windows/amd64"}, "the image is for linux"},
		{[]string{"-oci", "x", "-tag", "Not A Tag"}, `-tag "Not A Tag"`},
		{[]string{"-oci", "x", "extra"}, "unexpected arguments"},
	} {
		err := run(context.Background(), c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
}

// unpacked is the image's file system (the tests read one image, so it is
// unpacked once): every entry's header, the regular
// files' contents, and the files written out under dir.
type unpacked struct {
	dir     string
	entries map[string]*tar.Header
	data    map[string][]byte
}

func extract(t *testing.T, img v1.Image) *unpacked {
	t.Helper()
	if built.fs != nil {
		return built.fs
	}
	dir := filepath.Join(built.dir, "fs")
	u := &unpacked{dir: dir, entries: map[string]*tar.Header{}, data: map[string][]byte{}}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := "/" + strings.TrimSuffix(path.Clean(h.Name), "/")
		u.entries[p] = h
		local := filepath.Join(dir, filepath.FromSlash(p))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(local, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			u.data[p] = b
			if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(local, b, os.FileMode(h.Mode)&0o755); err != nil {
				t.Fatal(err)
			}
		default:
			t.Errorf("%s: entry type %c; the image holds only folders and files", p, h.Typeflag)
		}
	}
	built.fs = u
	return u
}
