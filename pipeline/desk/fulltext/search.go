package fulltext

import (
	"container/heap"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// BM25 as FTS5 computes it (sqlite.org/fts5.html, "The bm25() function"):
// k1 1.2, b 0.75, the title weighing four times the text (the weights the
// desk gave FTS5 before).
const (
	bm25K1      = 1.2
	bm25B       = 0.75
	titleWeight = 4.0
	textWeight  = 1.0
)

// Reader searches the index as it was when the reader began, through a
// read transaction that sees the database at the same moment.
type Reader struct {
	st    *state
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // prepared once per reader
}

func (r *Reader) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st := r.stmts[q]
	if st == nil {
		var err error
		if st, err = r.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		if r.stmts == nil {
			r.stmts = map[string]*sql.Stmt{}
		}
		r.stmts[q] = st
	}
	return st.QueryContext(ctx, args...)
}

// Read begins a search: the index and the transaction tx (begun by the
// caller on a reading connection) are pinned to the same moment.
func (x *Index) Read(ctx context.Context, db *sql.DB) (*Reader, error) {
	for wait := 50 * time.Microsecond; ; wait = min(2*wait, 20*time.Millisecond) {
		x.mu.RLock()
		st := x.st
		x.mu.RUnlock()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		// A read transaction takes its snapshot at its first read.
		var gen int64
		if err := tx.QueryRowContext(ctx, `SELECT gen FROM text_state`).Scan(&gen); err != nil {
			tx.Rollback()
			return nil, err
		}
		if gen == st.gen {
			return &Reader{st: st, tx: tx}, nil
		}
		// A change committed and not yet in memory: in a moment it is.
		tx.Rollback()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// Tx is the reader's transaction, for reading the documents found.
func (r *Reader) Tx() *sql.Tx { return r.tx }

// Close ends the reader.
func (r *Reader) Close() error {
	for _, st := range r.stmts {
		st.Close()
	}
	return r.tx.Rollback()
}

// Options narrow and order a search.
type Options struct {
	From, To int64 // document times, [From, To) when not 0
	Newest   bool  // newest (highest id) first instead of by rank
	Offset   int
	Limit    int
	// Keep, when set, is asked about documents in the order they would be
	// returned, until enough are kept.
	Keep func(id int64) (bool, error)
}

// Hit is a document found.
type Hit struct {
	ID    int64
	Score float64
}

// Search returns a page of documents matching q and whether more follow.
func (r *Reader) Search(ctx context.Context, q *Query, o Options) ([]Hit, bool, error) {
	ev := &evaluator{ctx: ctx, r: r, lists: map[listKey][]termList{}}
	ev.n, ev.totalLen = r.st.stats()
	if ev.n == 0 {
		return nil, false, nil
	}
	ev.avgLen = float64(ev.totalLen) / float64(ev.n)
	// Phrases first, over every segment, so each knows its document count
	// for its weight; then the tree, segment by segment.
	if err := ev.phrases(q.root); err != nil {
		return nil, false, err
	}
	want := o.Offset + o.Limit + 1
	var cands []Hit
	for si := len(r.st.segs) - 1; si >= 0; si-- {
		s := r.st.segs[si]
		res := ev.combine(q.root, si)
		for i, d := range res.docs {
			if s.isDead(int(d)) {
				continue
			}
			at := s.ats[d]
			if (o.From != 0 && at < o.From) || (o.To != 0 && at >= o.To) {
				continue
			}
			cands = append(cands, Hit{ID: s.ids[d], Score: res.scores[i]})
		}
		if o.Newest && o.Keep == nil && len(cands) >= want {
			break
		}
	}
	if o.Newest {
		slices.SortFunc(cands, func(a, b Hit) int { return cmpInt(b.ID, a.ID) })
	} else if o.Keep == nil {
		cands = topK(cands, want)
	} else {
		slices.SortFunc(cands, byScore)
	}
	var out []Hit
	skip := o.Offset
	for _, h := range cands {
		if o.Keep != nil {
			ok, err := o.Keep(h.ID)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				continue
			}
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) == o.Limit {
			return out, true, nil
		}
		out = append(out, h)
	}
	return out, false, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func byScore(a, b Hit) int {
	if a.Score != b.Score {
		if a.Score > b.Score {
			return -1
		}
		return 1
	}
	return cmpInt(b.ID, a.ID)
}

// topK returns the k best hits, best first.
func topK(h []Hit, k int) []Hit {
	if len(h) <= k {
		slices.SortFunc(h, byScore)
		return h
	}
	m := hitHeap(slices.Clone(h[:k]))
	heap.Init(&m)
	for _, x := range h[k:] {
		if byScore(x, m[0]) < 0 {
			m[0] = x
			heap.Fix(&m, 0)
		}
	}
	slices.SortFunc(m, byScore)
	return m
}

// hitHeap keeps the worst hit on top.
type hitHeap []Hit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return byScore(h[i], h[j]) > 0 }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(Hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type listKey struct {
	seg    int64
	term   string
	prefix bool
}

// evaluator runs one query.
type evaluator struct {
	ctx      context.Context
	r        *Reader
	n        int
	totalLen uint64
	avgLen   float64
	lists    map[listKey][]termList
	// per phrase (and NEAR) node, per segment: documents and scores
	leaf map[*node][]result
}

// result is a node's documents in one segment, ascending, with scores.
type result struct {
	docs   []int32
	scores []float64
}

// phraseDocs is a phrase's matches in one segment: per document, the
// number of times it occurs in each column it may, and when asked, where
// it starts.
type phraseDocs struct {
	docs             []int32
	nTitle, nText    []int32
	startsT, startsX [][]int32
}

// lookup returns the lists of term (or of every term it begins, for a
// prefix) in segment s; wantPos reads their positions too.
func (ev *evaluator) lookup(s *segment, term string, prefix, wantPos bool) ([]termList, error) {
	k := listKey{s.id, term, prefix}
	if l, ok := ev.lists[k]; ok && (!wantPos || l == nil || l[0].pos != nil) {
		return l, nil
	}
	q := `SELECT docs, x'' FROM text_blocks WHERE rowid = ?`
	if wantPos {
		q = `SELECT docs, pos FROM text_blocks WHERE rowid = ?`
	}
	var out []termList
	for _, b := range s.blockFor(term, prefix) {
		docs, pos, err := ev.block(s, b, q)
		if err != nil {
			return nil, err
		}
		block, err := parseBlock(docs)
		if err != nil {
			return nil, fmt.Errorf("full-text segment %d: %w", s.id, err)
		}
		for _, e := range block {
			if e.term != term && !(prefix && strings.HasPrefix(e.term, term)) {
				continue
			}
			l := termList{term: e.term, df: e.df, last: e.last, docs: docs[e.docOff : e.docOff+e.docLen]}
			if wantPos {
				if e.posOff+e.posLen > len(pos) {
					return nil, fmt.Errorf("full-text segment %d: %w", s.id, errCorrupt)
				}
				l.pos = pos[e.posOff : e.posOff+e.posLen]
			}
			out = append(out, l)
		}
	}
	ev.lists[k] = out
	return out, nil
}

// block reads one of a segment's blocks with query q (or from memory).
func (ev *evaluator) block(s *segment, b blockRef, q string) (docs, pos []byte, err error) {
	if s.inMemory() {
		m := s.mem[b.row]
		return m.docs, m.pos, nil
	}
	rows, err := ev.r.query(ev.ctx, q, b.row)
	if err != nil {
		return nil, nil, fmt.Errorf("full-text search: %w", err)
	}
	defer rows.Close()
	found := rows.Next()
	if found {
		err = rows.Scan(&docs, &pos)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("full-text search: %w", err)
	}
	if !found {
		return nil, nil, fmt.Errorf("full-text segment %d: block %d missing: %w", s.id, b.row, errCorrupt)
	}
	return docs, pos, nil
}

// phrases evaluates every phrase and NEAR group of the tree in every
// segment and scores their documents.
func (ev *evaluator) phrases(root *node) error {
	ev.leaf = map[*node][]result{}
	var walk func(n *node) error
	walk = func(n *node) error {
		switch n.op {
		case opPhrase:
			return ev.phrase(n)
		case opNear:
			return ev.near(n)
		}
		for _, k := range n.kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root)
}

// weight is a phrase's inverse document frequency, as FTS5's bm25 has it.
func (ev *evaluator) weight(df int) float64 {
	idf := math.Log((float64(ev.n) - float64(df) + 0.5) / (float64(df) + 0.5))
	if idf <= 0 {
		idf = 1e-6
	}
	return idf
}

func (ev *evaluator) score(idf float64, s *segment, doc int32, nTitle, nText int32) float64 {
	f := titleWeight*float64(nTitle) + textWeight*float64(nText)
	dl := float64(s.lens[doc])
	return idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*dl/ev.avgLen))
}

