package dedup

import (
	"fmt"
	"strings"
	"testing"
)

// Two made-up news stories, long enough to be typical articles.
const storyCloud = `Officials in Washington are weighing new limits on foreign cloud providers, according to three people familiar with the discussions. The Commerce Department has drafted rules that would require providers based in China to disclose which American companies rent their servers, and the State Department has been asked to comment on how allies might respond.

The draft names no company, but the people said the rules were written with the largest Chinese providers in mind. Those firms have grown quickly in Southeast Asia and the Middle East over the last five years, often undercutting American rivals on price. Several of them also operate small data centres in the United States, where they serve Chinese businesses with American customers.

Representatives of the larger American providers were consulted in recent weeks, two of the people said. They were asked how long it would take to identify customers that resell computing power to third parties, a practice that officials worry could let sanctioned groups train large models without being noticed. The companies said they already collect some of that information but that verifying it would be slow and expensive.

The Federal Communications Commission has separately opened a review of equipment used in data centres that connect to American networks. A spokesperson for the commission declined to say whether the review was linked to the draft rules. The White House did not respond to a request for comment on Tuesday evening.

Trade groups representing technology firms said they had not seen the draft. One lobbyist, who asked not to be named because the talks were private, said the industry would push for a long transition period and for clear definitions of what counts as a foreign provider. Without those, the lobbyist said, small American companies that buy capacity from overseas partners could be caught by rules aimed at much larger targets.

Analysts expect the rules to be published for comment early next year. If adopted, they would be the latest in a series of measures that restrict the flow of advanced chips and software between the two countries, measures that Beijing has repeatedly called an abuse of national security arguments.`

const storyRiver = `Water levels on the upper reaches of the river fell to their lowest point in more than a century this autumn, stranding boats and cutting off villages that depend on the river for food, fuel and medicine. Scientists blamed a combination of weak rains, high temperatures and the clearing of forest along the banks.

In the port town at the mouth of one tributary, fishermen dragged their canoes across sand bars that had been under several metres of water a year earlier. Schools closed because teachers could not reach them, and the local hospital rationed drinking water after its supply barge ran aground two days upstream.

Researchers who study the basin said the drought fits a pattern of more frequent extreme years. Trees recycle much of the rain that falls on the region, releasing it back into the air, so every hectare that is cleared makes the next dry season a little worse. Some of them warned that parts of the forest could turn into savanna within decades if the trend continued.

Regional authorities declared an emergency in dozens of municipalities and sent military aircraft with food parcels and water filters. Aid workers said the deliveries helped but arrived late, and that many families had already moved to relatives in larger towns. Prices for rice, beans and cooking gas doubled in some markets as traders struggled to bring goods upriver.

The rains usually return in November. Forecasters said this year they might be delayed by several weeks, and that even a normal wet season would not refill the rivers before the middle of next year. Farmers along the banks planted late or not at all.`

// Two unrelated stories in Chinese, written without spaces.
const zhCloud = `据三名知情人士透露，华盛顿官员正在考虑对外国云服务提供商实施新的限制。商务部已经起草了一项规则，要求总部设在中国的提供商披露哪些美国公司租用了他们的服务器，国务院也被要求就盟友可能作出的反应发表意见。草案没有点名任何公司，但知情人士表示，这些规则是针对中国最大的几家提供商制定的。过去五年里，这些公司在东南亚和中东迅速发展，经常以低价抢走美国竞争对手的客户。其中几家公司还在美国经营小型数据中心，为拥有美国客户的中国企业提供服务。两名知情人士说，较大的美国提供商的代表在最近几周接受了咨询。他们被问到需要多长时间才能识别出向第三方转售计算能力的客户，官员们担心这种做法可能让受制裁的团体在不被发现的情况下训练大型模型。这些公司表示，他们已经收集了部分此类信息，但核实这些信息既缓慢又昂贵。联邦通信委员会另外对连接美国网络的数据中心所用设备展开了审查。`

const zhRiver = `今年秋天，这条河上游的水位降到了一百多年来的最低点，船只搁浅，依靠河流获得食物、燃料和药品的村庄与外界隔绝。科学家们将其归咎于降雨偏少、气温偏高以及沿岸森林被砍伐等多种因素。在一条支流河口的港口小镇，渔民们拖着独木舟穿过一年前还在几米深水下的沙洲。由于教师无法到达，学校被迫停课，当地医院在供水驳船于上游两天路程处搁浅后开始限量供应饮用水。研究这一流域的学者说，这次干旱符合极端年份越来越频繁的规律。树木会把落在该地区的大部分雨水重新释放到空气中，因此每砍掉一公顷森林，下一个旱季就会更严重一些。其中一些人警告说，如果这种趋势持续下去，部分森林可能在几十年内变成稀树草原。地区当局宣布数十个城市进入紧急状态，并派出军用飞机运送食品包和滤水器。`

const footerA = "\n\nCopyright Example Wire Service. All rights reserved. This material may not be published, broadcast, rewritten or redistributed."
const footerB = "\n\nRead more: Subscribe to our morning briefing for the stories that matter, delivered to your inbox before breakfast every weekday."

