package fulltext

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A segment is an immutable inverted index of some documents, numbered
// 0..n-1 in the order of their ids. Its terms are stored in sorted blocks
// (one row each): the row's docs column holds a header (each term with its
// document count and the sizes of its two parts) and then the terms'
// document lists; its pos column holds their positions. A query that needs
// no positions reads only the docs column.
//
// A block's header gives each term its document count and last document
// (so a merge can join lists without reading them). A document list is,
// per document containing the term: the gap from the previous document
// (the first document's number for the first), then (occurrences in text << 1 | occurs in title),
// then the occurrences in the title when there are any. Positions are, per
// document, the title's positions then the text's, each as gaps.

const (
	colTitle = 1 << iota
	colText
	colBoth = colTitle | colText
)

// Block limits: a block closes after this many terms or bytes of lists
// (documents and positions: what a merge holds of each segment at once).
const (
	blockTerms = 128
	blockBytes = 32 << 10
)

// docTable is what memory holds of a segment: per document, its id, its
// time and its length in tokens (title and text).
type docTable struct {
	ids  []int64
	ats  []int64
	lens []uint32
}

func (d *docTable) encode() []byte {
	out := binary.AppendUvarint(nil, uint64(len(d.ids)))
	var prevID, prevAt int64
	for i := range d.ids {
		out = binary.AppendUvarint(out, uint64(d.ids[i]-prevID))
		out = binary.AppendVarint(out, d.ats[i]-prevAt)
		out = binary.AppendUvarint(out, uint64(d.lens[i]))
		prevID, prevAt = d.ids[i], d.ats[i]
	}
	return out
}

var errCorrupt = errors.New("corrupt full-text data")

func decodeDocTable(b []byte) (docTable, error) {
	r := reader{b: b}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(b)) {
		return docTable{}, errCorrupt
	}
	d := docTable{ids: make([]int64, n), ats: make([]int64, n), lens: make([]uint32, n)}
	var id, at int64
	for i := range d.ids {
		id += int64(r.uvarint())
		at += r.varint()
		d.ids[i], d.ats[i], d.lens[i] = id, at, uint32(r.uvarint())
	}
	if r.err != nil || !r.done() {
		return docTable{}, errCorrupt
	}
	return d, nil
}

// reader decodes varints, remembering the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.off += n
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.err = errCorrupt
		return nil
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

func (r *reader) done() bool { return r.off == len(r.b) }

// appendUvarint is binary.AppendUvarint with the one-byte case (most
// gaps and counts) inlined.
func appendUvarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return binary.AppendUvarint(b, v)
}

func appendEntry(b []byte, gap, nTitle, nText int) []byte {
	b = appendUvarint(b, uint64(gap))
	flag := uint64(nText) << 1
	if nTitle > 0 {
		flag |= 1
	}
	b = appendUvarint(b, flag)
	if nTitle > 0 {
		b = appendUvarint(b, uint64(nTitle))
	}
	return b
}

// builder turns documents into a segment. It notes every occurrence as
// one number (term, document, column, position) in a single slice, and
// sorts them by term when the segment is written: sequential memory
// instead of a growing list per term.
type builder struct {
	terms  termTable
	counts []int32  // occurrences per term id
	occ    []uint64 // term<<40 | doc<<20 | column<<19 | position
	sorted []uint64 // occ grouped by term, made by lists
	// docBuf and posBuf hold the lists' bytes, kept between batches.
	docBuf, posBuf []byte
	docs           docTable
}

// Limits of the occurrence encoding: past them a document's tokens are not
// indexed (a segment holds at most a million documents, a column's first
// 524,287 tokens are indexed).
const (
	maxSegmentDocs = 1 << 20
	maxPosition    = 1<<19 - 1
)

// newBuilder returns an empty builder; Index keeps one between batches so
// that its buffers (megabytes for a thousand articles) are reused rather
// than made and collected again.
func newBuilder() *builder { return &builder{} }

// reset empties b for another batch; the term lists it returned must no
// longer be used.
func (b *builder) reset() {
	clear(b.terms.slots)
	clear(b.terms.terms)
	b.terms.terms = b.terms.terms[:0]
	b.counts, b.occ, b.sorted = b.counts[:0], b.occ[:0], b.sorted[:0]
	b.docBuf, b.posBuf = b.docBuf[:0], b.posBuf[:0]
	b.docs = docTable{}
}

