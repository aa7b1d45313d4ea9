package fulltext

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "ft.db")+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, s := range Schema {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

type doc struct {
	id          int64
	title, text string
}

// apply adds and deletes documents in one transaction.
func apply(t testing.TB, x *Index, db *sql.DB, add []doc, del []int64) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	w := x.Writer()
	for _, d := range add {
		w.Add(d.id, d.id*1000, d.title, d.text)
	}
	for _, id := range del {
		w.Delete(id)
	}
	if err := w.Flush(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(w, tx.Commit); err != nil {
		t.Fatal(err)
	}
}

func search(t testing.TB, x *Index, db *sql.DB, q string, o Options) []int64 {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	r, err := x.Read(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if o.Limit == 0 {
		o.Limit = 1 << 20
	}
	hits, _, err := r.Search(context.Background(), pq, o)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestTokens(t *testing.T) {
	got := strings.Join(Terms("Huawei's Cloud—in Zürich, São Paulo & the U.S.: 5G_net ÉCOLE"), " ")
	want := "huawei s cloud in zurich sao paulo the u s 5g net ecole"
	if got != want {
		t.Errorf("terms = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, q := range []string{`"unclosed`, `huawei AND`, `NOT huawei`, `(huawei`, ``, `a OR`, `nope : x`, `NEAR(a b, x)`, `a ) b`, `{title} x`, `- : a`, `.`} {
		_, err := Parse(q)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a SyntaxError", q, err)
		}
	}
}

// words make small random documents whose queries match often.
var words = strings.Fields("cloud huawei tencent rules export ban the data centre court agency weighs clouds rule")

func randText(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString([]string{" ", " ", " ", ", ", ". "}[r.IntN(5)])
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

// naive evaluates a query on one document by scanning its tokens.
func naive(n *node, title, text []string) bool {
	switch n.op {
	case opPhrase:
		return len(instances(n, title, text, colTitle))+len(instances(n, title, text, colText)) > 0
	case opNear:
		for _, col := range []int{colTitle, colText} {
			var starts [][]int32
			var lens []int
			for _, k := range n.kids {
				starts = append(starts, instances(k, title, text, col))
				lens = append(lens, len(k.terms))
			}
			if nearMatch(starts, lens, n.dist) {
				return true
			}
		}
		return false
	case opAnd:
		for _, k := range n.kids {
			if !naive(k, title, text) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if naive(k, title, text) {
				return true
			}
		}
		return false
	case opNot:
		return naive(n.kids[0], title, text) && !naive(n.kids[1], title, text)
	}
	return false
}

func instances(n *node, title, text []string, col int) []int32 {
	if n.cols&col == 0 || len(n.terms) == 0 {
		return nil
	}
	toks := title
	if col == colText {
		toks = text
	}
	var out []int32
	for p := range toks {
		if n.initial && p != 0 {
			break
		}
		ok := p+len(n.terms) <= len(toks)
		for i := 0; ok && i < len(n.terms); i++ {
			tk := toks[p+i]
			ok = tk == n.terms[i] || (n.prefix[i] && strings.HasPrefix(tk, n.terms[i]))
		}
		if ok {
			out = append(out, int32(p))
		}
	}
	return out
}

// The index finds what scanning every document finds, through segments
// written in batches, merged, and with documents deleted.
func TestSearchAgreesWithScanning(t *testing.T) {
	db := openDB(t)
	x, err := Open(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	docs := map[int64]doc{}
	id := int64(0)
	for batch := range 40 {
		var add []doc
		for range 1 + r.IntN(6) {
			id++
			d := doc{id, randText(r, 1+r.IntN(4)), randText(r, 5+r.IntN(30))}
			add = append(add, d)
			docs[id] = d
		}
		var del []int64
		if batch%5 == 4 {
			for k := range docs {
				if r.IntN(4) == 0 {
					del = append(del, k)
					delete(docs, k)
				}
			}
		}
		apply(t, x, db, add, del)
	}
	if len(x.st.segs) >= 20 {
		t.Errorf("%d segments after 40 batches: merges did not run", len(x.st.segs))
	}
	queries := []string{`cloud`, `clou*`, `"export ban"`, `huawei tencent`, `huawei OR court`, `rules NOT ban`, `title : cloud`,
		`text:huawei AND title:rules`, `^cloud`, `title : ^ "cloud huawei"`, `NEAR(huawei ban, 2)`, `NEAR(cloud "export ban" agency)`,
		`(huawei OR tencent) NOT (ban OR rule*)`, `- title : data`, `{title text} : weighs`, `"the data" + centre`, `nosuchword`, `cloud NOT cloud`,
		`"cl*"`, `weigh* court`}
	found := 0
	for _, q := range queries {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var want []int64
		for k, d := range docs {
			if naive(pq.root, Terms(d.title), Terms(d.text)) {
				want = append(want, k)
			}
		}
		got := search(t, x, db, q, Options{})
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: index found %v, scanning %v", q, got, want)
		}
		if len(want) > 0 && len(want) < len(docs) {
			found++
		}
	}
	if found < 12 {
		t.Errorf("only %d of %d queries select some documents but not all: the corpus tests little", found, len(queries))
	}
	// Reopened from the database, with the live documents, it finds the
	// same.
	var live []int64
	for k := range docs {
		live = append(live, k)
	}
	// A batch more when the last merged them all, so that some segment
	// is in memory.
	for x.InMemory() == 0 {
		id++
		d := doc{id, randText(r, 2), randText(r, 10)}
		docs[id] = d
		live = append(live, id)
		apply(t, x, db, []doc{d}, nil)
	}
	slices.Sort(live)
	load := func(_ context.Context, ids []int64, add func(id, at int64, title, text string)) error {
		for _, id := range ids {
			d := docs[id]
			add(id, id*1000, d.title, d.text)
		}
		return nil
	}
	same := func(y *Index, when string) {
		t.Helper()
		for _, q := range queries {
			a, b := search(t, x, db, q, Options{}), search(t, y, db, q, Options{})
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s: %s found %v, before %v", q, when, b, a)
			}
		}
		if err := y.Check(context.Background(), db, live); err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	// Opened again as after a crash: the segments in memory are lost and
	// their documents are read back.
	y, err := Open(context.Background(), db, live, load)
	if err != nil {
		t.Fatal(err)
	}
	same(y, "reopened after a crash")
	if _, err := Open(context.Background(), db, live, nil); err == nil {
		t.Error("opened with documents in no segment and no way to read them")
	}
	// Written out, it opens with nothing to read back.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	w := x.Writer()
	w.Persist()
	if err := w.Flush(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(w, tx.Commit); err != nil {
		t.Fatal(err)
	}
	if n := x.InMemory(); n != 0 {
		t.Errorf("%d documents still in memory after Persist", n)
	}
	z, err := Open(context.Background(), db, live, nil)
	if err != nil {
		t.Fatal(err)
	}
	same(z, "reopened after Persist")
}

func TestRankAndNewest(t *testing.T) {
	db := openDB(t)
	x, _ := Open(context.Background(), db, nil, nil)
	apply(t, x, db, []doc{
		{1, "Markets", "Huawei mentioned once among many other words of a long text about markets and trade."},
		{2, "Huawei Cloud expands", "Huawei Cloud opened a region. Huawei said more would follow."},
		{3, "Weather", "Sunny."},
		{4, "Other", "Huawei."},
	}, nil)
	got := search(t, x, db, "huawei", Options{})
	if len(got) != 3 || got[0] != 2 {
		t.Errorf("ranked = %v, want 3 hits, 2 first (title and text)", got)
	}
	if got := search(t, x, db, "huawei", Options{Newest: true}); !slices.Equal(got, []int64{4, 2, 1}) {
		t.Errorf("newest = %v", got)
	}
	if got := search(t, x, db, "huawei", Options{Newest: true, From: 2000, To: 4000}); !slices.Equal(got, []int64{2}) {
		t.Errorf("time range = %v", got)
	}
	if got := search(t, x, db, "huawei", Options{Newest: true, Offset: 1, Limit: 1}); !slices.Equal(got, []int64{2}) {
		t.Errorf("offset = %v", got)
	}
}

func TestSnippetAndHighlight(t *testing.T) {
	q, _ := Parse(`"export ban" huawei*`)
	if got := q.Highlight("Huawei Cloud faces export ban", "[", "]"); got != "[Huawei] Cloud faces [export ban]" {
		t.Errorf("highlight = %q", got)
	}
	text := strings.Repeat("filler words here. ", 20) + "The export ban on Huawei was weighed. " + strings.Repeat("more filler. ", 20)
	got := q.Snippet(text, "[", "]", "…", 12)
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "[export ban] on [Huawei]") {
		t.Errorf("snippet = %q", got)
	}
	// A phrase's words are marked where they make the phrase, not alone.
	if got := q.Snippet("A ban on exports; the export ban stays.", "[", "]", "…", 12); got != "A ban on exports; the [export ban] stays." {
		t.Errorf("snippet = %q", got)
	}
	if got := q.Snippet("Short text.", "[", "]", "…", 12); got != "Short text." {
		t.Errorf("snippet without a match = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, q := range []string{`huawei cloud`, `"export controls"`, `aws OR azure`, `a NOT b`, `NEAR(a b, 10)`, `title : x`,
		`{title text} : x`, `- text : y`, `sanction*`, `^a + b`, `"a""b"`, `(a OR`, "\x00", `NEAR(`} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		// Whatever parses evaluates on a document without a panic.
		naive(q.root, Terms("a b"), Terms(fmt.Sprint(s)))
	})
}

// Searches running while batches are written and segments merged each see
// the index as one commit left it: whole batches, never a merged segment's
// blocks missing.
func TestSearchWhileWriting(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(4)
	x, _ := Open(context.Background(), db, nil, nil)
	const batches, per = 60, 3
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(done)
		id := int64(0)
		for range batches {
			var add []doc
			for range per {
				id++
				add = append(add, doc{id, "alpha", fmt.Sprintf("alpha beta %d", id)})
			}
			apply(t, x, db, add, nil)
		}
	}()
	q, _ := Parse("alpha")
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		r, err := x.Read(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		hits, _, err := r.Search(context.Background(), q, Options{Limit: 1000})
		r.Close()
		if err != nil {
			select {
			case errs <- err:
			default:
			}
			break
		}
		if len(hits)%per != 0 {
			t.Fatalf("a search saw %d documents: not whole batches", len(hits))
		}
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if got := search(t, x, db, "alpha", Options{}); len(got) != batches*per {
		t.Errorf("%d documents at the end, want %d", len(got), batches*per)
	}
}

// Segments in memory on both sides of a stored one (deletes rewrote the
// middle one alone) are read back as two, each in its place.
func TestReadBackAroundStoredSegment(t *testing.T) {
	db := openDB(t)
	x, err := Open(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[int64]doc{}
	for b := range 3 {
		var add []doc
		for i := range 3 {
			id := int64(3*b + i + 1)
			d := doc{id, "title", fmt.Sprintf("word%d shared", id)}
			docs[id] = d
			add = append(add, d)
		}
		apply(t, x, db, add, nil)
	}
	apply(t, x, db, nil, []int64{5, 6})
	var kinds []bool
	for _, s := range x.st.segs {
		kinds = append(kinds, s.inMemory())
	}
	if !slices.Equal(kinds, []bool{true, false, true}) {
		t.Fatalf("segments in memory: %v, want memory, stored, memory", kinds)
	}
	live := []int64{1, 2, 3, 4, 7, 8, 9}
	y, err := Open(context.Background(), db, live, func(_ context.Context, ids []int64, add func(id, at int64, title, text string)) error {
		for _, id := range ids {
			add(id, id*1000, docs[id].title, docs[id].text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := y.Check(context.Background(), db, live); err != nil {
		t.Error(err)
	}
	if got := search(t, y, db, "shared", Options{Newest: true}); !slices.Equal(got, []int64{9, 8, 7, 4, 3, 2, 1}) {
		t.Errorf("found %v", got)
	}
}

// Batches of every size, as a desk flushes what arrived, still merge:
// the segments (and those held in memory) stay few however many
// documents come, and every document is still found.
func TestSegmentsStayFewWhateverTheBatches(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	x, err := Open(ctx, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const maxBatch = 620
	id := int64(0)
	most, mostMem := 0, 0
	for range 250 {
		var docs []doc
		for range 1 + r.IntN(maxBatch) {
			id++
			docs = append(docs, doc{id: id, title: "t", text: "common " + randText(r, 8)})
		}
		apply(t, x, db, docs, nil)
		most, mostMem = max(most, len(x.st.segs)), max(mostMem, x.InMemory())
	}
	// Seven at most at each level from the floor up, none yet at the top.
	if limit := (mergeFan - 1) * (maxLevel - floorLevel); most > limit {
		t.Errorf("%d documents in batches of 1 to %d: up to %d segments, want at most %d", id, maxBatch, most, limit)
	}
	if limit := (mergeFan - 1) * maxBatch; mostMem > limit {
		t.Errorf("up to %d documents in segments held in memory, want at most %d (seven batches)", mostMem, limit)
	}
	if got := len(search(t, x, db, "common", Options{Limit: int(id) + 1})); got != int(id) {
		t.Errorf("'common' found in %d of %d documents", got, id)
	}
}