func TestFingerprintNearDuplicates(t *testing.T) {
	oneSentence := strings.Replace(storyCloud,
		"A spokesperson for the commission declined to say whether the review was linked to the draft rules.",
		"The commission would not comment on whether its review had anything to do with the draft.", 1)
	if oneSentence == storyCloud {
		t.Fatal("test text: sentence to replace not found")
	}
	reflowed := strings.ReplaceAll(strings.ToUpper(storyCloud), "\n\n", "\n \n  ")
	tests := []struct {
		name string
		a, b string
	}{
		{"different footer", storyCloud + footerA, storyCloud + footerB},
		{"footer added", storyCloud, storyCloud + footerA},
		{"one sentence changed", storyCloud, oneSentence},
		{"case and white space", storyCloud, reflowed},
		{"river: footer added", storyRiver, storyRiver + footerB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Distance(Fingerprint(tt.a), Fingerprint(tt.b)); d > NearThreshold {
				t.Errorf("distance %d, want <= %d", d, NearThreshold)
			}
			if !shareBand(Fingerprint(tt.a), Fingerprint(tt.b)) {
				t.Errorf("near duplicates share no band: %v / %v", Bands(Fingerprint(tt.a)), Bands(Fingerprint(tt.b)))
			}
		})
	}
}

func TestFingerprintUnrelated(t *testing.T) {
	paras := strings.Split(storyCloud, "\n\n")
	tests := []struct {
		name string
		a, b string
	}{
		{"different stories", storyCloud, storyRiver},
		{"different stories, same footer", storyCloud + footerA, storyRiver + footerA},
		{"first and last paragraphs", paras[0], paras[len(paras)-1]},
		{"half a story", storyCloud, strings.Join(paras[:len(paras)/2], "\n\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Distance(Fingerprint(tt.a), Fingerprint(tt.b)); d <= NearThreshold {
				t.Errorf("distance %d, want > %d", d, NearThreshold)
			}
		})
	}
}

func TestFingerprintEdges(t *testing.T) {
	if fp := Fingerprint(""); fp != 0 {
		t.Errorf("empty text: %x, want 0", fp)
	}
	if fp := Fingerprint(" \n\t.,;!"); fp != 0 {
		t.Errorf("punctuation only: %x, want 0", fp)
	}
	if Fingerprint("cloud") == Fingerprint("river") {
		t.Error("one-word texts collide")
	}
	if first, again := Fingerprint(storyCloud), Fingerprint(storyCloud); first != again {
		t.Error("not deterministic")
	}
	// Scripts written without spaces still yield many features.
	zh1 := "美国商务部正在考虑限制外国云服务提供商的新规则，阿里云和华为云可能受到影响。"
	zh2 := "巴西北部河流水位降至百年来最低点，渔民和村庄受到严重影响，学校被迫关闭。"
	if d := Distance(Fingerprint(zh1), Fingerprint(zh2)); d <= NearThreshold {
		t.Errorf("unrelated Chinese sentences: distance %d", d)
	}
	if d := Distance(Fingerprint(zhCloud), Fingerprint(zhRiver)); d <= NearThreshold {
		t.Errorf("unrelated Chinese stories: distance %d", d)
	}
	if d := Distance(Fingerprint(zhCloud), Fingerprint(zhCloud+"版权所有，未经许可不得转载。")); d > NearThreshold {
		t.Errorf("Chinese story with a footer: distance %d", d)
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b uint64
		want int
	}{{0, 0, 0}, {0, 1, 1}, {0xff, 0, 8}, {^uint64(0), 0, 64}, {0b1010, 0b0110, 2}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%b, %b) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestBands(t *testing.T) {
	fp := uint64(0x0123456789abcdef)
	got := Bands(fp)
	want := []string{"b0-cdef", "b1-89ab", "b2-4567", "b3-0123"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Bands(%x) = %v, want %v", fp, got, want)
	}
	// Any fingerprint within NearThreshold bits shares a band (pigeonhole
	// over four bands); flip every combination of three bits spread across
	// bands and check.
	for _, flips := range [][]int{{0, 16, 32}, {15, 31, 47}, {63, 62, 61}, {0, 20, 40}, {5}, {}} {
		other := fp
		for _, b := range flips {
			other ^= 1 << b
		}
		if !shareBand(fp, other) {
			t.Errorf("flipping bits %v: no shared band", flips)
		}
	}
	if shareBand(fp, fp^0x0001000100010001) {
		t.Error("one bit flipped in every band, yet a band is shared")
	}
}

func shareBand(a, b uint64) bool {
	have := map[string]bool{}
	for _, k := range Bands(a) {
		have[k] = true
	}
	for _, k := range Bands(b) {
		if have[k] {
			return true
		}
	}
	return false
}

// A print survives its text form, which the NEAR index stores.
func TestPrintText(t *testing.T) {
	p := NewPrint(storyCloud)
	if p.Fingerprint != Fingerprint(storyCloud) {
		t.Errorf("NewPrint's fingerprint %016x, Fingerprint's %016x", p.Fingerprint, Fingerprint(storyCloud))
	}
	q, err := ParsePrint(p.String())
	if err != nil || q != p {
		t.Fatalf("ParsePrint(%q) = %v, %v", p.String(), q, err)
	}
	if Resemblance(p.Sketch, q.Sketch) != 1 || !p.Near(q) {
		t.Errorf("a print does not resemble itself: %.2f", Resemblance(p.Sketch, q.Sketch))
	}
	for _, bad := range []string{"", "0123456789abcdef", "0123456789abcdef.", "xyz." + strings.Repeat("A", 86), "0123456789abcdef." + strings.Repeat("A", 85), "0123456789abcdef." + strings.Repeat("*", 86)} {
		if _, err := ParsePrint(bad); err == nil {
			t.Errorf("ParsePrint(%q): no error", bad)
		}
	}
	if (Print{}).Near(Print{}) {
		t.Error("two empty prints are near-duplicates")
	}
}

func FuzzParsePrint(f *testing.F) {
	f.Add(NewPrint(storyCloud).String())
	f.Add("0123456789abcdef." + strings.Repeat("_", 86))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrint(s)
		if err != nil {
			return
		}
		if q, err := ParsePrint(p.String()); err != nil || q != p {
			t.Fatalf("%q: read back as %v, %v", s, q, err)
		}
	})
}
