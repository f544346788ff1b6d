package web

// AllowWithoutCSRFToken lets POST requests to the exact paths through without the anti-forgery
// token: endpoints that servers call, not browsers, and that authenticate each request by
// other means (the ЕСИА token endpoints, whose requests carry the client system's signature).
// The browser's own cross-origin check still applies. Call it before the site serves.
func (s *Site) AllowWithoutCSRFToken(paths ...string) {
	if s.noToken == nil {
		s.noToken = map[string]bool{}
	}
	for _, p := range paths {
		s.noToken[p] = true
	}
}