func (ev *evaluator) phrase(n *node) error {
	per := make([]phraseDocs, len(ev.r.st.segs))
	df := 0
	for si, s := range ev.r.st.segs {
		pd, err := ev.phraseIn(s, n, false)
		if err != nil {
			return err
		}
		per[si] = pd
		for _, d := range pd.docs {
			if !s.isDead(int(d)) {
				df++
			}
		}
	}
	idf := ev.weight(df)
	res := make([]result, len(per))
	for si, pd := range per {
		s := ev.r.st.segs[si]
		r := result{docs: pd.docs, scores: make([]float64, len(pd.docs))}
		for i, d := range pd.docs {
			r.scores[i] = ev.score(idf, s, d, pd.nTitle[i], pd.nText[i])
		}
		res[si] = r
	}
	ev.leaf[n] = res
	return nil
}

// near keeps the documents where an instance of every phrase lies within
// n.dist tokens (between the end of the first and the start of the last)
// in one column, and scores them by their phrases.
func (ev *evaluator) near(n *node) error {
	per := make([][]phraseDocs, len(n.kids))
	for i := range n.kids {
		per[i] = make([]phraseDocs, len(ev.r.st.segs))
	}
	dfs := make([]int, len(n.kids))
	for si, s := range ev.r.st.segs {
		for i, k := range n.kids {
			pd, err := ev.phraseIn(s, k, true)
			if err != nil {
				return err
			}
			per[i][si] = pd
			for _, d := range pd.docs {
				if !s.isDead(int(d)) {
					dfs[i]++
				}
			}
		}
	}
	res := make([]result, len(ev.r.st.segs))
	for si, s := range ev.r.st.segs {
		idx := make([]int, len(n.kids))
		var r result
		for _, d := range per[0][si].docs {
			all := true
			for i := range n.kids {
				for idx[i] < len(per[i][si].docs) && per[i][si].docs[idx[i]] < d {
					idx[i]++
				}
				if idx[i] == len(per[i][si].docs) || per[i][si].docs[idx[i]] != d {
					all = false
					break
				}
			}
			if !all {
				continue
			}
			ok := false
			for _, col := range []int{colTitle, colText} {
				var starts [][]int32
				var lens []int
				for i, k := range n.kids {
					pd := &per[i][si]
					if col == colTitle {
						starts = append(starts, pd.startsT[idx[i]])
					} else {
						starts = append(starts, pd.startsX[idx[i]])
					}
					lens = append(lens, len(k.terms))
				}
				if nearMatch(starts, lens, n.dist) {
					ok = true
					break
				}
			}
			if !ok {
				continue
			}
			sc := 0.0
			for i := range n.kids {
				pd := &per[i][si]
				sc += ev.score(ev.weight(dfs[i]), s, d, pd.nTitle[idx[i]], pd.nText[idx[i]])
			}
			r.docs = append(r.docs, d)
			r.scores = append(r.scores, sc)
		}
		res[si] = r
	}
	ev.leaf[n] = res
	return nil
}

