package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"newsmon/cmd/internal/envflag"
	"newsmon/cmd/internal/logflag"
	"newsmon/cmd/internal/natsconn"
	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/desk"
	"newsmon/pipeline/rules"
)

// runBacktest is `tagger backtest -rules DIR -since 7d`: the rule folder
// is sent to a desk, which runs it over the articles it indexed in the
// period and says, per rule, what it flags against what was alerted then.
func runBacktest(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	env := envflag.New("tagger backtest", stderr, getenv)
	var dir, since, deskURL, user, password string
	var asJSON bool
	env.String(&dir, "rules", "TAGGER_RULES", "rules", "folder of rule files (*.yaml) to try")
	env.String(&since, "since", "BACKTEST_SINCE", "7d", "period of indexed articles to run over: 24h, 7d, 30d")
	env.String(&deskURL, "desk", "DESK_URL", "http://127.0.0.1:8080", "the desk's address")
	env.String(&user, "user", "DESK_USER", "", "desk user (an editor) when the desk has logins")
	env.String(&password, "password", "DESK_PASSWORD", "", "that user's password (prefer the variable)")
	env.Bool(&asJSON, "json", "BACKTEST_JSON", false, "print the desk's answer as JSON")
	if err := env.Parse(args); err != nil {
		return err
	}
	if env.FS.NArg() > 0 {
		return fmt.Errorf("backtest: unexpected arguments %q", env.FS.Args())
	}
	if _, err := desk.ParseSince(since); err != nil {
		return fmt.Errorf("-since %w", err)
	}
	// The folder must load here first: its errors name real paths.
	if _, err := rules.LoadDir(dir); err != nil {
		n := printProblems(stdout, err)
		return fmt.Errorf("backtest: %d problem(s) in %s; fix them first (tagger check)", n, dir)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	files := map[string]string{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		files[filepath.Base(n)] = string(data)
	}
	c, err := newDeskClient(ctx, strings.TrimSuffix(deskURL, "/"), user, password)
	if err != nil {
		return err
	}
	var res desk.BacktestResult
	if err := c.post(ctx, "/api/backtest", desk.BacktestRequest{Files: files, Since: since}, &res); err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%d articles since %s read by %s in %s", res.Articles, res.Since.Format("2006-01-02 15:04 UTC"), deskURL, res.Took)
	if res.Truncated {
		fmt.Fprint(stdout, " (stopped at the desk's cap)")
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "rule\tflagged\talerted then\tnew\tgone\t")
	for _, r := range res.Rules {
		if r.Flagged == 0 && r.Alerted == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", r.Key, r.Flagged, r.Alerted, r.New, r.Gone)
	}
	tw.Flush()
	for _, h := range res.Hits {
		if h.New {
			fmt.Fprintf(stdout, "new %s: %s %s\n", h.Rule, h.Article.Title, h.Article.URL)
		}
	}
	return nil
}

// deskClient calls a desk's API with its CSRF token, by basic auth when a
// user is given.
type deskClient struct {
	base, user, password, csrf string
	http                       *http.Client
}

func newDeskClient(ctx context.Context, base, user, password string) (*deskClient, error) {
	jar, _ := cookiejar.New(nil)
	c := &deskClient{base: base, user: user, password: password, http: &http.Client{Jar: jar, Timeout: 3 * time.Minute}}
	var s struct {
		Role string `json:"role"`
		CSRF string `json:"csrf"`
	}
	if err := c.do(ctx, "GET", "/api/session", nil, &s); err != nil {
		return nil, err
	}
	if s.Role != desk.RoleEditor {
		return nil, fmt.Errorf("desk %s: backtests need an editor (give -user and DESK_PASSWORD); the desk says your role is %q", base, s.Role)
	}
	c.csrf = s.CSRF
	return c, nil
}

func (c *deskClient) post(ctx context.Context, path string, body, dst any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.do(ctx, "POST", path, data, dst)
}

func (c *deskClient) do(ctx context.Context, method, path string, body []byte, dst any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.password)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("desk %s: %w", c.base, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("desk %s%s: %w", c.base, path, err)
	}
	if res.StatusCode/100 != 2 {
		var e struct {
			Error    string   `json:"error"`
			Problems []string `json:"problems"`
		}
		json.Unmarshal(data, &e)
		msg := e.Error
		if msg == "" {
			msg = strings.TrimSpace(string(data))
		}
		if len(e.Problems) > 0 {
			msg += ":\n" + strings.Join(e.Problems, "\n")
		}
		return fmt.Errorf("desk %s%s: %s: %s", c.base, path, res.Status, msg)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("desk %s%s: %w", c.base, path, err)
	}
	return nil
}

