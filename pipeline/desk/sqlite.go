package desk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"
	_ "modernc.org/sqlite"

	"newsmon/pipeline"
	"newsmon/pipeline/desk/fulltext"
)

// schemaVersion changes when the tables change; an index of another version
// is deleted and rebuilt from the streams (it is only a read model).
const schemaVersion = "3"

var schema = []string{
	`CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE positions(stream TEXT PRIMARY KEY, seq INTEGER NOT NULL)`,
	// Counts kept as records are added, so the console never counts a
	// table of a million rows.
	`CREATE TABLE counts(name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID`,
	`INSERT INTO counts(name, n) VALUES('articles', 0), ('stubs', 0), ('alerts', 0), ('feedback', 0)`,
	// An article row is either an article from ARTICLES (stub = 0) or a
	// stub made from the first alert of an article that is not (yet, or
	// any more) in the index, so its alerts are found by search too.
	// doc is the article's JSON without its text, which is in text. rid
	// only grows (the full-text index keys documents by it; SQLite.nextRID
	// gives it): a stub filled by its article becomes a new row.
	`CREATE TABLE articles(
		rid    INTEGER PRIMARY KEY,
		id     TEXT NOT NULL UNIQUE,
		stub   INTEGER NOT NULL,
		at     INTEGER NOT NULL, -- unix ms: published, else fetched
		source TEXT NOT NULL,
		title  TEXT NOT NULL,
		text   TEXT NOT NULL,
		doc    BLOB NOT NULL)`,
	`CREATE INDEX articles_at ON articles(at)`,
	`CREATE TABLE alerts(
		rid        INTEGER PRIMARY KEY,
		id         TEXT NOT NULL UNIQUE,
		article_id TEXT NOT NULL,
		rule       TEXT NOT NULL, -- category.id
		category   TEXT NOT NULL,
		severity   INTEGER NOT NULL, -- index in Severities
		source     TEXT NOT NULL,
		at         INTEGER NOT NULL, -- tagged_at, unix ms
		doc        BLOB NOT NULL)`,
	`CREATE INDEX alerts_at ON alerts(at, rid)`,
	`CREATE INDEX alerts_rule ON alerts(rule, at, rid)`,
	`CREATE INDEX alerts_category ON alerts(category, at, rid)`,
	`CREATE INDEX alerts_source ON alerts(source, at, rid)`,
	// With the rule, so a page of search hits gets its rules from the
	// index alone.
	`CREATE INDEX alerts_article ON alerts(article_id, rule)`,
	// Tallies kept as alerts arrive, so facets and trends never scan alerts.
	`CREATE TABLE rules(key TEXT PRIMARY KEY, name TEXT NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE sources(source TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE mentions(entity TEXT NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,
		PRIMARY KEY(entity, hour)) WITHOUT ROWID`,
	`CREATE TABLE feedback(
		rid        INTEGER PRIMARY KEY,
		id         TEXT NOT NULL UNIQUE,
		rule       TEXT NOT NULL,
		verdict    TEXT NOT NULL,
		alert_id   TEXT NOT NULL,
		article_id TEXT NOT NULL,
		at         INTEGER NOT NULL,
		doc        BLOB NOT NULL)`,
	`CREATE INDEX feedback_alert ON feedback(alert_id)`,
	`CREATE INDEX feedback_article ON feedback(article_id)`,
	`CREATE INDEX feedback_rule ON feedback(rule, at)`,
}

// SQLite is the embedded Index: one file, WAL journal, one writer
// connection and a pool of readers.
type SQLite struct {
	path string
	w    *sql.DB
	r    *sql.DB
	ft   *fulltext.Index // over articles' title and text, keyed by rid
	// nextRID is the rid of the next article row: above every rid in the
	// table and in the full-text index (deleted documents included), so
	// that the index never meets an old rid again. Only the writing
	// connection's transactions use it, one at a time.
	nextRID atomic.Int64
}

var _ Index = (*SQLite)(nil)

// SQLiteOptions tunes the index.
type SQLiteOptions struct {
	CacheMB int // page cache of each connection (default 32)
	Readers int // reader connections (default 4)
}

