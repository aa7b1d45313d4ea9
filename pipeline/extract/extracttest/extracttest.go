// Package extracttest loads article-extraction datasets laid out as
// extraction-bench is (html/<id>.html.gz pages, a ground-truth.json of
// annotated bodies, optionally a metadata.jsonl) and scores extracted text
// with that benchmark's metric. The extract package's quality gate and the
// bench/extract program share it, so the figures in docs/benchmarks.md and
// the gate are computed the same way. It does not import extract: callers
// bring the extractor.
//
// Every dataset is split in two by a hash of the page id (Tuning): pages on
// the tuning side may be read one by one while changing the extractor; the
// held-out side is only ever scored as a whole, so its figure tells how the
// extractor does on pages it was not tuned on.
package extracttest

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Page is one saved page and what its annotators say it holds.
type Page struct {
	ID, URL string
	HTML    []byte
	Want    string // the annotated article body
	Meta    *Meta  // nil when the dataset has no metadata truth
}

// Meta is a page's metadata truth; empty fields mean "none expected".
type Meta struct {
	Title     string `json:"title"`
	Byline    string `json:"byline"`
	Lang      string `json:"lang"`
	SiteName  string `json:"siteName"`
	Published string `json:"publishedTime"`
}

// Dataset is a loaded dataset, pages sorted by id.
type Dataset struct {
	Name  string // the folder's name
	Pages []Page
	Meta  bool // whether pages carry metadata truth
}

// maxFile caps every file read, compressed or not: the largest page of the
// datasets in use is under 2 MB.
const maxFile = 64 << 20

// IsDataset reports whether dir has the benchmark layout.
func IsDataset(dir string) bool {
	_, errJSON := find(dir, "ground-truth.json")
	st, errHTML := os.Stat(filepath.Join(dir, "html"))
	return errJSON == nil && errHTML == nil && st.IsDir()
}

// Datasets lists the folders directly under root that have the benchmark
// layout, sorted by name.
func Datasets(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if d := filepath.Join(root, e.Name()); e.IsDir() && IsDataset(d) {
			dirs = append(dirs, d)
		}
	}
	return dirs, nil
}

// Load reads the dataset in dir. Each file may be stored plain or gzipped
// (name + ".gz").
func Load(dir string) (*Dataset, error) {
	raw, err := readFile(dir, "ground-truth.json")
	if err != nil {
		return nil, err
	}
	var gt map[string]struct {
		Body string `json:"articleBody"`
		URL  string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		return nil, fmt.Errorf("%s: ground-truth.json: %w", dir, err)
	}
	meta, err := loadMeta(dir)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: filepath.Base(dir), Meta: meta != nil}
	for id, g := range gt {
		page, err := readFile(filepath.Join(dir, "html"), id+".html")
		if err != nil {
			return nil, err
		}
		p := Page{ID: id, URL: g.URL, HTML: page, Want: g.Body}
		if meta != nil {
			m, ok := meta[id]
			if !ok {
				return nil, fmt.Errorf("%s: metadata.jsonl has no line for %s", dir, id)
			}
			p.Meta = &m
		}
		ds.Pages = append(ds.Pages, p)
	}
	slices.SortFunc(ds.Pages, func(a, b Page) int { return cmp.Compare(a.ID, b.ID) })
	return ds, nil
}

// loadMeta reads metadata.jsonl, or returns nil when the dataset has none.
func loadMeta(dir string) (map[string]Meta, error) {
	raw, err := readFile(dir, "metadata.jsonl")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]Meta{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m struct {
			ID string `json:"id"`
			Meta
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("%s/metadata.jsonl:%d: %w", dir, line, err)
		}
		out[m.ID] = m.Meta
	}
	return out, sc.Err()
}

// find returns the path of name or name.gz in dir.
func find(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", filepath.Join(dir, name), os.ErrNotExist)
}

// readFile reads name or name.gz from dir, gunzipping the latter.
func readFile(dir, name string) ([]byte, error) {
	path, err := find(dir, name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = z
	}
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxFile)
	}
	return b, nil
}

// Tuning reports whether a page is on the tuning side of the split (about
// half of every dataset). The other side is held out: never read page by
// page while changing the extractor.
func Tuning(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%2 == 0
}

// Score is the benchmark's metric over a set of pages.
type Score struct {
	Precision, Recall, F1 float64
	Pages                 int // pages scored
	Empty                 int // pages with an empty prediction
}

// ScoreTexts scores predictions against references, page by page: for each
// page the precision and recall of the multiset of 4-token shingles;
// precision is averaged over pages whose prediction has shingles, recall
// over pages whose reference has them, and F1 is that of the two means (the
// metric of extraction-bench's evaluation; an empty prediction costs recall
// only, hence Empty).
func ScoreTexts(want, got []string) Score {
	var sp, sr float64
	var np, nr int
	s := Score{Pages: len(want)}
	for i := range want {
		p, r, hasP, hasR := PageScore(want[i], got[i])
		if hasP {
			sp += p
			np++
		} else {
			s.Empty++
		}
		if hasR {
			sr += r
			nr++
		}
	}
	if np > 0 {
		s.Precision = sp / float64(np)
	}
	if nr > 0 {
		s.Recall = sr / float64(nr)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// PageScore is one page's shingle precision and recall; hasP and hasR are
// false when the prediction or the reference has no shingle.
func PageScore(want, got string) (p, r float64, hasP, hasR bool) {
	w, g := Shingles(want), Shingles(got)
	tp, nw, ng := 0, 0, 0
	for s, c := range g {
		tp += min(c, w[s])
		ng += c
	}
	for _, c := range w {
		nw += c
	}
	if ng > 0 {
		p, hasP = float64(tp)/float64(ng), true
	}
	if nw > 0 {
		r, hasR = float64(tp)/float64(nw), true
	}
	return p, r, hasP, hasR
}

// Shingles splits s into tokens (runs of letters, numbers and '_', case
// kept) and counts its 4-token shingles; a text of one to three tokens is
// one short shingle.
func Shingles(s string) map[string]int {
	toks := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_'
	})
	out := map[string]int{}
	switch {
	case len(toks) == 0:
	case len(toks) < 4:
		out[strings.Join(toks, " ")]++
	default:
		for i := 0; i+4 <= len(toks); i++ {
			out[strings.Join(toks[i:i+4], " ")]++
		}
	}
	return out
}