// termTable gives each term an id: open addressing on a hash of the
// term's 8-byte words, several times cheaper than a map[string] for the
// ~1,000 lookups an article makes. A slot holds the first eight bytes of
// its term, so the usual short word is recognized without leaving the
// table (terms hold no zero bytes, so zero padding is unambiguous).
type termTable struct {
	slots []termSlot
	terms []string
}

type termSlot struct {
	hash uint32
	idx  int32 // id+1; 0 is empty
	head uint64
}

// hashTerm returns a term's hash and its first eight bytes (zero padded).
func hashTerm(t []byte) (uint32, uint64) {
	var head uint64
	if len(t) >= 8 {
		head = binary.LittleEndian.Uint64(t)
	} else {
		for i, c := range t {
			head |= uint64(c) << (8 * i)
		}
	}
	const m = 0x9E3779B97F4A7C15
	h := (head ^ uint64(len(t))) * m
	for rest := t[min(8, len(t)):]; len(rest) > 0; {
		var w uint64
		if len(rest) >= 8 {
			w, rest = binary.LittleEndian.Uint64(rest), rest[8:]
		} else {
			for i, c := range rest {
				w |= uint64(c) << (8 * i)
			}
			rest = nil
		}
		h = (h ^ w ^ h>>29) * m
	}
	return uint32(h >> 32), head
}

