// Command esia measures ID as an ЕСИА provider and the cabinet as its client, against the goals
// of issue 11:
//
//   - authorization-code exchanges per second with GOST-signed tokens — goal ≥ 1,000/s per
//     core: codes are issued through the provider's real front channel (/aas/oauth2/v2/ac, the
//     request page of a signed-in citizen), then traded on /aas/oauth2/v3/te by -c concurrent
//     esia/ clients. Each exchange is the whole of it: the client signs client_secret (GOST R
//     34.10-2012), the provider checks it, the code's single use, writes the refresh token and
//     the journal entry, signs the access and id tokens; the client verifies both signatures.
//   - the wall clock of one complete sign-in through the cabinet with a scripted HTTP client:
//     «Войти через Госуслуги» → /aas/oauth2/v2/ac → the provider's request page → the callback
//     (code exchanged, person data fetched with embed) → the cabinet's home page, for a citizen
//     already signed in to ID; the first entry (both consents) and the median of -n more.
//
// It starts the real program (internal/app, demo mode) on 127.0.0.1 with a fresh SQLite
// database in a temporary directory. The clients run in the same process, on the same cores:
// the figures are lower bounds of what a separate client would see.
//
//	go run ./bench/esia                 # 2000 exchanges, 8 clients, 20 sign-ins
//	go run ./bench/esia -codes 5000 -c 16 -n 50
//	go run ./bench/esia -cpuprofile cpu.out   # then: go tool pprof -top cpu.out
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/notify"
)

// cpuProfile is where -cpuprofile writes the profile of the exchanges ("": none).
var cpuProfile string

// goalPerCore is the issue's goal: exchanges per second per core.
const goalPerCore = 1000

