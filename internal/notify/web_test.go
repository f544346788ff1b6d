package notify

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/web"
)

func TestOutboxPages(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	n := newTestNotifier(t, d, Options{Outbox: true})
	runWorkers(t, n)
	site, err := web.NewSite(web.Options{Templates: []fs.FS{Pages}, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	RegisterOutbox(site, d, testBox)
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()

	for _, m := range []Message{
		codeMessage(SigninCode, "+79001110001", "111111"),
		{Kind: TestMessage, To: Recipient{Email: "boris@example.ru", Lang: "en"}},
		codeMessage(SigninCode, "+79001110001", "222222"),
	} {
		waitFinal(t, n, send(t, n, m))
	}
	get := func(path string, header ...string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/dev/outbox.json")
	var out struct{ Messages []map[string]any }
	if err := json.Unmarshal([]byte(body), &out); code != 200 || err != nil {
		t.Fatalf("outbox.json: %d %v %s", code, err, body)
	}
	if len(out.Messages) != 3 {
		t.Fatalf("outbox.json has %d messages", len(out.Messages))
	}
	first := out.Messages[0]
	if first["recipient"] != "+79001110001" || first["channel"] != "sms" || first["kind"] != "signin_code" ||
		!strings.Contains(first["body"].(string), "222222") || first["subject"] != "Код для входа в СЭП" || first["created_at"] == nil {
		t.Fatalf("the newest entry: %v", first)
	}
	if out.Messages[1]["recipient"] != "boris@example.ru" || out.Messages[1]["subject"] != "SEP notification test" {
		t.Fatalf("the second entry: %v", out.Messages[1])
	}
	// A test finds the last code for its phone, typed any way.
	_, body = get("/dev/outbox.json?to=8%20(900)%20111-00-01&limit=1")
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Messages) != 1 || !strings.Contains(out.Messages[0]["body"].(string), "222222") {
		t.Fatalf("?to= phone: %s", body)
	}
	_, body = get("/dev/outbox.json?to=nobody@example.ru")
	if body != "{\"messages\":[]}\n" {
		t.Fatalf("?to= with no messages: %q", body)
	}
	if code, _ := get("/dev/outbox.json?limit=0"); code != http.StatusBadRequest {
		t.Fatalf("a bad limit: %d", code)
	}

	code, page := get("/dev/outbox")
	if code != 200 || !strings.Contains(page, "<h1>Исходящие сообщения</h1>") || !strings.Contains(page, "3 сообщения") {
		t.Fatalf("outbox page: %d %s", code, page)
	}
	if i, j := strings.Index(page, "222222"), strings.Index(page, "111111"); i < 0 || j < 0 || i > j {
		t.Fatal("the page does not list the newest code first")
	}
	_, page = get("/dev/outbox?to=boris@example.ru", "Cookie", web.LangCookie+"=en")
	if !strings.Contains(page, "<h1>Outgoing messages</h1>") || !strings.Contains(page, "1 message") ||
		strings.Contains(page, "111111") || !strings.Contains(page, `value="boris@example.ru"`) {
		t.Fatalf("English filtered page: %s", page)
	}
}
