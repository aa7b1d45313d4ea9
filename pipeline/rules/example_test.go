package rules_test

import (
	"fmt"
	"testing/fstest"

	"newsmon/pipeline/rules"
)

func ExampleSet_Match() {
	files := fstest.MapFS{"cloud.yaml": {Data: []byte(`
entities:
  - id: huawei
    category: cloud
    name: Huawei Cloud
    tags: [china-cloud]
    aliases: [Huawei Cloud, Huawei]
  - id: us-commerce
    category: policy
    name: U.S. Commerce Department
    aliases: [{text: Commerce Department, case: exact}, BIS]
rules:
  - id: china-cloud-export-controls
    category: watch
    name: Export controls on a Chinese cloud provider
    severity: high
    description: A Chinese cloud provider within ten words of export controls or the Commerce Department.
    match: '@china-cloud NEAR/10 ("export controls" OR policy.us-commerce)'
`)}}
	set, err := rules.Load(files)
	if err != nil {
		fmt.Println(err)
		return
	}
	hits := set.Match(rules.Doc{
		Title: "Huawei’s cloud arm under review",
		Body:  "The Commerce Department is weighing export controls that would hit Huawei Cloud.",
	})
	for _, h := range hits {
		fmt.Println(h.Rule.Subject)
		for _, m := range h.Matches {
			fmt.Printf("  %s %q at %d-%d\n", m.Field, m.Text, m.Start, m.End)
		}
	}
	// Output:
	// alerts.cloud.huawei
	//   title "Huawei’s cloud" at 0-16
	//   body "Huawei Cloud" at 67-79
	// alerts.policy.us-commerce
	//   body "Commerce Department" at 4-23
	// alerts.watch.china-cloud-export-controls
	//   body "Commerce Department" at 4-23
	//   body "export controls" at 36-51
	//   body "Huawei Cloud" at 67-79
}

func ExampleLoad_errors() {
	_, err := rules.Load(fstest.MapFS{"bad.yaml": {Data: []byte(`
entities:
  - id: us-state
    category: policy
    name: State Department
    aliases: [State Department]
    alias: [DoS]
`)}})
	fmt.Println(err)
	// Output:
	// bad.yaml:7: entity: unknown key "alias" (known keys: id, category, name, severity, description, country, tags, aliases)
	// bad.yaml:6: alias "State Department" is made of common words and would fire on ordinary prose: add context words, or case: exact to match it only as written
}
