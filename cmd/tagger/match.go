package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"newsmon/cmd/internal/envflag"
	"newsmon/pipeline"
	"newsmon/pipeline/article"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/rules"
	"newsmon/pipeline/tagger"
)

// runMatch prints, for each input file, the alerts the service would
// publish: one Alert JSON object a line. An input is an Article JSON
// document, an HTML page (extracted as the ingester would) or plain text.
func runMatch(args []string, stdout, stderr io.Writer) error {
	env := envflag.New("tagger match", stderr, nil)
	dir := env.FS.String("rules", "rules", "folder of rule files (*.yaml)")
	if err := env.Parse(args); err != nil {
		return err
	}
	if env.FS.NArg() == 0 {
		return errors.New("match: no input files (want tagger match -rules DIR FILE...; - reads stdin)")
	}
	set, err := rules.LoadDir(*dir)
	if err != nil {
		return err
	}
	t := tagger.New(set, nil, nil)
	enc := json.NewEncoder(stdout)
	var errs []error
	for _, name := range env.FS.Args() {
		a, err := readInput(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, al := range t.Tag(a) {
			if err := enc.Encode(al); err != nil {
				return err
			}
		}
	}
	return errors.Join(errs...)
}

// maxInput caps an input file, as the services cap what they read.
const maxInput = 16 << 20

func readInput(name string) (*pipeline.Article, error) {
	var (
		data []byte
		err  error
	)
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(os.Stdin, maxInput+1))
	} else {
		data, err = readFile(name)
	}
	if err != nil {
		return nil, err
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxInput)
	}
	return articleFrom(name, data)
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxInput+1))
}

// articleFrom reads data as an Article JSON document, an HTML page or plain
// text, in that order of preference. Pages and text are built by the
// ingester's own builder (package article), so a page gives the same
// article, id included, as `ingest extract` prints for it.
func articleFrom(name string, data []byte) (*pipeline.Article, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var a pipeline.Article
		if err := json.Unmarshal(trimmed, &a); err != nil {
			return nil, fmt.Errorf("%s: not an Article JSON document: %w", name, err)
		}
		if a.URL == "" {
			a.URL = article.FileURL(name)
		}
		if a.ID == "" {
			a.ID = pipeline.ArticleID(dedup.Key("", "", a.URL))
		}
		return &a, nil
	}
	var b article.Builder
	u := article.FileURL(name)
	var (
		r   article.Result
		err error
	)
	if http.DetectContentType(data) == "text/html; charset=utf-8" || bytes.Contains(bytes.ToLower(data[:min(len(data), 1024)]), []byte("<html")) {
		r, err = b.PageBody(data, "", u)
	} else {
		r, err = b.Text(u, string(data))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r.Article, nil
}