// OpenSQLite opens (or creates) the index at path. An index written by
// another schema version is removed and created anew: the streams rebuild
// it.
func OpenSQLite(path string, o SQLiteOptions) (*SQLite, error) {
	if o.CacheMB <= 0 {
		o.CacheMB = 32
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("index %s: %w", path, err)
		}
	}
	s, err := openSQLite(path, o)
	if err != nil {
		return nil, err
	}
	v, err := s.version()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("index %s: %w", path, err)
	}
	switch v {
	case schemaVersion, "":
		if v == "" {
			if err := s.create(); err != nil {
				s.Close()
				return nil, fmt.Errorf("index %s: create: %w", path, err)
			}
		}
		live, err := s.liveRIDs(context.Background(), s.w)
		if err == nil {
			s.ft, err = fulltext.Open(context.Background(), s.w, live, s.loadText(s.w))
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("index %s: %w", path, err)
		}
		next := s.ft.MaxID() + 1
		if len(live) > 0 {
			next = max(next, live[len(live)-1]+1)
		}
		s.nextRID.Store(next)
		return s, nil
	default:
		s.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("index %s: schema %s, want %s; remove it: %w", path, v, schemaVersion, err)
			}
		}
		return OpenSQLite(path, o)
	}
}

func openSQLite(path string, o SQLiteOptions) (*SQLite, error) {
	dsn := func(extra string) string {
		return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
			"&_pragma=cache_size(-" + strconv.Itoa(o.CacheMB*1024) + ")&_pragma=temp_store(memory)" + extra
	}
	w, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("index %s: %w", path, err)
	}
	r.SetMaxOpenConns(o.Readers)
	r.SetMaxIdleConns(o.Readers)
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("index %s: %w", path, err)
	}
	return &SQLite{path: path, w: w, r: r}, nil
}

func (s *SQLite) version() (string, error) {
	var n int
	if err := s.w.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'meta'`).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", nil
	}
	var v string
	err := s.w.QueryRow(`SELECT value FROM meta WHERE key = 'schema'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "?", nil
	}
	return v, err
}

// liveRIDs lists the articles' rids, ascending: the documents the
// full-text index must hold.
func (s *SQLite) liveRIDs(ctx context.Context, db fulltext.DB) ([]int64, error) {
	// From the small index on (at, rid), not the table, whose pages hold
	// the articles' text: at a million articles, under a second instead
	// of several.
	rows, err := db.QueryContext(ctx, `SELECT rid FROM articles INDEXED BY articles_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var rid int64
		if err := rows.Scan(&rid); err != nil {
			return nil, err
		}
		out = append(out, rid)
	}
	slices.Sort(out)
	return out, rows.Err()
}

// loadText reads articles back for the full-text index (the ones it held
// in memory only when the desk stopped without closing the index).
func (s *SQLite) loadText(db fulltext.DB) fulltext.Loader {
	return func(ctx context.Context, ids []int64, add func(id, at int64, title, text string)) error {
		if len(ids) == 0 {
			return nil
		}
		rows, err := db.QueryContext(ctx, `SELECT rid, at, title, text FROM articles WHERE rid >= ? ORDER BY rid`, ids[0])
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() && len(ids) > 0 {
			var (
				rid, at     int64
				title, text string
			)
			if err := rows.Scan(&rid, &at, &title, &text); err != nil {
				return err
			}
			for len(ids) > 0 && ids[0] < rid {
				ids = ids[1:] // gone: the count the index checks tells
			}
			if len(ids) > 0 && ids[0] == rid {
				add(rid, at, title, text)
				ids = ids[1:]
			}
		}
		return rows.Err()
	}
}

func (s *SQLite) create() error {
	tx, err := s.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range append(slices.Clone(schema), fulltext.Schema...) {
		if _, err := tx.Exec(stmt); err != nil {
			return fmt.Errorf("%s: %w", strings.Fields(stmt)[:3], err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO meta(key, value) VALUES('schema', ?)`, schemaVersion); err != nil {
		return err
	}
	return tx.Commit()
}

// Close writes the full-text segments held in memory to the file (else
// the next open indexes their articles again) and closes the index.
func (s *SQLite) Close() error {
	var err error
	if s.ft != nil && s.ft.InMemory() > 0 {
		err = s.persistText(context.Background())
	}
	return errors.Join(err, s.r.Close(), s.w.Close())
}

func (s *SQLite) persistText(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer tx.Rollback()
	w := s.ft.Writer()
	w.Persist()
	if err := w.Flush(ctx, tx); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := s.ft.Commit(w, tx.Commit); err != nil {
		return fmt.Errorf("index commit: %w", err)
	}
	return nil
}

// Path is the index file.
func (s *SQLite) Path() string { return s.path }

