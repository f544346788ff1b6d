package provider

import (
	"slices"
	"strconv"
	"strings"
)

// scopes are the person scopes the provider knows, as ЕСИА names them; each has a catalog
// text "provider.scope.<name>" that the consent page lists.
var scopes = []string{"openid", "fullname", "birthdate", "gender", "snils", "inn", "id_doc", "birthplace",
	"email", "mobile", "contacts", "addresses", "usr_org"}

func knownScope(s string) bool { return slices.Contains(scopes, s) }

// parseScope splits a scope parameter (space-separated; ЕСИА clients send single spaces, some
// a plus that a form decoder turned into one) into names, without repeats.
func parseScope(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// scopeWithOID is the scope claim of an access token: each name with ?oid=N, as ЕСИА writes it.
func scopeWithOID(names []string, oid int64) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "?oid=" + strconv.FormatInt(oid, 10)
	}
	return strings.Join(parts, " ")
}

// covers reports whether the scopes granted include every one asked.
func covers(granted, asked []string) bool {
	for _, a := range asked {
		if !slices.Contains(granted, a) {
			return false
		}
	}
	return true
}

// has reports whether any of want is among the scopes.
func has(scope []string, want ...string) bool {
	for _, w := range want {
		if slices.Contains(scope, w) {
			return true
		}
	}
	return false
}
