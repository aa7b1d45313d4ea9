package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"newsmon/pipeline"
)

// smtpServer is a local SMTP server (go-smtp) that demands STARTTLS and
// AUTH PLAIN, and keeps each mail it accepts.
type smtpServer struct {
	mu    sync.Mutex
	mails []received
	addr  string
	ca    string // the server certificate, PEM, for the client to trust
}

type received struct {
	from string
	to   []string
	data []byte
}

type smtpSession struct {
	srv  *smtpServer
	auth bool
	cur  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "newsmon" || pass != "hunter2" {
			return errors.New("bad credentials")
		}
		s.auth = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	cert, caPEM := selfSigned(t)
	srv := &smtpServer{}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: srv}, nil })
	s := smtp.NewServer(be)
	s.Domain = "127.0.0.1"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	srv.addr = ln.Addr().String()
	srv.ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(srv.ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv
}

func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		t.Fatal(err)
	}
	return cert, certPEM
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mails...)
}

// parts splits a received mail into its text and HTML parts.
func parts(t *testing.T, data []byte) (subject, text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ = dec.DecodeHeader(m.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v; want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p) // multipart decodes quoted-printable
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(body)
		case "text/html":
			html = string(body)
		}
	}
	return subject, text, html
}

func emailSink(t *testing.T, srv *smtpServer) *Sink {
	t.Helper()
	host, port, _ := net.SplitHostPort(srv.addr)
	body := "sinks:\n  - name: morning\n    subjects: [alerts.>]\n    retry: {attempts: 2, first: 10ms, max: 10ms}\n    email:\n" +
		"      schedule: {every: hour}\n      from: newsmon@example.com\n      to: [desk@example.com]\n" +
		"      smtp: {host: " + host + ", port: " + port + ", tls: starttls, username: newsmon, password: {env: SMTP_PASS}, ca_file: " + srv.ca + "}\n"
	p := filepath.Join(t.TempDir(), "sinks.yaml")
	os.WriteFile(p, []byte(body), 0o600)
	cfg, err := Load(p, func(k string) string { return testEnv[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Sinks[0]
}

// A digest goes through STARTTLS and AUTH to a local SMTP server: its text
// and HTML parts list the period's alerts grouped by rule, one entry per
// article with its sentence, copies folded as "also in". An empty period
// sends nothing.
func TestEmailDigest(t *testing.T) {
	srv := startSMTP(t)
	sink := emailSink(t, srv)
	st := newFakeStream()
	r := NewDigestRunner(sink, st, &fakeDead{}, Options{})
	ctx := t.Context()

	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.received()); n != 0 {
		t.Fatalf("%d mails for an empty period", n)
	}

	now := time.Now()
	st.add(t, testAlert("a:1", "huawei"), now)
	st.add(t, testAlert("a:2", "huawei"), now)
	st.add(t, testAlert("a:1", "tencent"), now)
	cp := testAlert("a:3", "huawei")
	cp.Article.DuplicateOf, cp.Article.Source = "a:1", "reuters_com"
	st.add(t, cp, now)
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mails := srv.received()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	if mails[0].from != "newsmon@example.com" || len(mails[0].to) != 1 || mails[0].to[0] != "desk@example.com" {
		t.Errorf("envelope %s -> %v", mails[0].from, mails[0].to)
	}
	subject, text, html := parts(t, mails[0].data)
	if subject != "newsmon digest: 4 alerts" {
		t.Errorf("subject %q", subject)
	}
	// Grouped by rule: Huawei's two articles (the copy folded into the
	// first), then Tencent's one.
	hw, tc := strings.Index(text, "== Huawei Cloud (alerts.cloud.huawei, high): 2 articles"), strings.Index(text, "== Tencent Cloud (alerts.cloud.tencent, high): 1 article")
	if hw < 0 || tc < 0 {
		t.Fatalf("text part lacks the rule headings:\n%s", text)
	}
	for _, want := range []string{"https://example.com/a:1", "https://example.com/a:2", `"The Commerce Department weighs rules against huawei cloud."`, "also in: reuters_com"} {
		if !strings.Contains(text[hw:tc+len(text[tc:])], want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "https://example.com/a:3") {
		t.Errorf("the near-duplicate got its own entry:\n%s", text)
	}
	for _, want := range []string{"<h2>Huawei Cloud", "<h2>Tencent Cloud", `<a href="https://example.com/a:1">U.S. weighs curbs on &lt;Chinese&gt; cloud &amp; AI</a>`, "also in: reuters_com"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
	if st.ackedCount() != 4 {
		t.Errorf("%d alerts acked after the digest, want 4", st.ackedCount())
	}
	if err := r.Flush(ctx); err != nil || len(srv.received()) != 1 {
		t.Errorf("a second flush with nothing new: %v, %d mails", err, len(srv.received()))
	}
}

// A refused login is a permanent failure: the digest becomes a dead letter
// after one attempt and its alerts are acked.
func TestEmailRefusedLoginDeadLetters(t *testing.T) {
	srv := startSMTP(t)
	sink := emailSink(t, srv)
	sink.Email.SMTP.Password = "wrong"
	st := newFakeStream()
	dead := &fakeDead{}
	r := NewDigestRunner(sink, st, dead, Options{})
	st.add(t, testAlert("a:1", "huawei"), time.Now())
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(dead.letters) != 1 || dead.letters[0].Digest == nil || dead.letters[0].Digest.Alerts != 1 || st.ackedCount() != 1 {
		t.Fatalf("dead letters %+v, acked %d", dead.letters, st.ackedCount())
	}
	if len(srv.received()) != 0 {
		t.Error("a mail arrived without a login")
	}
}

func TestBuildDigestCapsEntries(t *testing.T) {
	var alerts []*pipeline.Alert
	for i := range 5 {
		a := testAlert(string(rune('a'+i)), "huawei")
		alerts = append(alerts, &a)
	}
	d := BuildDigest("x", alerts, time.Now(), time.Now(), 3)
	if len(d.Groups) != 1 || len(d.Groups[0].Entries) != 3 || d.More != 2 || d.Alerts != 5 {
		t.Fatalf("digest = %+v", d)
	}
	text, _, _ := d.Render()
	if !strings.Contains(text, "and 2 more articles, not listed.") {
		t.Errorf("text:\n%s", text)
	}
}