// runFeedback is `tagger feedback export -rules DIR`: the verdicts in the
// FEEDBACK stream (or in a file, -in) become examples in the rule files, so
// that `tagger test` guards every fix.
func runFeedback(ctx context.Context, args []string, getenv envflag.Getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New("usage: tagger feedback export -rules DIR [-in FILE | NATS flags]")
	}
	env := envflag.New("tagger feedback export", stderr, getenv)
	var (
		natc    natsconn.Flags
		logc    logflag.Flags
		dir, in string
	)
	natc.Register(env)
	logc.Register(env)
	env.String(&dir, "rules", "TAGGER_RULES", "rules", "folder of rule files (*.yaml) to add the examples to")
	env.String(&in, "in", "FEEDBACK_IN", "", "read verdicts from this file (JSON lines, or the JSON of the desk's /api/feedback) instead of the FEEDBACK stream")
	if err := env.Parse(args[1:]); err != nil {
		return err
	}
	var fbs []pipeline.Feedback
	if in != "" {
		var err error
		if fbs, err = readFeedbackFile(in); err != nil {
			return err
		}
	} else {
		log, err := logc.Logger(stderr)
		if err != nil {
			return err
		}
		client, err := bus.Connect(ctx, natc.Options("tagger-feedback"), log)
		if err != nil {
			return err
		}
		defer client.Close()
		bad := 0
		err = client.ReadStream(ctx, pipeline.FeedbackStream, func(seq uint64, _ string, data []byte) error {
			var f pipeline.Feedback
			if err := json.Unmarshal(data, &f); err != nil || f.Validate() != nil {
				bad++
				return nil
			}
			fbs = append(fbs, f)
			return nil
		})
		if err != nil {
			return err
		}
		if bad > 0 {
			fmt.Fprintf(stderr, "feedback export: %d message(s) in %s skipped: not feedback\n", bad, pipeline.FeedbackStream)
		}
	}
	out, err := desk.ExportFeedback(dir, fbs)
	if err != nil {
		return err
	}
	failing := 0
	for _, e := range out {
		what := "want " + strings.Join(e.Want, ", ")
		if len(e.Not) > 0 {
			what = "not " + strings.Join(e.Not, ", ")
		}
		note := ""
		if e.FailsNow {
			note = " (fails until the rule is fixed)"
			failing++
		}
		fmt.Fprintf(stdout, "%s: + %s: %q, %s by %s%s\n", e.File, what, e.Title, e.Verdict, e.User, note)
	}
	fmt.Fprintf(stdout, "%d verdict(s) read, %d example(s) added, %d of them failing: fix the rules, then tagger test\n", len(fbs), len(out), failing)
	return nil
}

func readFeedbackFile(name string) ([]pipeline.Feedback, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var wrapped struct {
		Feedback []pipeline.Feedback `json:"feedback"`
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &wrapped) == nil && wrapped.Feedback != nil {
		return wrapped.Feedback, nil
	}
	var out []pipeline.Feedback
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var f pipeline.Feedback
		if err := json.Unmarshal(line, &f); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
		}
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
		}
		out = append(out, f)
	}
	return out, nil
}
