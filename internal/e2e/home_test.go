package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestHomePageAndLanguageSwitch(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)

	b.Open(sep.URL + "/")
	if lang := b.Attr("html", "lang"); lang != "ru" {
		t.Fatalf(`<html lang=%q>, want "ru"`, lang)
	}
	if h1 := b.Text("h1"); h1 != "Государственные услуги в электронном виде" {
		t.Fatalf("h1 = %q", h1)
	}
	if banner := b.Text(".demo-banner"); !strings.Contains(banner, "Демонстрационный режим") {
		t.Fatalf("demo banner = %q", banner)
	}
	b.CheckA11y()

	// The switch is a plain form: it must work with JavaScript off.
	b.DisableJavaScript(true)
	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="en"] h1`)
	if h1 := b.Text("h1"); h1 != "Public services online" {
		t.Fatalf("after switching to English h1 = %q", h1)
	}
	if banner := b.Text(".demo-banner"); !strings.Contains(banner, "Demo mode") {
		t.Fatalf("English demo banner = %q", banner)
	}
	b.DisableJavaScript(false)
	b.CheckA11y()

	// The choice sticks across pages, including error pages.
	b.Open(sep.URL + "/no-such-page")
	if h1 := b.Text("h1"); h1 != "Page not found" {
		t.Fatalf("English 404 h1 = %q", h1)
	}
	b.CheckA11y()

	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="ru"] h1`)
	if h1 := b.Text("h1"); h1 != "Страница не найдена" {
		t.Fatalf("after switching back, on the 404 page h1 = %q", h1)
	}
	b.CheckA11y()
}

func TestHomePageFitsAPhone(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.Do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.Open(sep.URL + "/")
	if Eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Fatal("the home page scrolls sideways on a 360 px wide phone")
	}
	b.CheckA11y()
}
