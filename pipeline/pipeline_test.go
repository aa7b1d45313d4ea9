package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"testing"
)

func TestSubjectToken(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"theregister.com", "theregister_com"},
		{"Cloud", "cloud"},
		{"us-commerce", "us-commerce"},
		{"a b>*", "a_b__"},
		{"", "_"},
		{"华为", "__"},
	} {
		if got := SubjectToken(tc.in); got != tc.want {
			t.Errorf("SubjectToken(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := AlertSubject("cloud", "huawei"); got != "alerts.cloud.huawei" {
		t.Errorf("AlertSubject = %q", got)
	}
	if got := ArticleSubject("www.example.com"); got != "news.articles.www_example_com" {
		t.Errorf("ArticleSubject = %q", got)
	}
}

func TestArticleValidate(t *testing.T) {
	if err := (&Article{ID: "a:1", URL: "https://example.com/"}).Validate(); err != nil {
		t.Errorf("valid article: %v", err)
	}
	err := (&Article{}).Validate()
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("empty article: %v, want ErrMalformed", err)
	}
}

func TestIDsAreStable(t *testing.T) {
	if first, again := ArticleID("k"), ArticleID("k"); first != again || first == ArticleID("l") {
		t.Error("ArticleID is not a stable function of its key")
	}
	if ContentHash("a  b\n\nc") != ContentHash("a b c") {
		t.Error("ContentHash should ignore white space differences")
	}
}

// The examples in docs/messages.md decode into the types with no unknown
// field, so the documentation cannot drift from the code.
func TestDocumentedExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/messages.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) != 2 {
		t.Fatalf("docs/messages.md has %d JSON examples, want 2 (Article, Alert)", len(blocks))
	}
	for i, target := range []any{&Article{}, &Alert{}} {
		dec := json.NewDecoder(bytes.NewReader(blocks[i][1]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(target); err != nil {
			t.Errorf("example %d: %v", i+1, err)
		}
	}
}