// Position is the last sequence stored from stream.
func (s *SQLite) Position(ctx context.Context, stream string) (uint64, error) {
	var seq uint64
	err := s.w.QueryRowContext(ctx, `SELECT seq FROM positions WHERE stream = ?`, stream).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// articleTime is when an article happened for the index: its published
// date, else when it was fetched.
func articleTime(a *pipeline.Article) time.Time {
	if a.Published != nil && !a.Published.IsZero() {
		return *a.Published
	}
	return a.FetchedAt
}

// mentionTime places an alert in the trends: the article's date when it is
// plausible (not after the alert, not more than a week before it), else
// the time the alert was made.
func mentionTime(a *pipeline.Alert) time.Time {
	if p := a.Article.Published; p != nil && !p.After(a.TaggedAt) && a.TaggedAt.Sub(*p) < 7*24*time.Hour {
		return *p
	}
	return a.TaggedAt
}

// entityOf is the entity key of an entity rule's alert (every match names
// the rule's own entity), "" for a compound rule.
func entityOf(a *pipeline.Alert) string {
	key := Key(a)
	if len(a.Matches) == 0 {
		return ""
	}
	for _, m := range a.Matches {
		if m.Entity != key {
			return ""
		}
	}
	return key
}

// stubText is what search sees of an article known only from its alerts:
// the sentences that matched.
func stubText(a *pipeline.Alert) string {
	var parts []string
	for _, m := range a.Matches {
		if m.Field == "body" && m.Snippet != "" && !slices.Contains(parts, m.Snippet) {
			parts = append(parts, m.Snippet)
		}
	}
	return strings.Join(parts, "\n\n")
}

type writeStmts struct {
	insArticle, findArticle, delArticle            *sql.Stmt
	insAlert, tallyRule, tallySource, tallyMention *sql.Stmt
	insFeedback, setPos, addCount                  *sql.Stmt
	text                                           *fulltext.Writer
	stubs                                          int // stubs made minus stubs filled, this batch
}

func prepare(ctx context.Context, tx *sql.Tx) (*writeStmts, error) {
	var st writeStmts
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		// No RETURNING and no AUTOINCREMENT: either makes SQLite keep a
		// statement journal, a copy of every page the insert touches.
		{&st.insArticle, `INSERT INTO articles(rid, id, stub, at, source, title, text, doc) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO NOTHING`},
		{&st.findArticle, `SELECT rid, stub FROM articles WHERE id = ?`},
		{&st.delArticle, `DELETE FROM articles WHERE rid = ?`},
		{&st.insAlert, `INSERT INTO alerts(id, article_id, rule, category, severity, source, at, doc) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO NOTHING`},
		{&st.tallyRule, `INSERT INTO rules(key, name, n) VALUES(?, ?, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1, name = excluded.name`},
		{&st.tallySource, `INSERT INTO sources(source, n) VALUES(?, 1) ON CONFLICT(source) DO UPDATE SET n = n + 1`},
		{&st.tallyMention, `INSERT INTO mentions(entity, hour, n) VALUES(?, ?, 1) ON CONFLICT(entity, hour) DO UPDATE SET n = n + 1`},
		{&st.insFeedback, `INSERT INTO feedback(id, rule, verdict, alert_id, article_id, at, doc) VALUES(?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO NOTHING`},
		{&st.setPos, `INSERT INTO positions(stream, seq) VALUES(?, ?) ON CONFLICT(stream) DO UPDATE SET seq = excluded.seq`},
		{&st.addCount, `UPDATE counts SET n = n + ? WHERE name = ?`},
	} {
		stmt, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.dst = stmt
	}
	return &st, nil
}

func (st *writeStmts) close() {
	for _, s := range []*sql.Stmt{st.insArticle, st.findArticle, st.delArticle,
		st.insAlert, st.tallyRule, st.tallySource, st.tallyMention, st.insFeedback, st.setPos, st.addCount} {
		if s != nil {
			s.Close()
		}
	}
}

