// Command rules measures newsmon's rule matcher: compiling a large rule set,
// matching ~5 KB English articles against it on one core, and the tagger's
// whole handling of an article message (decode, match, build alerts, encode).
// It prints the bare cost of tokenising the same text alongside, so the
// matcher's overhead over reading the text shows.
//
//	go run ./bench/rules                       # 10,000 aliases, 100 rules
//	go run ./bench/rules -aliases 1000 -n 2000  # smaller, quicker
//
// Article text comes from the extraction benchmark's hand-annotated bodies
// (pipeline/extract/testdata/extraction-bench/ground-truth.json.gz, in the
// repository with its licence) when present, else from generated
// English-like prose. The
// rule set is generated: entity names built from the proper nouns of that
// text (so that many of them really occur), invented names and acronyms,
// plus the shipped rules/ files.
package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"testing/fstest"
	"time"
	"unicode"

	gojson "github.com/goccy/go-json"

	"newsmon/pipeline"
	"newsmon/pipeline/bus"
	"newsmon/pipeline/rules"
	"newsmon/pipeline/tagger"
)

func main() {
	var (
		nAliases = flag.Int("aliases", 10000, "aliases in the generated rule set (shipped ones included)")
		nRules   = flag.Int("rules", 100, "compound alert rules (shipped ones included)")
		nDocs    = flag.Int("n", 20000, "articles matched per measurement")
		size     = flag.Int("size", 5000, "article size in bytes")
		corpus   = flag.String("corpus", "pipeline/extract/testdata/extraction-bench/ground-truth.json.gz", "JSON of article bodies ({id: {articleBody}}), gzipped if it ends in .gz; generated text when absent")
		shipped  = flag.String("shipped", "rules", "folder of shipped rule files to include")
		seed     = flag.Uint64("seed", 1, "random seed")
		prof     = flag.String("cpuprofile", "", "write a CPU profile of the measured steps to this file")
		only     = flag.String("step", "", "measure only this step: tokenise, match or handle (for profiling)")
		dump     = flag.String("dump", "", "write the generated rule file here")
		rounds   = flag.Int("rounds", 15, "rounds per step; the fastest counts")
	)
	flag.Parse()
	runtime.GOMAXPROCS(1) // figures are per core
	rng := rand.New(rand.NewPCG(*seed, 2))

	bodies, source := loadBodies(*corpus, rng)
	docs := makeArticles(bodies, *size, 500, rng)
	fsys, nShippedAliases, nShippedRules := shippedFiles(*shipped)
	// The loader refuses common-word and duplicate aliases; drop the
	// generated names it names and generate again with the same seed.
	refused := map[string]bool{}
	for try := 0; ; try++ {
		grng := rand.New(rand.NewPCG(*seed, 3))
		gen := generate(bodies, *nAliases-nShippedAliases, *nRules-nShippedRules, refused, grng)
		fsys["generated.yaml"] = &fstest.MapFile{Data: gen}
		_, err := rules.Load(fsys)
		if err == nil {
			break
		}
		found := false
		for _, line := range strings.Split(err.Error(), "\n") {
			if _, rest, ok := strings.Cut(line, ": alias \""); ok {
				if a, _, ok := strings.Cut(rest, "\""); ok {
					refused[strings.ToLower(a)] = true
					found = true
				}
			}
		}
		if !found || try > 5 {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}

	if *dump != "" {
		if err := os.WriteFile(*dump, fsys["generated.yaml"].Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("machine: %s/%s, %d CPUs, GOMAXPROCS=1, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("text: %s; %d articles of ~%d bytes (title and body)\n", source, len(docs), *size)

	// Compile.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c0 := cpuTime()
	set, err := rules.Load(fsys)
	compile := cpuTime() - c0
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.ReadMemStats(&after)
	peak := after.HeapAlloc - before.HeapAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := set.Stats()
	fmt.Printf("rule set: %d files, %d entities, %d aliases, %d rules (%d compound), %d distinct words\n",
		st.Files, st.Entities, st.Aliases, st.Rules, st.Rules-st.Entities, st.Words)
	fmt.Printf("compile (CPU time): %v, heap retained %.1f MB, heap before GC %.1f MB, allocated %.1f MB\n",
		compile.Round(time.Millisecond), mb(after.HeapAlloc-before.HeapAlloc), mb(peak), mb(after.TotalAlloc-before.TotalAlloc))

	total := 0
	for _, d := range docs {
		total += len(d.Title) + len(d.Body)
	}
	avg := float64(total) / float64(len(docs))

	// What the text and rules amount to, counted once.
	words, hits, matches := 0, 0, 0
	for _, d := range docs {
		words += rules.Tokenize(d.Title) + rules.Tokenize(d.Body)
		for _, h := range set.Match(rules.Doc{Title: d.Title, Body: d.Body}) {
			hits++
			matches += len(h.Matches)
		}
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// The tagger's handling of a message, and its JSON codec alone.
	msgs := make([][]byte, len(docs))
	for i, d := range docs {
		now := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
		a := pipeline.Article{Schema: pipeline.SchemaVersion, ID: pipeline.ArticleID(fmt.Sprint(i)), URL: fmt.Sprintf("https://news.example/%d", i),
			Source: "example", Title: d.Title, Text: d.Body, FetchedAt: now, Published: &now,
			ContentHash: pipeline.ContentHash(d.Body), Extraction: pipeline.ExtractionPage}
		msgs[i], _ = json.Marshal(a)
	}
	pub := &encoder{}
	tg := tagger.New(set, pub, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	alerts := make([][]pipeline.Alert, len(docs))
	for i := range docs {
		var a pipeline.Article
		json.Unmarshal(msgs[i], &a)
		alerts[i] = tg.Tag(&a)
	}

	steps := []*step{
		{key: "tokenise", name: "tokenise only (rules.Tokenize)", f: func(i int) {
			d := &docs[i%len(docs)]
			rules.Tokenize(d.Title)
			rules.Tokenize(d.Body)
		}},
		{key: "match", name: "match + rules (Set.Match)", f: func(i int) {
			d := &docs[i%len(docs)]
			set.Match(rules.Doc{Title: d.Title, Body: d.Body})
		}},
		{key: "handle", name: "whole message (tagger.Handle: decode, match, build alerts, encode)", f: func(i int) {
			if err := tg.Handle(ctx, msgs[i%len(msgs)]); err != nil {
				panic(err)
			}
		}},
		{key: "handle", name: "of which: decode the article JSON (goccy/go-json, as tagger.Handle)", f: func(i int) {
			var a pipeline.Article
			if err := gojson.Unmarshal(msgs[i%len(msgs)], &a); err != nil {
				panic(err)
			}
		}},
		{key: "handle", name: "for reference: the same decode with encoding/json", f: func(i int) {
			var a pipeline.Article
			if err := json.Unmarshal(msgs[i%len(msgs)], &a); err != nil {
				panic(err)
			}
		}},
		{key: "handle", name: "of which: encode its alerts (bus.EncodeAlert, goccy/go-json)", f: func(i int) {
			pub.PublishAlerts(ctx, alerts[i%len(alerts)])
		}},
	}
	var chosen []*step
	for _, st := range steps {
		if *only == "" || *only == st.key {
			chosen = append(chosen, st)
		}
	}
	measure(chosen, *nDocs, *rounds)

	n := float64(len(docs))
	fmt.Printf("per article: %.0f bytes, %.0f words, %.1f rules fired (alerts), %.1f matches\n",
		avg, float64(words)/n, float64(hits)/n, float64(matches)/n)
	fmt.Println()
	fmt.Printf("| step (one core; CPU time, best of %d rounds) | articles/s | MB/s | µs/article | articles/s by wall clock |\n", *rounds)
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, st := range chosen {
		sec := st.cpu.Seconds() // per article
		fmt.Printf("| %s | %.0f | %.0f | %.1f | %.0f |\n", st.name, 1/sec, avg/sec/1e6, sec*1e6, 1/st.wall.Seconds())
	}
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

type step struct {
	key, name string
	f         func(i int)
	cpu, wall time.Duration // per call, of the fastest round
}

// measure runs each step n times in all, in rounds that take turns between
// the steps, after a short warm-up, and keeps for each step the CPU time per
// call of its fastest round and that round's wall time. CPU time is the
// process's user and system time, all threads: with GOMAXPROCS=1 that is
// one core's work including the garbage collector. The machine is shared
// with other jobs, so wall time measures the neighbours too, and even CPU
// time suffers from their use of the caches; taking turns exposes every
// step to the same neighbours, and the fastest round is the figure least
// disturbed by them.
func measure(steps []*step, n, rounds int) {
	for _, st := range steps {
		for i := range min(n, 500) {
			st.f(i)
		}
		st.cpu = time.Duration(1 << 62)
	}
	per := max(n/rounds, 1)
	for r := range rounds {
		for _, st := range steps {
			runtime.GC()
			c0, t0 := cpuTime(), time.Now()
			for i := range per {
				st.f(r*per + i)
			}
			if c := (cpuTime() - c0) / time.Duration(per); c < st.cpu {
				st.cpu, st.wall = c, time.Since(t0)/time.Duration(per)
			}
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// encoder stands in for the NATS publisher: it encodes the alerts as the
// bus does and discards them.
type encoder struct {
	n int
}

func (e *encoder) PublishAlerts(_ context.Context, alerts []pipeline.Alert) error {
	for i := range alerts {
		if _, err := bus.EncodeAlert(&alerts[i]); err != nil {
			return err
		}
	}
	e.n += len(alerts)
	return nil
}

type doc struct{ Title, Body string }

func loadBodies(path string, rng *rand.Rand) ([]string, string) {
	data, err := readCorpus(path)
	if err == nil {
		var gt map[string]struct {
			ArticleBody string `json:"articleBody"`
		}
		if json.Unmarshal(data, &gt) == nil && len(gt) > 0 {
			keys := make([]string, 0, len(gt))
			for k := range gt {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var out []string
			for _, k := range keys {
				if b := strings.TrimSpace(gt[k].ArticleBody); len(b) > 200 && english(b) {
					out = append(out, b)
				}
			}
			return out, fmt.Sprintf("%d real English article bodies from %s", len(out), path)
		}
	}
	fmt.Fprintf(os.Stderr, "bench: %v; using generated text\n", err)
	// Generated prose: sentences of common words with capitalised names.
	var out []string
	for range 200 {
		var b strings.Builder
		for p := range 8 {
			if p > 0 {
				b.WriteString("\n\n")
			}
			for range 4 {
				n := 8 + rng.IntN(18)
				for w := range n {
					word := proseWords[rng.IntN(len(proseWords))]
					if w == 0 || rng.IntN(12) == 0 {
						word = strings.ToUpper(word[:1]) + word[1:]
					}
					if w > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(word)
				}
				b.WriteString(". ")
			}
		}
		out = append(out, b.String())
	}
	return out, "generated prose (corpus not found)"
}

var proseWords = strings.Fields(`the of and to a in that is was he for it with as his on be at by had are but
from or have an they which one you were all we her she there would their will when who him been has more if no out
so said what up its about than into them can only other time new some could these two may first then do any like
my now over such our man me even most made after also did many before must through back years where much your way
well down should because each just those people how too little state good very make world still own see men work
long get here between both life being under never day same another know while last might us great old year off come
since against go came right used take three company cloud government market officials data security rules export
department agency minister providers services report week month statement deal investors billion percent shares`)

// makeArticles cuts the bodies into articles of about size bytes: a title
// from the first sentence, then paragraphs until the size is reached.
func makeArticles(bodies []string, size, n int, rng *rand.Rand) []doc {
	var paras []string
	for _, b := range bodies {
		for _, p := range strings.Split(b, "\n") {
			if p = strings.TrimSpace(p); len(p) > 40 {
				paras = append(paras, p)
			}
		}
	}
	out := make([]doc, n)
	for i := range out {
		var b strings.Builder
		first := paras[rng.IntN(len(paras))]
		title := first
		if j := strings.IndexAny(first, ".?!"); j > 20 {
			title = first[:j]
		}
		if len(title) > 120 {
			title = title[:strings.LastIndexByte(title[:120], ' ')]
		}
		b.WriteString(first)
		want := size - len(title)
		for b.Len() < want {
			b.WriteString("\n\n")
			b.WriteString(paras[rng.IntN(len(paras))])
		}
		// End the body at the sentence end closest to the size asked for,
		// so that articles average that size.
		body := b.String()
		cut, best := len(body), len(body)-want
		for j := 0; j < len(body); {
			k := strings.Index(body[j:], ". ")
			if k < 0 {
				break
			}
			j += k + 1
			if d := abs(j - want); d < best {
				cut, best = j, d
			}
		}
		out[i] = doc{Title: title, Body: body[:cut]}
	}
	return out
}

// shippedFiles copies the shipped rule files into an in-memory FS and
// counts their aliases and compound rules.
func shippedFiles(dir string) (fstest.MapFS, int, int) {
	fsys := fstest.MapFS{}
	names, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err == nil {
			fsys[filepath.Base(n)] = &fstest.MapFile{Data: data}
		}
	}
	if len(fsys) == 0 {
		return fsys, 0, 0
	}
	s, err := rules.Load(fsys)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shipped rules:", err)
		os.Exit(1)
	}
	st := s.Stats()
	return fsys, st.Aliases, st.Rules - st.Entities
}

var suffixes = strings.Fields(`Cloud Systems Holdings Networks Group Technologies Labs Data Digital Telecom Capital
Energy Partners Computing Analytics Security Software Robotics Semiconductor Bank Agency Ministry Council Institute
Foundation Media Logistics Pharma Motors Airlines Energy Mining Ventures Solutions Platforms Devices Wireless`)

var categories = strings.Fields("company agency person place product org vendor lab bank fund")

// generate writes a rule file with about nAliases aliases and nRules
// compound rules.
func generate(bodies []string, nAliases, nRules int, refused map[string]bool, rng *rand.Rand) []byte {
	// Proper nouns: capitalised words that rarely occur in lower case.
	capCount, lowCount := map[string]int{}, map[string]int{}
	for _, b := range bodies {
		for _, w := range strings.FieldsFunc(b, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(w) < 4 || len(w) > 14 {
				continue
			}
			r := []rune(w)
			switch {
			case unicode.IsUpper(r[0]) && strings.ToLower(string(r[1:])) == string(r[1:]):
				capCount[w]++
			case strings.ToLower(w) == w:
				lowCount[w]++
			}
		}
	}
	var proper []string
	for w, c := range capCount {
		if lowCount[strings.ToLower(w)] == 0 && c >= 1 {
			proper = append(proper, w)
		}
	}
	sort.Strings(proper)
	// Context words and rule terms are topic words, as an analyst would
	// pick ("sanctions", "servers"): seen a few times, not stop words.
	var lower []string
	for w, c := range lowCount {
		if c >= 3 && c <= 60 && len(w) >= 5 {
			lower = append(lower, w)
		}
	}
	sort.Strings(lower)
	if len(lower) < 20 {
		lower = proseWords
	}

	seen := map[string]bool{}
	name := func() string {
		for {
			var a string
			// The mix: a fifth of the names start with a proper noun of
			// the text (so the matcher follows many false starts), one in
			// fifty is a bare proper noun of the text (so that rules fire),
			// the rest are acronyms and invented names, as most of a
			// large watch list never appears in a given article.
			switch k := rng.IntN(100); {
			case k < 20 && len(proper) > 0:
				a = proper[rng.IntN(len(proper))] + " " + suffixes[rng.IntN(len(suffixes))]
			case k < 22 && len(proper) > 0:
				a = proper[rng.IntN(len(proper))]
			case k < 27 && len(proper) > 1:
				a = proper[rng.IntN(len(proper))] + " " + proper[rng.IntN(len(proper))] + " " + suffixes[rng.IntN(len(suffixes))]
			case k < 52:
				a = acronym(rng)
			default:
				a = invented(rng)
				if rng.IntN(3) == 0 {
					a += " " + suffixes[rng.IntN(len(suffixes))]
				}
			}
			if key := strings.ToLower(a); !seen[key] && !refused[key] {
				seen[key] = true
				return a
			}
		}
	}

	// Analysts share a few context and veto lists between aliases (YAML
	// anchors) and draw rule terms from one topic vocabulary: 12 lists of
	// 8 words and a pool of 150 terms.
	pick := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = lower[rng.IntN(len(lower))]
		}
		return out
	}
	var b strings.Builder
	b.WriteString("# Generated by bench/rules.\n")
	for i := range 12 {
		fmt.Fprintf(&b, "x-list%d: &list%d [%s]\n", i, i, strings.Join(pick(8), ", "))
	}
	topics := pick(150)
	b.WriteString("entities:\n")
	var ents []string
	tags := make([]string, 20)
	for i := range tags {
		tags[i] = fmt.Sprintf("tag%d", i)
	}
	made := 0
	for i := 0; made < nAliases; i++ {
		cat := categories[rng.IntN(len(categories))]
		id := fmt.Sprintf("e%d", i)
		ents = append(ents, cat+"."+id)
		fmt.Fprintf(&b, "  - id: %s\n    category: %s\n    name: Entity %d\n    tags: [%s]\n    aliases:\n", id, cat, i, tags[rng.IntN(len(tags))])
		k := 1 + rng.IntN(4)
		for j := 0; j < k && made < nAliases; j++ {
			a := name()
			if rng.IntN(20) == 0 { // one in twenty needs context
				fmt.Fprintf(&b, "      - {text: %q, context: *list%d, veto: *list%d}\n", a, rng.IntN(6), 6+rng.IntN(6))
			} else {
				fmt.Fprintf(&b, "      - %q\n", a)
			}
			made++
		}
	}
	term := func() string {
		if rng.IntN(3) == 0 {
			return fmt.Sprintf("%q", topics[rng.IntN(len(topics))]+" "+topics[rng.IntN(len(topics))])
		}
		return fmt.Sprintf("%q", topics[rng.IntN(len(topics))])
	}
	e := func() string { return ents[rng.IntN(len(ents))] }
	tg := func() string { return "@" + tags[rng.IntN(len(tags))] }
	c := func() string { return categories[rng.IntN(len(categories))] + ".*" }
	b.WriteString("rules:\n")
	for i := range nRules {
		var ex string
		switch i % 8 {
		case 0:
			ex = fmt.Sprintf("%s AND %s", tg(), tg())
		case 1:
			ex = fmt.Sprintf("%s NEAR/10 (%s OR %s)", c(), term(), term())
		case 2:
			ex = fmt.Sprintf("title:%s OR ATLEAST/3 %s", e(), tg())
		case 3:
			ex = fmt.Sprintf("(%s OR %s OR %s) AND NOT %s", e(), e(), e(), term())
		case 4:
			ex = fmt.Sprintf("%s NEAR/s (%s OR %s)", tg(), term(), term())
		case 5:
			ex = fmt.Sprintf("lead:(%s OR %s) AND %s", tg(), tg(), c())
		case 6:
			ex = fmt.Sprintf("(%s AND %s) OR (%s NEAR/5 %s)", e(), c(), tg(), term())
		case 7:
			ex = fmt.Sprintf("ATLEAST/2 %s AND %s NEAR/p %s", c(), tg(), term())
		}
		fmt.Fprintf(&b, "  - id: r%d\n    category: bench\n    name: Rule %d\n    severity: %s\n    description: generated\n    match: '%s'\n",
			i, i, []string{"low", "medium", "high"}[i%3], ex)
	}
	return []byte(b.String())
}

func acronym(rng *rand.Rand) string {
	n := 3 + rng.IntN(3)
	r := make([]byte, n)
	for i := range r {
		r[i] = byte('A' + rng.IntN(26))
	}
	return string(r)
}

var syllables = strings.Fields("ka lo mi ner tra vo zen qui dex ar bel cor dan fi gor hal in jor kel lu mar nov or pax ri sol tan ul vin wex yor zu")

func invented(rng *rand.Rand) string {
	n := 2 + rng.IntN(3)
	var b strings.Builder
	for range n {
		b.WriteString(syllables[rng.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// english: the extraction benchmark holds a few Russian and other pages;
// the figures are for English text (under 2% non-ASCII bytes).
func english(s string) bool {
	high := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			high++
		}
	}
	return high*50 < len(s)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// readCorpus reads a file, gunzipping it when its name ends in .gz.
func readCorpus(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = z
	}
	return io.ReadAll(r)
}
