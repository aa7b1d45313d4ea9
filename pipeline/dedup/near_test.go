package dedup

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// texts is the folder of public-domain literature in several scripts
// (testdata/text at the module root; its README says where each came from).
const texts = "../../testdata/text"

// passages splits a literary text into passages of at least minRunes
// characters, cut at paragraph ends: unrelated texts of one author, which
// share more habits than two news stories do.
func passages(t testing.TB, file string, minRunes int) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(texts, file))
	if err != nil {
		t.Fatal(err)
	}
	body := string(data)
	if _, rest, ok := strings.Cut(body, "--------\n"); ok {
		body = rest // the provenance header
	}
	// Paragraphs end at a blank line or start with an ideographic space
	// (the Japanese text wraps its lines at a fixed width).
	body = strings.ReplaceAll(body, "\n　", "\n\n")
	var out []string
	var cur strings.Builder
	for _, p := range strings.Split(body, "\n\n") {
		p = strings.Join(strings.Fields(strings.ReplaceAll(p, "\n", "")), " ")
		if p == "" {
			continue
		}
		cur.WriteString(p)
		cur.WriteString("\n\n")
		if utf8.RuneCountInString(cur.String()) >= minRunes {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	return out
}

// jaNews writes n unrelated Japanese news-style texts of about 400
// characters from a vocabulary of everyday words and the particles and
// endings all Japanese prose shares: the texts differ in content but have
// nearly the same character counts, the case that defeated one-character
// features.
func jaNews(n int) []string {
	nouns := strings.Fields("政府 会社 市場 東京 大阪 選手 試合 研究 大学 病院 患者 地震 台風 警察 事件 裁判 銀行 株価 円安 輸出 " +
		"自動車 電池 半導体 工場 社長 首相 議員 選挙 予算 税金 学校 生徒 先生 子ども 家族 住民 観光客 空港 鉄道 新幹線 " +
		"天気 気温 雨 雪 農家 米 野菜 魚 漁業 環境 森林 電力 ガス 料金 物価 賃金 雇用 企業 経済 外交 中国 米国 韓国 " +
		"映画 音楽 歌手 俳優 番組 作品 展示 美術館 図書館 祭り 寺 神社 城 公園 動物園 猫 犬 鳥 宇宙 衛星 ロケット " +
		"スマートフォン アプリ サービス データ システム ネット 通信 会議 調査 結果 計画 方針 制度 改革 事故 火災 救助")
	verbs := strings.Fields("発表した 開始した 決定した 検討している 明らかにした 説明した 求めた 反対した 合意した 調べている " +
		"増えた 減った 上昇した 下落した 公開した 完成した 延期した 中止した 再開した 受賞した 逮捕された 確認された")
	adverbs := strings.Fields("今年 昨年 来月 先週 今後 初めて 大幅に 一部で 全国で 地域で 約三割 過去最高 引き続き 正式に")
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(w []string) string { return w[r.IntN(len(w))] }
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for utf8.RuneCountInString(b.String()) < 400 {
			fmt.Fprintf(&b, "%sの%sは%s、%sについて%sと%s。", pick(nouns), pick(nouns), pick(adverbs), pick(nouns), pick(verbs), pick(verbs))
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "%sによると、%sが%sという。", pick(nouns), pick(nouns), pick(verbs))
			}
		}
		out[i] = b.String()
	}
	return out
}