// id returns the term's id, giving it one on first sight.
func (tt *termTable) id(t []byte) int32 {
	h, head := hashTerm(t)
	if 2*(len(tt.terms)+1) > len(tt.slots) {
		tt.grow()
	}
	mask := uint32(len(tt.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &tt.slots[i]
		if sl.idx == 0 {
			tt.terms = append(tt.terms, string(t))
			*sl = termSlot{hash: h, idx: int32(len(tt.terms)), head: head}
			return sl.idx - 1
		}
		if sl.hash == h && sl.head == head && (len(t) < 8 || tt.terms[sl.idx-1] == string(t)) {
			return sl.idx - 1
		}
	}
}

func (tt *termTable) grow() {
	n := max(1024, 2*len(tt.slots))
	slots := make([]termSlot, n)
	mask := uint32(n - 1)
	for _, sl := range tt.slots {
		if sl.idx == 0 {
			continue
		}
		j := sl.hash & mask
		for slots[j].idx != 0 {
			j = (j + 1) & mask
		}
		slots[j] = sl
	}
	tt.slots = slots
}

// full reports whether the builder holds as many documents as a segment
// may.
func (b *builder) full() bool { return len(b.docs.ids) >= maxSegmentDocs }

// add indexes one document; ids must come in increasing order.
func (b *builder) add(id, at int64, title, text string) {
	doc := uint64(len(b.docs.ids))
	n := 0
	for col, s := range [2]string{title, text} {
		pos := 0
		tokenize(s, func(t []byte, _, _ int) {
			if pos > maxPosition {
				return
			}
			tid := b.terms.id(t)
			if int(tid) == len(b.counts) {
				b.counts = append(b.counts, 0)
			}
			b.counts[tid]++
			b.occ = append(b.occ, uint64(tid)<<40|doc<<20|uint64(col)<<19|uint64(pos))
			pos++
		})
		n += pos
	}
	b.docs.ids = append(b.docs.ids, id)
	b.docs.ats = append(b.docs.ats, at)
	b.docs.lens = append(b.docs.lens, uint32(n))
}

// termList is one term's lists, ready for a block.
type termList struct {
	term      string
	df        int
	last      int // the last document in docs
	docs, pos []byte
}

// lists returns the builder's terms in order, with their lists.
func (b *builder) lists() []termList {
	// Occurrences grouped by term, in the order they came (document,
	// column, position) within each.
	start := make([]int32, len(b.counts)+1)
	for i, c := range b.counts {
		start[i+1] = start[i] + c
	}
	next := slices.Clone(start[:len(b.counts)])
	sorted := slices.Grow(b.sorted[:0], len(b.occ))[:len(b.occ)]
	for _, o := range b.occ {
		t := o >> 40
		sorted[next[t]] = o
		next[t]++
	}
	b.sorted = sorted
	out := make([]termList, len(b.counts))
	docs, pos := b.docBuf[:0], b.posBuf[:0]
	for t := range b.counts {
		run := sorted[start[t]:start[t+1]]
		d0, p0 := len(docs), len(pos)
		l := termList{term: b.terms.terms[t]}
		prevDoc := 0
		for i := 0; i < len(run); {
			doc := int(run[i] >> 20 & (1<<20 - 1))
			j, nTitle := i, 0
			last := 0
			for ; j < len(run) && int(run[j]>>20&(1<<20-1)) == doc; j++ {
				if run[j]>>19&1 == 0 {
					nTitle++
				}
			}
			// Positions: the title's, then the text's, each as gaps
			// from the column's previous one.
			for k := i; k < j; k++ {
				if k == i+nTitle {
					last = 0
				}
				p := int(run[k] & maxPosition)
				pos = appendUvarint(pos, uint64(p-last))
				last = p
			}
			docs = appendEntry(docs, doc-prevDoc, nTitle, j-i-nTitle)
			prevDoc = doc
			l.df++
			i = j
		}
		l.last = prevDoc
		l.docs, l.pos = docs[d0:len(docs):len(docs)], pos[p0:len(pos):len(pos)]
		out[t] = l
	}
	// Lists made before a buffer grew still point into the old one,
	// which stays alive as long as they do.
	b.docBuf, b.posBuf = docs, pos
	slices.SortFunc(out, func(a, b termList) int { return strings.Compare(a.term, b.term) })
	return out
}

// blockWriter groups term lists into blocks and hands each one over.
type blockWriter struct {
	terms []termList
	size  int
	emit  func(first string, docs, pos []byte) error
}

func (w *blockWriter) add(t termList) error {
	w.terms = append(w.terms, t)
	w.size += len(t.docs) + len(t.pos)
	if len(w.terms) >= blockTerms || w.size >= blockBytes {
		return w.flush()
	}
	return nil
}

func (w *blockWriter) flush() error {
	if len(w.terms) == 0 {
		return nil
	}
	head := binary.AppendUvarint(nil, uint64(len(w.terms)))
	nDocs, nPos := 0, 0
	for _, t := range w.terms {
		head = binary.AppendUvarint(head, uint64(len(t.term)))
		head = append(head, t.term...)
		head = binary.AppendUvarint(head, uint64(t.df))
		head = binary.AppendUvarint(head, uint64(t.last))
		head = binary.AppendUvarint(head, uint64(len(t.docs)))
		head = binary.AppendUvarint(head, uint64(len(t.pos)))
		nDocs += len(t.docs)
		nPos += len(t.pos)
	}
	docs := make([]byte, 0, len(head)+nDocs)
	docs = append(docs, head...)
	pos := make([]byte, 0, nPos)
	for _, t := range w.terms {
		docs = append(docs, t.docs...)
		pos = append(pos, t.pos...)
	}
	err := w.emit(w.terms[0].term, docs, pos)
	w.terms, w.size = w.terms[:0], 0
	return err
}

// blockEntry is one term of a block read back: where its lists are.
type blockEntry struct {
	term           string
	df, last       int
	docOff, docLen int
	posOff, posLen int
}

// parseBlock reads a block's header; offsets are into the docs and pos
// columns.
func parseBlock(docs []byte) ([]blockEntry, error) {
	r := reader{b: docs}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(docs)) {
		return nil, fmt.Errorf("%w: block header", errCorrupt)
	}
	out := make([]blockEntry, n)
	posOff := 0
	for i := range out {
		t := r.bytes(r.uvarint())
		out[i] = blockEntry{term: string(t), df: int(r.uvarint()), last: int(r.uvarint()), docLen: int(r.uvarint()), posLen: int(r.uvarint()), posOff: posOff}
		posOff += out[i].posLen
	}
	off := r.off
	for i := range out {
		out[i].docOff = off
		off += out[i].docLen
	}
	if r.err != nil || off != len(docs) {
		return nil, fmt.Errorf("%w: block header", errCorrupt)
	}
	return out, nil
}

// entry is one document of a term's list.
type entry struct {
	doc           int
	nTitle, nText int
}

// entries iterates a document list.
type entries struct {
	r   reader
	doc int
}

func (e *entries) next() (entry, bool) {
	if e.r.off >= len(e.r.b) || e.r.err != nil {
		return entry{}, false
	}
	e.doc += int(e.r.uvarint())
	flag := e.r.uvarint()
	x := entry{doc: e.doc, nText: int(flag >> 1)}
	if flag&1 != 0 {
		x.nTitle = int(e.r.uvarint())
	}
	if e.r.err != nil {
		return entry{}, false
	}
	return x, true
}
