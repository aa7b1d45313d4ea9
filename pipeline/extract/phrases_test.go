package extract

import (
	"strings"
	"testing"
)

// TestFurniturePhrases: page furniture written in German, French, Spanish
// and Chinese inside the article container is dropped, the story stays.
func TestFurniturePhrases(t *testing.T) {
	cases := []struct {
		lang      string
		story     []string
		furniture []string
	}{
		{"de", []string{
			"Die Hafenbehörde hat am Donnerstag ein zweites Containerterminal genehmigt und damit einen Streit beendet, der sechs Jahre gedauert hatte.",
			"Der Bau soll im nächsten Frühjahr beginnen und rund vierhundert Menschen beschäftigen, die meisten aus der Region.",
		}, []string{"Anzeige", "Lesen Sie auch: Neue Fähre nach Helgoland", "Artikel teilen", "Veröffentlicht am 02.05.2024 um 10:15 Uhr", "Mehr zum Thema"}},
		{"fr", []string{
			"L'autorité portuaire a approuvé jeudi un second terminal à conteneurs, mettant fin à un différend qui durait depuis six ans.",
			"Les travaux devraient commencer au printemps prochain et employer environ quatre cents personnes, pour la plupart recrutées sur place.",
		}, []string{"Publicité", "Lire aussi : Le nouveau ferry arrive en juin", "Partager sur Facebook", "Publié le 2 mai 2024 à 10h15", "Sur le même sujet"}},
		{"es", []string{
			"La autoridad portuaria aprobó el jueves una segunda terminal de contenedores, poniendo fin a una disputa que duraba seis años.",
			"Se espera que las obras comiencen la próxima primavera y empleen a unas cuatrocientas personas, la mayoría contratadas en la zona.",
		}, []string{"Publicidad", "Lee también: El nuevo ferry llega en junio", "Compartir en Twitter", "Actualizado el 2 de mayo de 2024, 10:15", "Noticias relacionadas"}},
		{"zh", []string{
			"港务局周四批准了第二个集装箱码头，结束了一场持续六年、令镇议会产生分歧的规划争议。",
			"工程预计明年春天开工，将雇用约四百人，其中大部分在当地招聘。反对者表示将提出上诉。",
		}, []string{"广告", "相关阅读：新渡轮六月启航", "分享到微信", "发布时间：2024-05-02 10:15", "责任编辑：王明"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`<html lang="` + c.lang + `"><body><article><div class="text">`)
			for i, p := range c.story {
				b.WriteString("<p>" + c.furniture[i] + "</p><p>" + p + "</p>")
			}
			for _, f := range c.furniture[len(c.story):] {
				b.WriteString("<p>" + f + "</p>")
			}
			b.WriteString("</div></article></body></html>")
			d, err := Extract([]byte(b.String()), "text/html", "https://example.com/a")
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.story {
				if !strings.Contains(d.Text, p) {
					t.Errorf("story lost: %q\ntext:\n%s", p, d.Text)
				}
			}
			for _, f := range c.furniture {
				if strings.Contains(d.Text, f) {
					t.Errorf("furniture kept: %q\ntext:\n%s", f, d.Text)
				}
			}
		})
	}
}
