package fulltext

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Schema is the index's tables, created with the desk's own.
var Schema = []string{
	// One row per segment: its document table (ids, times, lengths).
	`CREATE TABLE text_segments(id INTEGER PRIMARY KEY, level INTEGER NOT NULL, docs BLOB NOT NULL)`,
	// A segment's terms in sorted blocks; docs first, so a query that
	// needs no positions never reads them.
	`CREATE TABLE text_blocks(seg INTEGER NOT NULL, first TEXT NOT NULL, docs BLOB NOT NULL, pos BLOB NOT NULL,
		PRIMARY KEY(seg, first))`,
	stateTable,
}

// stateTable numbers the index's changes, so a search can tell whether the
// segments in memory are those of the database moment it reads.
const stateTable = `CREATE TABLE IF NOT EXISTS text_state(gen INTEGER NOT NULL)`

// DB is what the index needs of a connection or transaction.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Merge policy: a segment's level is log8 of its documents, and no level
// is below floorLevel; when the eight newest segments share a level below
// maxLevel they become one, whose level is again that of its documents. A
// segment more than half deleted is rewritten alone.
//
// The floor is what keeps the count of segments bounded: a writer flushes
// batches of whatever size arrived (a few documents to a thousand), and
// were each of its own level, the eight newest would seldom share one and
// segments would pile up without end (with batches of 20 to 620 documents,
// 337 segments after 126,000 documents). Below the floor they are all
// alike and merge eight at a time; a merge below the floor is merged again
// with the next seven, which rewrites at most 4,095 documents.
const (
	mergeFan   = 8
	floorLevel = 3 // every segment of fewer than 8^4 = 4,096 documents
	maxLevel   = 6 // 8^6 = 262,144 documents
)

func levelOf(n int) int {
	return max(floorLevel, (bits.Len(uint(max(n, 1)))-1)/3)
}

// segment is a segment's document table with the documents deleted since
// it was written (deleted documents are dropped when it is merged).
//
// The segment a batch makes is held in memory (id below 0, its blocks in
// mem) and first written to the database by the merge that joins it with
// others, or when the index is closed: its postings are written once
// instead of twice (the batch's segment, then the merge's). Its documents
// are in the database already (the caller's rows, in the same
// transaction), so after a crash Open indexes them again from there.
type segment struct {
	id    int64 // row in text_segments; below 0 for a segment in memory
	level int
	docTable
	blocks   []blockRef // in term order: where to read a term
	mem      []memBlock // a segment in memory: its blocks, by blockRef.row
	dead     []uint64   // bitset; nil when none
	nDead    int
	totalLen uint64 // tokens of its live documents
}

// blockRef is a block's first term and its row (in mem for a segment in
// memory).
type blockRef struct {
	first string
	row   int64
}

// memBlock is a block of a segment in memory, as it would be stored.
type memBlock struct{ docs, pos []byte }

func (s *segment) inMemory() bool { return s.id < 0 }

// blockFor returns the blocks that may hold term (or, for a prefix, terms
// that begin with it), in order.
func (s *segment) blockFor(term string, prefix bool) []blockRef {
	i := sort.Search(len(s.blocks), func(i int) bool { return s.blocks[i].first > term })
	from := max(i-1, 0)
	if !prefix {
		if i == 0 {
			return nil // term comes before the first block
		}
		return s.blocks[from:i]
	}
	to := i
	for to < len(s.blocks) && strings.HasPrefix(s.blocks[to].first, term) {
		to++
	}
	return s.blocks[from:to]
}

func (s *segment) isDead(doc int) bool {
	return s.dead != nil && s.dead[doc>>6]&(1<<(doc&63)) != 0
}

func (s *segment) live() int { return len(s.ids) - s.nDead }

// find returns the segment-local number of document id, or -1.
func (s *segment) find(id int64) int {
	i, ok := slices.BinarySearch(s.ids, id)
	if !ok {
		return -1
	}
	return i
}

// markDead marks doc deleted; s must not be shared with searches yet.
func (s *segment) markDead(doc int) {
	if s.dead == nil {
		s.dead = make([]uint64, (len(s.ids)+63)/64)
	}
	if s.isDead(doc) {
		return
	}
	s.dead[doc>>6] |= 1 << (doc & 63)
	s.nDead++
	s.totalLen -= uint64(s.lens[doc])
}

// state is the set of segments, ordered by their documents' ids.
type state struct {
	segs []*segment
	gen  int64 // the change that made it (text_state.gen)
}

