// Package rules owns newsmon's rule language: it loads rule files (YAML,
// documented in docs/rules.md) from an fs.FS, checks them strictly, compiles
// them into an immutable Set, and matches articles against it.
//
// A rule file has three lists. Entities are the things analysts follow (a
// cloud provider, a policy body) with their aliases; every entity is also an
// alert rule on alerts.<category>.<entity-id>. Rules are Boolean expressions
// over entities, categories, tags and quoted words (AND, OR, NOT, NEAR/n,
// NEAR/s, NEAR/p, ATLEAST/n, title:, lead:, body:). Examples are texts that
// must and must not match; RunExamples checks them.
//
// Matching works on words: text and aliases pass through the same
// normalisation (case folding, diacritics, apostrophes, possessives,
// hyphens and spacing); the scanner hashes each word as it reads it, a bit
// filter turns away the words of no alias or term, the rest are looked up
// in a hash table and drive a word trie that finds every alias and term in
// one pass; compound rules are evaluated only when a word they need occurs.
// docs/benchmarks.md has the figures. The package keeps no mutable global
// state: a reload is a new Load, and a Set in use never changes.
// Publishing alerts is left to pipeline/alert and pipeline/tagger.
package rules