// TestNearDuplicateAccuracy is the pass/fail gate on near-duplicate
// detection: no two unrelated texts within NearThreshold, in Latin text
// (the feed corpus) and in scripts without spaces (issue 9 item 3), and
// edited copies of long texts still found.
func TestNearDuplicateAccuracy(t *testing.T) {
	sets := map[string][]string{
		"japanese literature": passages(t, "rashomon-utf-8.txt", 200),
		"chinese literature":  passages(t, "sunzi-bingfa-simplified-utf-8.txt", 200),
		"korean literature":   passages(t, "unsu-joh-eun-nal-utf-8.txt", 300),
		"japanese news-style": jaNews(60),
		"feed corpus":         corpusTexts(t, 120),
	}
	var cjk []string
	for _, name := range []string{"japanese literature", "chinese literature", "japanese news-style"} {
		cjk = append(cjk, sets[name]...)
	}
	sets["all cjk together"] = cjk
	for name, set := range sets {
		t.Run(name, func(t *testing.T) {
			if len(set) < 10 {
				t.Fatalf("only %d texts", len(set))
			}
			fps := make([]uint64, len(set))
			for i, s := range set {
				fps[i] = Fingerprint(s)
			}
			pairs, closest := 0, 64
			for i := range set {
				for j := i + 1; j < len(set); j++ {
					pairs++
					d := Distance(fps[i], fps[j])
					closest = min(closest, d)
					if d <= NearThreshold && jaccard(set[i], set[j]) < 0.5 {
						t.Errorf("unrelated texts %d and %d within %d bits:\n%.120s\n%.120s", i, j, d, set[i], set[j])
					}
				}
			}
			t.Logf("%d texts, %d pairs, closest unrelated pair %d bits apart", len(set), pairs, closest)
		})
	}
	// Texts that share vocabulary and no sentence (issue 14 item 5):
	// stories of one outlet on one beat, and word salads from one small
	// vocabulary as a load generator writes them. Word counts alone took
	// half of these for copies; the full decision (Print.Near) must take
	// none.
	t.Run("same vocabulary, no sentence shared", func(t *testing.T) {
		for _, c := range []struct {
			name string
			set  []string
		}{
			{"one outlet's beat", outletNews(1500, 1)},
			{"word salad, 80 words", wordSalad(1000, 80, 2)},
			{"word salad, 400 words", wordSalad(1000, 400, 3)},
		} {
			prints := make([]Print, len(c.set))
			sents := make([]map[string]bool, len(c.set))
			for i, s := range c.set {
				prints[i], sents[i] = NewPrint(s), sentences(s)
			}
			pairs, candidates, flagged := 0, 0, 0
			for i := range c.set {
				for j := i + 1; j < len(c.set); j++ {
					if Distance(prints[i].Fingerprint, prints[j].Fingerprint) > NearThreshold {
						pairs++
						continue
					}
					if shareSentence(sents[i], sents[j]) {
						continue // the generator repeated a sentence: not this test's case
					}
					pairs++
					candidates++
					if prints[i].Near(prints[j]) {
						flagged++
						if flagged <= 3 {
							t.Errorf("%s: texts %d and %d share no sentence but are near-duplicates (resemblance %.2f):\n%.160s\n%.160s",
								c.name, i, j, Resemblance(prints[i].Sketch, prints[j].Sketch), c.set[i], c.set[j])
						}
					}
				}
			}
			if flagged > 0 {
				t.Errorf("%s: %d of %d pairs taken for near-duplicates", c.name, flagged, pairs)
			}
			t.Logf("%s: %d texts, %d pairs, %d with fingerprints within %d bits, %d near-duplicates", c.name, len(c.set), pairs, candidates, NearThreshold, flagged)
			if c.name == "word salad, 400 words" && candidates == 0 {
				t.Errorf("%s: no fingerprint candidates: the set no longer tests the confirmation", c.name)
			}
		}
	})
	// Copies with a wire footer or one sentence replaced: the bar is set
	// a little under what docs/benchmarks.md measured, so a change that
	// loses recall fails here. A copy counts as found when the full
	// decision (Print.Near) finds it.
	t.Run("edited copies", func(t *testing.T) {
		recall := func(set []string, edit func(string) string) float64 {
			hit := 0
			for _, s := range set {
				if NewPrint(s).Near(NewPrint(edit(s))) {
					hit++
				}
			}
			return float64(hit) / float64(len(set))
		}
		long := func(set []string, minRunes int) []string {
			var out []string
			for _, s := range set {
				if utf8.RuneCountInString(s) >= minRunes {
					out = append(out, s)
				}
			}
			return out
		}
		jaFooter := func(s string) string {
			return s + "\n\n（共同通信）この記事の無断転載を禁じます。"
		}
		latinFooter := func(s string) string { return s + benchFooter }
		var latinLong []string
		for _, s := range sets["feed corpus"] {
			if len(strings.Fields(s)) >= 600 {
				latinLong = append(latinLong, s)
			}
		}
		for _, c := range []struct {
			name string
			set  []string
			edit func(string) string
			want float64
		}{
			{"latin 600+ words, footer", latinLong, latinFooter, 0.95},
			{"latin 600+ words, a sentence replaced", latinLong, func(s string) string { e, _ := replaceMiddle(s); return e }, 0.9},
			{"japanese 800+ characters, footer", long(passages(t, "rashomon-utf-8.txt", 800), 800), jaFooter, 0.8},
			{"chinese 800+ characters, footer", long(passages(t, "sunzi-bingfa-simplified-utf-8.txt", 800), 800), jaFooter, 0.8},
		} {
			if len(c.set) < 3 {
				t.Errorf("%s: only %d texts", c.name, len(c.set))
				continue
			}
			got := recall(c.set, c.edit)
			t.Logf("%s: %.0f%% of %d found", c.name, 100*got, len(c.set))
			if got < c.want {
				t.Errorf("%s: %.0f%% found, want at least %.0f%%", c.name, 100*got, 100*c.want)
			}
		}
	})
}
