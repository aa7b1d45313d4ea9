package rules

// This file holds the two tables the matcher reads for every word: the
// vocabulary (which words occur in some alias or term) and the trie's
// transitions. Both are open-addressing tables keyed by mixed hashes. In
// front of the vocabulary, a blocked Bloom filter turns most words of an
// article away with one load: each word of the vocabulary sets two bits in
// one 64-bit block chosen by its hash: in the high half in any case, in
// bits 0-15 if it is a phrase of its own, in bits 16-31 if it starts longer
// phrases. A word that starts nothing is looked up only while a phrase is
// under way; a word that only starts longer phrases ("Department" of
// "Department of State") only when the next word is in some phrase too.
// The filter is sized to stay in the first-level cache (about four bits a
// word).

type wordTable struct {
	slots  []wslot
	tsh    uint     // a hash's slot is hash >> tsh
	text   string   // every word, back to back, for comparing long words
	offs   []uint32 // word id's bytes are text[offs[id]:offs[id+1]]
	filter []uint64 // see filterBits
	sh     uint     // a hash's block is hash >> sh
}

// wslot is one vocabulary entry. Words of up to eight ASCII letters and
// digits (most of them) are compared through packed, their bytes OR 0x20,
// which the scanner computes for free; longer or non-ASCII words through
// text.
type wslot struct {
	packed uint64 // 0 for words compared through text
	check  uint32 // more bits of the hash
	id     int32  // -1: empty
}

type transTable struct {
	slots []tslot
	mask  uint64
}

type tslot struct {
	key  uint64 // node<<32 | word; node 0 is never a key
	node int32
}

// lexicon is a set of phrases and the tables that find them: a word
// trie over the words of the phrases. While compiling, vocab maps a
// normalised word to its id, root gives the node after a phrase's first
// word, trans the node after any later one and out the phrases ending at a
// node; finish turns them into the tables the matcher reads.
type lexicon struct {
	vocab map[string]int32
	root  []int32
	trans map[uint64]int32
	out   [][]int32

	words wordTable
	next  transTable
	// outOff and outIDs hold out flattened for matching: the phrases
	// ending at node are outIDs[outOff[node]:outOff[node+1]].
	outOff []int32
	outIDs []int32
}

func newLexicon() lexicon {
	return lexicon{vocab: map[string]int32{}, trans: map[uint64]int32{}, out: [][]int32{nil}}
}

// add inserts phrase pi, of words norm, into the trie.
func (l *lexicon) add(norm []string, pi int32) {
	node := int32(-1) // the root
	for _, w := range norm {
		wi, ok := l.vocab[w]
		if !ok {
			wi = int32(len(l.root))
			l.vocab[w] = wi
			l.root = append(l.root, -1)
		}
		if node < 0 {
			if l.root[wi] < 0 {
				l.root[wi] = int32(len(l.out))
				l.out = append(l.out, nil)
			}
			node = l.root[wi]
			continue
		}
		k := transKey(node, wi)
		next, ok := l.trans[k]
		if !ok {
			next = int32(len(l.out))
			l.out = append(l.out, nil)
			l.trans[k] = next
		}
		node = next
	}
	l.out[node] = append(l.out[node], pi)
}

// finish builds the matching tables from the compile-time maps, which it
// then drops.
func (l *lexicon) finish() {
	hasChild := make([]bool, len(l.out))
	for k := range l.trans {
		hasChild[k>>32] = true
	}
	l.words = buildWords(l.vocab, l.root, l.out, hasChild)
	l.next = buildTrans(l.trans)
	l.flattenOut()
	l.vocab, l.trans, l.out = nil, nil, nil
}

// buildWords lays out the vocabulary table and its filter. A word's filter
// bits say whether it is a phrase of its own (its root node has phrases
// ending there) and whether it starts longer ones (its root node has
// children).
func buildWords(vocab map[string]int32, root []int32, out [][]int32, hasChild []bool) wordTable {
	var w wordTable
	size := 16
	for 2*size < 3*len(vocab) { // load at most 2/3: small enough to stay in cache
		size *= 2
	}
	w.slots = make([]wslot, size)
	for i := range w.slots {
		w.slots[i].id = -1
	}
	w.tsh = uint(64 - trailingZeros(size))
	blocks := 64
	for 2*blocks < len(vocab) && blocks < 1<<20 {
		blocks *= 2
	}
	w.filter = make([]uint64, blocks)
	w.sh = uint(64 - trailingZeros(blocks))

	// The words back to back, in id order, for comparing long words.
	words := make([]string, len(vocab))
	for word, id := range vocab {
		words[id] = word
	}
	var text []byte
	w.offs = make([]uint32, 0, len(words)+1)
	for _, word := range words {
		w.offs = append(w.offs, uint32(len(text)))
		text = append(text, word...)
	}
	w.offs = append(w.offs, uint32(len(text)))
	w.text = string(text)

	for word, id := range vocab {
		h := hashBytes([]byte(word))
		w.filter[h>>w.sh] |= anyBits(h) << 32
		if node := root[id]; node >= 0 {
			if len(out[node]) > 0 {
				w.filter[h>>w.sh] |= rootBits(h)
			}
			if hasChild[node] {
				w.filter[h>>w.sh] |= rootBits(h) << 16
			}
		}
		i := h >> w.tsh
		for w.slots[i].id >= 0 {
			i = (i + 1) & uint64(len(w.slots)-1)
		}
		w.slots[i] = wslot{packed: packWord(word), check: uint32(h >> 16), id: id}
	}
	return w
}

