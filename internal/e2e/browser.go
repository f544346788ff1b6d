package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser is a headless Chromium tab for one test.
type Browser struct {
	t     testing.TB
	Ctx   context.Context
	ownUA string // Chromium's own User-Agent, once SetUserAgent changed it
	noJS  bool   // the page's scripts are off (DisableJavaScript)
}

// withScripts runs f with script execution on — the test's own evaluation (axe-core, Eval)
// needs it — and turns it off again if the journey has it off.
func (b *Browser) withScripts(f func()) {
	b.t.Helper()
	if b.noJS {
		b.setScripts(false)
		defer b.setScripts(true)
	}
	f()
}

// NewBrowser starts Chromium with an empty profile and closes it when the test ends.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		need(t, "Chromium", "apt-get install chromium, or run ./scripts/test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &Browser{t: t, Ctx: ctx}
}

func chromiumPath() string {
	if p := os.Getenv("SEP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Do runs chromedp actions in order, failing the test on error.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// Value runs one chromedp action that returns a value, failing the test on error.
func Value[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, a)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// Open navigates to url and waits for the page's main landmark.
func (b *Browser) Open(url string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main")))
}

// Click clicks the element matching the CSS selector.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	b.Do(chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
}

// Submit clicks the element matching the CSS selector — a submit button or a link — and waits
// until the page it leads to has loaded (not merely until an element is visible, which the
// page being left may have too).
func (b *Browser) Submit(selector string) {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.Ctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible)); err != nil {
		b.t.Fatal(err)
	}
	b.Do(chromedp.WaitVisible(chromedp.CSS("main")))
}

// WaitFor waits until an element matching the CSS selector is visible.
func (b *Browser) WaitFor(selector string) {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS(selector)))
}

// Text returns the visible text of the first element matching the CSS selector.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	return strings.TrimSpace(Value(b, chromedp.Text(chromedp.CSS(selector))))
}

// Attr returns an attribute of the first element matching the CSS selector.
func (b *Browser) Attr(selector, name string) string {
	b.t.Helper()
	return Value(b, chromedp.AttributeValue(chromedp.CSS(selector), name)).Value
}

// Eval evaluates a JavaScript expression in the page (also while the page's own scripts are
// off: the test's evaluation is not the page's).
func Eval[T any](b *Browser, expression string) (v T) {
	b.t.Helper()
	b.withScripts(func() { v = Value(b, chromedp.Evaluate[T](expression)) })
	return v
}

// DisableJavaScript turns script execution off (or on again) for the pages that follow, to
// check that a journey works without JavaScript.
func (b *Browser) DisableJavaScript(off bool) {
	b.t.Helper()
	b.noJS = off
	b.setScripts(off)
}

func (b *Browser) setScripts(off bool) {
	b.t.Helper()
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	}))
}

// SetUserAgent makes the tab send ua as its User-Agent (empty: Chromium's own again), to see
// pages as another browser would get them.
func (b *Browser) SetUserAgent(ua string) {
	b.t.Helper()
	if b.ownUA == "" {
		b.ownUA = Eval[string](b, "navigator.userAgent")
	}
	if ua == "" {
		ua = b.ownUA
	}
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua})
		return err
	}))
}

// ClearCookies deletes every cookie of the browser, as if the visitor had cookies off or had
// closed the browser since the page was shown.
func (b *Browser) ClearCookies() {
	b.t.Helper()
	b.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

var (
	axeOnce   sync.Once
	axeSource string
)

// A11yViolation is one failed axe-core rule with the elements that fail it.
type A11yViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// CheckA11y runs axe-core on the current page and fails the test on any violation of any rule
// (WCAG 2.1 A and AA and axe's best practices).
func (b *Browser) CheckA11y() {
	b.t.Helper()
	axeOnce.Do(func() {
		src, err := os.ReadFile(filepath.Join(repoRoot(), "node_modules", "axe-core", "axe.min.js"))
		if err == nil {
			axeSource = string(src)
		}
	})
	if axeSource == "" {
		need(b.t, "axe-core", "npm ci at the repository root, or run ./scripts/test")
	}
	var text string
	b.withScripts(func() {
		if !Value(b, chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
			Value(b, chromedp.Evaluate[bool](axeSource+";true"))
		}
		text = Value(b, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`,
			chromedp.EvalAwaitPromise))
	})
	var violations []A11yViolation
	if err := json.Unmarshal([]byte(text), &violations); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	if len(violations) == 0 {
		return
	}
	url, _ := chromedp.Run(b.Ctx, chromedp.Location())
	var sb strings.Builder
	for _, v := range violations {
		fmt.Fprintf(&sb, "\n  %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "\n      at %v", n.Target)
		}
	}
	b.t.Errorf("accessibility violations on %s:%s", url, sb.String())
}
