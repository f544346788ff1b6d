package web

import (
	"strconv"
	"strings"
)

// Agent is what a person recognises of a browser by its User-Agent: the browser with its major
// version ("Chrome 156") and the operating system ("Windows"); either is "" when the
// User-Agent does not tell. It is shown, never trusted: a User-Agent is whatever the client says.
type Agent struct {
	Browser string
	OS      string
}

// ParseAgent reads a User-Agent the simple way: the brands built on Chromium or on iOS's engine
// first (they carry the other browsers' tokens too), then the families browserOf knows.
func ParseAgent(ua string) Agent {
	a := Agent{OS: osOf(ua)}
	for _, b := range []struct{ token, name string }{
		{"YaBrowser/", "Yandex Browser"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"CriOS/", "Chrome"}, {"FxiOS/", "Firefox"}, {"EdgiOS/", "Edge"},
	} {
		if v := versionAfter(ua, b.token); v >= 0 {
			a.Browser = b.name + " " + strconv.Itoa(v)
			return a
		}
	}
	name, major := browserOf(ua)
	switch {
	case name == "":
	case name == "Safari":
		// On iOS browserOf gives the system's version; Safari's own is after "Version/".
		if v := versionAfter(ua, "Version/"); v >= 0 {
			a.Browser = "Safari " + strconv.Itoa(v)
		} else {
			a.Browser = "Safari"
		}
	case major > 0:
		a.Browser = name + " " + strconv.Itoa(major)
	default:
		a.Browser = name
	}
	return a
}

// osOf names the operating system of a User-Agent; "" when unknown.
func osOf(ua string) string {
	switch {
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPod"):
		return "iOS"
	case strings.Contains(ua, "iPad"):
		return "iPadOS"
	case strings.Contains(ua, "Android"):
		return "Android"
	case strings.Contains(ua, "CrOS"):
		return "ChromeOS"
	case strings.Contains(ua, "Windows"):
		return "Windows"
	case strings.Contains(ua, "Mac OS X") || strings.Contains(ua, "Macintosh"):
		return "macOS"
	case strings.Contains(ua, "Linux") || strings.Contains(ua, "X11"):
		return "Linux"
	}
	return ""
}

// versionAfter reads the number right after token in ua; -1 when the token is not there.
func versionAfter(ua, token string) int {
	i := strings.Index(ua, token)
	if i < 0 {
		return -1
	}
	return leadingInt(ua[i+len(token):])
}