func main() {
	codes := flag.Int("codes", 2000, "authorization codes to exchange")
	clients := flag.Int("c", 8, "concurrent exchanging clients")
	signins := flag.Int("n", 20, "complete sign-ins through the cabinet after the first")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the exchanges to this file")
	flag.Parse()
	if err := run(os.Stdout, *codes, *clients, *signins); err != nil {
		fmt.Fprintln(os.Stderr, "bench/esia:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, codes, clients, signins int) error {
	dir, err := os.MkdirTemp("", "bench-esia-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := map[string]string{"SEP_HTTP_ADDR": "127.0.0.1:0", "SEP_DATA_DIR": dir, "SEP_WORKERS": "2", "SEP_LOG_LEVEL": "error"}
	cfg, _, err := config.Load(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
	if err != nil {
		return err
	}
	m := app.New(cfg, slog.New(slog.DiscardHandler))
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		return err
	}
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	session, err := citizen(ctx, m)
	if err != nil {
		return fmt.Errorf("citizen: %w", err)
	}
	client, sys, err := benchClient(ctx, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GOMAXPROCS %d, %s\n", runtime.GOMAXPROCS(0), runtime.Version())

	t0 := time.Now()
	list := make([]string, 0, codes)
	for len(list) < codes {
		c, err := issueCode(ctx, m.URL(), client, session)
		if err != nil {
			return fmt.Errorf("code %d: %w", len(list)+1, err)
		}
		list = append(list, c)
		if time.Since(t0) > provider.CodeTTL-30*time.Second {
			break // the codes must still be valid when exchanged
		}
	}
	issued := time.Since(t0)
	half := len(list) / 2
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	rate, failed, err := exchange(ctx, client, list[:half], clients)
	if err != nil {
		return err
	}
	alone, failedAlone, err := providerExchange(ctx, sys, list[half:], clients)
	if err != nil {
		return err
	}
	pprof.StopCPUProfile()
	perCore := rate / float64(runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "codes issued        %d in %s (%.0f/s through /ac and the request page)\n", len(list), issued.Round(time.Millisecond),
		float64(len(list))/issued.Seconds())
	fmt.Fprintf(w, "code exchanges      %.0f/s with %d esia/ clients in the same process (signing the secret, verifying both tokens), %.0f/s per core, %d failed\n",
		rate, clients, perCore, failed)
	perCoreAlone := alone / float64(runtime.GOMAXPROCS(0))
	verdict := "goal met"
	if perCoreAlone < goalPerCore {
		verdict = "below the goal"
	}
	fmt.Fprintf(w, "provider alone      %.0f/s with %d clients sending pre-signed requests, %.0f/s per core (goal ≥ %d per core: %s), %d failed\n",
		alone, clients, perCoreAlone, goalPerCore, verdict, failedAlone)

	first, err := cabinetEntry(m.URL(), session)
	if err != nil {
		return fmt.Errorf("cabinet entry: %w", err)
	}
	var times []time.Duration
	for range signins {
		d, err := cabinetEntry(m.URL(), session)
		if err != nil {
			return fmt.Errorf("cabinet entry: %w", err)
		}
		times = append(times, d)
	}
	slices.Sort(times)
	fmt.Fprintf(w, "cabinet sign-in     first (both consents) %s", ms(first))
	if len(times) > 0 {
		fmt.Fprintf(w, "; then median %s, max %s of %d", ms(times[len(times)/2]), ms(times[len(times)-1]), len(times))
	}
	fmt.Fprintln(w)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// benchClient registers a system with its own GOST key and returns its esia/ client, which
// verifies the tokens with the provider's published key.
func benchClient(ctx context.Context, m *app.Main) (*esia.Client, *system, error) {
	curve, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(curve, nil)
	if err != nil {
		return nil, nil, err
	}
	name, _ := gostx509.ParseName("CN=BENCHSYS,O=Example")
	der, err := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour)}, nil, key.PublicKey(), key)
	if err != nil {
		return nil, nil, err
	}
	const redirect = "http://127.0.0.1/bench/callback" // never visited: the code is read from the page
	scopes := []string{"openid", "fullname"}
	if _, err := m.Provider.RegisterClient(ctx, provider.NewClient{Mnemonic: "BENCHSYS", CertDER: der, RedirectURIs: []string{redirect},
		Scopes: scopes}); err != nil {
		return nil, nil, err
	}
	signer, err := esia.NewKeySigner(key)
	if err != nil {
		return nil, nil, err
	}
	pub, err := gostpkix.EncodePublicKeyPEM(m.Keys.Signing.PublicKey())
	if err != nil {
		return nil, nil, err
	}
	hash, err := esia.CertificateHash(der)
	if err != nil {
		return nil, nil, err
	}
	sys := &system{base: m.URL(), id: "BENCHSYS", hash: hash, redirect: redirect, scope: strings.Join(scopes, " "), signer: signer}
	c, err := esia.New(esia.Config{BaseURL: m.URL(), ClientID: "BENCHSYS", Certificate: der, Signer: signer, RedirectURI: redirect,
		Scopes: scopes, ProviderCertificates: [][]byte{pub}, Issuer: m.Config.Provider.Issuer,
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}})
	return c, sys, err
}

// system is what a system sends to the token endpoint, for exchanges made without the client.
type system struct {
	base, id, hash, redirect, scope string
	signer                          esia.Signer
}

// providerExchange measures the provider's side alone: every token request is signed before
// the clock starts (a system's own signing is its cost, not the provider's), then the requests
// are sent by n clients and each answer is checked to carry tokens; verifying them is the
// system's cost too and is left out. The provider still verifies every client_secret, checks
// and spends every code, and signs two GOST tokens per exchange.
func providerExchange(ctx context.Context, sys *system, codes []string, n int) (float64, int, error) {
	bodies := make([]string, len(codes))
	for i, code := range codes {
		m := esia.Message{ClientID: sys.id, Scope: sys.scope, Timestamp: esia.Timestamp(time.Now()), State: esia.NewState(),
			RedirectURI: sys.redirect, Code: code}
		sig, err := sys.signer.Sign(ctx, []byte(m.V3()))
		if err != nil {
			return 0, 0, err
		}
		bodies[i] = url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {sys.id},
			"client_secret": {base64.RawURLEncoding.EncodeToString(sig)}, "scope": {sys.scope}, "state": {m.State},
			"timestamp": {m.Timestamp}, "redirect_uri": {sys.redirect}, "token_type": {"Bearer"},
			"client_certificate_hash": {sys.hash}}.Encode()
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return inParallel(bodies, n, func(body string) error {
		return postToken(ctx, hc, sys.base+"/aas/oauth2/v3/te", body)
	})
}

func postToken(ctx context.Context, hc *http.Client, u, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"id_token"`) {
		return fmt.Errorf("te answered %d", resp.StatusCode)
	}
	return nil
}

var noFollow = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// issueCode runs the front channel as the signed-in citizen (a bearer session, as the app has):
// the signed request, the request page (consenting the first time) and the code on the way back.
func issueCode(ctx context.Context, base string, c *esia.Client, session string) (string, error) {
	ar, err := c.AuthURL(ctx, esia.NewState(), esia.AuthOptions{})
	if err != nil {
		return "", err
	}
	resp, err := send("GET", ar.URL, "", "")
	if err != nil {
		return "", err
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/aas/oauth2/request/") {
		return "", fmt.Errorf("ac answered %d %s", resp.StatusCode, loc)
	}
	if resp, err = send("GET", base+loc, session, ""); err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Refresh") == "" { // the consent, once
		if resp, err = send("POST", base+loc, session, "decision=allow"); err != nil {
			return "", err
		}
	}
	_, target, ok := strings.Cut(resp.Header.Get("Refresh"), "url=")
	u, err := url.Parse(target)
	if !ok || err != nil || u.Query().Get("code") == "" {
		return "", fmt.Errorf("the request page answered %d without a code", resp.StatusCode)
	}
	return u.Query().Get("code"), nil
}

func send(method, u, bearer, form string) (*http.Response, error) {
	req, _ := http.NewRequest(method, u, strings.NewReader(form))
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// exchange trades the codes with n clients and returns the exchanges per second.
func exchange(ctx context.Context, c *esia.Client, codes []string, n int) (float64, int, error) {
	return inParallel(codes, n, func(code string) error {
		tok, err := c.Exchange(ctx, code, esia.ExchangeOptions{})
		if err == nil && (tok.ID == nil || tok.OID() == 0) {
			err = errors.New("no id token")
		}
		return err
	})
}

// inParallel runs do on every item with n workers and returns the items done per second, the
// failures, and the first failure's error if every item failed.
func inParallel(items []string, n int, do func(string) error) (float64, int, error) {
	var mu sync.Mutex
	var next, failed int
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == len(items) {
					mu.Unlock()
					return
				}
				item := items[next]
				next++
				mu.Unlock()
				if err := do(item); err != nil {
					mu.Lock()
					failed++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed == len(items) {
		return 0, failed, firstErr
	}
	return float64(len(items)-failed) / elapsed.Seconds(), failed, nil
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// cabinetEntry times one entry through the cabinet as a browser would make it (cookies, forms
// with their CSRF tokens, the provider's Refresh back), the citizen signed in to ID.
func cabinetEntry(base, session string) (time.Duration, error) {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: id.SessionCookie, Value: session, Path: "/"}})
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	start := time.Now()
	page := func(method, target string, form url.Values) (*http.Response, string, error) {
		req, _ := http.NewRequest(method, target, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	csrf := func(body string) string {
		if m := csrfRe.FindStringSubmatch(body); m != nil {
			return m[1]
		}
		return ""
	}
	resp, body, err := page("GET", base+"/cabinet/signin", nil)
	for step := 0; err == nil && step < 4; step++ {
		if resp.Request.URL.Path == "/cabinet" && strings.Contains(body, `id="cabinet-name"`) {
			return time.Since(start), nil
		}
		switch {
		case resp.Header.Get("Refresh") != "":
			_, target, _ := strings.Cut(resp.Header.Get("Refresh"), "url=")
			resp, body, err = page("GET", target, nil)
		case strings.Contains(body, `value="allow"`):
			resp, body, err = page("POST", resp.Request.URL.String(), url.Values{"decision": {"allow"}, "csrf_token": {csrf(body)}})
		case strings.Contains(body, `value="agree"`):
			resp, body, err = page("POST", base+"/cabinet/consent", url.Values{"decision": {"agree"}, "version": {"transfer-v1"},
				"csrf_token": {csrf(body)}})
		default:
			return 0, fmt.Errorf("stuck at %s (%d)", resp.Request.URL.Path, resp.StatusCode)
		}
	}
	if err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no cabinet page after the flow (at %s)", resp.Request.URL.Path)
}

// citizen registers a citizen through the JSON API (codes from the development outbox) with a
// name for the cabinet to show, and returns their session token.
func citizen(ctx context.Context, m *app.Main) (string, error) {
	const phone, email, pw = "+79000000911", "bench.esia@example.ru", "Skorost-Vhoda-2026!"
	base := m.URL()
	var flow struct{ Flow, Token string }
	if err := postJSON(base+"/api/v1/register", map[string]any{"phone": phone, "email": email, "consent": true}, &flow); err != nil {
		return "", err
	}
	sms, err := outboxCode(ctx, m, phone)
	if err != nil {
		return "", err
	}
	mail, err := outboxCode(ctx, m, email)
	if err != nil {
		return "", err
	}
	if err := postJSON(base+"/api/v1/register/codes", map[string]string{"flow": flow.Flow, "phone_code": sms, "email_code": mail}, nil); err != nil {
		return "", err
	}
	if err := postJSON(base+"/api/v1/register/password", map[string]string{"flow": flow.Flow, "password": pw}, &flow); err != nil {
		return "", err
	}
	a, err := m.ID.AccountByLogin(ctx, nil, email)
	if err != nil {
		return "", err
	}
	if err := m.ID.SaveProfile(ctx, nil, a.ID, id.Profile{LastName: "Скоростной", FirstName: "Тест", MiddleName: "Бенчевич"}); err != nil {
		return "", err
	}
	return flow.Token, nil
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

func outboxCode(ctx context.Context, m *app.Main, to string) (string, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := notify.Outbox(ctx, m.DB, m.Seal.Box, notify.OutboxFilter{To: to, Kind: notify.ConfirmCode, Limit: 1})
		if err != nil {
			return "", err
		}
		if len(out) > 0 {
			if c := sixDigits.FindString(out[0].Body); c != "" {
				return c, nil
			}
		}
	}
	return "", fmt.Errorf("no code to %s in the outbox", to)
}

func postJSON(target string, body, into any) error {
	js, _ := json.Marshal(body)
	resp, err := http.Post(target, "application/json", bytes.NewReader(js))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %d %s", target, resp.StatusCode, b)
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}
