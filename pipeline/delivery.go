package pipeline

import "time"

// Delivery is one message a consume loop hands to its handler.
type Delivery struct {
	Data    []byte
	Attempt int // 1 the first time the message is delivered
}

// Reply is a handler's answer to a delivery. The consume loop passes it to
// the server as it is; what a failure costs is the handler's decision.
type Reply struct {
	Action Action
	Delay  time.Duration // Retry: how long until the message comes again
}

// Action is what becomes of a delivered message.
type Action int

const (
	Ack   Action = iota // done: the message is not delivered again
	Retry               // deliver it again after Reply.Delay
	Drop                // retrying cannot help: never deliver it again
)

func (a Action) String() string {
	switch a {
	case Ack:
		return "ack"
	case Retry:
		return "retry"
	case Drop:
		return "drop"
	}
	return "unknown"
}
