package charset

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestDetect decodes documents with no charset anywhere, in the legacy
// encodings news sites still serve, and checks the guess and the text.
func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		enc  encoding.Encoding
		want string
		text string
	}{
		{"french", charmap.Windows1252, "windows-1252", "Le ministère a publié un rapport détaillé sur la sécurité des données hébergées à l’étranger ; les entreprises françaises devront être prudentes."},
		{"german", charmap.Windows1252, "windows-1252", "Die Behörden prüfen, ob ausländische Anbieter künftig strengere Auflagen erfüllen müssen; größere Unternehmen äußerten sich zurückhaltend."},
		{"spanish", charmap.Windows1252, "windows-1252", "El gobierno español anunció ayer una nueva ley sobre la protección de datos, según informó el ministerio en un comunicado."},
		{"polish", charmap.Windows1250, "windows-1250", "Ministerstwo cyfryzacji przygotowało projekt ustawy, który ma wzmocnić ochronę danych przechowywanych przez zagraniczne firmy świadczące usługi chmurowe. Łódź i Gdańsk też."},
		{"czech", charmap.Windows1250, "windows-1250", "Vláda schválila návrh zákona o kybernetické bezpečnosti, který zpřísňuje požadavky na poskytovatele cloudových služeb v České republice."},
		{"turkish", charmap.Windows1254, "windows-1254", "Bakanlık, yabancı bulut hizmeti sağlayıcıları için yeni kuralları değerlendiriyor; şirketlerin görüşleri soruldu."},
		{"russian 1251", charmap.Windows1251, "windows-1251", "Министерство торговли рассматривает новые правила для иностранных поставщиков облачных услуг, сообщили источники в правительстве."},
		{"russian koi8", charmap.KOI8R, "koi8-r", "Министерство торговли рассматривает новые правила для иностранных поставщиков облачных услуг, сообщили источники в правительстве."},
		{"greek", charmap.Windows1253, "windows-1253", "Η κυβέρνηση εξετάζει νέους κανόνες για τους παρόχους υπηρεσιών υπολογιστικού νέφους, σύμφωνα με πηγές του υπουργείου."},
		{"hebrew", charmap.Windows1255, "windows-1255", "הממשלה בוחנת כללים חדשים עבור ספקי שירותי ענן זרים, כך נמסר ממקורות במשרד."},
		{"arabic", charmap.Windows1256, "windows-1256", "تدرس الحكومة قواعد جديدة لمزودي خدمات الحوسبة السحابية الأجانب، وفقا لمصادر في الوزارة."},
		{"thai", charmap.Windows874, "windows-874", "รัฐบาลกำลังพิจารณากฎใหม่สำหรับผู้ให้บริการคลาวด์ต่างชาติ ตามแหล่งข่าวในกระทรวง"},
		{"japanese shift_jis", japanese.ShiftJIS, "shift_jis", "政府は外国のクラウド事業者に対する新しい規則を検討していると、関係者が明らかにした。"},
		{"japanese euc-jp", japanese.EUCJP, "euc-jp", "政府は外国のクラウド事業者に対する新しい規則を検討していると、関係者が明らかにした。"},
		{"chinese gbk", simplifiedchinese.GBK, "gbk", "美国商务部正在考虑针对中国云服务提供商的新规则，据知情人士透露，相关草案已经完成。"},
		{"chinese big5", traditionalchinese.Big5, "big5", "美國商務部正在考慮針對中國雲端服務供應商的新規則，據知情人士透露，相關草案已經完成。"},
		{"japanese with latin words", japanese.ShiftJIS, "shift_jis", "AppleがiPhoneの新型を発表し、GoogleはPixelで対抗した。AWSとAzureのクラウド事業も好調だという。"},
		{"chinese with latin words", simplifiedchinese.GBK, "gbk", "苹果公司发布了新款iPhone，微软和Google也推出了AI服务，阿里云和AWS的竞争更加激烈。"},
		{"korean", korean.EUCKR, "euc-kr", "정부는 외국 클라우드 서비스 제공업체에 대한 새로운 규정을 검토하고 있다고 관계자들이 밝혔다."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "<rss version=\"2.0\"><channel><title>" + tt.text + "</title></channel></rss>"
			r := Decode(encode(t, tt.enc, doc), "", "")
			if r.Encoding != tt.want || r.By != "detected" {
				t.Errorf("guessed %s by %s, want %s detected", r.Encoding, r.By, tt.want)
			}
			if string(r.Text) != doc {
				t.Errorf("Text = %q", r.Text)
			}
		})
	}
}

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
