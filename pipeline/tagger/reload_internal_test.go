package tagger

import (
	"os"
	"path/filepath"
	"testing"
)

// A rule folder mounted from a Kubernetes ConfigMap is a folder of links
// into ..data, itself a link to a dated folder; an update writes a new dated
// folder and swaps ..data. The links themselves never change, yet the stamp
// must, or the tagger would keep the old rules until restarted.
func TestStampSeesConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	version := func(name, body string) {
		t.Helper()
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "r.yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		// Swap ..data atomically, as the kubelet does: a new link renamed
		// over the old one.
		if err := os.Symlink(name, filepath.Join(dir, "..data_tmp")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	version("..2026_01_01_00_00_00.1", "entities: []\n")
	if err := os.Symlink(filepath.Join("..data", "r.yaml"), filepath.Join(dir, "r.yaml")); err != nil {
		t.Fatal(err)
	}
	before := stamp(dir)
	if before == "" {
		t.Fatal("the linked rule file is not in the stamp")
	}
	version("..2026_01_01_00_05_00.2", "entities: []\n# an analyst's edit\n")
	if after := stamp(dir); after == before {
		t.Errorf("stamp unchanged after ..data was swapped: %q", after)
	}
}
