package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

// readBody returns the decoded body, at most limit bytes of it. Past the
// limit it fails with ErrTooLarge, or, when truncate is set, returns the
// first limit bytes.
func readBody(resp *http.Response, limit int64, truncate bool) ([]byte, error) {
	// The compressed stream is capped as well, so a body that decodes to
	// little (a run of empty deflate blocks) cannot keep us reading; data
	// that does not compress grows only by a few bytes per block.
	rawLimit := limit + limit/8 + 4<<10
	if resp.ContentLength > rawLimit && !truncate {
		return nil, fmt.Errorf("%w: Content-Length %d, cap %d", ErrTooLarge, resp.ContentLength, limit)
	}
	raw := bufio.NewReader(&capReader{r: resp.Body, left: rawLimit})
	if _, err := raw.Peek(1); err == io.EOF {
		return []byte{}, nil // an empty body labelled compressed is still empty
	}
	body, err := decode(raw, resp.Header.Get("Content-Encoding"))
	if err != nil {
		return nil, err
	}
	var b []byte
	if truncate {
		b, err = io.ReadAll(io.LimitReader(body, limit))
	} else {
		b, err = io.ReadAll(&capReader{r: body, left: limit})
	}
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	case err != nil:
		return nil, fmt.Errorf("read body: %w", err)
	}
	return b, nil
}

// decode undoes the Content-Encoding codings, last applied first.
func decode(r io.Reader, encoding string) (io.Reader, error) {
	codings := strings.Split(encoding, ",")
	for i := len(codings) - 1; i >= 0; i-- {
		var err error
		switch coding := strings.ToLower(strings.TrimSpace(codings[i])); coding {
		case "", "identity":
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(r)
		case "deflate":
			r, err = inflate(r)
		case "br":
			r = brotli.NewReader(r)
		default:
			return nil, fmt.Errorf("unsupported content encoding %q", coding)
		}
		if err != nil {
			return nil, fmt.Errorf("decode %s body: %w", codings[i], err)
		}
	}
	return r, nil
}

// inflate reads HTTP "deflate", which RFC 9110 defines as zlib-wrapped but
// some servers send as bare deflate; the zlib header tells them apart.
func inflate(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	if err != nil {
		return nil, err
	}
	if h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// capReader passes through at most left bytes and fails with ErrTooLarge
// if the source has more.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