// Apply stores a batch in one transaction.
func (s *SQLite) Apply(ctx context.Context, b *Batch) (Applied, error) {
	var out Applied
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("index: %w", err)
	}
	defer tx.Rollback()
	st, err := prepare(ctx, tx)
	if err != nil {
		return out, err
	}
	defer st.close()
	st.text = s.ft.Writer()
	for i := range b.Articles {
		added, err := s.putArticle(ctx, st, &b.Articles[i])
		if err != nil {
			return Applied{}, fmt.Errorf("index article %s: %w", b.Articles[i].ID, err)
		}
		if added {
			out.Articles++
		}
	}
	for i := range b.Alerts {
		added, err := s.putAlert(ctx, st, &b.Alerts[i])
		if err != nil {
			return Applied{}, fmt.Errorf("index alert %s: %w", b.Alerts[i].ID, err)
		}
		if added {
			out.Alerts++
			out.NewAlerts = append(out.NewAlerts, b.Alerts[i].Alert)
		}
	}
	for i := range b.Feedback {
		added, err := putFeedback(ctx, st, &b.Feedback[i])
		if err != nil {
			return Applied{}, fmt.Errorf("index feedback %s: %w", b.Feedback[i].ID, err)
		}
		if added {
			out.Feedback++
		}
	}
	for stream, seq := range b.Positions {
		if _, err := st.setPos.ExecContext(ctx, stream, int64(seq)); err != nil {
			return Applied{}, fmt.Errorf("index position %s: %w", stream, err)
		}
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"articles", out.Articles}, {"stubs", st.stubs}, {"alerts", out.Alerts}, {"feedback", out.Feedback}} {
		if c.n == 0 {
			continue
		}
		if _, err := st.addCount.ExecContext(ctx, c.n, c.name); err != nil {
			return Applied{}, fmt.Errorf("index counts: %w", err)
		}
	}
	if err := st.text.Flush(ctx, tx); err != nil {
		return Applied{}, fmt.Errorf("index: %w", err)
	}
	if err := s.ft.Commit(st.text, tx.Commit); err != nil {
		return Applied{}, fmt.Errorf("index commit: %w", err)
	}
	return out, nil
}

// putArticle adds an article, or fills in the stub an earlier alert made.
func (s *SQLite) putArticle(ctx context.Context, st *writeStmts, a *pipeline.Article) (bool, error) {
	text := a.Text
	meta := *a
	meta.Text = ""
	doc, err := json.Marshal(&meta)
	if err != nil {
		return false, err
	}
	at := ms(articleTime(a))
	rid := s.nextRID.Add(1) - 1
	added, err := insertOnce(ctx, st.insArticle, rid, a.ID, 0, at, a.Source, a.Title, text, doc)
	if err != nil {
		return false, err
	}
	if added {
		st.text.Add(rid, at, a.Title, text)
		return true, nil
	}
	var stub bool
	if err := st.findArticle.QueryRowContext(ctx, a.ID).Scan(&rid, &stub); err != nil {
		return false, err
	}
	if !stub {
		return false, nil // stored before: the stream is read again after a crash
	}
	// The stub goes, the article comes as a new row.
	if _, err := st.delArticle.ExecContext(ctx, rid); err != nil {
		return false, err
	}
	st.text.Delete(rid)
	rid = s.nextRID.Add(1) - 1
	if _, err := st.insArticle.ExecContext(ctx, rid, a.ID, 0, at, a.Source, a.Title, text, doc); err != nil {
		return false, err
	}
	st.text.Add(rid, at, a.Title, text)
	st.stubs--
	return true, nil
}

func (s *SQLite) putAlert(ctx context.Context, st *writeStmts, r *AlertRecord) (bool, error) {
	a := &r.Alert
	doc := r.Doc
	if doc == nil {
		var err error
		if doc, err = json.Marshal(a); err != nil {
			return false, err
		}
	}
	key := Key(a)
	res, err := st.insAlert.ExecContext(ctx, a.ID, a.Article.ID, key, a.Category, severityRank(a.Severity),
		a.Article.Source, ms(a.TaggedAt), doc)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := st.tallyRule.ExecContext(ctx, key, a.Name); err != nil {
		return false, err
	}
	if _, err := st.tallySource.ExecContext(ctx, a.Article.Source); err != nil {
		return false, err
	}
	if e := entityOf(a); e != "" {
		hour := mentionTime(a).UTC().Truncate(time.Hour)
		if _, err := st.tallyMention.ExecContext(ctx, e, ms(hour)); err != nil {
			return false, err
		}
	}
	// A stub for an article the index does not hold, so the alert's
	// sentences are searched and the article page has something to show.
	ref := a.Article
	stub := pipeline.Article{ID: ref.ID, URL: ref.URL, Title: ref.Title, Source: ref.Source, Published: ref.Published, FetchedAt: a.TaggedAt}
	sdoc, err := json.Marshal(&stub)
	if err != nil {
		return false, err
	}
	text := stubText(a)
	at := ms(articleTime(&stub))
	rid := s.nextRID.Add(1) - 1
	made, err := insertOnce(ctx, st.insArticle, rid, ref.ID, 1, at, ref.Source, ref.Title, text, sdoc)
	if err != nil {
		return false, err
	}
	if made {
		st.text.Add(rid, at, ref.Title, text)
		st.stubs++
	}
	return true, nil
}

