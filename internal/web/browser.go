package web

import (
	"strconv"
	"strings"
)

// supported are the oldest browser versions sep supports, as the user guide names them.
var supported = []struct {
	name string
	min  int
}{{"Chrome", 80}, {"Firefox", 75}, {"Edge", 85}, {"Safari", 14}}

// supportedBrowsers lists them for the old-browser notice: "Chrome 80, Firefox 75, …".
func supportedBrowsers() string {
	var b strings.Builder
	for i, s := range supported {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.name + " " + strconv.Itoa(s.min))
	}
	return b.String()
}

// OutdatedBrowser reports whether the User-Agent names a browser older than the supported
// ones, or Internet Explorer, which is not supported at all. Browsers it cannot tell (robots,
// command-line clients, rare browsers) are not called outdated: the notice is a hint, never a
// barrier.
func OutdatedBrowser(userAgent string) bool {
	name, major := browserOf(userAgent)
	if name == "Internet Explorer" {
		return true
	}
	for _, s := range supported {
		if s.name == name {
			return major < s.min
		}
	}
	return false
}

// browserOf names the browser family whose version decides what a page can use, and its major
// version; "" when unknown. Browsers built on Chromium (Opera, Yandex Browser, Samsung
// Internet) are judged by the Chrome version they carry, and every browser on iOS by the iOS
// version, because there they all run the system's Safari engine.
func browserOf(ua string) (name string, major int) {
	version := func(token string) int {
		i := strings.Index(ua, token)
		if i < 0 {
			return -1
		}
		return leadingInt(ua[i+len(token):])
	}
	switch {
	case strings.Contains(ua, "Trident/") || strings.Contains(ua, "MSIE "):
		return "Internet Explorer", version("MSIE ")
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad") || strings.Contains(ua, "iPod"):
		if v := version(" OS "); v > 0 {
			return "Safari", v
		}
		return "", 0
	}
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"Edge/", "Edge"},
		{"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Chromium/", "Chrome"},
	} {
		if v := version(b.token); v >= 0 {
			return b.name, v
		}
	}
	if strings.Contains(ua, "Safari/") {
		if v := version("Version/"); v >= 0 {
			return "Safari", v
		}
	}
	return "", 0
}

// leadingInt reads the digits at the start of s; -1 if there are none.
func leadingInt(s string) int {
	n, i := 0, 0
	for ; i < len(s) && i < 6 && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if i == 0 {
		return -1
	}
	return n
}
