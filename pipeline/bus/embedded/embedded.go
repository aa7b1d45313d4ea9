// Package embedded runs a NATS server with JetStream inside the calling
// process: the one-machine newsmon command uses it, and so do tests, so that
// both talk to the real server rather than a stand-in.
package embedded

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Config says where the server listens and stores.
type Config struct {
	Host     string // default 127.0.0.1
	Port     int    // default 4222; -1 picks a free port
	StoreDir string // JetStream file store; required
	Name     string // server name, default "newsmon"
	// MaxMemory and MaxStore bound JetStream; 0 lets the server decide.
	MaxMemory, MaxStore int64
	// Logs routes the server's own log lines to the process's stderr.
	Logs bool
}

// Start starts the server and waits until it accepts clients. The caller
// owns it: Shutdown then WaitForShutdown.
func Start(c Config) (*server.Server, error) {
	if c.StoreDir == "" {
		return nil, errors.New("embedded nats: no store directory")
	}
	if c.Host == "" {
		c.Host = "127.0.0.1"
	}
	if c.Port == 0 {
		c.Port = 4222
	}
	if c.Name == "" {
		c.Name = "newsmon"
	}
	opts := &server.Options{
		ServerName:         c.Name,
		Host:               c.Host,
		Port:               c.Port,
		JetStream:          true,
		StoreDir:           c.StoreDir,
		JetStreamMaxMemory: c.MaxMemory,
		JetStreamMaxStore:  c.MaxStore,
		NoSigs:             true, // the process owns its signals
		NoLog:              !c.Logs,
		MaxPayload:         2 << 20,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	if c.Logs {
		s.ConfigureLogger()
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("embedded nats: not ready on %s:%d within 10s", c.Host, c.Port)
	}
	return s, nil
}
