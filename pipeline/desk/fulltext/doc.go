// Package fulltext is the desk's full-text index: an inverted index of
// articles (title and text) kept in the desk's SQLite file, written in the
// same transactions as the articles, and searched with the query language
// analysts know from SQLite FTS5: words, "phrases", prefix*, AND, OR, NOT,
// parentheses, NEAR(a b, N), ^initial tokens and title:/text: column
// filters, ranked by BM25.
//
// Why not FTS5 itself: through modernc.org/sqlite (C translated to Go) it
// indexes about 3,000 articles of 5 KB per CPU-second at best, and the desk
// must index 5,000 (docs/benchmarks.md). This package does the same work in
// Go: a batch of articles becomes an immutable segment (terms in sorted
// blocks of postings: document, occurrences per column, then positions),
// segments of a size are merged eight at a time, deleted documents are
// dropped at merges. Memory holds only each segment's document table (id,
// time, length); postings are read from SQLite per query.
package fulltext
