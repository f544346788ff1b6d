package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
)

type ctxKey int

const (
	requestKey ctxKey = iota // *requestInfo
)

// requestInfo is what the middleware learns about a request; later layers fill in more.
type requestInfo struct {
	id       string
	clientIP netip.Addr
	lang     string
	csrf     string
	route    string // the ServeMux pattern that matched; set after routing

	multipart    *MultipartForm // the multipart form read so far (see Multipart)
	multipartErr error

	windowsChecked bool               // maintenance windows looked up (see maintenanceState)
	current, next  *MaintenanceWindow // the window in progress; the next within a day
	closed         bool               // refused because of a maintenance window
}

func info(r *http.Request) *requestInfo {
	if ri, ok := r.Context().Value(requestKey).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{lang: i18n.RU}
}

// RequestID returns the id of the request (also sent as the X-Request-Id response header).
func RequestID(r *http.Request) string { return info(r).id }

// ClientIP returns the client's address: the peer, or, behind a trusted proxy, the address that
// proxy saw.
func ClientIP(r *http.Request) netip.Addr { return info(r).clientIP }

// Lang returns the interface language of the request.
func Lang(r *http.Request) string { return info(r).lang }

var goodRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// identify gives the request an id and works out the client address.
func (s *Site) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &requestInfo{lang: i18n.RU}
		peer := peerAddr(r.RemoteAddr)
		ri.clientIP = peer
		trusted := s.trusted(peer)
		if trusted {
			ri.clientIP = forwardedFor(r.Header.Values("X-Forwarded-For"), peer, s.trusted)
		}
		if id := r.Header.Get("X-Request-Id"); trusted && goodRequestID.MatchString(id) {
			ri.id = id
		} else {
			var b [12]byte
			rand.Read(b[:])
			ri.id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", ri.id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey, ri)))
	})
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func (s *Site) trusted(a netip.Addr) bool {
	for _, p := range s.opt.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the right, skipping trusted proxies; the first
// untrusted address is the client. Addresses further left were written by the client itself.
func forwardedFor(values []string, peer netip.Addr, trusted func(netip.Addr) bool) netip.Addr {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = a.Unmap()
		if !trusted(client) {
			break
		}
	}
	return client
}

// recoverPanics turns a panic into a 500 page and logs the stack.
func (s *Site) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Error(w, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe writes the access log line and the request metrics. It logs the route pattern, not
// the path or query, which may carry personal data; and never the client address.
func (s *Site) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		ri := info(r)
		route := ri.route
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observe(route, r.Method, sw.status, elapsed)
		level := levelFor(sw.status)
		if ri.closed {
			level = slog.LevelInfo // a maintenance window is planned, not a failure
		}
		s.log.LogAttrs(r.Context(), level, "http request",
			slog.String("request_id", ri.id), slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("duration", elapsed))
	})
}

// route runs the mux and records which pattern matched, for logs and metrics. During a
// maintenance window it refuses every route not kept open.
func (s *Site) route(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	info(r).route = pattern
	if err := s.closedFor(r, pattern); err != nil {
		s.Error(w, r, err)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// securityHeaders sets the headers every response carries. The content security policy allows
// no inline script or style at all: pages work without JavaScript, and what script there is
// comes from /static.
func securityHeaders(next http.Handler, secure bool) http.Handler {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
		"base-uri 'none'; object-src 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if secure || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// LangCookie is the cookie that keeps the interface language a visitor chose.
const LangCookie = "sep_lang"

// language picks the interface language: pages follow the visitor's choice (default Russian);
// the JSON API follows Accept-Language.
func (s *Site) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			ri.lang = i18n.Match(r.Header.Get("Accept-Language"))
		} else if c, err := r.Cookie(LangCookie); err == nil && i18n.Supported(c.Value) {
			ri.lang = c.Value
		}
		w.Header().Add("Vary", "Cookie, Accept-Language")
		next.ServeHTTP(w, r)
	})
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