func (st *state) stats() (docs int, totalLen uint64) {
	for _, s := range st.segs {
		docs += s.live()
		totalLen += s.totalLen
	}
	return docs, totalLen
}

// locate returns the segment holding id and its number there.
func (st *state) locate(id int64) (int, int) {
	i := sort.Search(len(st.segs), func(i int) bool {
		s := st.segs[i]
		return len(s.ids) > 0 && s.ids[len(s.ids)-1] >= id
	})
	if i == len(st.segs) {
		return -1, -1
	}
	if d := st.segs[i].find(id); d >= 0 {
		return i, d
	}
	return -1, -1
}

// Index is the full-text index: the segments' document tables in memory,
// their postings in the database.
type Index struct {
	mu sync.RWMutex
	st *state
	// spare is a builder kept for the next change, and lastMem the id of
	// the last segment made in memory (changes never overlap, so only
	// the writer touches them).
	spare   *builder
	lastMem int64
}

// Loader reads documents back from the caller's rows: for each id (in
// the ascending order given) it calls add with the document's time, title
// and text as they were indexed.
type Loader func(ctx context.Context, ids []int64, add func(id, at int64, title, text string)) error

// Open loads the segments. live lists the ids of the documents that exist
// (ascending); every other document in a segment is deleted. Live
// documents in no stored segment were in memory when the process ended:
// load reads them, and they are indexed again.
func Open(ctx context.Context, db DB, live []int64, load Loader) (*Index, error) {
	gen, err := openState(ctx, db)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, level, docs FROM text_segments`)
	if err != nil {
		return nil, fmt.Errorf("full-text segments: %w", err)
	}
	defer rows.Close()
	st := &state{gen: gen}
	for rows.Next() {
		var (
			s   segment
			raw []byte
		)
		if err := rows.Scan(&s.id, &s.level, &raw); err != nil {
			return nil, fmt.Errorf("full-text segments: %w", err)
		}
		if s.docTable, err = decodeDocTable(raw); err != nil {
			return nil, fmt.Errorf("full-text segment %d: %w", s.id, err)
		}
		st.segs = append(st.segs, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("full-text segments: %w", err)
	}
	rows.Close()
	byID := map[int64]*segment{}
	for _, s := range st.segs {
		byID[s.id] = s
	}
	brows, err := db.QueryContext(ctx, `SELECT seg, first, rowid FROM text_blocks ORDER BY seg, first`)
	if err != nil {
		return nil, fmt.Errorf("full-text blocks: %w", err)
	}
	defer brows.Close()
	for brows.Next() {
		var (
			seg int64
			b   blockRef
		)
		if err := brows.Scan(&seg, &b.first, &b.row); err != nil {
			return nil, fmt.Errorf("full-text blocks: %w", err)
		}
		if s := byID[seg]; s != nil {
			s.blocks = append(s.blocks, b)
		}
	}
	if err := brows.Err(); err != nil {
		return nil, fmt.Errorf("full-text blocks: %w", err)
	}
	slices.SortFunc(st.segs, func(a, b *segment) int { return cmpFirst(a, b) })
	stored := make([]bool, len(live))
	for _, s := range st.segs {
		for d, id := range s.ids {
			if i, ok := slices.BinarySearch(live, id); ok {
				stored[i] = true
				s.totalLen += uint64(s.lens[d])
				continue
			}
			s.totalLen += uint64(s.lens[d]) // markDead takes it off again
			s.markDead(d)
		}
	}
	x := &Index{st: st}
	var missing []int64
	for i, id := range live {
		if !stored[i] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		if err := x.reindex(ctx, missing, load); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// reindex indexes documents again from the caller's rows, into segments
// in memory.
func (x *Index) reindex(ctx context.Context, ids []int64, load Loader) error {
	if load == nil {
		return fmt.Errorf("full-text index: %d live documents in no segment and nothing to read them from", len(ids))
	}
	var (
		b    = newBuilder()
		n    int
		prev int64 = -1
		errs error
		// A segment's documents must lie between the stored segments
		// around it (the segments in memory were not always the last:
		// deletes rewrite one alone): next is the first stored segment
		// above the builder's documents.
		stored = x.st.segs[:len(x.st.segs):len(x.st.segs)]
		next   = 0
	)
	err := load(ctx, ids, func(id, at int64, title, text string) {
		if id <= prev {
			errs = fmt.Errorf("full-text index: documents read back out of order (%d after %d)", id, prev)
			return
		}
		prev = id
		j := next
		for j < len(stored) && (len(stored[j].ids) == 0 || stored[j].ids[0] < id) {
			j++
		}
		if (j != next && len(b.docs.ids) > 0) || b.full() {
			x.st.segs = append(x.st.segs, x.memSegment(b))
			b.reset() // the segment owns copies, as in Flush
		}
		next = j
		b.add(id, at, title, text)
		n++
	})
	if err == nil {
		err = errs
	}
	if err != nil {
		return fmt.Errorf("full-text index: read back documents: %w", err)
	}
	if n != len(ids) {
		return fmt.Errorf("full-text index: %d of %d documents read back", n, len(ids))
	}
	if len(b.docs.ids) > 0 {
		x.st.segs = append(x.st.segs, x.memSegment(b))
	}
	slices.SortFunc(x.st.segs, func(a, b *segment) int { return cmpFirst(a, b) })
	return nil
}

// memSegment makes the builder's documents a segment in memory; the
// builder may then be reset.
func (x *Index) memSegment(b *builder) *segment {
	x.lastMem--
	s := &segment{id: x.lastMem, level: levelOf(len(b.docs.ids)), docTable: b.docs}
	bw := blockWriter{emit: func(first string, docs, pos []byte) error {
		// The block's bytes are its own (blockWriter.flush makes
		// them), not the builder's buffers.
		s.blocks = append(s.blocks, blockRef{first, int64(len(s.mem))})
		s.mem = append(s.mem, memBlock{docs, pos})
		return nil
	}}
	for _, l := range b.lists() {
		bw.add(l) // emit never fails
	}
	bw.flush()
	for _, n := range s.lens {
		s.totalLen += uint64(n)
	}
	return s
}

// openState reads the change number, making its table in a database
// written before it existed.
func openState(ctx context.Context, db DB) (int64, error) {
	if _, err := db.ExecContext(ctx, stateTable); err != nil {
		return 0, fmt.Errorf("full-text state: %w", err)
	}
	var gen int64
	err := db.QueryRowContext(ctx, `SELECT gen FROM text_state`).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = db.ExecContext(ctx, `INSERT INTO text_state(gen) VALUES(0)`)
	}
	if err != nil {
		return 0, fmt.Errorf("full-text state: %w", err)
	}
	return gen, nil
}

func cmpFirst(a, b *segment) int {
	fa, fb := int64(-1), int64(-1)
	if len(a.ids) > 0 {
		fa = a.ids[0]
	}
	if len(b.ids) > 0 {
		fb = b.ids[0]
	}
	switch {
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	}
	return 0
}

// Docs is how many live documents the index holds.
func (x *Index) Docs() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n, _ := x.st.stats()
	return n
}

// Writer is a change to the index made in one database transaction:
// documents added and deleted, then written by Flush and made visible by
// Commit.
type Writer struct {
	x       *Index
	st      *state
	b       []*builder     // the last one takes documents; none until one comes
	newDead map[int64]bool // documents added and deleted before Flush
	touched map[*segment]bool
	persist bool // write the segments in memory to the database
}

// Persist makes Flush write every segment held in memory to the
// database, so that the next Open has nothing to index again (for a
// clean shutdown).
func (w *Writer) Persist() { w.persist = true }

// InMemory is how many documents are in segments held in memory only.
func (x *Index) InMemory() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, s := range x.st.segs {
		if s.inMemory() {
			n += len(s.ids)
		}
	}
	return n
}

// Writer starts a change. Changes must not overlap: the caller makes them
// in its single writing transaction.
func (x *Index) Writer() *Writer {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return &Writer{x: x, st: &state{segs: slices.Clone(x.st.segs), gen: x.st.gen + 1}, newDead: map[int64]bool{}, touched: map[*segment]bool{}}
}

// Add indexes a document. Ids must be greater than every id indexed before
// (the desk's ids only grow).
func (w *Writer) Add(id, at int64, title, text string) {
	if len(w.b) == 0 || w.b[len(w.b)-1].full() {
		b := w.x.spare
		if b == nil {
			b = newBuilder()
		}
		w.x.spare = nil
		w.b = append(w.b, b)
	}
	w.b[len(w.b)-1].add(id, at, title, text)
}

// Delete removes document id from the index (nothing if it is not there).
func (w *Writer) Delete(id int64) {
	for _, b := range w.b {
		if _, ok := slices.BinarySearch(b.docs.ids, id); ok {
			w.newDead[id] = true
			return
		}
	}
	i, d := w.st.locate(id)
	if i < 0 || w.st.segs[i].isDead(d) {
		return
	}
	s := w.st.segs[i]
	if !w.touched[s] {
		// Copy on first write: searches still read the committed one.
		c := *s
		c.dead = make([]uint64, (len(s.ids)+63)/64)
		copy(c.dead, s.dead)
		s = &c
		w.st.segs[i] = s
		w.touched[s] = true
	}
	s.markDead(d)
}

// Flush makes the documents added a new segment (in memory), then merges
// what the policy says to merge (writing the result to the database) and
// drops segments with nothing left alive.
func (w *Writer) Flush(ctx context.Context, db DB) error {
	if _, err := db.ExecContext(ctx, `UPDATE text_state SET gen = ?`, w.st.gen); err != nil {
		return fmt.Errorf("full-text state: %w", err)
	}
	for _, b := range w.b {
		s := w.x.memSegment(b)
		b.reset()
		w.x.spare = b
		for id := range w.newDead {
			if d := s.find(id); d >= 0 {
				s.markDead(d)
				w.touched[s] = true
			}
		}
		w.st.segs = append(w.st.segs, s)
	}
	w.b = nil
	// Rewrite segments the deletes emptied or halved.
	if err := w.rewriteAlone(ctx, db, func(s *segment) bool { return w.touched[s] && s.nDead*2 > len(s.ids) }); err != nil {
		return err
	}
	for {
		n := len(w.st.segs)
		if n < mergeFan {
			break
		}
		run := w.st.segs[n-mergeFan:]
		lvl := run[0].level
		if lvl >= maxLevel || slices.ContainsFunc(run, func(s *segment) bool { return s.level != lvl }) {
			break
		}
		live := 0
		for _, s := range run {
			live += s.live()
		}
		m, err := merge(ctx, db, run, levelOf(live))
		if err != nil {
			return err
		}
		w.st.segs = w.st.segs[:n-mergeFan]
		if m != nil {
			w.st.segs = append(w.st.segs, m)
		}
	}
	if !w.persist {
		return nil
	}
	return w.rewriteAlone(ctx, db, (*segment).inMemory)
}

// rewriteAlone writes each segment pick chooses anew on its own (a merge
// of one: its deleted documents dropped, a segment in memory stored), and
// drops those with nothing left alive.
func (w *Writer) rewriteAlone(ctx context.Context, db DB, pick func(*segment) bool) error {
	for i := 0; i < len(w.st.segs); i++ {
		s := w.st.segs[i]
		if !pick(s) {
			continue
		}
		m, err := merge(ctx, db, []*segment{s}, s.level)
		if err != nil {
			return err
		}
		if m == nil {
			w.st.segs = slices.Delete(w.st.segs, i, i+1)
			i--
			continue
		}
		w.st.segs[i] = m
	}
	return nil
}

// Commit runs commit (the caller's transaction commit) and, when it
// succeeds, makes the change visible to searches begun after it. Searches
// are not held up while the transaction commits (which may checkpoint the
// WAL, seconds after a big merge): one that begins in between sees a
// newer change number in the database than in memory, and waits for this.
func (x *Index) Commit(w *Writer, commit func() error) error {
	if err := commit(); err != nil {
		return err
	}
	x.mu.Lock()
	x.st = w.st
	x.mu.Unlock()
	return nil
}

type segmentWriter struct {
	blockWriter
	stmt *sql.Stmt
	refs []blockRef
}

func newSegmentWriter(ctx context.Context, db DB, seg int64) (*segmentWriter, error) {
	stmt, err := db.PrepareContext(ctx, `INSERT INTO text_blocks(seg, first, docs, pos) VALUES(?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("full-text blocks: %w", err)
	}
	w := &segmentWriter{stmt: stmt}
	w.emit = func(first string, docs, pos []byte) error {
		res, err := stmt.ExecContext(ctx, seg, first, docs, pos)
		if err != nil {
			return fmt.Errorf("full-text block: %w", err)
		}
		row, err := res.LastInsertId()
		if err != nil {
			return err
		}
		w.refs = append(w.refs, blockRef{first, row})
		return nil
	}
	return w, nil
}