// insertOnce runs an INSERT ... ON CONFLICT DO NOTHING and says whether it
// added the row.
func insertOnce(ctx context.Context, stmt *sql.Stmt, args ...any) (bool, error) {
	res, err := stmt.ExecContext(ctx, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func putFeedback(ctx context.Context, st *writeStmts, f *pipeline.Feedback) (bool, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return false, err
	}
	res, err := st.insFeedback.ExecContext(ctx, f.ID, f.Rule, f.Verdict, f.AlertID, f.Article.ID, ms(f.At), doc)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// AddFeedback stores one verdict given on this desk.
func (s *SQLite) AddFeedback(ctx context.Context, f *pipeline.Feedback) error {
	_, err := s.Apply(ctx, &Batch{Feedback: []pipeline.Feedback{*f}})
	return err
}

// Prune removes articles, alerts and hourly counts older than before.
// Feedback stays: it is the analysts' work, and small.
func (s *SQLite) Prune(ctx context.Context, before time.Time) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	cut := ms(before)
	text := s.ft.Writer()
	rows, err := tx.QueryContext(ctx, `SELECT rid FROM articles WHERE at < ?`, cut)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	for rows.Next() {
		var rid int64
		if err := rows.Scan(&rid); err != nil {
			rows.Close()
			return 0, fmt.Errorf("prune: %w", err)
		}
		text.Delete(rid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE at < ?`, cut)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	na, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM alerts WHERE at < ?`, cut)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	nl, _ := res.RowsAffected()
	for _, q := range []string{
		`DELETE FROM mentions WHERE hour < ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, cut); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
	}
	if nl > 0 || na > 0 {
		for _, q := range []string{
			`UPDATE counts SET n = (SELECT count(*) FROM articles WHERE stub = 0) WHERE name = 'articles'`,
			`UPDATE counts SET n = (SELECT count(*) FROM articles WHERE stub = 1) WHERE name = 'stubs'`,
			`UPDATE counts SET n = (SELECT count(*) FROM alerts) WHERE name = 'alerts'`,
			`DELETE FROM rules`,
			`INSERT INTO rules(key, name, n) SELECT rule, '', count(*) FROM alerts GROUP BY rule`,
			`DELETE FROM sources`,
			`INSERT INTO sources(source, n) SELECT source, count(*) FROM alerts GROUP BY source`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return 0, fmt.Errorf("prune: %w", err)
			}
		}
		if err := s.renameRules(ctx, tx); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
	}
	if err := text.Flush(ctx, tx); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	return int(na + nl), s.ft.Commit(text, tx.Commit)
}

// renameRules gives the recounted rules their display names back from
// their latest alert.
func (s *SQLite) renameRules(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.key, (SELECT doc FROM alerts WHERE rule = r.key ORDER BY at DESC LIMIT 1) FROM rules r`)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for rows.Next() {
		var (
			key string
			doc []byte
		)
		if err := rows.Scan(&key, &doc); err != nil {
			rows.Close()
			return err
		}
		var a pipeline.Alert
		if json.Unmarshal(doc, &a) == nil {
			names[key] = a.Name
		}
	}
	rows.Close()
	for k, n := range names {
		if _, err := tx.ExecContext(ctx, `UPDATE rules SET name = ? WHERE key = ?`, n, k); err != nil {
			return err
		}
	}
	return nil
}

// Check verifies the index file and that the full-text index agrees with
// the articles it indexes.
func (s *SQLite) Check(ctx context.Context) error {
	var res string
	if err := s.w.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	if res != "ok" {
		return fmt.Errorf("check %s: %s", s.path, res)
	}
	live, err := s.liveRIDs(ctx, s.w)
	if err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	if err := s.ft.Check(ctx, s.w, live); err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	var real Counts
	kept, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	if err := s.w.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles WHERE stub = 0), (SELECT count(*) FROM articles WHERE stub = 1),
		(SELECT count(*) FROM alerts), (SELECT count(*) FROM feedback)`).Scan(&real.Articles, &real.Stubs, &real.Alerts, &real.Feedback); err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	if kept != real {
		return fmt.Errorf("check %s: counts kept %+v, in the tables %+v", s.path, kept, real)
	}
	return nil
}

// Counts is how many records the index holds.
func (s *SQLite) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	rows, err := s.r.QueryContext(ctx, `SELECT name, n FROM counts`)
	if err != nil {
		return c, fmt.Errorf("counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name string
			n    int
		)
		if err := rows.Scan(&name, &n); err != nil {
			return c, fmt.Errorf("counts: %w", err)
		}
		switch name {
		case "articles":
			c.Articles = n
		case "stubs":
			c.Stubs = n
		case "alerts":
			c.Alerts = n
		case "feedback":
			c.Feedback = n
		}
	}
	return c, rows.Err()
}

// Alerts returns one page of alerts, newest first.
func (s *SQLite) Alerts(ctx context.Context, q AlertQuery) (AlertPage, error) {
	limit := clampLimit(q.Limit, 50, 500)
	var (
		where []string
		args  []any
	)
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("category", q.Categories)
	in("rule", q.Rules)
	in("source", q.Sources)
	if q.MinSeverity != "" {
		where = append(where, "severity >= ?")
		args = append(args, severityRank(q.MinSeverity))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, ms(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, ms(q.To))
	}
	if q.Article != "" {
		where = append(where, "article_id = ?")
		args = append(args, q.Article)
	}
	if q.Cursor != "" {
		at, rid, err := parseCursor(q.Cursor)
		if err != nil {
			return AlertPage{}, err
		}
		where = append(where, "(at, rid) < (?, ?)")
		args = append(args, at, rid)
	}
	query := `SELECT rid, at, doc FROM alerts`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY at DESC, rid DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return AlertPage{}, fmt.Errorf("alerts: %w", err)
	}
	defer rows.Close()
	var (
		page    AlertPage
		lastAt  int64
		lastRID int64
	)
	for rows.Next() {
		var (
			rid, at int64
			doc     []byte
		)
		if err := rows.Scan(&rid, &at, &doc); err != nil {
			return AlertPage{}, fmt.Errorf("alerts: %w", err)
		}
		if len(page.Alerts) == limit {
			page.Next = fmt.Sprintf("%d.%d", lastAt, lastRID)
			break
		}
		var v AlertView
		if err := json.Unmarshal(doc, &v.Alert); err != nil {
			return AlertPage{}, fmt.Errorf("alerts: stored alert %d: %w", rid, err)
		}
		page.Alerts = append(page.Alerts, v)
		lastAt, lastRID = at, rid
	}
	if err := rows.Err(); err != nil {
		return AlertPage{}, fmt.Errorf("alerts: %w", err)
	}
	if page.Alerts == nil {
		page.Alerts = []AlertView{}
	}
	return page, s.addVerdicts(ctx, page.Alerts)
}

// Alert returns one alert.
func (s *SQLite) Alert(ctx context.Context, id string) (*AlertView, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM alerts WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("alert %s: %w", id, err)
	}
	v := []AlertView{{}}
	if err := json.Unmarshal(doc, &v[0].Alert); err != nil {
		return nil, fmt.Errorf("alert %s: %w", id, err)
	}
	return &v[0], s.addVerdicts(ctx, v)
}

// RuleArticles lists the articles a rule alerted on since a time.
func (s *SQLite) RuleArticles(ctx context.Context, rule string, since time.Time) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id FROM alerts WHERE rule = ? AND at >= ?`, rule, ms(since))
	if err != nil {
		return nil, fmt.Errorf("rule articles: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// CursorError is a cursor the index did not hand out.
type CursorError struct{ Cursor string }

func (e *CursorError) Error() string { return "cursor " + quote(e.Cursor) + ": not one this desk gave" }

func parseCursor(c string) (int64, int64, error) {
	a, b, ok := strings.Cut(c, ".")
	at, err1 := strconv.ParseInt(a, 10, 64)
	rid, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, &CursorError{Cursor: c}
	}
	return at, rid, nil
}

func clampLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	return min(n, max)
}

func (s *SQLite) addVerdicts(ctx context.Context, alerts []AlertView) error {
	if len(alerts) == 0 {
		return nil
	}
	ids := make([]any, len(alerts))
	idx := make(map[string]int, len(alerts))
	for i := range alerts {
		ids[i] = alerts[i].ID
		idx[alerts[i].ID] = i
	}
	rows, err := s.r.QueryContext(ctx, `SELECT alert_id, verdict, count(*) FROM feedback WHERE alert_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) GROUP BY alert_id, verdict`, ids...)
	if err != nil {
		return fmt.Errorf("verdicts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, verdict string
			n           int
		)
		if err := rows.Scan(&id, &verdict, &n); err != nil {
			return fmt.Errorf("verdicts: %w", err)
		}
		a := &alerts[idx[id]]
		if a.Verdicts == nil {
			a.Verdicts = map[string]int{}
		}
		a.Verdicts[verdict] = n
	}
	return rows.Err()
}

// Search runs a full-text query.
func (s *SQLite) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	text, err := ftsQuery(q.Q)
	if err != nil {
		return SearchPage{}, err
	}
	pq, err := fulltext.Parse(text)
	if err != nil {
		var se *fulltext.SyntaxError
		if errors.As(err, &se) {
			return SearchPage{}, &BadQueryError{Query: q.Q, Reason: se.Reason}
		}
		return SearchPage{}, err
	}
	limit := clampLimit(q.Limit, 20, 200)
	rd, err := s.ft.Read(ctx, s.r)
	if err != nil {
		return SearchPage{}, fmt.Errorf("search: %w", err)
	}
	defer rd.Close()
	tx := rd.Tx()
	o := fulltext.Options{Newest: q.Sort == "newest", Offset: max(q.Offset, 0), Limit: limit}
	if !q.From.IsZero() {
		o.From = ms(q.From)
	}
	if !q.To.IsZero() {
		o.To = ms(q.To)
	}
	if q.Alerted {
		stmt, err := tx.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM alerts l JOIN articles a ON l.article_id = a.id WHERE a.rid = ?)`)
		if err != nil {
			return SearchPage{}, fmt.Errorf("search: %w", err)
		}
		defer stmt.Close()
		o.Keep = func(rid int64) (bool, error) {
			var ok bool
			err := stmt.QueryRowContext(ctx, rid).Scan(&ok)
			return ok, err
		}
	}
	found, more, err := rd.Search(ctx, pq, o)
	if err != nil {
		return SearchPage{}, fmt.Errorf("search: %w", err)
	}
	page := SearchPage{Hits: []SearchHit{}, More: more}
	get, err := tx.PrepareContext(ctx, `SELECT id, stub, title, text, doc FROM articles WHERE rid = ?`)
	if err != nil {
		return SearchPage{}, fmt.Errorf("search: %w", err)
	}
	defer get.Close()
	for _, f := range found {
		var (
			h           SearchHit
			title, body string
			doc         []byte
		)
		if err := get.QueryRowContext(ctx, f.ID).Scan(&h.ID, &h.Stub, &title, &body, &doc); err != nil {
			return SearchPage{}, fmt.Errorf("search: article %d: %w", f.ID, err)
		}
		var a pipeline.Article
		if err := json.Unmarshal(doc, &a); err != nil {
			return SearchPage{}, fmt.Errorf("search: stored article %s: %w", h.ID, err)
		}
		h.Title = pq.Highlight(title, MarkStart, MarkEnd)
		h.Snippet = pq.Snippet(body, MarkStart, MarkEnd, "…", 32)
		h.URL, h.Source, h.Published = a.URL, a.Source, a.Published
		if h.Snippet == "" {
			h.Snippet = a.Summary
		}
		page.Hits = append(page.Hits, h)
	}
	return page, s.addRules(ctx, page.Hits)
}

func (s *SQLite) addRules(ctx context.Context, hits []SearchHit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]any, len(hits))
	idx := make(map[string]int, len(hits))
	for i := range hits {
		ids[i] = hits[i].ID
		idx[hits[i].ID] = i
	}
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, rule FROM alerts WHERE article_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) ORDER BY rule`, ids...)
	if err != nil {
		return fmt.Errorf("search rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, rule string
		if err := rows.Scan(&id, &rule); err != nil {
			return err
		}
		h := &hits[idx[id]]
		h.Rules = append(h.Rules, rule)
	}
	return rows.Err()
}