// nearMatch: is there a set of instances, one per phrase, where the one
// that starts first ends no more than dist tokens before the one that
// starts last?
func nearMatch(starts [][]int32, lens []int, dist int) bool {
	for i := range starts {
		if len(starts[i]) == 0 {
			return false
		}
	}
	for f, fs := range starts {
		for _, s0 := range fs {
			last := s0
			ok := true
			for j := range starts {
				if j == f {
					continue
				}
				k, _ := slices.BinarySearch(starts[j], s0)
				if k == len(starts[j]) {
					ok = false
					break
				}
				last = max(last, starts[j][k])
			}
			if ok && int(last)-int(s0+int32(lens[f])) <= dist {
				return true
			}
		}
	}
	return false
}

// slot is one token of a phrase in a segment: its documents (the union of
// its lists for a prefix) with occurrences per column.
type slot struct {
	lists         []termList
	docs          []int32
	nTitle, nText []int32
}

func decodeSlot(lists []termList) (slot, error) {
	s := slot{lists: lists}
	if len(lists) == 1 {
		n := lists[0].df
		s.docs, s.nTitle, s.nText = make([]int32, 0, n), make([]int32, 0, n), make([]int32, 0, n)
		e := entries{r: reader{b: lists[0].docs}}
		for {
			x, ok := e.next()
			if !ok {
				break
			}
			s.docs = append(s.docs, int32(x.doc))
			s.nTitle = append(s.nTitle, int32(x.nTitle))
			s.nText = append(s.nText, int32(x.nText))
		}
		if e.r.err != nil {
			return s, e.r.err
		}
		return s, nil
	}
	m := map[int32][2]int32{}
	for _, l := range lists {
		e := entries{r: reader{b: l.docs}}
		for {
			x, ok := e.next()
			if !ok {
				break
			}
			c := m[int32(x.doc)]
			m[int32(x.doc)] = [2]int32{c[0] + int32(x.nTitle), c[1] + int32(x.nText)}
		}
		if e.r.err != nil {
			return s, e.r.err
		}
	}
	for d := range m {
		s.docs = append(s.docs, d)
	}
	slices.Sort(s.docs)
	for _, d := range s.docs {
		s.nTitle = append(s.nTitle, m[d][0])
		s.nText = append(s.nText, m[d][1])
	}
	return s, nil
}

