package demo

import "time"

// story is one sample article. The stories are invented for the demo (no
// real events): some about the firms and bodies newsmon tracks, some that
// only look like it (a river, a sky, a state health office), so that a
// newcomer sees both what is caught and what is not.
type story struct {
	slug  string
	title string
	by    string
	ago   time.Duration // published this long before the demo starts
	paras []string
}

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

var stories = []story{
	{"commerce-weighs-cloud-curbs", "U.S. weighs curbs on Chinese cloud providers", "Dana Whitfield", 20 * time.Minute, []string{
		"The Commerce Department is weighing new rules that would limit how Huawei Cloud and Alibaba Cloud serve customers in the United States, according to three people familiar with the discussions.",
		"Officials have asked Amazon Web Services, Microsoft and Google for their views on how the rules would apply to data centers abroad that host American data.",
		"A spokesperson for the department declined to comment on the timing of any decision.",
	}},
	{"fcc-vote-tencent", "Regulator schedules vote on Chinese cloud operator", "Marcus Lee", 45 * time.Minute, []string{
		"The FCC will vote next month on whether Tencent Cloud may keep serving American customers, officials said on Tuesday.",
		"The commission opened its review after lawmakers asked whether the company's services fall under rules for equipment deemed a national security risk.",
	}},
	{"huawei-cloud-riyadh", "Huawei Cloud opens a second region in Riyadh", "Priya Raman", 2 * hour, []string{
		"Huawei Cloud said it opened a second data center region in Riyadh, its latest expansion in the Gulf.",
		"The company said the region would serve government agencies and banks that must keep data inside the kingdom.",
	}},
	{"huawei-cloud-ban-schools", "State lawmakers move to bar Huawei Cloud from school contracts", "Tom Okafor", 3 * hour, []string{
		"Lawmakers in two states introduced bills that would ban Huawei Cloud services from public school contracts, citing student data security.",
		"The bills follow a similar measure for state agencies passed last year.",
	}},
	{"huawei-cloud-ai-models", "Huawei Cloud adds large language models to its catalogue", "Li Wen", 5 * hour, []string{
		"Huawei Cloud added three large language models to its AI catalogue and cut prices for inference on its own chips.",
		"Analysts said the move puts pressure on rivals in Southeast Asia, where the company has been winning public sector customers.",
	}},
	{"huawei-cloud-earnings", "Cloud unit lifts Huawei's quarter", "Sara Lindqvist", 7 * hour, []string{
		"Huawei said revenue from Huawei Cloud grew faster than any other part of the group in the third quarter.",
		"The company did not break out profit for the cloud business.",
	}},
	{"huawei-cloud-partners", "Huawei Cloud signs partners in Latin America", "Ana Ruiz", 9 * hour, []string{
		"Huawei Cloud signed reseller agreements with four telecom operators in Brazil, Mexico and Chile.",
		"The operators will bundle the company's storage and database services with their own connectivity.",
	}},
	{"eu-commission-sovereign-cloud", "EU Commission sets out rules for sovereign cloud tenders", "Claire Dubois", 11 * hour, []string{
		"The European Commission published draft criteria that public buyers could use to favour cloud providers headquartered in the EU.",
		"Providers such as Microsoft Azure and Google Cloud would need European partners to qualify for the most sensitive workloads, the draft says.",
		"Alibaba Cloud, which runs data centers in Frankfurt, said it was studying the proposal.",
	}},
	{"state-department-cable", "State Department urges allies to review cloud contracts", "Dana Whitfield", 14 * hour, []string{
		"The State Department has urged allied governments to review contracts with Chinese cloud providers, according to a diplomatic cable seen by reporters.",
		"The cable names Huawei Cloud and Tencent Cloud and asks embassies to raise the issue with host governments.",
	}},
	{"white-house-ai-infrastructure", "White House convenes cloud executives on AI infrastructure", "Marcus Lee", 20 * hour, []string{
		"The White House hosted executives from Amazon Web Services, Microsoft and Google to discuss power supply for new AI data centers.",
		"Officials said the meeting focused on permitting and grid connections rather than export policy.",
	}},
	{"bis-entity-list-kingsoft", "Entity List additions include cloud reseller", "Tom Okafor", 26 * hour, []string{
		"The Bureau of Industry and Security added nine companies to the Entity List, including a reseller of Kingsoft Cloud services in Hong Kong.",
		"Companies on the list need a license to receive American technology.",
	}},
	{"alibaba-cloud-price-cut", "Alibaba Cloud cuts storage prices again", "Li Wen", 30 * hour, []string{
		"Alibaba Cloud lowered prices for object storage by up to a fifth, the third cut this year.",
		"The company said demand from AI start-ups was driving record use of its storage services.",
	}},
	{"baidu-ai-cloud-chips", "Baidu AI Cloud turns to domestic chips", "Priya Raman", 2 * day, []string{
		"Baidu said its AI cloud would run more training jobs on domestically designed accelerators after new export controls limited its access to American chips.",
		"Executives said the shift would raise costs in the near term.",
	}},
	{"aws-outage-us-east", "AWS outage disrupts services for two hours", "Sara Lindqvist", 2*day + 5*hour, []string{
		"An outage in an AWS region in Virginia disrupted banking apps and streaming services for about two hours on Thursday.",
		"Amazon Web Services blamed a networking change and said it would publish a full report.",
	}},
	{"azure-government-contract", "Microsoft wins Azure contract for defence agency", "Marcus Lee", 3 * day, []string{
		"Microsoft Azure won a contract to host classified workloads for a defence agency, the company said.",
		"The award follows a review by the agency's inspector general of an earlier, cancelled tender.",
	}},
	{"google-cloud-sovereign-germany", "Google Cloud and German partner launch sovereign service", "Claire Dubois", 4 * day, []string{
		"Google Cloud and a German telecom operator launched a sovereign cloud service for public agencies.",
		"The operator will hold the encryption keys, the companies said.",
	}},
	{"tencent-cloud-games", "Tencent Cloud courts game studios in Europe", "Ana Ruiz", 5 * day, []string{
		"Tencent Cloud opened an office in Helsinki to win game studios as customers for its servers and voice chat services.",
	}},
	{"ofac-sanctions-reseller", "Treasury sanctions firms tied to cloud reseller", "Tom Okafor", 6 * day, []string{
		"The Treasury Department sanctioned three firms it said had helped a Tencent Cloud reseller route services to a blocked buyer.",
		"Tencent said it had ended its contract with the reseller.",
	}},
	{"oracle-cloud-tiktok", "Oracle Cloud extends hosting deal", "Sara Lindqvist", 6*day + 8*hour, []string{
		"Oracle Cloud Infrastructure extended its agreement to host data for a social video app in the United States.",
	}},
	{"cma-cloud-market", "UK regulator publishes cloud market findings", "Claire Dubois", 7 * day, []string{
		"The Competition and Markets Authority said fees for moving data out of AWS and Microsoft Azure made it harder for customers to switch providers.",
	}},

	// Look-alikes: the words are there, the firms and bodies are not.
	{"amazon-river-drought", "Drought leaves Amazon river at record low", "Ana Ruiz", 90 * time.Minute, []string{
		"The Amazon river fell to its lowest level in a century at Manaus, stranding riverside communities and river dolphins.",
		"Scientists linked the drought to warm waters in the Atlantic and to deforestation in the basin.",
	}},
	{"azure-coast-tourism", "Tourists return to the azure coast", "Sara Lindqvist", 4 * hour, []string{
		"Hotels along the coast reported their busiest summer in years, as visitors came for the azure sea and quiet beaches.",
	}},
	{"state-health-department", "State department of health expands vaccine clinics", "Tom Okafor", 6 * hour, []string{
		"The state department of health will open twelve more walk-in clinics this winter, officials said.",
		"The clinics will offer flu and measles shots without appointments.",
	}},
	{"white-house-paint", "Paint makers name their colour of the year", "Li Wen", 10 * hour, []string{
		"A paint company named a soft white its colour of the year, saying buyers wanted calm rooms after a noisy decade.",
		"Sales of white house paint rose by a tenth, the company said.",
	}},
	{"cloud-weather-front", "Cloud cover and rain expected across the region", "Marcus Lee", 13 * hour, []string{
		"A weather front will bring thick cloud cover and heavy rain on Wednesday, forecasters said, with clearer skies by the weekend.",
	}},
	{"oracle-delphi-exhibit", "Museum show revisits the oracle at Delphi", "Claire Dubois", 18 * hour, []string{
		"A new exhibition traces how pilgrims travelled to consult the oracle at Delphi, with pottery and inscriptions on loan from Athens.",
	}},
	{"alibaba-theatre", "Pantomime season opens with a classic tale", "Priya Raman", 22 * hour, []string{
		"The town's theatre opens its winter season with Ali Baba and the Forty Thieves, a family favourite.",
	}},
	{"amazon-rainforest-fund", "Donors pledge to protect Amazon rainforest", "Ana Ruiz", 28 * hour, []string{
		"Donor countries pledged new money for a fund that pays to protect the Amazon rainforest and the tribes that live there.",
	}},
	{"commerce-chamber-fair", "Chamber of commerce hosts a jobs fair", "Dana Whitfield", 2*day + 3*hour, []string{
		"The local chamber of commerce hosted a jobs fair for graduates, with stalls from banks, hospitals and shops.",
	}},
	{"bis-central-bankers", "Central bankers meet in Basel", "Sara Lindqvist", 3*day + 4*hour, []string{
		"Central bankers met at the BIS in Basel to discuss inflation and the stability of payment systems.",
		"The Bank for International Settlements said its annual report would follow in June.",
	}},
	{"cloud-storage-tips", "How to clear space on your phone", "Li Wen", 4*day + 2*hour, []string{
		"Photos and videos fill phones fast. Moving old albums to an online backup and deleting offline copies frees the most space.",
	}},
	{"google-search-trends", "What people searched for this summer", "Priya Raman", 5*day + 6*hour, []string{
		"Recipes for cold soups and the rules of a new card game topped the list of rising searches this summer.",
	}},
}
