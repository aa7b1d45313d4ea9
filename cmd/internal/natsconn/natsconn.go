// Package natsconn is how a command reaches NATS: the connection flags
// (-nats, -nats-user, -nats-password, -nats-creds, -nats-inbox, each with
// its variable), the bus options they give, and the readiness check of a
// client connected with them. What the command then does on the bus is
// its own wiring.
package natsconn

import (
	"errors"

	"newsmon/cmd/internal/envflag"
	"newsmon/pipeline/bus"
)

// Flags is the client's connection settings.
type Flags struct {
	URL      string
	User     string
	Password string
	Creds    string
	Inbox    string
}

// Register defines the NATS flags.
func (n *Flags) Register(e *envflag.FlagSet) {
	e.String(&n.URL, "nats", "NATS_URL", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated")
	e.String(&n.User, "nats-user", "NATS_USER", "", "NATS user")
	e.String(&n.Password, "nats-password", "NATS_PASSWORD", "", "NATS password")
	e.String(&n.Creds, "nats-creds", "NATS_CREDS", "", "NATS credentials file")
	e.String(&n.Inbox, "nats-inbox", "NATS_INBOX_PREFIX", "", "prefix of reply subjects (default _INBOX; the deploy config gives each service its own)")
}

// Options turns the flags into bus options for a client called name.
func (n Flags) Options(name string) bus.Options {
	o := bus.DefaultOptions()
	o.URL, o.Name, o.User, o.Password, o.Creds = n.URL, name, n.User, n.Password, n.Creds
	o.InboxPrefix = n.Inbox
	return o
}

// Ready is a readiness check: ready while client is connected to NATS.
func Ready(client *bus.Client) func() error {
	return func() error {
		if !client.Conn().IsConnected() {
			return errors.New("not connected to NATS")
		}
		return nil
	}
}
