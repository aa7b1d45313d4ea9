//go:build race

package e2e

// raceEnabled: the tests that run the built commands as processes skip
// under -race. The detector instruments only the test process, not the
// commands, so they would cost a second build and run for nothing; `go test
// ./...` runs them.
const raceEnabled = true
