// Package bus is newsmon's only door to NATS JetStream: it writes and
// verifies the topology (streams, consumers and key-value buckets of
// docs/messages.md), publishes articles and alerts with their ids as
// Msg-Ids, hands consumed messages to a handler and answers the server as
// the handler replies, and offers the ingester its stores (FeedStates,
// Seen, Near, PollJobs) under keys the caller chooses. It is a plain
// adapter: what ids, keys and values mean, and how a failure is answered,
// is decided by the loops in ingest and tagger, which see it through small
// interfaces they declare themselves.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"newsmon/pipeline"
)

// Options configures a Client. Zero values take the defaults in
// DefaultOptions.
type Options struct {
	URL      string // nats://127.0.0.1:4222; comma-separated for a cluster
	Name     string // client name shown by the server
	User     string
	Password string
	Creds    string // path of a .creds file (NATS accounts with JWT)
	// InboxPrefix replaces _INBOX for replies, so that a server config can
	// give each service its own reply subjects (deploy/nats-server.conf).
	InboxPrefix string

	// PublishTimeout bounds every wait for the server's acknowledgement
	// of a publish: a stream whose leader died may answer neither yes nor
	// no, and a caller must be able to retry (with the same Msg-Id) or
	// give the message back instead of waiting for good.
	PublishTimeout time.Duration

	// Extra client options, e.g. nats.InProcessServer for the one-process newsmon.
	NATS []nats.Option
}

// DefaultOptions are the settings of docs/messages.md.
func DefaultOptions() Options {
	return Options{
		URL:            nats.DefaultURL,
		Name:           "newsmon",
		PublishTimeout: 10 * time.Second,
	}
}

func (o *Options) fill() {
	d := DefaultOptions()
	if o.URL == "" {
		o.URL = d.URL
	}
	if o.Name == "" {
		o.Name = d.Name
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = d.PublishTimeout
	}
}

// Key-value buckets.
const (
	SeenBucket  = "SEEN"
	FeedsBucket = "FEEDS"
)

// Client is a connection to NATS. It creates and changes nothing on the
// server by itself: Setup writes the topology, Verify checks it.
type Client struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	opts Options
	log  *slog.Logger

	articles PublishStats
}

// Connect dials NATS.
func Connect(ctx context.Context, o Options, log *slog.Logger) (*Client, error) {
	o.fill()
	nopts := []nats.Option{
		nats.Name(o.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted()) }),
		// What the server refuses or drops without an answer to a request
		// (a permission violation, a slow consumer) is said here, not lost.
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				log.Warn("nats error", "subject", sub.Subject, "err", err)
				return
			}
			log.Warn("nats error", "err", err)
		}),
	}
	if o.User != "" {
		nopts = append(nopts, nats.UserInfo(o.User, o.Password))
	}
	if o.Creds != "" {
		nopts = append(nopts, nats.UserCredentials(o.Creds))
	}
	if o.InboxPrefix != "" {
		nopts = append(nopts, nats.CustomInboxPrefix(o.InboxPrefix))
	}
	nopts = append(nopts, o.NATS...)
	nc, err := nats.Connect(o.URL, nopts...)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", redact(o.URL), err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(o.PublishTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return &Client{nc: nc, js: js, opts: o, log: log}, nil
}

func redact(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "***" + url[i:]
		}
	}
	return url
}

// Close drains the connection (subscriptions stop taking messages, what
// was published is flushed to the server) and waits, at most the publish
// timeout, for it to close: Drain itself returns at once, and a process
// that exited then could lose what was still buffered.
func (c *Client) Close() {
	if err := c.nc.Drain(); err != nil {
		c.nc.Close()
		return
	}
	for deadline := time.Now().Add(c.opts.PublishTimeout); !c.nc.IsClosed() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	c.nc.Close()
}

// Conn exposes the connection for health checks.
func (c *Client) Conn() *nats.Conn { return c.nc }

// PublishArticle stores an article in ARTICLES, with its id as Nats-Msg-Id so
// that a retry within the duplicate window is stored once.
func (c *Client) PublishArticle(ctx context.Context, a *pipeline.Article) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode article %s: %w", a.ID, err)
	}
	if _, err := c.js.Publish(ctx, pipeline.ArticleSubject(a.Source), data, jetstream.WithMsgID(a.ID)); err != nil {
		return fmt.Errorf("publish article %s: %w", a.ID, err)
	}
	return nil
}

