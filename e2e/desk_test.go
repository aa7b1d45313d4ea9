package e2e

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"newsmon/pipeline"
	"newsmon/pipeline/alert"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/bus/natstest"
	"newsmon/pipeline/demo"
	"newsmon/pipeline/desk"
	"newsmon/pipeline/rules"
)

func connectAs(t *testing.T, url, user string) *bus.Client {
	t.Helper()
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.InboxPrefix = url, user, user, user+"-secret", "_INBOX_"+user
	c, err := bus.Connect(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("%s connects: %v", user, err)
	}
	t.Cleanup(c.Close)
	return c
}

// The desk works with the rights deploy/nats gives its user: it follows
// ARTICLES, ALERTS and FEEDBACK into its index and publishes feedback,
// without creating a consumer on ALERTS.
func TestDeskUnderDeployPermissions(t *testing.T) {
	s := startFromConfig(t, "nats-server.conf")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ing, tag, dk := connectAs(t, s.ClientURL(), "ingest"), connectAs(t, s.ClientURL(), "tagger"), connectAs(t, s.ClientURL(), "desk")
	if err := dk.Verify(ctx, bus.DeskNeeds); err != nil {
		t.Fatal(err)
	}
	set, err := rules.LoadDir(filepath.Join("..", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	arts := demo.Articles(time.Now())
	var (
		ptrs   []*pipeline.Article
		alerts []pipeline.Alert
	)
	for i := range arts {
		ptrs = append(ptrs, &arts[i])
		alerts = append(alerts, alert.Build(&arts[i], set.Match(rules.Doc{Title: arts[i].Title, Body: arts[i].Text}), time.Now())...)
	}
	if err := ing.PublishArticles(ctx, ptrs); err != nil {
		t.Fatal(err)
	}
	if err := tag.PublishAlerts(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	idx, err := desk.OpenSQLite(filepath.Join(t.TempDir(), "desk.db"), desk.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	x := desk.NewIndexer(idx, dk, desk.IndexerOptions{}, slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	go func() { x.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	natstest.WaitFor(t, 20*time.Second, "the desk's index to hold every article and alert", func() bool {
		c, _ := idx.Counts(ctx)
		return c.Articles == len(arts) && c.Alerts == len(alerts)
	})
	f := pipeline.Feedback{Schema: 1, ID: pipeline.FeedbackID(alerts[0].Article.ID, desk.Key(&alerts[0]), "wrong", "ed"),
		Rule: desk.Key(&alerts[0]), Verdict: "wrong", AlertID: alerts[0].ID, User: "ed", At: time.Now(), Article: alerts[0].Article}
	if err := dk.PublishFeedback(ctx, &f); err != nil {
		t.Fatalf("desk publishes feedback: %v", err)
	}
	natstest.WaitFor(t, 10*time.Second, "the feedback read back from FEEDBACK", func() bool {
		c, _ := idx.Counts(ctx)
		return c.Feedback == 1
	})
	// A new alert arrives live, after the desk has caught up.
	late := pipeline.Article{Schema: 1, ID: "a:late", URL: "https://news.example/late", Source: "late", Title: "Huawei Cloud opens in Cairo",
		Text: "Huawei Cloud opened a region in Cairo.", FetchedAt: time.Now()}
	lateAlerts := alert.Build(&late, set.Match(rules.Doc{Title: late.Title, Body: late.Text}), time.Now())
	if err := tag.PublishAlerts(ctx, lateAlerts); err != nil {
		t.Fatal(err)
	}
	natstest.WaitFor(t, 10*time.Second, "the late alert indexed", func() bool {
		c, _ := idx.Counts(ctx)
		return c.Alerts == len(alerts)+len(lateAlerts)
	})
	for _, st := range desk.Streams {
		if n := x.Stats().Malformed[st].Load(); n != 0 {
			t.Errorf("%d malformed on %s", n, st)
		}
	}
}
