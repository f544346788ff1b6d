package e2e

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/api/apitest"
)

// readCaptcha reads a challenge's digits, standing in for the person who looks at the picture:
// it derives them as internal/id captcha.go (captchaDigits) does, from the instance's data key.
func readCaptcha(sep *Instance, id string) string {
	m := hmac.New(streebog.New256, sep.Seal.Box.Ring().Derive("sep id captcha v1"))
	m.Write([]byte("digits\x00" + id))
	sum := m.Sum(nil)
	var b strings.Builder
	for i := range 5 {
		b.WriteByte(byte('0' + (uint(sum[2*i])<<8|uint(sum[2*i+1]))%10))
	}
	return b.String()
}

// A citizen who mistypes the password is asked for the CAPTCHA from the fourth attempt — a
// picture, its sound and a field, without JavaScript — and after the fifth failure is told until
// when sign-in is locked and how to get in sooner. Every page passes axe-core.
func TestSignInCaptchaAndLockInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557101", "captcha.citizen@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/signin")
	try := func(password string) {
		t.Helper()
		b.Do(chromedp.SetValue(chromedp.CSS("#login"), email), chromedp.SetValue(chromedp.CSS("#password"), password))
		b.Submit(`form[action="/id/signin"] button[type="submit"]`)
	}
	for i := 1; i <= 3; i++ {
		try("Неверный-Пароль-1")
		if msg := b.Text(".form-notice"); !strings.Contains(msg, "Неверный логин или пароль") {
			t.Fatalf("a wrong password: %q", msg)
		}
		// The third failure shows the CAPTCHA the next attempt must answer.
		if n := Eval[int](b, `document.querySelectorAll("fieldset.captcha").length`); n != map[bool]int{true: 1}[i == 3] {
			t.Fatalf("after failure %d the page has %d CAPTCHAs", i, n)
		}
	}
	b.CheckA11y()
	try("Неверный-Пароль-1") // the CAPTCHA left empty
	if msg := b.Text("#captcha-error"); !strings.Contains(msg, "Введите цифры с картинки") {
		t.Fatalf("the fourth attempt: %q, want the CAPTCHA asked", msg)
	}
	if b.Text(".form-errors a[href='#captcha']") == "" {
		t.Fatal("the error summary does not lead to the CAPTCHA")
	}
	if Eval[int](b, `document.querySelector("fieldset.captcha img").naturalWidth`) != 240 {
		t.Fatal("the CAPTCHA's picture did not load")
	}
	if alt := b.Attr("fieldset.captcha img", "alt"); !strings.Contains(alt, "5 цифрами") {
		t.Fatalf("the picture's alt text: %q", alt)
	}
	audio := b.Attr("fieldset.captcha audio", "src")
	resp, err := http.Get(sep.URL + audio)
	if err != nil {
		t.Fatal(err)
	}
	wav, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" || string(wav[:4]) != "RIFF" || len(wav) < 20000 {
		t.Fatalf("the CAPTCHA's sound: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(wav))
	}
	b.CheckA11y()

	// A wrong answer: a new picture.
	first := b.Attr(`input[name="captcha_id"]`, "value")
	b.Do(chromedp.SetValue(chromedp.CSS("#captcha"), "00000"))
	try("Неверный-Пароль-1")
	if msg := b.Text("#captcha-error"); !strings.Contains(msg, "Цифры введены неверно") || b.Attr(`input[name="captcha_id"]`, "value") == first {
		t.Fatalf("a wrong CAPTCHA: %q, want a new picture", msg)
	}
	if b.Attr("#captcha", "aria-invalid") != "true" {
		t.Fatal("the CAPTCHA field is not marked")
	}
	// The right answer and a wrong password (the fourth failure), then the fifth: locked.
	for range 2 {
		b.Do(chromedp.SetValue(chromedp.CSS("#captcha"), readCaptcha(sep, b.Attr(`input[name="captcha_id"]`, "value"))))
		try("Неверный-Пароль-1")
	}
	notice := b.Text(".form-notice")
	until := msk("ru", time.Now().Add(15*time.Minute).Truncate(time.Minute))
	if !strings.Contains(notice, "временно заблокирован") || !strings.Contains(notice, "МСК") {
		t.Fatalf("the fifth failure: %q", notice)
	}
	if !strings.Contains(notice, strings.TrimSuffix(until, " МСК")[:13]) { // the date and hour
		t.Fatalf("the lock's end %q is not about %s", notice, until)
	}
	if b.Attr(`.form-notice a[href="/id/recover"]`, "href") == "" {
		t.Fatal("the locked notice does not lead to recovery")
	}
	b.CheckA11y()
	// Locked: the right password is refused too.
	try(pw)
	if !strings.Contains(b.Text(".form-notice"), "временно заблокирован") {
		t.Fatalf("the right password while locked: %q", b.Text("main"))
	}
}