// phraseIn finds a phrase in one segment.
func (ev *evaluator) phraseIn(s *segment, n *node, wantStarts bool) (phraseDocs, error) {
	var pd phraseDocs
	if len(n.terms) == 0 || n.cols == 0 {
		return pd, nil
	}
	needPos := wantStarts || n.initial || len(n.terms) > 1
	slots := make([]slot, len(n.terms))
	for i, t := range n.terms {
		lists, err := ev.lookup(s, t, n.prefix[i], false)
		if err != nil {
			return pd, err
		}
		if len(lists) == 0 {
			return pd, nil
		}
		if slots[i], err = decodeSlot(lists); err != nil {
			return pd, fmt.Errorf("full-text segment %d: %w", s.id, err)
		}
	}
	if !needPos {
		sl := slots[0]
		m := len(sl.docs)
		pd.docs, pd.nTitle, pd.nText = make([]int32, 0, m), make([]int32, 0, m), make([]int32, 0, m)
		for i, d := range sl.docs {
			t, x := sl.nTitle[i], sl.nText[i]
			if n.cols&colTitle == 0 {
				t = 0
			}
			if n.cols&colText == 0 {
				x = 0
			}
			if t+x > 0 {
				pd.docs = append(pd.docs, d)
				pd.nTitle = append(pd.nTitle, t)
				pd.nText = append(pd.nText, x)
			}
		}
		return pd, nil
	}
	// Documents holding every token, then their positions.
	cand := slots[0].docs
	for _, sl := range slots[1:] {
		cand = intersect(cand, sl.docs)
	}
	if len(cand) == 0 {
		return pd, nil
	}
	pos := make([]candPositions, len(slots))
	for i, t := range n.terms {
		lists, err := ev.lookup(s, t, n.prefix[i], true)
		if err != nil {
			return pd, err
		}
		if pos[i], err = loadPositions(lists, cand); err != nil {
			return pd, fmt.Errorf("full-text segment %d: %w", s.id, err)
		}
	}
	for c, d := range cand {
		var counts [2]int32
		var starts [2][]int32
		for ci, col := range []int{colTitle, colText} {
			if n.cols&col == 0 {
				continue
			}
			first := pos[0].of(c, ci)
			for _, p := range first {
				if n.initial && p != 0 {
					break
				}
				all := true
				for k := 1; k < len(slots); k++ {
					if _, ok := slices.BinarySearch(pos[k].of(c, ci), p+int32(k)); !ok {
						all = false
						break
					}
				}
				if all {
					counts[ci]++
					if wantStarts {
						starts[ci] = append(starts[ci], p)
					}
				}
			}
		}
		if counts[0]+counts[1] == 0 {
			continue
		}
		pd.docs = append(pd.docs, d)
		pd.nTitle = append(pd.nTitle, counts[0])
		pd.nText = append(pd.nText, counts[1])
		if wantStarts {
			pd.startsT = append(pd.startsT, starts[0])
			pd.startsX = append(pd.startsX, starts[1])
		}
	}
	return pd, nil
}

