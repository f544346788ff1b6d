package id

import (
	"strings"
)

// UserAgent is what a person recognises of a browser's User-Agent header: the browser and the
// operating system, each with its major version where the header tells it truthfully. It is
// a description for the security page and the new-device alert, not a fingerprint: nothing is
// decided by it.
type UserAgent struct {
	Browser        string // a code: chrome, firefox, safari, yandex, edge, opera, samsung, other
	BrowserVersion string // the major version, e.g. "131"; empty if unknown
	OS             string // a code: windows, macos, ios, ipados, android, linux, chromeos, other
	OSVersion      string // e.g. "17.4" for iOS, "14" for Android; empty if unknown or frozen
}

// The browsers are tried in this order: browsers built on Chromium name Chrome (and Safari)
// too, so the more specific tokens come first.
var browserTokens = []struct{ token, code string }{
	{"YaBrowser/", "yandex"},
	{"YaSearchBrowser/", "yandex"},
	{"Edg/", "edge"},
	{"EdgA/", "edge"},
	{"EdgiOS/", "edge"},
	{"OPR/", "opera"},
	{"OPiOS/", "opera"},
	{"SamsungBrowser/", "samsung"},
	{"Firefox/", "firefox"},
	{"FxiOS/", "firefox"},
	{"CriOS/", "chrome"},
	{"Chrome/", "chrome"},
}

// ParseUserAgent describes a User-Agent header. Anything it does not know is "other".
func ParseUserAgent(ua string) UserAgent {
	u := UserAgent{Browser: "other", OS: "other"}
	ua = clipText(ua, 512)
	for _, b := range browserTokens {
		if i := strings.Index(ua, b.token); i >= 0 {
			u.Browser, u.BrowserVersion = b.code, majorVersion(ua[i+len(b.token):])
			break
		}
	}
	if u.Browser == "other" && strings.Contains(ua, "Safari/") {
		if i := strings.Index(ua, "Version/"); i >= 0 {
			u.Browser, u.BrowserVersion = "safari", majorVersion(ua[i+len("Version/"):])
		}
	}
	switch {
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPod"):
		u.OS, u.OSVersion = "ios", appleVersion(ua)
	case strings.Contains(ua, "iPad"):
		u.OS, u.OSVersion = "ipados", appleVersion(ua)
	case strings.Contains(ua, "Android"):
		u.OS = "android"
		if i := strings.Index(ua, "Android "); i >= 0 {
			u.OSVersion = dottedVersion(ua[i+len("Android "):], 1)
		}
	case strings.Contains(ua, "Windows"):
		u.OS = "windows" // Windows 10 and 11 both say "NT 10.0": no version is better than a wrong one
	case strings.Contains(ua, "CrOS"):
		u.OS = "chromeos"
	case strings.Contains(ua, "Macintosh") || strings.Contains(ua, "Mac OS X"):
		u.OS = "macos" // browsers freeze the version at 10.15.7
	case strings.Contains(ua, "Linux") || strings.Contains(ua, "X11"):
		u.OS = "linux"
	}
	return u
}

// String is the description in the browsers' own names, e.g. "Firefox 133, Linux": for the
// alert, whose text is in the recipient's language around it.
func (u UserAgent) String() string {
	b := browserNames[u.Browser]
	if b == "" {
		b = "?"
	}
	if u.BrowserVersion != "" {
		b += " " + u.BrowserVersion
	}
	o := osNames[u.OS]
	if o == "" {
		return b
	}
	if u.OSVersion != "" {
		o += " " + u.OSVersion
	}
	return b + ", " + o
}

// Brand names, the same in every language (pages show the catalog's "id.devices.browser.*").
var (
	browserNames = map[string]string{"chrome": "Chrome", "firefox": "Firefox", "safari": "Safari", "yandex": "Yandex Browser",
		"edge": "Edge", "opera": "Opera", "samsung": "Samsung Internet"}
	osNames = map[string]string{"windows": "Windows", "macos": "macOS", "ios": "iOS", "ipados": "iPadOS",
		"android": "Android", "linux": "Linux", "chromeos": "ChromeOS"}
)

// majorVersion reads the digits at the start of s.
func majorVersion(s string) string {
	n := 0
	for n < len(s) && n < 6 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return s[:n]
}

// dottedVersion reads up to dots+1 dotted numbers at the start of s ("14", "17.4").
func dottedVersion(s string, dots int) string {
	n, seen := 0, 0
	for n < len(s) && n < 12 {
		c := s[n]
		if c == '.' || c == '_' {
			if seen == dots || n+1 >= len(s) || s[n+1] < '0' || s[n+1] > '9' {
				break
			}
			seen++
		} else if c < '0' || c > '9' {
			break
		}
		n++
	}
	return strings.ReplaceAll(s[:n], "_", ".")
}

// appleVersion reads "OS 17_4 like Mac OS X" as "17.4".
func appleVersion(ua string) string {
	i := strings.Index(ua, " OS ")
	if i < 0 {
		return ""
	}
	return dottedVersion(ua[i+len(" OS "):], 1)
}
