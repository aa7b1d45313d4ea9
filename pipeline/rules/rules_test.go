package rules

import (
	"testing"
)

// TestShippedRules loads the repository's rule files and checks every
// example they carry.
func TestShippedRules(t *testing.T) {
	s, err := LoadDir("../../rules")
	if err != nil {
		t.Fatalf("load shipped rules:\n%v", err)
	}
	if s.Examples() == 0 {
		t.Fatal("shipped rules carry no examples")
	}
	for _, f := range s.RunExamples() {
		t.Errorf("%s", f)
	}
}
