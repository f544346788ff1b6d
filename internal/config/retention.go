package config

import (
	"strconv"
	"strings"
	"time"
)

// RetentionSettings say how long each kind of stored personal data is kept before the purge
// job (internal/retention) deletes it.
type RetentionSettings struct {
	Codes          time.Duration // one-time codes and their messages
	Messages       time.Duration // other messages and their deliveries
	Inbox          time.Duration // in-cabinet inbox items
	Outbox         time.Duration // the development outbox
	RegistryChecks time.Duration // registry checks superseded by a newer one of the same person and registry
}

var retentionSettings = []setting{
	{flag: "retain-codes", env: "SEP_RETAIN_CODES", def: "1d", arg: "PERIOD",
		usage: "how long one-time codes and their messages are kept (e.g. 1d, 12h)",
		apply: func(c *Config, v string) error { return parsePeriod(v, &c.Retention.Codes) }},
	{flag: "retain-messages", env: "SEP_RETAIN_MESSAGES", def: "90d", arg: "PERIOD",
		usage: "how long other messages (alerts, status changes, test messages) and their deliveries are kept",
		apply: func(c *Config, v string) error { return parsePeriod(v, &c.Retention.Messages) }},
	{flag: "retain-inbox", env: "SEP_RETAIN_INBOX", def: "365d", arg: "PERIOD",
		usage: "how long items of the in-cabinet inbox are kept",
		apply: func(c *Config, v string) error { return parsePeriod(v, &c.Retention.Inbox) }},
	{flag: "retain-outbox", env: "SEP_RETAIN_OUTBOX", def: "7d", arg: "PERIOD",
		usage: "how long the development outbox keeps messages",
		apply: func(c *Config, v string) error { return parsePeriod(v, &c.Retention.Outbox) }},
	{flag: "retain-registry-checks", env: "SEP_RETAIN_REGISTRY_CHECKS", def: "1095d", arg: "PERIOD",
		usage: "how long a registry check is kept once a newer check of the same person and registry exists (the newest is kept while the account needs it)",
		apply: func(c *Config, v string) error { return parsePeriod(v, &c.Retention.RegistryChecks) }},
}

func init() { settings = append(settings, retentionSettings...) }

// parsePeriod reads a retention period: a number of days ("90d") or a duration ("12h"),
// between an hour and a hundred years.
func parsePeriod(v string, dst *time.Duration) error {
	bad := reason("not a period (e.g. 90d, 12h)")
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return bad
		}
		d = time.Duration(n) * 24 * time.Hour
		if n > 36500 {
			return reason("at most 36500d")
		}
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return bad
		}
	}
	if d < time.Hour {
		return reason("at least 1h")
	}
	*dst = d
	return nil
}
