// Package notify delivers alerts where analysts work: webhooks signed the
// Standard Webhooks way, Slack incoming webhooks, and e-mail digests on a
// schedule. It owns the sinks file, retries with backoff, dead letters,
// noise control (a per-sink rate limit folded into summaries, near-duplicate
// articles folded as "also in") and spike detection over entity mentions.
//
// It never talks to NATS itself: each sink reads its own durable consumer
// through the Stream interface, dead letters leave through DeadLetters and
// spike alerts through Publisher, all declared here and implemented in
// pipeline/bus. A message is acknowledged only once its receiver answered
// 2xx, or once it is safely stored as a dead letter, so a crash repeats a
// delivery (with the same Webhook-Id) and never loses one.
package notify