// PublishAlerts stores alerts in ALERTS, through the intake subjects, and
// returns once every one of them is acknowledged by the server, or with the
// first error; a publish unanswered within the publish timeout is an
// error, and sending the alerts again is safe (their ids are Msg-Ids).
func (c *Client) PublishAlerts(ctx context.Context, alerts []pipeline.Alert) error {
	futures := make([]jetstream.PubAckFuture, 0, len(alerts))
	for i := range alerts {
		data, err := EncodeAlert(&alerts[i])
		if err != nil {
			return fmt.Errorf("encode alert %s: %w", alerts[i].ID, err)
		}
		f, err := c.js.PublishAsync(pipeline.AlertsIntake+"."+alerts[i].Subject, data, jetstream.WithMsgID(alerts[i].ID))
		if err != nil {
			return fmt.Errorf("publish alert %s: %w", alerts[i].ID, err)
		}
		futures = append(futures, f)
	}
	return c.waitAcks(ctx, futures, "publish alerts")
}

// EncodeAlert is the JSON form of an alert as the bus publishes it. It uses
// goccy/go-json, several times faster than encoding/json on these
// documents (docs/benchmarks.md), with the same output for these types.
func EncodeAlert(a *pipeline.Alert) ([]byte, error) { return json.Marshal(a) }

// ConsumeArticles hands every article to handle through the shared durable
// consumer, workers at a time, and answers the server with what handle
// replies. It returns when ctx ends: messages not yet started go back at
// once (a nak) for another tagger, and the ones in hand finish, each within
// the publish timeout.
func (c *Client) ConsumeArticles(ctx context.Context, workers int, handle func(context.Context, pipeline.Delivery) pipeline.Reply) error {
	cons, err := c.tagConsumer(ctx)
	if cons == nil {
		return err // nil when ctx ended first: shutting down is no error
	}
	// Workers handle messages concurrently; the consumer's callback only
	// hands them over, and blocks while every worker is busy. They use a
	// context that outlives ctx so that the messages in hand can finish
	// their publishes during shutdown.
	work := context.WithoutCancel(ctx)
	jobs := make(chan jetstream.Msg)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range jobs {
				if ctx.Err() != nil {
					c.answer(m, pipeline.Reply{Action: pipeline.Retry})
					continue
				}
				d := pipeline.Delivery{Data: m.Data(), Attempt: 1}
				if md, err := m.Metadata(); err == nil {
					d.Attempt = int(md.NumDelivered)
				}
				c.answer(m, handle(work, d))
			}
		}()
	}
	cc, err := cons.Consume(func(m jetstream.Msg) { jobs <- m },
		// Short pulls with frequent heartbeats: when a node dies, a pull
		// it held is noticed as lost within seconds and sent again.
		jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second),
		// Few messages buffered beyond those in hand: at shutdown each is
		// handed back, and one that waits here waits for nobody.
		jetstream.PullMaxMessages(2*max(workers, 1)),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			c.log.Warn("consume articles", "err", err)
		}))
	if err != nil {
		close(jobs)
		wg.Wait()
		return fmt.Errorf("consume %s: %w", pipeline.ArticlesStream, err)
	}
	<-ctx.Done()
	cc.Drain()
	// Drain ends once the pulls in flight do; a pull held by a node that
	// died may never answer, so it gets a bound.
	select {
	case <-cc.Closed():
	case <-time.After(c.opts.PublishTimeout):
		cc.Stop()
		<-cc.Closed()
	}
	close(jobs) // no callback runs after Closed, so no one sends on jobs
	wg.Wait()
	return nil
}

// answer passes a handler's reply to the server.
func (c *Client) answer(m jetstream.Msg, r pipeline.Reply) {
	var err error
	switch r.Action {
	case pipeline.Ack:
		err = m.Ack()
	case pipeline.Drop:
		err = m.Term()
	default:
		if r.Delay > 0 {
			err = m.NakWithDelay(r.Delay)
		} else {
			err = m.Nak()
		}
	}
	if err != nil {
		c.log.Warn("answer message", "subject", m.Subject(), "reply", r.Action.String(), "err", err)
	}
}

// tagConsumer opens the tagger's durable consumer (Setup created it),
// retrying until ctx ends (then it returns nil, nil): on a cluster the
// lookup can fail while a node is lost and leaders are elected again, and
// a tagger should outlive that. A consumer that does not exist is an error.
func (c *Client) tagConsumer(ctx context.Context) (jetstream.Consumer, error) {
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		cons, err := c.js.Consumer(ctx, pipeline.ArticlesStream, pipeline.TaggerConsumer)
		if err == nil {
			return cons, nil
		}
		if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("consumer %s > %s: %w: %w", pipeline.ArticlesStream, pipeline.TaggerConsumer, ErrNotSetUp, err)
		}
		if ctx.Err() != nil {
			return nil, nil
		}
		c.log.Warn("open consumer; retrying", "consumer", pipeline.TaggerConsumer, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(wait):
		}
	}
}
