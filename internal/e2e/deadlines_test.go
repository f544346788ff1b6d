package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// The deadline calendar page without JavaScript, axe-clean in each state: a citizen makes a
// feed (its address shown once), a calendar application fetches it as text/calendar, and
// after the citizen turns it off the address is 404.
func TestDeadlineCalendarInTheBrowser(t *testing.T) {
	sep := Start(t)
	citizen := demoUsers(t, sep)["citizen/standard"]
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)
	b.Open(sep.URL + "/applications")
	b.Submit("#calendar-link")
	b.CheckA11y()
	b.Submit("#feed-new")
	b.CheckA11y()
	feed := b.Attr("#feed-url", "value")
	if !strings.Contains(feed, "/applications/calendar/feed/") {
		t.Fatalf("the feed's address: %q", feed)
	}
	resp, err := http.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("the feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	b.Submit("#feed-revoke")
	b.CheckA11y()
	if b.Text("#feed-state") == "" {
		t.Fatal("no state after revoking")
	}
	resp, err = http.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a revoked feed: %d", resp.StatusCode)
	}
}
