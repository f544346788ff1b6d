package config

import (
	"net/netip"
	"net/url"
	"strings"
)

// checkTransport refuses, in production, the settings that would send what users and
// gateways must keep secret in clear: a public URL over plain HTTP (the session cookie loses
// Secure and HSTS is off) and an SMS gateway over plain HTTP (phone numbers, one-time codes
// and the gateway's credentials on the wire). A host on this machine is excepted, as for SMTP's
// tls=none: a reverse proxy or a relay beside sep.
func (c *Config) checkTransport() error {
	if u := c.PublicURL; u != nil && u.Scheme == "http" && !LoopbackHost(u.Hostname()) {
		return &Error{Setting: "SEP_PUBLIC_URL", Value: c.raw["SEP_PUBLIC_URL"],
			Reason: "production needs https:// (over http:// the session cookie is not Secure and HSTS is off); http:// only for a loopback host (localhost, 127.0.0.0/8, ::1)"}
	}
	if c.SMSGatewayURL != "" {
		u, err := url.Parse(c.SMSGatewayURL)
		if err == nil && u.Scheme == "http" && !LoopbackHost(u.Hostname()) {
			// A secret: the value, with the gateway's credentials, is not repeated.
			return &Error{Setting: "SEP_SMS_GATEWAY_URL",
				Reason: "production needs https:// (over http:// phone numbers, codes and the gateway credentials travel in clear); http:// only for a loopback host (localhost, 127.0.0.0/8, ::1)"}
		}
	}
	return nil
}

// LoopbackHost reports whether host (a URL's Hostname: no port, no brackets) is this machine:
// localhost, 127.0.0.0/8 or ::1. Only such a host may be reached without TLS in production.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
