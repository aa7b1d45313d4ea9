package extract

import "testing"

func TestBoilerLine(t *testing.T) {
	furniture := []string{
		"Advertisement", "ADVERTISEMENT", "Share this article", "Related Articles:", "READ MORE: Tax rules change in May",
		"SEE MORE : Protests continue", "Tags: cloud, policy", "Updated 10:32 a.m. ET, Nov. 19, 2019",
		"Published November 20th, 2019 - 07:50 GMT", "Image 2 of 5", "Image copyright Getty Images",
		"Sign up for our newsletter and get the best stories delivered to your inbox.", "Don’t miss",
	}
	story := []string{
		"Advertising revenue fell 5% in the third quarter, the company said.",
		"Updated guidelines were released by the agency on Monday.",
		"Related companies in the sector also fell.",
		"Share prices rose after the announcement.",
		"Comments from the minister were not available.",
		"Subscribers will pay more from January.",
		"Published research suggests otherwise.",
	}
	for _, s := range furniture {
		if !boilerLine(s) {
			t.Errorf("boilerLine(%q) = false, want true", s)
		}
	}
	for _, s := range story {
		if boilerLine(s) {
			t.Errorf("boilerLine(%q) = true, want false", s)
		}
	}
}

func TestCreditLine(t *testing.T) {
	for s, want := range map[string]bool{
		"(Reporting by A. Writer; Editing by B. Editor)":                  true,
		"Jane Doe contributed to this report.":                            true,
		"Associated Press writers A. One and B. Two contributed.":         true,
		"The report was edited by the committee before it was published.": false,
	} {
		if got := creditLine(s); got != want {
			t.Errorf("creditLine(%q) = %v, want %v", s, got, want)
		}
	}
}
