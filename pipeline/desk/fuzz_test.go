package desk

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Whatever an analyst types, a search either runs or is refused as a bad
// query (400): never another error (500), never a panic.
func FuzzSearchQuery(f *testing.F) {
	for _, q := range []string{`huawei cloud`, `"export controls"`, `aws OR azure`, `amazon NOT rainforest`, `NEAR(huawei ban, 10)`,
		`title:tencent`, `sanction*`, `U.S. AT&T Wi-Fi`, `"unclosed`, `huawei AND`, `(a OR`, `title:`, `*`, `"a""b"`, `-x`, `^a +b`, `col:x`, "\x00"} {
		f.Add(q)
	}
	// One index for every input, removed with the fuzz test's directory.
	idx, err := OpenSQLite(filepath.Join(f.TempDir(), "fuzz.db"), SQLiteOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { idx.Close() })
	fillN(idx, 5)
	f.Fuzz(func(t *testing.T, q string) {
		_, err := idx.Search(context.Background(), SearchQuery{Q: q})
		var bq *BadQueryError
		if err != nil && !errors.As(err, &bq) {
			t.Fatalf("search %q: %v (want results or a BadQueryError)", q, err)
		}
	})
}

func fillN(s *SQLite, n int) {
	var b Batch
	for i := range n {
		a := testArticle(i, "Huawei Cloud story", "Huawei Cloud and the U.S. export controls on AT&T.")
		b.Articles = append(b.Articles, a)
		b.Alerts = append(b.Alerts, testAlert(&a, "cloud", "huawei", "high", "Huawei Cloud"))
	}
	s.Apply(context.Background(), &b)
}

// A users file is outside input: any bytes give users or errors naming a
// line, and every user returned has a valid name and role.
func FuzzParseUsers(f *testing.F) {
	f.Add([]byte("ed:editor:$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z6pGWQ/ZDlq6wIq7xVrDC4w.\n"))
	f.Add([]byte("# comment\n\nrita:reader:x\n"))
	f.Add([]byte("a:b\n::\n:editor:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := ParseUsers("users", data)
		if err != nil && !strings.HasPrefix(err.Error(), "users") {
			t.Fatalf("error does not name the file: %v", err)
		}
		for name, u := range users {
			if !validName.MatchString(name) || (u.Role != RoleReader && u.Role != RoleEditor) {
				t.Fatalf("accepted %+v", u)
			}
		}
	})
}

// The console's URL is outside input: any query string parses or is a
// parameter error, never a panic.
func FuzzAlertQueryParams(f *testing.F) {
	for _, s := range []string{"category=cloud&rule=cloud.aws&severity=high&since=7d", "from=2026-11-02&to=2026-11-03T10:00:00Z",
		"since=-1d", "limit=0", "cursor=1.2", "severity=urgent", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseAlertQuery(v, time.Now())
		var pe *paramError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("%q: %v", raw, err)
		}
		if err == nil && q.Cursor != "" {
			if _, _, err := parseCursor(q.Cursor); err != nil {
				var ce *CursorError
				if !errors.As(err, &ce) {
					t.Fatalf("cursor %q: %v", q.Cursor, err)
				}
			}
		}
	})
}
