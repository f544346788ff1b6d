package e2e

import (
	"strings"
	"testing"
)

// The seeds name Chrome ≥ 80, Firefox ≥ 75, Edge ≥ 85, Safari ≥ 14: an older browser is told so
// on the page, without being turned away, and without JavaScript.
func TestOldBrowserNotice(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.SetUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36")
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/")
	if notice := b.Text(".browser-notice"); !strings.Contains(notice, "Ваш браузер устарел") ||
		!strings.Contains(notice, "Chrome 80, Firefox 75, Edge 85, Safari 14") || !strings.Contains(notice, "файлы cookie") {
		t.Fatalf("old-browser notice = %q", notice)
	}
	if h1 := b.Text("h1"); h1 != "Государственные услуги в электронном виде" {
		t.Fatalf("the old browser did not get the page: h1 = %q", h1)
	}
	checkA11yNoJS(b)

	b.SetUserAgent("")
	b.Open(sep.URL + "/")
	if Eval[bool](b, `document.querySelector(".browser-notice") !== null`) {
		t.Fatal("this Chromium is told that it is outdated")
	}
}

// A form posted without the cookies (they are off, or went away when the browser was closed)
// gets a page saying how to turn cookies on; the page sets a fresh cookie, so the form works
// once they are on.
func TestFormWithoutCookiesPage(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/")
	b.ClearCookies()
	b.Click(".lang-switch button")
	b.WaitFor("ol.steps")
	if h1 := b.Text("h1"); h1 != "Включите файлы cookie" {
		t.Fatalf("h1 = %q", h1)
	}
	if lead := b.Text("main .lead"); !strings.Contains(lead, "браузер не передал файлы cookie") {
		t.Fatalf("lead = %q", lead)
	}
	if steps := b.Text("ol.steps"); !strings.Contains(steps, "Firefox") || !strings.Contains(steps, "Safari") || !strings.Contains(steps, "Chrome") {
		t.Fatalf("steps = %q", steps)
	}
	checkA11yNoJS(b)
	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="en"] h1`)
	if h1 := b.Text("h1"); h1 != "Public services online" {
		t.Fatalf("the language switch on the cookies page did not lead back to the home page: h1 = %q", h1)
	}
}

// A form sent with a method its address does not take gets a 405 page, not "not found".
func TestWrongMethodPage(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.Open(sep.URL + "/")
	Eval[bool](b, `(() => {
		const f = document.createElement("form"); f.method = "post"; f.action = "/maintenance";
		f.append(document.querySelector(".lang-switch input[name=csrf_token]").cloneNode());
		document.body.append(f); f.submit(); return true })()`)
	b.WaitFor(`main p.muted`) // the error page's reference line, which the home page lacks
	if h1 := b.Text("h1"); h1 != "Запрос не поддерживается" {
		t.Fatalf("h1 = %q", h1)
	}
	if lead := b.Text("main .lead"); !strings.Contains(lead, "не принимает такой запрос") {
		t.Fatalf("lead = %q", lead)
	}
	b.CheckA11y()
}
