package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"newsmon/cmd/internal/cli"
	"newsmon/pipeline"
	"newsmon/pipeline/dedup"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/fetch"
)

// runExtract prints one Article JSON line per input: a saved page (FILE) or
// a page fetched the way the service fetches (URL). --url gives a saved
// page the address it came from, for its canonical link and id.
func runExtract(ctx context.Context, args []string, getenv cli.Getenv, stdout, stderr io.Writer) error {
	env := cli.NewFlagSet("ingest extract", stderr, getenv)
	var ingc cli.Ingest
	pageURL := env.FS.String("url", "", "the address a saved page came from")
	env.Bool(&ingc.AllowPrivate, "allow-private-networks", "INGEST_ALLOW_PRIVATE_NETWORKS", false, "allow pages on loopback, private and link-local addresses")
	env.Duration(&ingc.Timeout, "timeout", "INGEST_TIMEOUT", 30*time.Second, "longest a page request may take")
	if err := env.Parse(args); err != nil {
		return err
	}
	if env.FS.NArg() == 0 {
		return errors.New("extract: no input (want ingest extract [--url URL] FILE|URL...)")
	}
	ingc.PageMaxBytes = extract.DefaultMaxBytes
	client := ingc.FetchClient()
	enc := json.NewEncoder(stdout)
	var errs []error
	for _, in := range env.FS.Args() {
		a, err := extractOne(ctx, client, in, *pageURL)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

func extractOne(ctx context.Context, client *fetch.Client, in, pageURL string) (*pipeline.Article, error) {
	var (
		body        []byte
		contentType string
	)
	if u, err := url.Parse(in); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		resp, err := client.GetPage(ctx, fetch.Request{URL: in})
		if err != nil {
			return nil, err
		}
		body, contentType, pageURL = resp.Body, resp.ContentType, resp.URL
	} else {
		f, err := os.Open(in)
		if err != nil {
			return nil, err
		}
		body, err = io.ReadAll(io.LimitReader(f, extract.DefaultMaxBytes+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in, err)
		}
		if pageURL == "" {
			pageURL = cli.FileURL(in)
		}
	}
	doc, err := extract.Extract(body, contentType, pageURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	a := &pipeline.Article{
		Schema:       pipeline.SchemaVersion,
		URL:          pageURL,
		CanonicalURL: doc.CanonicalURL,
		Source:       "extract",
		Title:        doc.Title,
		Author:       doc.Author,
		FetchedAt:    time.Now().UTC(),
		Lang:         doc.Lang,
		SiteName:     doc.SiteName,
		Text:         doc.Text,
		Extraction:   pipeline.ExtractionPage,
		ContentHash:  pipeline.ContentHash(doc.Text),
	}
	if !doc.Published.IsZero() {
		p := doc.Published.UTC()
		a.Published = &p
	}
	key := a.CanonicalURL
	if key == "" {
		key, _ = dedup.CanonicalURL(pageURL)
	}
	a.ID = pipeline.ArticleID(key)
	return a, nil
}
