package dedup

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// outletNews writes n articles of one outlet on one beat (cloud firms and
// the agencies that regulate them), as a wire desk files them through a
// busy week: the same names, verbs, figures and house phrases in every
// story, 12 to 30 sentences each, but no sentence shared by two articles
// (the generator draws each sentence's slots afresh, and the caller checks
// that no sentence repeats). These are the texts that share vocabulary and
// nothing else, which a word-count fingerprint alone can take for copies.
func outletNews(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed*7+1))
	pick := func(w []string) string { return w[r.IntN(len(w))] }
	firms := strings.Split("Alibaba Cloud|Huawei Cloud|Tencent Cloud|Baidu AI Cloud|Amazon Web Services|Microsoft Azure|Google Cloud|Oracle Cloud|IBM Cloud|Kingsoft Cloud", "|")
	bodies := strings.Split("the Commerce Department|the State Department|the Federal Communications Commission|the White House|the European Commission|the Treasury|the Bureau of Industry and Security|the Cyberspace Administration|the Ministry of Industry|Congress", "|")
	people := strings.Split("a spokesperson|a senior official|an analyst at Bernstein|a company executive|two people familiar with the matter|a lawyer for the firm|the agency's director|a trade representative|an industry group|a former regulator", "|")
	verbs := strings.Split("said|announced|confirmed|warned|denied|signalled|disclosed|reported|argued|acknowledged", "|")
	things := strings.Split("export controls|data centre licences|chip shipments|a security review|new sanctions|the entity list|cross-border data rules|an antitrust probe|cloud contracts|AI model rules|a procurement ban|subsidy rules", "|")
	places := strings.Split("Beijing|Washington|Brussels|Singapore|Frankfurt|Tokyo|Jakarta|Dubai|Sao Paulo|Seoul|Virginia|Shenzhen", "|")
	days := strings.Split("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday", "|")
	actions := strings.Split("expand|cut|review|suspend|extend|tighten|ease|investigate|approve|delay|block|renew", "|")
	units := strings.Split("billion dollars|million users|data centres|percent|regions|megawatts|contracts|servers", "|")
	templates := []func() string{
		func() string {
			return fmt.Sprintf("%s %s on %s that it would %s %s in %s", pick(firms), pick(verbs), pick(days), pick(actions), pick(things), pick(places))
		},
		func() string {
			return fmt.Sprintf("%s plans to %s %s affecting %s, %s %s", pick(bodies), pick(actions), pick(things), pick(firms), pick(people), pick(verbs))
		},
		func() string {
			return fmt.Sprintf("The move could %s about %d %s for %s, according to %s", pick(actions), 2+r.IntN(400), pick(units), pick(firms), pick(people))
		},
		func() string {
			return fmt.Sprintf("%s %s that %s had asked %s to %s %s before %s", pick(people), pick(verbs), pick(bodies), pick(firms), pick(actions), pick(things), pick(days))
		},
		func() string {
			return fmt.Sprintf("Shares of %s rose %d.%d percent in %s after %s %s its plans for %s", pick(firms), r.IntN(9), r.IntN(10), pick(places), pick(bodies), pick(verbs), pick(things))
		},
		func() string {
			return fmt.Sprintf("%s, which runs %d %s in %s, %s it would %s %s", pick(firms), 3+r.IntN(90), pick(units), pick(places), pick(verbs), pick(actions), pick(things))
		},
		func() string {
			return fmt.Sprintf("Officials in %s and %s have discussed %s since %s, %s %s", pick(places), pick(places), pick(things), pick(days), pick(people), pick(verbs))
		},
		func() string {
			return fmt.Sprintf("%s declined to comment on %s, while %s %s the talks would %s %s", pick(firms), pick(things), pick(bodies), pick(verbs), pick(actions), pick(things))
		},
	}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		fmt.Fprintf(&b, "%s (Example Wire) - ", strings.ToUpper(pick(places)))
		for k := range 12 + r.IntN(19) {
			if k > 0 {
				b.WriteString(". ")
			}
			b.WriteString(templates[r.IntN(len(templates))]())
		}
		// The house footer ends the last sentence, so that it is no
		// sentence shared by every article: these texts share none.
		b.WriteString(" (reporting by Example Wire staff, editing by the news desk).")
		out[i] = b.String()
	}
	return out
}

// wordSalad writes n texts of words drawn at random from one small
// vocabulary, the way a load generator fills articles: the extreme of
// shared vocabulary, nothing else shared.
func wordSalad(n, words int, seed uint64) []string {
	vocab := strings.Fields(`agency cloud provider rule export licence review court minister budget river
harbour election senate vote treaty border tariff market share index bank rate inflation storm flood drought
satellite launch rocket engine factory worker union strike contract supplier chip memory server data centre
network cable outage hospital school teacher student museum festival film album tour season match league
coach player transfer injury ferry bridge tunnel railway station airport pilot crew flight cargo port grain
harvest farmer forest fire coast island village mayor council police judge appeal ruling statute`)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]string, n)
	for i := range out {
		w := make([]string, words)
		for j := range w {
			w[j] = vocab[r.IntN(len(vocab))]
		}
		// Sentences of 8 to 20 words.
		var b strings.Builder
		for j := 0; j < len(w); {
			k := min(len(w), j+8+r.IntN(13))
			b.WriteString(strings.Join(w[j:k], " "))
			b.WriteString(". ")
			j = k
		}
		out[i] = b.String()
	}
	return out
}

// sentences are the sentences of s, for checking that two texts share none.
func sentences(s string) map[string]bool {
	m := map[string]bool{}
	for _, x := range strings.Split(s, ". ") {
		if x = strings.TrimSpace(x); len(strings.Fields(x)) >= 4 {
			m[x] = true
		}
	}
	return m
}

func shareSentence(a, b map[string]bool) bool {
	for x := range a {
		if b[x] {
			return true
		}
	}
	return false
}
