package extracttest

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScoreTexts(t *testing.T) {
	want := []string{
		"one two three four five six", // 3 shingles
		"alpha beta gamma delta",      // 1 shingle
		"never predicted at all here", // 1 shingle
	}
	got := []string{
		"one two three four five, and more", // 4 shingles, 2 shared
		"alpha beta gamma delta",            // exact
		"",                                  // empty: recall 0, no precision
	}
	s := ScoreTexts(want, got)
	wantP := (2.0/4 + 1) / 2
	wantR := (2.0/3 + 1 + 0) / 3
	if math.Abs(s.Precision-wantP) > 1e-9 || math.Abs(s.Recall-wantR) > 1e-9 {
		t.Errorf("precision %v recall %v, want %v %v", s.Precision, s.Recall, wantP, wantR)
	}
	if f1 := 2 * wantP * wantR / (wantP + wantR); math.Abs(s.F1-f1) > 1e-9 {
		t.Errorf("F1 %v, want %v", s.F1, f1)
	}
	if s.Empty != 1 || s.Pages != 3 {
		t.Errorf("empty %d pages %d", s.Empty, s.Pages)
	}
}

func TestShingles(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]int
	}{
		{"", map[string]int{}},
		{"Hi, there!", map[string]int{"Hi there": 1}},
		{"a-b c_d e f", map[string]int{"a b c_d e": 1, "b c_d e f": 1}},
		{"x y z w x y z w", map[string]int{"x y z w": 2, "y z w x": 1, "z w x y": 1, "w x y z": 1}},
		{"北京 2024年 云 服务", map[string]int{"北京 2024年 云 服务": 1}},
	}
	for _, c := range cases {
		got := Shingles(c.in)
		if len(got) != len(c.want) {
			t.Errorf("Shingles(%q) = %v, want %v", c.in, got, c.want)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("Shingles(%q) = %v, want %v", c.in, got, c.want)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, gz bool) {
		t.Helper()
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		data := []byte(body)
		if gz {
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			z.Write(data)
			z.Close()
			data, path = b.Bytes(), path+".gz"
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ground-truth.json", `{"b": {"articleBody": "body b", "url": "https://b.example/"}, "a": {"articleBody": "body a", "url": "https://a.example/"}}`, true)
	write("html/a.html", "<p>a</p>", true)
	write("html/b.html", "<p>b</p>", false)
	if !IsDataset(dir) {
		t.Fatal("IsDataset = false")
	}
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Pages) != 2 || ds.Pages[0].ID != "a" || string(ds.Pages[1].HTML) != "<p>b</p>" || ds.Pages[0].Want != "body a" || ds.Meta {
		t.Errorf("loaded %+v", ds)
	}

	write("metadata.jsonl", `{"id":"a","title":"A","lang":"en"}`+"\n", false)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "no line for b") {
		t.Errorf("missing metadata line: err = %v", err)
	}
	write("metadata.jsonl", `{"id":"a","title":"A","lang":"en"}`+"\n"+`{"id":"b",`+"\n", false)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "metadata.jsonl:2") {
		t.Errorf("bad metadata line: err = %v", err)
	}
	write("metadata.jsonl", `{"id":"a","title":"A","lang":"en"}`+"\n"+`{"id":"b","byline":"Ann"}`+"\n", false)
	ds, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ds.Meta || ds.Pages[0].Meta.Title != "A" || ds.Pages[1].Meta.Byline != "Ann" {
		t.Errorf("metadata %+v %+v", ds.Pages[0].Meta, ds.Pages[1].Meta)
	}

	os.Remove(filepath.Join(dir, "html", "b.html"))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "b.html") {
		t.Errorf("missing page: err = %v", err)
	}
}

func TestDatasetsInRepo(t *testing.T) {
	dirs, err := Datasets(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	if strings.Join(names, ",") != "extraction-bench,extraction-readability" {
		t.Errorf("datasets = %v", names)
	}
}

func TestTuningSplitsAboutHalf(t *testing.T) {
	n := 0
	for i := range 1000 {
		if Tuning(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune(i))) {
			n++
		}
	}
	if n < 400 || n > 600 {
		t.Errorf("%d of 1000 on the tuning side", n)
	}
}
