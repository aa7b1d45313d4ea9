package rules

import "strings"

// commonWords are English words that, as an alias on their own or all
// together ("state department", "white house"), would fire on ordinary
// prose. Such aliases must match as written (case: exact) or need context.
// The list covers function words, everyday nouns, verbs and adjectives,
// colours and landscape words; it is ours and deliberately plain.
var commonWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(commonWordList) {
		m[w] = true
	}
	return m
}()

const commonWordList = `
a about above across after again against all almost along already also although always am among an and another
any anyone anything are around as ask at away back bad be because been before being below best better between
big both but by call came can case cause certain change clear close come could day did different do does done
down during each early either else end enough even ever every example fact far few find first for form found four
free from full further get give go good got great group had half hand has have he her here high him his home how
however i if important in into is it its itself just keep kind know large last late later least less let life like
line little long look made make man many may me mean might more most move much must my near need never new next no
not now number of off often old on once one only open or order other our out over own part people place point
possible present put quite rather real right said same say see seem set several shall she should show side since
small so some something sometimes soon still such sure take than that the their them then there these they thing
think this those though three through time to today together too toward two under until up upon us use used very
want was way we well went were what when where whether which while who whole why will with within without word work
world would year yes yet you your

account action active address age agency agent air amount analysis answer area army art article bank base basis
battle bed bill bit black blue board body book border boss bottom box brown budget building business buyer cabinet
capital car card care cell center central centre chair chance charge chief child choice church citizen city class
client code college colour color command commerce commission committee common community company computer condition
congress control corporation cost council country county court cover credit culture data deal death decision defence
defense department design development device direction director district doctor door dream drive earth east economy
edge education effect effort election energy engine enterprise environment event evidence exchange executive
experience eye face factor family farm father field figure film finance fire firm floor food force foreign forest
friend front fund future game garden general gold government green ground growth guard gulf hall head health heart
heritage history hole horizon hospital hotel hour house idea image industry information institute interest issue
job judge justice key labour labor land language law leader level library light list market matter media meeting
member message method middle military mind minister ministry money month morning mother mountain movement music
name nation national nature network news night north note nothing office officer oil operation oracle orange
organisation organization page paper parent parliament party past patient peace period person picture pink plan
plant platform play police policy position post power press price problem process product program programme project
property public purple quality question race rain range rate reason record red region report republic research
resource rest result return review river road rock role room rule safety school science sea season seat second
secret security senate sense service services share ship shop sky society software son sound source south space
speaker special staff stage star start state station step stock store story street structure student study
style subject success summer support system table talk task tax team technology term test thought tower town trade
training treasury tree trust truth type union unit university value version view village voice war water week west
white window winter woman word world writer yellow young

azure amber basin beige coral crimson cyan emerald gray grey indigo ivory jade lavender lime magenta maroon navy
olive ruby sapphire scarlet silver teal turquoise violet rainforest jungle lake ocean valley canyon delta desert
island coast shore volcano cloud clouds weather storm wind sun moon spring autumn fall apple orange berry
alliance apex arc bridge core edge echo fusion galaxy harbor harbour horizon nova orbit peak pioneer prime pulse
quantum summit titan vector vertex wave zenith
`
