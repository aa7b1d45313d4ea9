package main

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"

	"newsmon/deploy/internal/gobuild"
)

// The image's user: not root, with the uid and gid distroless and most
// charts use for "nonroot", so a pod's runAsUser 65532 matches it.
const (
	uid      = 65532
	userName = "nonroot"
)

// Where things are in the image.
const (
	binDir   = "/usr/local/bin"
	etcDir   = "/etc/newsmon"
	rulesDir = etcDir + "/rules"
	feedList = etcDir + "/feeds.txt"
	dataDir  = "/var/lib/newsmon" // writable by the user; the working folder
	caBundle = "/etc/ssl/certs/ca-certificates.crt"
)

// Env is the image's environment: where the binaries find the files the
// image carries. Every other setting is a flag's default, or the
// deployment's.
var Env = []string{
	"PATH=" + binDir,
	"TAGGER_RULES=" + rulesDir,
	"DESK_RULES=" + rulesDir,
	"INGEST_FEEDS=" + feedList,
	"DESK_INDEX=" + dataDir + "/desk.db",
	"LOG_FORMAT=json",
	"SSL_CERT_FILE=" + caBundle,
}

// Cmd runs every service in one process with an embedded NATS server, as
// `docker run newsmon:dev` does; a deployment names one binary instead
// (command: [ingest]). There is no entrypoint, so the command is the
// binary's name.
var Cmd = []string{"newsmon", "-nats-listen", "0.0.0.0:4222", "-http", "0.0.0.0:9100"}

// Info is what the image says about itself.
type Info struct {
	Version  string    // the tag
	Revision string    // the commit, if known
	Created  time.Time // every time stamp in the image
}

// File is a file the image carries from the repository.
type File struct {
	Path string // in the image
	Data []byte
}

// ConfigFiles reads the rule files and the default feed list from the
// repository at root.
func ConfigFiles(root string) ([]File, error) {
	rules, err := filepath.Glob(filepath.Join(root, "rules", "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("no rule files in %s", filepath.Join(root, "rules"))
	}
	sort.Strings(rules)
	var files []File
	for _, src := range rules {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: rulesDir + "/" + filepath.Base(src), Data: b})
	}
	b, err := os.ReadFile(filepath.Join(root, "deploy", "feeds.txt"))
	if err != nil {
		return nil, err
	}
	return append(files, File{Path: feedList, Data: b}), nil
}

// Assemble makes the image of one platform from the binaries in bin and the
// repository's files, in three layers from the least to the most often
// changed: the base (user, folders, CA bundle), the binaries, the rules and
// feed list.
func Assemble(p v1.Platform, bin string, files []File, info Info) (v1.Image, error) {
	base, err := baseLayer(info.Created)
	if err != nil {
		return nil, err
	}
	bins := newLayer(info.Created)
	bins.dirs("/usr", "/usr/local", binDir)
	for _, c := range gobuild.Commands {
		b, err := os.ReadFile(filepath.Join(bin, c))
		if err != nil {
			return nil, err
		}
		bins.file(binDir+"/"+c, 0o755, 0, b)
	}
	conf := newLayer(info.Created)
	conf.dirs(etcDir, rulesDir)
	for _, f := range files {
		conf.file(f.Path, 0o644, 0, f.Data)
	}

	cfg := &v1.ConfigFile{
		Architecture: p.Architecture,
		OS:           p.OS,
		Variant:      p.Variant,
		Created:      v1.Time{Time: info.Created},
		RootFS:       v1.RootFS{Type: "layers"}, // the diff ids come with each layer
		Config: v1.Config{
			User:       fmt.Sprintf("%d:%d", uid, uid),
			Env:        Env,
			Cmd:        Cmd,
			WorkingDir: dataDir,
			// The all-in-one command's NATS, console (loopback unless
			// configured) and ops ports.
			ExposedPorts: map[string]struct{}{"4222/tcp": {}, "9100/tcp": {}},
			Labels:       labels(info),
			StopSignal:   "SIGTERM",
		},
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, l := range []struct {
		what string
		data []byte
	}{
		{"user nonroot (65532), /tmp, " + dataDir + ", CA bundle", base.bytes()},
		{"binaries: ingest tagger desk notify newsmon", bins.bytes()},
		{"rules and the default feed list", conf.bytes()},
	} {
		data := l.data
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
		if err != nil {
			return nil, err
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:     layer,
			MediaType: types.OCILayer,
			History:   v1.History{Created: v1.Time{Time: info.Created}, CreatedBy: "deploy/image: " + l.what},
		})
		if err != nil {
			return nil, err
		}
	}
	return img, nil
}

