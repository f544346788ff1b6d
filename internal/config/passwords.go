package config

import (
	"strconv"
	"strings"
	"time"
)

// PasswordSettings are the password rules an operator may set.
type PasswordSettings struct {
	// MaxAge is how long a password may be used before sign-in asks for a new one; 0 (the
	// default) is never. The account page advises a change after 180 days either way.
	MaxAge time.Duration
}

var passwordSettings = []setting{
	{flag: "password-max-age", env: "SEP_PASSWORD_MAX_AGE", def: "0", arg: "DAYS",
		usage: "days a password may be used; when they have passed, the next sign-in asks for a new one before the session starts (0: passwords do not expire)",
		apply: func(c *Config, v string) error { return parseDays(v, &c.Passwords.MaxAge) }},
}

func init() { settings = append(settings, passwordSettings...) }

// parseDays reads a whole number of days, "90" or "90d", from 0 to 3650.
func parseDays(v string, dst *time.Duration) error {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), "d"))
	if err != nil || n < 0 {
		return reason("not a number of days (e.g. 90; 0 is off)")
	}
	if n > 3650 {
		return reason("at most 3650 days")
	}
	*dst = time.Duration(n) * 24 * time.Hour
	return nil
}