// An account blocked by an administrator says why, on its page and in the API; one that
// waits for its contacts says how to confirm them.
func TestAccountStatusPages(t *testing.T) {
	sep := Start(t)
	const pw = "Сложный-Пароль-2026"
	registerAccount(t, sep, "+79005557102", "blocked.citizen@example.ru", pw)
	registerAccount(t, sep, "+79005557103", "unconfirmed.citizen@example.ru", pw)
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE id_accounts SET status = 'blocked', block_code = 'court' WHERE id = (SELECT id FROM id_accounts ORDER BY created_at LIMIT 1)`,
		`UPDATE id_accounts SET status = 'unconfirmed' WHERE id = (SELECT id FROM id_accounts ORDER BY created_at DESC LIMIT 1)`,
	} {
		if _, err := sep.DB.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	for _, c := range []struct{ login, h1, text, link string }{
		{"blocked.citizen@example.ru", "Учётная запись заблокирована", "Причина: по решению суда.", "/"},
		{"+7 900 555-71-03", "Подтвердите контакты", "ждёт повторного подтверждения", "/id/recover"},
	} {
		b.Open(sep.URL + "/id/signin")
		b.Do(chromedp.SetValue(chromedp.CSS("#login"), c.login), chromedp.SetValue(chromedp.CSS("#password"), pw))
		b.Submit(`form[action="/id/signin"] button[type="submit"]`)
		if h1 := b.Text("h1"); h1 != c.h1 || !strings.Contains(b.Text("main"), c.text) {
			t.Fatalf("%s: %q, %q", c.login, h1, b.Text("main"))
		}
		if b.Attr(fmt.Sprintf(`main a[href=%q]`, c.link), "href") == "" {
			t.Fatalf("%s: no way on", c.login)
		}
		b.CheckA11y()
	}
	// A wrong password says nothing of the status.
	b.Open(sep.URL + "/id/signin")
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), "blocked.citizen@example.ru"), chromedp.SetValue(chromedp.CSS("#password"), "Неверный-Пароль-1"))
	b.Submit(`form[action="/id/signin"] button[type="submit"]`)
	if !strings.Contains(b.Text(".form-notice"), "Неверный логин или пароль") {
		t.Fatalf("a wrong password of a blocked account: %q", b.Text("main"))
	}

	c := apitest.New(t, sep.API, sep.URL)
	resp, body := c.Send("POST", "/api/v1/signin", []byte(`{"login":"blocked.citizen@example.ru","password":"`+pw+`"}`), "Accept-Language", "en")
	var blocked struct {
		Error struct {
			MessageID string `json:"message_id"`
		}
		Block struct {
			Reason        string
			ReasonMessage string `json:"reason_message"`
		}
	}
	json.Unmarshal(body, &blocked)
	if resp.StatusCode != 403 || blocked.Error.MessageID != "id.account_blocked" || blocked.Block.Reason != "court" ||
		blocked.Block.ReasonMessage != "by a court decision" {
		t.Fatalf("the API, blocked: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("POST", "/api/v1/signin", []byte(`{"login":"+79005557103","password":"`+pw+`"}`))
	if resp.StatusCode != 403 || !strings.Contains(string(body), `"message_id":"id.account_unconfirmed"`) {
		t.Fatalf("the API, unconfirmed: %d %s", resp.StatusCode, body)
	}
}

// Two thousand guesses at one account through the API from a hundred loopback addresses, in
// parallel, the right password among them, every CAPTCHA solved: none gets a sign-in flow; the
// lock answers with its end and Retry-After, as documented.
func TestBruteForceThroughTheAPI(t *testing.T) {
	sep := Start(t)
	const email, pw = "brute.citizen@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, "+79005557104", email, pw)
	if l, err := net.Listen("tcp", "127.0.1.1:0"); err != nil {
		t.Skipf("NOTICE: loopback addresses other than 127.0.0.1 are not usable here: %v", err)
	} else {
		l.Close()
	}
	clients := make([]*http.Client, 100)
	for i := range clients {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(i+1))}
		d := &net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}
		clients[i] = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 1}}
	}
	post := func(c *http.Client, body map[string]string) (int, map[string]any) {
		js, _ := json.Marshal(body)
		resp, err := c.Post(sep.URL+"/api/v1/signin", "application/json", strings.NewReader(string(js)))
		if err != nil {
			return -1, map[string]any{"error": err.Error()}
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	const guesses = 2000
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				guess := fmt.Sprintf("Подбор-%04d-Пароль", i)
				if i == 100 || i == 1000 || i == guesses-1 {
					guess = pw
				}
				c := clients[i%len(clients)]
				body := map[string]string{"login": email, "password": guess}
				status, out := post(c, body)
				if status == 400 && out["captcha"] != nil { // a farm of people reads it
					body["captcha_id"] = out["captcha"].(map[string]any)["id"].(string)
					body["captcha"] = readCaptcha(sep, body["captcha_id"])
					status, out = post(c, body)
				}
				key := fmt.Sprint(status)
				if e, ok := out["error"].(map[string]any); ok {
					key += " " + fmt.Sprint(e["message_id"])
				}
				mu.Lock()
				counts[key]++
				mu.Unlock()
			}
		}()
	}
	for i := range guesses {
		next <- i
	}
	close(next)
	wg.Wait()
	// Refused unchecked: locked, or too many attempts at the login from one address.
	if refused := counts["429 id.signin_locked"] + counts["429 id.signin_too_many"]; counts["200"] != 0 ||
		counts["400 id.signin_wrong"] > 5 || refused < guesses-5 || counts["429 id.signin_locked"] == 0 {
		t.Fatalf("answers: %v", counts)
	}
	// The lock's answer, as the document describes it: its end is 15 minutes after it began.
	c := apitest.New(t, sep.API, sep.URL)
	resp, body := c.Send("POST", "/api/v1/signin", []byte(`{"login":"`+email+`","password":"`+pw+`"}`))
	var locked struct {
		LockedUntil time.Time `json:"locked_until"`
	}
	json.Unmarshal(body, &locked)
	if left := time.Until(locked.LockedUntil); resp.StatusCode != 429 || left < 14*time.Minute || left > 15*time.Minute {
		t.Fatalf("while locked: %d %s", resp.StatusCode, body)
	}
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); ra < 840 || ra > 900 {
		t.Fatalf("Retry-After %d", ra)
	}
	if !strings.Contains(string(body), "МСК") {
		t.Fatalf("the message does not say until when: %s", body)
	}
	// The CAPTCHA's answers as documented, from an address with no history: the third
	// failure brings the challenge, an attempt without its answer is refused with another.
	for i := 1; i <= 4; i++ {
		resp, body = c.Send("POST", "/api/v1/signin", []byte(`{"login":"other.brute@example.ru","password":"x"}`))
		want := map[int]string{3: "id.signin_wrong", 4: "id.captcha_needed"}[i]
		if i >= 3 && (resp.StatusCode != 400 || !strings.Contains(string(body), `"message_id":"`+want+`"`) ||
			!strings.Contains(string(body), `"image":"/id/captcha/`)) {
			t.Fatalf("attempt %d: %d %s", i, resp.StatusCode, body)
		}
	}
}