func intersect(a, b []int32) []int32 {
	var out []int32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// candPositions holds, per candidate document, a token's positions in the
// title and in the text.
type candPositions struct {
	off []int32 // per candidate: start of title, start of text; then the end
	pos []int32
}

func (c *candPositions) of(cand, col int) []int32 {
	return c.pos[c.off[2*cand+col]:c.off[2*cand+col+1]]
}

// loadPositions reads the positions of the candidates from the lists
// (several for a prefix: merged, sorted).
func loadPositions(lists []termList, cand []int32) (candPositions, error) {
	if len(lists) == 1 {
		return loadPositions1(lists[0], cand)
	}
	type docPos struct{ title, text []int32 }
	per := make([]docPos, len(cand))
	for _, l := range lists {
		e := entries{r: reader{b: l.docs}}
		pr := reader{b: l.pos}
		c := 0
		for {
			x, ok := e.next()
			if !ok {
				break
			}
			for c < len(cand) && cand[c] < int32(x.doc) {
				c++
			}
			if c < len(cand) && cand[c] == int32(x.doc) {
				p := int32(0)
				for range x.nTitle {
					p += int32(pr.uvarint())
					per[c].title = append(per[c].title, p)
				}
				p = 0
				for range x.nText {
					p += int32(pr.uvarint())
					per[c].text = append(per[c].text, p)
				}
				continue
			}
			for range x.nTitle + x.nText {
				pr.uvarint()
			}
		}
		if e.r.err != nil || pr.err != nil {
			return candPositions{}, errCorrupt
		}
	}
	out := candPositions{off: make([]int32, 0, 2*len(cand)+1)}
	for _, dp := range per {
		if len(lists) > 1 {
			slices.Sort(dp.title)
			slices.Sort(dp.text)
		}
		out.off = append(out.off, int32(len(out.pos)))
		out.pos = append(out.pos, dp.title...)
		out.off = append(out.off, int32(len(out.pos)))
		out.pos = append(out.pos, dp.text...)
	}
	out.off = append(out.off, int32(len(out.pos)))
	return out, nil
}

// loadPositions1 is loadPositions for one list, which holds every
// candidate: positions go straight into one slice, in order.
func loadPositions1(l termList, cand []int32) (candPositions, error) {
	out := candPositions{off: make([]int32, 0, 2*len(cand)+1)}
	e := entries{r: reader{b: l.docs}}
	pos := l.pos
	at, c := 0, 0
	for c < len(cand) {
		x, ok := e.next()
		if !ok {
			return candPositions{}, errCorrupt
		}
		n := x.nTitle + x.nText
		if int32(x.doc) != cand[c] {
			// Not a candidate: step over its positions.
			for n > 0 && at < len(pos) {
				if pos[at] < 0x80 {
					n--
				}
				at++
			}
			if n > 0 {
				return candPositions{}, errCorrupt
			}
			continue
		}
		for _, k := range [2]int{x.nTitle, x.nText} {
			out.off = append(out.off, int32(len(out.pos)))
			p := int32(0)
			for range k {
				v, w := binary.Uvarint(pos[at:])
				if w <= 0 {
					return candPositions{}, errCorrupt
				}
				at += w
				p += int32(v)
				out.pos = append(out.pos, p)
			}
		}
		c++
	}
	out.off = append(out.off, int32(len(out.pos)))
	return out, nil
}

// combine evaluates the tree in segment si.
func (ev *evaluator) combine(n *node, si int) result {
	switch n.op {
	case opPhrase, opNear:
		return ev.leaf[n][si]
	case opAnd:
		r := ev.combine(n.kids[0], si)
		for _, k := range n.kids[1:] {
			if len(r.docs) == 0 {
				return r
			}
			o := ev.combine(k, si)
			var out result
			for i, j := 0, 0; i < len(r.docs) && j < len(o.docs); {
				switch {
				case r.docs[i] < o.docs[j]:
					i++
				case r.docs[i] > o.docs[j]:
					j++
				default:
					out.docs = append(out.docs, r.docs[i])
					out.scores = append(out.scores, r.scores[i]+o.scores[j])
					i++
					j++
				}
			}
			r = out
		}
		return r
	case opOr:
		r := ev.combine(n.kids[0], si)
		for _, k := range n.kids[1:] {
			o := ev.combine(k, si)
			var out result
			i, j := 0, 0
			for i < len(r.docs) || j < len(o.docs) {
				switch {
				case j == len(o.docs) || (i < len(r.docs) && r.docs[i] < o.docs[j]):
					out.docs = append(out.docs, r.docs[i])
					out.scores = append(out.scores, r.scores[i])
					i++
				case i == len(r.docs) || r.docs[i] > o.docs[j]:
					out.docs = append(out.docs, o.docs[j])
					out.scores = append(out.scores, o.scores[j])
					j++
				default:
					out.docs = append(out.docs, r.docs[i])
					out.scores = append(out.scores, r.scores[i]+o.scores[j])
					i++
					j++
				}
			}
			r = out
		}
		return r
	case opNot:
		r := ev.combine(n.kids[0], si)
		o := ev.combine(n.kids[1], si)
		var out result
		j := 0
		for i, d := range r.docs {
			for j < len(o.docs) && o.docs[j] < d {
				j++
			}
			if j < len(o.docs) && o.docs[j] == d {
				continue
			}
			out.docs = append(out.docs, d)
			out.scores = append(out.scores, r.scores[i])
		}
		return out
	}
	return result{}
}