// buildTrans lays out the trie's transitions in an open-addressing table.
func buildTrans(trans map[uint64]int32) transTable {
	var t transTable
	size := 16
	for 2*size < 3*len(trans) {
		size *= 2
	}
	t.slots = make([]tslot, size)
	t.mask = uint64(size - 1)
	for k, node := range trans {
		i := mix(k) & t.mask
		for t.slots[i].key != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = tslot{key: k, node: node}
	}
	return t
}

// flattenOut lays the phrases ending at each node out in one slice, and
// marks the nodes where phrases end, in root and in the transitions, so
// that the matcher reads outOff only for them.
func (l *lexicon) flattenOut() {
	l.outOff = make([]int32, len(l.out)+1)
	for node, ids := range l.out {
		l.outIDs = append(l.outIDs, ids...)
		l.outOff[node+1] = int32(len(l.outIDs))
	}
	flag := func(node int32) int32 {
		if len(l.out[node]) > 0 {
			return node | outFlag
		}
		return node
	}
	for id, node := range l.root {
		if node >= 0 {
			l.root[id] = flag(node)
		}
	}
	t := &l.next
	for i := range t.slots {
		if t.slots[i].key != 0 {
			t.slots[i].node = flag(t.slots[i].node)
		}
	}
}

// rootBits returns a word's two bits for the low quarters of a filter
// block, anyBits for its high half; both from hash bits below the block
// index (the top bits are the well mixed ones).
func rootBits(h uint64) uint64 {
	return 1<<(h>>43&15) | 1<<(h>>38&15)
}

func anyBits(h uint64) uint64 {
	return 1<<(h>>43&31) | 1<<(h>>38&31)
}

// pack fills in packed for a word of the fast path; the slow paths set it
// themselves.
func (wd *word) pack() {
	if !wd.raw {
		return
	}
	switch n := len(wd.norm); {
	case n < 8:
		mask := uint64(1)<<(8*n) - 1
		wd.packed = wd.tail&mask | lower&mask
	case n == 8:
		wd.packed = wd.last | lower
	default:
		wd.packed = 0
	}
}

// packWord returns the packed form of a short ASCII word, else 0.
func packWord(word string) uint64 {
	if len(word) > 8 {
		return 0
	}
	var v uint64
	for i := len(word) - 1; i >= 0; i-- {
		if !alnum[word[i]] {
			return 0
		}
		v = v<<8 | uint64(word[i])
	}
	return v | lower&(uint64(1)<<(8*len(word))-1)
}

// lookup returns the vocabulary id of a word of the text, or -1.
func (w *wordTable) lookup(wd *word) int32 {
	wd.pack()
	h := wd.hash
	check := uint32(h >> 16)
	mask := uint64(len(w.slots) - 1)
	for i := h >> w.tsh; ; i = (i + 1) & mask {
		sl := &w.slots[i]
		if sl.id < 0 {
			return -1
		}
		if sl.check != check {
			continue
		}
		if wd.packed != 0 {
			if sl.packed == wd.packed {
				return sl.id
			}
		} else if sl.packed == 0 && sameWord(w.text[w.offs[sl.id]:w.offs[sl.id+1]], wd) {
			return sl.id
		}
	}
}

// sameWord compares a vocabulary word with a word of the text that has no
// packed form.
func sameWord(v string, w *word) bool {
	if len(v) != len(w.norm) {
		return false
	}
	if !w.raw {
		return v == string(w.norm)
	}
	for i := 0; i < len(v); i++ {
		if v[i] != w.norm[i]|0x20 {
			return false
		}
	}
	return true
}

// outFlag marks, in root and in the transitions, a node where phrases end.
const outFlag = 1 << 30

// step returns the trie node after node on word id, with outFlag if
// phrases end there, or -1.
func (t *transTable) step(node, id int32) int32 {
	k := transKey(node, id)
	for i := mix(k) & t.mask; ; i = (i + 1) & t.mask {
		sl := t.slots[i]
		if sl.key == k {
			return sl.node
		}
		if sl.key == 0 {
			return -1
		}
	}
}
