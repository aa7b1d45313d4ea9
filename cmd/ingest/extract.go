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

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/ingestd"
	"newsmon/pipeline/article"
	"newsmon/pipeline/extract"
	"newsmon/pipeline/feed"
	"newsmon/pipeline/fetch"
)

// runExtract prints Article JSON lines built by the service's own builder
// (package article), so that they are what the service would publish, byte
// for byte but for fetched_at:
//
//	ingest extract [--url URL] FILE|URL...   one line per page: the article of a feed item that links to it
//	ingest extract --feed FILE|URL           one line per item of a feed, its page fetched as the service does
//
// A saved page or feed (FILE) takes its address from --url; without it, a
// file: URL of its path. Items a feed would not publish (no link, listed
// twice) are named on stderr with the reason; near-duplicates and items
// already published are not looked up (that needs NATS).
func runExtract(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	env := envflag.New("ingest extract", stderr, getenv)
	var ingc ingestd.Settings
	inputURL := env.FS.String("url", "", "the address a saved page or feed came from")
	asFeed := env.FS.Bool("feed", false, "the inputs are feeds: print the article of every item")
	pages := env.FS.Bool("pages", true, "with -feed, fetch each item's page as the service does (false: the feed's text)")
	ingestd.AllowNetworksFlag(env, &ingc.AllowNetworks)
	env.Bool(&ingc.Robots, "robots", "INGEST_ROBOTS", true, "honour robots.txt for article pages")
	env.Duration(&ingc.Timeout, "timeout", "INGEST_TIMEOUT", 30*time.Second, "longest a page request may take")
	if err := env.Parse(args); err != nil {
		return err
	}
	if env.FS.NArg() == 0 {
		return errors.New("extract: no input (want ingest extract [--url URL] [--feed] FILE|URL...)")
	}
	nets, err := fetch.ParseNetworks(ingc.AllowNetworks)
	if err != nil {
		return fmt.Errorf("-allow-networks: %w", err)
	}
	ingc.Allow = nets
	ingc.PageMaxBytes = extract.DefaultMaxBytes
	client := ingc.FetchClient()
	b := article.Builder{Pages: client, Extract: &extract.Extractor{MaxBytes: ingc.PageMaxBytes}}
	enc := json.NewEncoder(stdout)
	var errs []error
	for _, in := range env.FS.Args() {
		var rs []article.Result
		var err error
		if *asFeed {
			rs, err = extractFeed(ctx, &b, client, in, *inputURL, *pages, stderr)
		} else {
			var r article.Result
			r, err = extractPage(ctx, &b, client, in, *inputURL)
			rs = []article.Result{r}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range rs {
			for _, n := range r.Notes {
				fmt.Fprintf(stderr, "%s: %s\n", r.Article.URL, n)
			}
			if r.PageErr != nil {
				fmt.Fprintf(stderr, "%s: page unusable, the feed's text used: %v\n", r.Article.URL, r.PageErr)
			}
			if err := enc.Encode(r.Article); err != nil {
				return err
			}
		}
	}
	return errors.Join(errs...)
}

// read returns the body and Content-Type of an input and the address it
// stands for: fetched as the service fetches (URL) or read from a file.
func read(ctx context.Context, client *fetch.Client, in, inputURL string, page bool, limit int64) ([]byte, string, string, error) {
	if u, err := url.Parse(in); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		get := client.Get
		if page {
			get = client.GetPage
		}
		resp, err := get(ctx, fetch.Request{URL: in})
		if err != nil {
			return nil, "", "", err
		}
		return resp.Body, resp.ContentType, in, nil
	}
	f, err := os.Open(in)
	if err != nil {
		return nil, "", "", err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", "", fmt.Errorf("%s: %w", in, err)
	}
	if int64(len(body)) > limit {
		return nil, "", "", fmt.Errorf("%s: larger than %d bytes", in, limit)
	}
	if inputURL == "" {
		inputURL = article.FileURL(in)
	}
	return body, "", inputURL, nil
}

func extractPage(ctx context.Context, b *article.Builder, client *fetch.Client, in, inputURL string) (article.Result, error) {
	body, contentType, pageURL, err := read(ctx, client, in, inputURL, true, extract.DefaultMaxBytes)
	if err != nil {
		return article.Result{}, err
	}
	r, err := b.PageBody(body, contentType, pageURL)
	if err != nil {
		return r, fmt.Errorf("%s: %w", in, err)
	}
	return r, nil
}

func extractFeed(ctx context.Context, b *article.Builder, client *fetch.Client, in, inputURL string, pages bool, stderr io.Writer) ([]article.Result, error) {
	body, contentType, feedURL, err := read(ctx, client, in, inputURL, false, feed.MaxBody)
	if err != nil {
		return nil, err
	}
	parsed, err := feed.Parse(body, contentType, feedURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	for _, w := range parsed.Warnings {
		fmt.Fprintf(stderr, "%s: %s\n", feedURL, w)
	}
	src := feed.Source{URL: feedURL, Pages: &pages}
	var out []article.Result
	var errs []error
	for i, k := range article.Keys(src.URL, parsed.Items) {
		it := parsed.Items[i]
		if k.Drop != "" {
			fmt.Fprintf(stderr, "%s: item %q (%s) not published: %s\n", feedURL, it.Title, it.Link, k.Drop)
			continue
		}
		r, err := b.Item(ctx, src, parsed, it, k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}
