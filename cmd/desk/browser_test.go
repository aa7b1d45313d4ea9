package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"newsmon/pipeline"
	"newsmon/pipeline/alert"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/demo"
	"newsmon/pipeline/desk"
	"newsmon/pipeline/rules"
)

var screenshots = flag.String("screenshots", "", "folder to save the console's screenshots in (docs/desk: go test ./cmd/desk -run Browser -screenshots ../../docs/desk)")

// chromium finds Debian's chromium (.ci/run installs it when missing).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium: .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("no chromium on this machine: apt-get install -y chromium")
	return ""
}

// browser collects what the page reports as errors: exceptions, console
// errors, failed loads and CSP violations (the browser log).
type browser struct {
	ctx  context.Context
	mu   sync.Mutex
	errs []string
}

func newBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 860)); err != nil {
		t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.mu.Lock()
				b.errs = append(b.errs, fmt.Sprintf("%s: %s %s", m.Type, m.Text, m.URL))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// takeErrors returns and clears what the page reported.
func (b *browser) takeErrors() []string {
	time.Sleep(100 * time.Millisecond) // late events of the last action
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errs
	b.errs = nil
	return e
}

func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func value[T any](t *testing.T, b *browser, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	return value(t, b, js, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

func (b *browser) shot(t *testing.T, name string) {
	t.Helper()
	shot := value(t, b, "screenshot "+name, chromedp.CaptureScreenshot())
	if len(shot) < 1000 {
		t.Fatalf("screenshot %s: %d bytes", name, len(shot))
	}
	dir := *screenshots
	if dir == "" {
		dir = t.TempDir()
	} else {
		shot = smallPNG(t, shot) // committed to docs/desk
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// smallPNG re-encodes a screenshot with a 256-colour palette (the console
// has few colours), a third of the size or less.
func smallPNG(t *testing.T, data []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	pal := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.Draw(pal, img.Bounds(), img, image.Point{}, draw.Src)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, pal); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// fetchStatus posts from inside the page, as a script on it could, and
// returns the HTTP status.
func (b *browser) fetchStatus(t *testing.T, withToken bool, body string) int {
	t.Helper()
	hdr := `{"Content-Type": "application/json"}`
	if withToken {
		hdr = `{"Content-Type": "application/json", "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content}`
	}
	return eval[int](t, b, fmt.Sprintf(`fetch("/api/feedback", {method: "POST", credentials: "same-origin", headers: %s, body: %q}).then(r => r.status)`, hdr, body))
}

// TestBrowser drives the console in a real headless Chromium against a desk
// on real NATS: live alerts, filters, search, feedback and its export,
// roles and CSRF; it saves the screenshots docs/desk.md shows.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	srv := natstest.StartSetUp(t)
	c := natstest.Connect(t, srv.ClientURL(), "test-publisher")
	set := shippedRules(t)
	now := time.Now()
	arts := demo.Articles(now)
	publish(t, c, set, arts)

	users := filepath.Join(t.TempDir(), "users")
	if err := desk.AddUser(users, "ed", desk.RoleEditor, "editor-password"); err != nil {
		t.Fatal(err)
	}
	if err := desk.AddUser(users, "rita", desk.RoleReader, "reader-password"); err != nil {
		t.Fatal(err)
	}
	port := natstest.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-nats", srv.ClientURL(), "-listen", fmt.Sprintf("127.0.0.1:%d", port), "-http", "",
			"-index", filepath.Join(t.TempDir(), "desk.db"), "-users", users, "-rules", "../../rules", "-log-level", "warn"},
			func(string) string { return "" }, strings.NewReader(""), io.Discard, os.Stderr)
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("desk: %v", err)
		}
	})
	natstest.WaitFor(t, 30*time.Second, "desk to index the demo articles", func() bool {
		req, _ := http.NewRequest("GET", base+"/api/status", nil)
		req.SetBasicAuth("rita", "reader-password")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var st desk.Status
		json.NewDecoder(res.Body).Decode(&st)
		return st.Counts.Articles == len(arts)
	})

	b := newBrowser(t, bin)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	login := func(user, pw string) {
		b.do(t, "log in as "+user,
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
				return err
			}),
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(css(`form.login`)),
			chromedp.SendKeys(css(`input[name=user]`), user),
			chromedp.SendKeys(css(`input[name=password]`), pw),
			chromedp.Submit(css(`form.login`)),
			chromedp.WaitVisible(css(`#alerts`)))
	}
	b.do(t, "login page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`form.login`)))
	b.shot(t, "login")
	login("ed", "editor-password")

	t.Run("loads without console errors", func(t *testing.T) {
		b.do(t, "live", chromedp.WaitVisible(css(`#live.on`)))
		if n := eval[int](t, b, `document.querySelectorAll("#alerts .alert").length`); n < 10 {
			t.Errorf("%d alerts listed", n)
		}
		// One row per article, holding every rule it matched.
		arts := eval[[]string](t, b, `[...document.querySelectorAll("#alerts .group")].map(g => g.dataset.article)`)
		seen := map[string]bool{}
		for _, a := range arts {
			if seen[a] {
				t.Errorf("article %s listed twice", a)
			}
			seen[a] = true
		}
		if n := eval[int](t, b, `Math.max(0, ...[...document.querySelectorAll("#alerts .group")].map(g => g.querySelectorAll(".alert").length))`); n < 2 {
			t.Errorf("no article shows more than %d alert: alerts are not grouped", n)
		}
		b.shot(t, "alerts")
		if errs := b.takeErrors(); len(errs) > 0 {
			t.Errorf("console errors: %q", errs)
		}
	})

	t.Run("an alert published now appears without a reload", func(t *testing.T) {
		pub := time.Now().UTC()
		u := "https://demo.newsmon.test/news/live-" + fmt.Sprint(pub.UnixNano())
		a := pipeline.Article{Schema: 1, ID: pipeline.ArticleID(u), URL: u, Source: "demo", Published: &pub, FetchedAt: pub,
			Title: "Tencent Cloud wins a contract in Jakarta",
			Text:  "Tencent Cloud won a contract to run the city's payment systems, officials said."}
		marker := eval[string](t, b, `window.__same = Math.random().toString(); window.__same`)
		alerts := alert.Build(&a, set.Match(rulesDoc(&a)), time.Now())
		if len(alerts) == 0 {
			t.Fatal("the live story raised no alert")
		}
		publish(t, c, set, []pipeline.Article{a})
		for _, al := range alerts {
			b.do(t, "live alert", chromedp.WaitVisible(css(fmt.Sprintf(`#alerts .alert[data-id=%q]`, al.ID))))
		}
		if n := eval[int](t, b, fmt.Sprintf(`document.querySelectorAll('#alerts .group[data-article=%q]').length`, a.ID)); n != 1 {
			t.Errorf("the live article's %d alerts are in %d groups, want 1", len(alerts), n)
		}
		if same := eval[string](t, b, `window.__same || ""`); same != marker {
			t.Error("the page was reloaded")
		}
		b.shot(t, "live")
	})

	t.Run("a filter hides the others", func(t *testing.T) {
		b.do(t, "filter", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`#alerts`)),
			// SetValue fires input and change, as a person's choice does;
			// the page applies the filter on change.
			chromedp.SetValue(css(`select[name=category]`), "policy"),
			chromedp.WaitReady(css(`select[name=category] option[selected][value=policy]`)))
		keys := eval[[]string](t, b, `[...document.querySelectorAll("#alerts .alert .key")].map(e => e.textContent)`)
		loc := value(t, b, "location", chromedp.Location())
		if len(keys) == 0 {
			t.Fatal("no policy alerts listed")
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, "policy.") {
				t.Errorf("alert %s listed under category policy", k)
			}
		}
		if !strings.Contains(loc, "category=policy") || strings.Contains(loc, "source=") {
			t.Errorf("URL %s does not hold the filter alone", loc)
		}
		b.shot(t, "filtered")
	})

	t.Run("search finds an article by a phrase in its body", func(t *testing.T) {
		b.do(t, "search", chromedp.Navigate(base+"/search"), chromedp.WaitVisible(css(`main input[name=q]`)),
			chromedp.SendKeys(css(`main input[name=q]`), `"asked Amazon Web Services, Microsoft and Google for their views"`),
			chromedp.Submit(css(`main input[name=q]`)),
			chromedp.WaitVisible(css(`.hits li`)))
		titles := eval[[]string](t, b, `[...document.querySelectorAll(".hits h3 a:first-child")].map(e => e.textContent)`)
		if len(titles) != 1 || titles[0] != "U.S. weighs curbs on Chinese cloud providers" {
			t.Errorf("hits %q", titles)
		}
		b.shot(t, "search")
		b.do(t, "open article", chromedp.Click(css(`.hits h3 a:first-child`)), chromedp.WaitVisible(css(`.doc .text mark`)))
		b.shot(t, "article")
	})

	t.Run("wrong on an alert is recorded and exported", func(t *testing.T) {
		target := alertOf(t, set, arts, "aws-outage", "cloud.aws")
		sel := fmt.Sprintf(`.alert[data-id=%q]`, target)
		b.do(t, "wrong", chromedp.Navigate(base+"/?rule=cloud.aws"), chromedp.WaitVisible(css(sel)),
			chromedp.Click(css(sel+` button.bad`)),
			chromedp.WaitVisible(css(sel+` .done.v-wrong`)))
		if txt := value(t, b, "recorded", chromedp.Text(css(sel+` .done`))); txt != "recorded: wrong" {
			t.Errorf("after the click: %q", txt)
		}
		var fbs []pipeline.Feedback
		natstest.WaitFor(t, 10*time.Second, "the verdict in FEEDBACK", func() bool {
			fbs = nil
			c.ReadStream(context.Background(), pipeline.FeedbackStream, func(_ uint64, _ string, data []byte) error {
				var f pipeline.Feedback
				if json.Unmarshal(data, &f) == nil {
					fbs = append(fbs, f)
				}
				return nil
			})
			return len(fbs) == 1
		})
		if f := fbs[0]; f.Rule != "cloud.aws" || f.Verdict != "wrong" || f.User != "ed" || f.AlertID != target {
			t.Errorf("feedback %+v", f)
		}
		dir := t.TempDir()
		names, _ := filepath.Glob("../../rules/*.yaml")
		for _, n := range names {
			data, _ := os.ReadFile(n)
			os.WriteFile(filepath.Join(dir, filepath.Base(n)), data, 0o644)
		}
		got, err := desk.ExportFeedback(dir, fbs)
		if err != nil || len(got) != 1 || got[0].Not[0] != "cloud.aws" {
			t.Fatalf("export: %+v, %v", got, err)
		}
		data, _ := os.ReadFile(filepath.Join(dir, "cloud.yaml"))
		if !strings.Contains(string(data), "feedback "+fbs[0].ID) {
			t.Error("cloud.yaml has no example of the verdict")
		}
	})

	t.Run("a request without the CSRF token is refused", func(t *testing.T) {
		body := fmt.Sprintf(`{"alert_id": %q, "verdict": "correct"}`, alertOf(t, set, arts, "fcc-vote", "policy.fcc"))
		if code := b.fetchStatus(t, false, body); code != 403 {
			t.Errorf("without token: %d, want 403", code)
		}
		if code := b.fetchStatus(t, true, body); code != 201 {
			t.Errorf("with token: %d, want 201", code)
		}
		b.takeErrors() // the browser logs the refused request
	})

	t.Run("trends and try a rule", func(t *testing.T) {
		b.do(t, "trends", chromedp.Navigate(base+"/trends"), chromedp.WaitVisible(css(`.trend svg`)))
		b.shot(t, "trends")
		b.do(t, "try", chromedp.Navigate(base+"/try"), chromedp.WaitVisible(css(`textarea`)),
			chromedp.Click(css(`.tryform button[type=submit]`)), chromedp.WaitVisible(css(`.result`)))
		if flagged := value(t, b, "result", chromedp.Text(css(`.result .grid tbody td:nth-child(2)`))); flagged == "0" || flagged == "" {
			t.Errorf("the example rule flagged %q articles", flagged)
		}
		b.shot(t, "try")
		if errs := b.takeErrors(); len(errs) > 0 {
			t.Errorf("console errors: %q", errs)
		}
	})

	t.Run("a reader cannot post feedback", func(t *testing.T) {
		login("rita", "reader-password")
		if n := eval[int](t, b, `document.querySelectorAll("form.fb button").length`); n != 0 {
			t.Errorf("a reader sees %d feedback buttons", n)
		}
		body := fmt.Sprintf(`{"alert_id": %q, "verdict": "wrong"}`, alertOf(t, set, arts, "fcc-vote", "policy.fcc"))
		if code := b.fetchStatus(t, true, body); code != 403 {
			t.Errorf("reader's feedback with a token: %d, want 403", code)
		}
		b.takeErrors()
	})
}

func rulesDoc(a *pipeline.Article) rules.Doc { return rules.Doc{Title: a.Title, Body: a.Text} }

// alertOf is the id of the alert rule key raised on the demo story whose
// URL contains slug.
func alertOf(t *testing.T, set *rules.Set, arts []pipeline.Article, slug, key string) string {
	t.Helper()
	for i := range arts {
		if !strings.Contains(arts[i].URL, slug) {
			continue
		}
		for _, a := range alert.Build(&arts[i], set.Match(rulesDoc(&arts[i])), time.Now()) {
			if desk.Key(&a) == key {
				return a.ID
			}
		}
	}
	t.Fatalf("no %s alert on a story %s", key, slug)
	return ""
}