func (w *segmentWriter) close() { w.stmt.Close() }

// merge writes the live documents of consecutive segments as one segment
// and removes them; it returns nil when none is alive.
func merge(ctx context.Context, db DB, in []*segment, level int) (*segment, error) {
	var docs docTable
	remap := make([][]int32, len(in))
	for i, s := range in {
		remap[i] = make([]int32, len(s.ids))
		for d := range s.ids {
			if s.isDead(d) {
				remap[i][d] = -1
				continue
			}
			remap[i][d] = int32(len(docs.ids))
			docs.ids = append(docs.ids, s.ids[d])
			docs.ats = append(docs.ats, s.ats[d])
			docs.lens = append(docs.lens, s.lens[d])
		}
	}
	var out *segment
	if len(docs.ids) > 0 {
		res, err := db.ExecContext(ctx, `INSERT INTO text_segments(level, docs) VALUES(?, ?)`, level, docs.encode())
		if err != nil {
			return nil, fmt.Errorf("full-text merge: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		out = &segment{id: id, level: level, docTable: docs}
		for _, n := range docs.lens {
			out.totalLen += uint64(n)
		}
		if out.blocks, err = mergeTerms(ctx, db, in, remap, id); err != nil {
			return nil, err
		}
	}
	for _, s := range in {
		if s.inMemory() {
			continue
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM text_blocks WHERE seg = ?`, s.id); err != nil {
			return nil, fmt.Errorf("full-text merge: %w", err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM text_segments WHERE id = ?`, s.id); err != nil {
			return nil, fmt.Errorf("full-text merge: %w", err)
		}
	}
	return out, nil
}

// mergeTerms walks the input segments' terms in order and writes each
// term's lists, renumbered and without deleted documents, to segment seg.
func mergeTerms(ctx context.Context, db DB, in []*segment, remap [][]int32, seg int64) ([]blockRef, error) {
	curs := make([]*termCursor, len(in))
	for i, s := range in {
		c, err := openCursor(ctx, db, s)
		if err != nil {
			return nil, err
		}
		defer c.close()
		curs[i] = c
	}
	bw, err := newSegmentWriter(ctx, db, seg)
	if err != nil {
		return nil, err
	}
	defer bw.close()
	for {
		term, ok := "", false
		for _, c := range curs {
			if c.ok && (!ok || c.cur.term < term) {
				term, ok = c.cur.term, true
			}
		}
		if !ok {
			break
		}
		var l termList
		l.term = term
		prev := 0
		for i, c := range curs {
			if !c.ok || c.cur.term != term {
				continue
			}
			if in[i].nDead == 0 {
				// Nothing to drop: the list moves by the documents
				// before it; only its first gap changes.
				e := entries{r: reader{b: c.cur.docs}}
				x, _ := e.next()
				if e.r.err != nil {
					return nil, fmt.Errorf("full-text segment %d, term %q: %w", in[i].id, term, errCorrupt)
				}
				first := int(remap[i][x.doc])
				l.docs = appendEntry(l.docs, first-prev, x.nTitle, x.nText)
				l.docs = append(l.docs, c.cur.docs[e.r.off:]...)
				l.pos = append(l.pos, c.cur.pos...)
				l.df += c.cur.df
				prev = int(remap[i][c.cur.last])
				if err := c.advance(); err != nil {
					return nil, err
				}
				continue
			}
			e := entries{r: reader{b: c.cur.docs}}
			pr := reader{b: c.cur.pos}
			for {
				x, more := e.next()
				if !more {
					break
				}
				start := pr.off
				for range x.nTitle + x.nText {
					pr.uvarint()
				}
				nd := remap[i][x.doc]
				if nd < 0 {
					continue
				}
				l.docs = appendEntry(l.docs, int(nd)-prev, x.nTitle, x.nText)
				l.pos = append(l.pos, c.cur.pos[start:pr.off]...)
				prev = int(nd)
				l.df++
			}
			if e.r.err != nil || pr.err != nil || !pr.done() {
				return nil, fmt.Errorf("full-text segment %d, term %q: %w", in[i].id, term, errCorrupt)
			}
			if err := c.advance(); err != nil {
				return nil, err
			}
		}
		l.last = prev
		if l.df > 0 {
			if err := bw.add(l); err != nil {
				return nil, err
			}
		}
	}
	if err := bw.flush(); err != nil {
		return nil, err
	}
	return bw.refs, nil
}

// termCursor reads a segment's terms in order.
type termCursor struct {
	rows      *sql.Rows  // a stored segment's blocks
	mem       []memBlock // a segment in memory: the blocks not read yet
	seg       int64
	block     []blockEntry
	docs, pos []byte
	i         int
	cur       termList
	ok        bool
}

func openCursor(ctx context.Context, db DB, s *segment) (*termCursor, error) {
	c := &termCursor{seg: s.id, i: -1}
	if s.inMemory() {
		c.mem = s.mem
		return c, c.advance()
	}
	rows, err := db.QueryContext(ctx, `SELECT docs, pos FROM text_blocks WHERE seg = ? ORDER BY first`, s.id)
	if err != nil {
		return nil, fmt.Errorf("full-text segment %d: %w", s.id, err)
	}
	c.rows = rows
	return c, c.advance()
}

// nextBlock reads the next block into docs and pos, false after the last.
func (c *termCursor) nextBlock() (bool, error) {
	if c.rows == nil {
		if len(c.mem) == 0 {
			return false, nil
		}
		c.docs, c.pos, c.mem = c.mem[0].docs, c.mem[0].pos, c.mem[1:]
		return true, nil
	}
	if !c.rows.Next() {
		if err := c.rows.Err(); err != nil {
			return false, fmt.Errorf("full-text segment %d: %w", c.seg, err)
		}
		return false, nil
	}
	if err := c.rows.Scan(&c.docs, &c.pos); err != nil {
		return false, fmt.Errorf("full-text segment %d: %w", c.seg, err)
	}
	return true, nil
}

func (c *termCursor) advance() error {
	c.i++
	for c.i >= len(c.block) {
		more, err := c.nextBlock()
		if err != nil {
			return err
		}
		if !more {
			c.ok = false
			return nil
		}
		b, err := parseBlock(c.docs)
		if err != nil {
			return fmt.Errorf("full-text segment %d: %w", c.seg, err)
		}
		c.block, c.i = b, 0
	}
	e := c.block[c.i]
	if e.posOff+e.posLen > len(c.pos) {
		return fmt.Errorf("full-text segment %d: %w", c.seg, errCorrupt)
	}
	c.cur = termList{term: e.term, df: e.df, last: e.last, docs: c.docs[e.docOff : e.docOff+e.docLen], pos: c.pos[e.posOff : e.posOff+e.posLen]}
	c.ok = true
	return nil
}

func (c *termCursor) close() {
	if c.rows != nil {
		c.rows.Close()
	}
}

// Check reads every segment back: blocks decode, terms are in order, lists
// agree with their counts and stay within their segment, and the live
// documents are exactly live (ascending).
func (x *Index) Check(ctx context.Context, db DB, live []int64) error {
	x.mu.RLock()
	st := x.st
	x.mu.RUnlock()
	var ids []int64
	for _, s := range st.segs {
		for d, id := range s.ids {
			if !s.isDead(d) {
				ids = append(ids, id)
			}
		}
		if err := checkSegment(ctx, db, s); err != nil {
			return err
		}
	}
	if !slices.Equal(ids, live) {
		return fmt.Errorf("full-text index: %d live documents, want %d", len(ids), len(live))
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM text_segments`).Scan(&n); err != nil {
		return err
	}
	inUse := 0
	for _, s := range st.segs {
		if !s.inMemory() {
			inUse++
		}
	}
	if n != inUse {
		return fmt.Errorf("full-text index: %d segments stored, %d in use", n, inUse)
	}
	return nil
}

func checkSegment(ctx context.Context, db DB, s *segment) error {
	c, err := openCursor(ctx, db, s)
	if err != nil {
		return err
	}
	defer c.close()
	prev := ""
	for c.ok {
		t := c.cur
		if t.term <= prev && prev != "" {
			return fmt.Errorf("full-text segment %d: term %q after %q", s.id, t.term, prev)
		}
		prev = t.term
		e := entries{r: reader{b: t.docs}}
		pr := reader{b: t.pos}
		n, last := 0, -1
		for {
			x, ok := e.next()
			if !ok {
				break
			}
			if x.doc <= last || x.doc >= len(s.ids) || x.nTitle+x.nText == 0 {
				return fmt.Errorf("full-text segment %d, term %q: %w", s.id, t.term, errCorrupt)
			}
			for range x.nTitle + x.nText {
				pr.uvarint()
			}
			last = x.doc
			n++
		}
		if e.r.err != nil || pr.err != nil || !pr.done() || n != t.df || last != t.last {
			return fmt.Errorf("full-text segment %d, term %q: %w", s.id, t.term, errCorrupt)
		}
		if err := c.advance(); err != nil {
			return err
		}
	}
	return nil
}

// MaxID is the greatest document id in any segment (deleted ones
// included), 0 when there is none.
func (x *Index) MaxID() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var m int64
	for _, s := range x.st.segs {
		if len(s.ids) > 0 {
			m = max(m, s.ids[len(s.ids)-1])
		}
	}
	return m
}
