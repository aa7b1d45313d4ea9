package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"newsmon/cmd/internal/notifyd"
	"newsmon/pipeline"
	"newsmon/pipeline/notify"
)

// plainSMTP is a local SMTP server without TLS or auth that keeps each
// mail it accepts (the STARTTLS and AUTH path is tested in pipeline/notify).
type plainSMTP struct {
	mu    sync.Mutex
	mails []string
	addr  string
}

type plainSession struct {
	srv *plainSMTP
}

func (s plainSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s plainSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s plainSession) Reset()                               {}
func (s plainSession) Logout() error                        { return nil }
func (s plainSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, string(b))
	s.srv.mu.Unlock()
	return nil
}

func (p *plainSMTP) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.mails...)
}

func startPlainSMTP(t *testing.T) *plainSMTP {
	t.Helper()
	p := &plainSMTP{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return plainSession{p}, nil }))
	s.Domain = "127.0.0.1"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	p.addr = ln.Addr().String()
	return p
}

// An hourly e-mail digest on the real stream: the runner's schedule loop
// wakes at the digest's time (the clock is set two seconds before it),
// fetches what the sink's durable consumer holds, mails one digest and
// acknowledges it, so a runner started again on the same consumer has
// nothing left to send, while an alert stored after the digest waits for
// the next one.
func TestEmailDigestOnSchedule(t *testing.T) {
	natsURL := startNATS(t)
	mail := startPlainSMTP(t)
	host, port, _ := net.SplitHostPort(mail.addr)
	sinksFile := filepath.Join(t.TempDir(), "sinks.yaml")
	body := "sinks:\n  - name: digest\n    subjects: [alerts.cloud.>]\n    email:\n" +
		"      schedule: {every: hour, at: \"00:30\"}\n      from: newsmon@example.com\n      to: [desk@example.com]\n" +
		"      smtp: {host: " + host + ", port: " + port + ", tls: none}\n"
	if err := os.WriteFile(sinksFile, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := notify.Load(sinksFile, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	sink := cfg.Sinks[0]
	setUpSinks(t, natsURL, sinksFile, 0)

	pub := connect(t, natsURL)
	want := alerts(3, 2) // six alerts over three articles
	if err := pub.PublishAlerts(context.Background(), want); err != nil {
		t.Fatal(err)
	}

	client := connect(t, natsURL)
	// A clock two seconds before the schedule's next send.
	offset := time.Until(sink.Email.Schedule.Next(time.Now())) - 2*time.Second
	clock := func() time.Time { return time.Now().Add(offset) }
	runOnce := func(wantMails int) {
		t.Helper()
		st, err := notifyd.SinkStream(context.Background(), client, sink)
		if err != nil {
			t.Fatal(err)
		}
		r := notify.NewDigestRunner(sink, st, client, notify.Options{Now: clock})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		// The digest hour comes round once per real hour of this clock:
		// only one send falls inside the wait.
		waitFor(t, "the digest", 30*time.Second, func() bool { return r.Stats().Messages.Load() >= 1 && len(mail.received()) >= wantMails })
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	runOnce(1)
	mails := mail.received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	for _, a := range want {
		if !strings.Contains(mails[0], a.Article.URL) {
			t.Errorf("digest lacks %s (%s)", a.Article.URL, a.ID)
		}
	}
	if !strings.Contains(mails[0], "Subject: newsmon digest: 6 alerts") {
		t.Errorf("digest subject: want 6 alerts in\n%.600s", mails[0])
	}

	// Acknowledged: a new runner on the same consumer, at the next digest
	// time, mails only the alert stored since.
	late := alerts(4, 1)[3]
	if err := pub.PublishAlerts(context.Background(), []pipeline.Alert{late}); err != nil {
		t.Fatal(err)
	}
	offset = time.Until(sink.Email.Schedule.Next(time.Now().Add(offset))) - 2*time.Second
	runOnce(2)
	mails = mail.received()
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2", len(mails))
	}
	if !strings.Contains(mails[1], "Subject: newsmon digest: 1 alert") || !strings.Contains(mails[1], late.Article.URL) {
		t.Errorf("second digest should hold only %s:\n%.600s", late.ID, mails[1])
	}
	for _, a := range want {
		if strings.Contains(mails[1], a.Article.Title) {
			t.Errorf("second digest repeats %s", a.ID)
		}
	}
}
