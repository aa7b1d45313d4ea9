package alert

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"newsmon/pipeline"
	"newsmon/pipeline/rules"
)

func TestBuild(t *testing.T) {
	pub := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	a := &pipeline.Article{ID: "a:1", URL: "https://example.com/1", Title: "T", Source: "example_com", Published: &pub, Text: "..."}
	huawei := &rules.Rule{ID: "huawei", Category: "cloud", Name: "Huawei Cloud", Subject: "alerts.cloud.huawei", Severity: "info"}
	watch := &rules.Rule{ID: "china-cloud-us-policy", Category: "watch", Name: "W", Subject: "alerts.watch.china-cloud-us-policy", Severity: "high", Description: "d"}
	m1 := pipeline.Match{Entity: "cloud.huawei", Text: "Huawei Cloud", Field: "body", Start: 0, End: 12, Snippet: "Huawei Cloud grew."}
	m2 := pipeline.Match{Entity: "policy.fcc", Text: "FCC", Field: "title", Start: 0, End: 3, Snippet: "FCC"}
	now := time.Date(2026, 11, 2, 10, 1, 0, 0, time.FixedZone("CET", 3600))

	got := Build(a, []rules.Hit{{Rule: huawei, Matches: []pipeline.Match{m1}, Prominence: 0.4}, {Rule: watch, Matches: []pipeline.Match{m1, m2}, Prominence: 0.6}}, now)
	ref := pipeline.ArticleRef{ID: "a:1", URL: "https://example.com/1", Title: "T", Source: "example_com", Published: &pub}
	want := []pipeline.Alert{
		{Schema: 1, ID: "a:1:huawei", Subject: "alerts.cloud.huawei", Rule: "huawei", Category: "cloud", Name: "Huawei Cloud", Severity: "info",
			Article: ref, Matches: []pipeline.Match{m1}, Count: 1, Prominence: 0.4, TaggedAt: now.UTC()},
		{Schema: 1, ID: "a:1:china-cloud-us-policy", Subject: "alerts.watch.china-cloud-us-policy", Rule: "china-cloud-us-policy", Category: "watch",
			Name: "W", Severity: "high", Description: "d", Article: ref, Matches: []pipeline.Match{m1, m2}, Count: 2, Prominence: 0.6, TaggedAt: now.UTC()},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Build (-want +got):\n%s", d)
	}
	if Build(a, nil, now) != nil {
		t.Error("no hits should build no alerts")
	}
}