// Article returns an article with its alerts and the feedback on it.
func (s *SQLite) Article(ctx context.Context, id string) (*ArticleView, error) {
	var (
		v    ArticleView
		doc  []byte
		text string
	)
	err := s.r.QueryRowContext(ctx, `SELECT stub, text, doc FROM articles WHERE id = ?`, id).Scan(&v.Stub, &text, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", id, err)
	}
	if err := json.Unmarshal(doc, &v.Article); err != nil {
		return nil, fmt.Errorf("article %s: %w", id, err)
	}
	v.Article.Text = text
	page, err := s.Alerts(ctx, AlertQuery{Article: id, Limit: 500})
	if err != nil {
		return nil, err
	}
	v.Alerts = page.Alerts
	v.Feedback, err = s.Feedback(ctx, FeedbackQuery{Article: id, Limit: 500})
	return &v, err
}

// Articles walks the articles indexed since a time, newest first.
func (s *SQLite) Articles(ctx context.Context, since time.Time, fn func(*pipeline.Article) bool) error {
	rows, err := s.r.QueryContext(ctx, `SELECT text, doc FROM articles WHERE stub = 0 AND at >= ? ORDER BY at DESC`, ms(since))
	if err != nil {
		return fmt.Errorf("articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			text string
			doc  []byte
			a    pipeline.Article
		)
		if err := rows.Scan(&text, &doc); err != nil {
			return fmt.Errorf("articles: %w", err)
		}
		if err := json.Unmarshal(doc, &a); err != nil {
			return fmt.Errorf("articles: %w", err)
		}
		a.Text = text
		if !fn(&a) {
			return nil
		}
	}
	return rows.Err()
}

