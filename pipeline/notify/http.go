package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SendError is a delivery that did not get a 2xx. Permanent ones (a 4xx
// other than 408 and 429) are not retried: the receiver said the request
// itself is wrong. RetryAfter is the receiver's own Retry-After, if any.
type SendError struct {
	Status     int // 0 when no answer came
	RetryAfter time.Duration
	Permanent  bool
	Err        error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// permanent reports whether err says retrying cannot help.
func permanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

func retryAfter(err error) time.Duration {
	var se *SendError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// maxResponse caps what is read of a receiver's answer (kept for the
// reason of a failure and to reuse the connection).
const maxResponse = 64 << 10

// post sends body to url and classifies the answer.
func post(ctx context.Context, client *http.Client, url string, header http.Header, body []byte, timeout time.Duration, now func() time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("request: %w", err)}
	}
	req.Header = header
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "newsmon-notify/1")
	resp, err := client.Do(req)
	if err != nil {
		// A URL is a secret; the transport's error carries it.
		return &SendError{Err: fmt.Errorf("post: %s", redactURL(err.Error(), url))}
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	se := &SendError{
		Status:     resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now()),
		Err:        fmt.Errorf("receiver answered %s: %s", resp.Status, excerpt(text)),
	}
	se.Permanent = resp.StatusCode >= 400 && resp.StatusCode < 500 &&
		resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests
	return se
}

func redactURL(msg, url string) string {
	if url == "" {
		return msg
	}
	return strings.ReplaceAll(msg, url, "[url]")
}

// excerpt is the start of a receiver's answer, one line, for a log or a
// dead letter's reason.
func excerpt(b []byte) string {
	const n = 200
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 24*time.Hour)
		}
	}
	return 0
}

// Sign is the Standard Webhooks signature of body: "v1," and the base64
// HMAC-SHA256, keyed with secret, of "<id>.<timestamp>.<body>".
func Sign(secret []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks a Standard Webhooks signature header (space-separated
// "v1,<base64>" entries, any of which may match) and that the timestamp is
// within tolerance of now. Receivers written in Go can use it as it is;
// docs/delivery.md shows the same steps for any language.
func Verify(secret []byte, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp %q: not a number", timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook-timestamp %d: more than %s from now", ts, tolerance)
	}
	want := Sign(secret, id, ts, body)
	for _, sig := range strings.Fields(signatures) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no webhook-signature matches")
}
