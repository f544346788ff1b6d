package esia

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// HTTPSigner asks a signing service: it POSTs the message
// (application/octet-stream) to URL and takes the answer's body as the
// signature — the bytes themselves for application/octet-stream, base64 or
// base64url text for text/plain.
type HTTPSigner struct {
	URL string
	// Header is added to each request (an Authorization, for example).
	Header http.Header
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one request; zero means 10 seconds.
	Timeout time.Duration
	// Reverse reverses the signature's bytes (a CryptoPro-based service
	// that returns the little-endian form).
	Reverse bool
}

// ErrSignerUnavailable is wrapped by HTTPSigner's errors that are worth a
// retry later: timeouts, connection failures and 5xx answers.
var ErrSignerUnavailable = errors.New("signing service unavailable")

// ErrSignerRefused is wrapped by HTTPSigner's errors for 4xx answers: the
// request or its credentials are wrong.
var ErrSignerRefused = errors.New("signing service refused the request")

// maxSignature bounds a signature read from a service or a program's output;
// a CMS with a certificate chain fits easily.
const maxSignature = 1 << 20

// Sign implements Signer.
func (s *HTTPSigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(message))
	if err != nil {
		return nil, fmt.Errorf("esia: signing service: %w", err)
	}
	for k, v := range s.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Accept", "application/octet-stream, text/plain")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("esia: signing service: %w: %v", ErrSignerUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSignature+1))
	if err != nil {
		return nil, fmt.Errorf("esia: signing service: %w: %v", ErrSignerUnavailable, err)
	}
	switch {
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("esia: signing service: %w: HTTP %d", ErrSignerUnavailable, resp.StatusCode)
	case resp.StatusCode >= 400:
		return nil, fmt.Errorf("esia: signing service: %w: HTTP %d: %s", ErrSignerRefused, resp.StatusCode, firstLine(string(body)))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("esia: signing service: unexpected HTTP %d", resp.StatusCode)
	}
	if len(body) > maxSignature {
		return nil, errors.New("esia: signing service: the answer is too long")
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var sig []byte
	switch mt {
	case "application/octet-stream", "application/pkcs7-signature", "":
		sig = body
	case "text/plain":
		if sig, err = decodeBase64(strings.TrimSpace(string(body))); err != nil {
			return nil, fmt.Errorf("esia: signing service: the answer is not base64: %v", err)
		}
	default:
		return nil, fmt.Errorf("esia: signing service: unexpected content type %q", mt)
	}
	if len(sig) == 0 {
		return nil, errors.New("esia: signing service returned an empty signature")
	}
	if s.Reverse {
		sig = reverse(sig)
	}
	return sig, nil
}

// decodeBase64 accepts standard and URL alphabets, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