func labels(info Info) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "newsmon",
		"org.opencontainers.image.description": "news monitoring: ingest, tagger, desk, notify and the all-in-one newsmon",
		"org.opencontainers.image.version":     info.Version,
		"org.opencontainers.image.created":     info.Created.Format(time.RFC3339),
	}
	if info.Revision != "" {
		l["org.opencontainers.image.revision"] = info.Revision
	}
	return l
}

// baseLayer holds what a base image would: the user in /etc/passwd (so
// tools that look it up find a name and a home), a writable /tmp and data
// folder, and the CA bundle for HTTPS feeds and TLS to NATS.
func baseLayer(created time.Time) (*layer, error) {
	ca, err := caPEM()
	if err != nil {
		return nil, err
	}
	l := newLayer(created)
	l.dirs("/etc")
	l.file("/etc/passwd", 0o644, 0, []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:/home/%s:/sbin/nologin\n", userName, uid, uid, userName, userName)))
	l.file("/etc/group", 0o644, 0, []byte(fmt.Sprintf("root:x:0:\n%s:x:%d:\n", userName, uid)))
	l.dirs("/etc/ssl", "/etc/ssl/certs")
	l.file(caBundle, 0o644, 0, ca)
	l.dir("/tmp", 0o1777, 0)
	l.dirs("/home")
	l.dir("/home/"+userName, 0o700, uid)
	l.dirs("/var", "/var/lib")
	l.dir(dataDir, 0o755, uid)
	return l, nil
}

// caPEM writes the Mozilla NSS roots that golang.org/x/crypto/x509roots
// carries (pinned by this module's go.sum, so every build machine puts the
// same bundle in the image). Roots that NSS distrusts after a date are
// left out: a PEM file cannot say "only for certificates issued before".
func caPEM() ([]byte, error) {
	var b bytes.Buffer
	n := 0
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate}); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("no roots in golang.org/x/crypto/x509roots/fallback/bundle")
	}
	return b.Bytes(), nil
}

// layer is a tar of one layer, written in the order of the calls, every
// entry with the same time stamp, so one input gives one digest.
type layer struct {
	buf     bytes.Buffer
	tw      *tar.Writer
	created time.Time
}

func newLayer(created time.Time) *layer {
	l := &layer{created: created}
	l.tw = tar.NewWriter(&l.buf)
	return l
}

func (l *layer) header(h *tar.Header) {
	h.ModTime = l.created
	h.Format = tar.FormatPAX
	h.Gid = h.Uid
	if err := l.tw.WriteHeader(h); err != nil {
		panic(err) // writing to memory fails only on a malformed header, a bug here
	}
}

func (l *layer) dir(path string, mode int64, owner int) {
	l.header(&tar.Header{Typeflag: tar.TypeDir, Name: path[1:] + "/", Mode: mode, Uid: owner})
}

func (l *layer) dirs(paths ...string) {
	for _, p := range paths {
		l.dir(p, 0o755, 0)
	}
}

func (l *layer) file(path string, mode int64, owner int, data []byte) {
	l.header(&tar.Header{Typeflag: tar.TypeReg, Name: path[1:], Mode: mode, Uid: owner, Size: int64(len(data))})
	if _, err := l.tw.Write(data); err != nil {
		panic(err)
	}
}

func (l *layer) bytes() []byte {
	if err := l.tw.Close(); err != nil {
		panic(err)
	}
	return l.buf.Bytes()
}

// WriteLayout writes the images as an OCI image layout at dir, named by
// ref: one image, or an index of one image per platform. It returns the
// digest the layout's index.json names.
func WriteLayout(dir string, ref name.Tag, plats []v1.Platform, images []v1.Image) (v1.Hash, error) {
	if err := os.RemoveAll(dir); err != nil {
		return v1.Hash{}, err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, err
	}
	// ref.name is what skopeo and podman look up (oci:DIR:TAG);
	// io.containerd.image.name is the name docker load gives the image.
	annotations := layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": ref.TagStr(),
		"io.containerd.image.name":          ref.String(),
	})
	if len(images) == 1 {
		if err := p.AppendImage(images[0], annotations, layout.WithPlatform(plats[0])); err != nil {
			return v1.Hash{}, err
		}
		return images[0].Digest()
	}
	var idx v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, img := range images {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &plats[i]}})
	}
	if err := p.AppendIndex(idx, annotations); err != nil {
		return v1.Hash{}, err
	}
	return idx.Digest()
}