// Mentions counts entity alerts per entity and hour.
func (s *SQLite) Mentions(ctx context.Context, from, to time.Time) ([]Mention, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.entity, coalesce(r.name, m.entity), m.hour, m.n FROM mentions m
		LEFT JOIN rules r ON r.key = m.entity WHERE m.hour >= ? AND m.hour < ? ORDER BY m.entity, m.hour`, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("mentions: %w", err)
	}
	defer rows.Close()
	var out []Mention
	for rows.Next() {
		var (
			m    Mention
			hour int64
		)
		if err := rows.Scan(&m.Entity, &m.Name, &hour, &m.N); err != nil {
			return nil, fmt.Errorf("mentions: %w", err)
		}
		m.Hour = fromMS(hour)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Facets lists the values the filters offer.
func (s *SQLite) Facets(ctx context.Context) (Facets, error) {
	f := Facets{Severities: Severities, Categories: []string{}, Rules: []RuleFacet{}, Sources: []string{}, Entities: []EntityFacet{}}
	rows, err := s.r.QueryContext(ctx, `SELECT key, name, n FROM rules ORDER BY key`)
	if err != nil {
		return f, fmt.Errorf("facets: %w", err)
	}
	for rows.Next() {
		var r RuleFacet
		if err := rows.Scan(&r.Key, &r.Name, &r.N); err != nil {
			rows.Close()
			return f, err
		}
		f.Rules = append(f.Rules, r)
		if cat, _, _ := strings.Cut(r.Key, "."); !slices.Contains(f.Categories, cat) {
			f.Categories = append(f.Categories, cat)
		}
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, `SELECT source FROM sources ORDER BY source`)
	if err != nil {
		return f, fmt.Errorf("facets: %w", err)
	}
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			rows.Close()
			return f, err
		}
		f.Sources = append(f.Sources, src)
	}
	rows.Close()
	rows, err = s.r.QueryContext(ctx, `SELECT DISTINCT m.entity, coalesce(r.name, m.entity) FROM mentions m
		LEFT JOIN rules r ON r.key = m.entity ORDER BY m.entity`)
	if err != nil {
		return f, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e EntityFacet
		if err := rows.Scan(&e.Key, &e.Name); err != nil {
			return f, err
		}
		f.Entities = append(f.Entities, e)
	}
	slices.Sort(f.Categories)
	return f, rows.Err()
}

// Feedback lists verdicts, newest first.
func (s *SQLite) Feedback(ctx context.Context, q FeedbackQuery) ([]pipeline.Feedback, error) {
	query, args := `SELECT doc FROM feedback`, []any{}
	switch {
	case q.Article != "":
		query += ` WHERE article_id = ?`
		args = append(args, q.Article)
	case q.Rule != "":
		query += ` WHERE rule = ?`
		args = append(args, q.Rule)
	}
	query += ` ORDER BY at DESC, rid DESC LIMIT ?`
	args = append(args, clampLimit(q.Limit, 100, 10000))
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	defer rows.Close()
	out := []pipeline.Feedback{}
	for rows.Next() {
		var (
			doc []byte
			f   pipeline.Feedback
		)
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("feedback: %w", err)
		}
		if err := json.Unmarshal(doc, &f); err != nil {
			return nil, fmt.Errorf("feedback: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func quote(s string) string { return strconv.Quote(s) }
