// Package e2e holds the end-to-end tests: a feed served on loopback, the
// real NATS server in process, the ingester and the tagger wired as the
// commands wire them, and the alerts an analyst would receive.
package e2e
