package config

import (
	"regexp"
	"time"
)

// SignInSettings are the limits of sign-in (internal/id throttle.go): how many failures lock a
// login and for how long, when a CAPTCHA is asked, how many attempts one address may make.
type SignInSettings struct {
	LockAfter          int
	LockFor            time.Duration
	LockMax            time.Duration
	CaptchaAfter       int
	AddressLimits      []RateLimit
	AddressLoginLimits []RateLimit
}

var signInSettings = []setting{
	{flag: "signin-lock-after", env: "SEP_SIGNIN_LOCK_AFTER", def: "5", arg: "N",
		usage: "failed sign-ins (wrong passwords and wrong second-factor codes) of one login that lock its password sign-in",
		apply: func(c *Config, v string) error { return parseInt(v, 1, 100, &c.SignIn.LockAfter) }},
	{flag: "signin-lock-for", env: "SEP_SIGNIN_LOCK_FOR", def: "15m", arg: "DURATION",
		usage: "how long the first lock of a login lasts; each lock in a row (until a successful sign-in or a recovery) lasts twice the last",
		apply: func(c *Config, v string) error {
			if err := parsePositiveDuration(v, &c.SignIn.LockFor); err != nil {
				return err
			}
			if c.SignIn.LockFor < time.Second || c.SignIn.LockFor > 24*time.Hour {
				return reason("between 1s and 24h")
			}
			return nil
		}},
	{flag: "signin-lock-max", env: "SEP_SIGNIN_LOCK_MAX", def: "24h", arg: "DURATION",
		usage: "the longest lock of a login: locks never last longer, so nobody can lock a person out for good",
		apply: func(c *Config, v string) error {
			if err := parsePositiveDuration(v, &c.SignIn.LockMax); err != nil {
				return err
			}
			if c.SignIn.LockMax > 30*24*time.Hour {
				return reason("at most 720h")
			}
			return nil
		}},
	{flag: "signin-captcha-after", env: "SEP_SIGNIN_CAPTCHA_AFTER", def: "3", arg: "N",
		usage: "failed sign-ins of one login, or from one address within an hour, after which a CAPTCHA is asked",
		apply: func(c *Config, v string) error { return parseInt(v, 1, 100, &c.SignIn.CaptchaAfter) }},
	{flag: "signin-address-limits", env: "SEP_SIGNIN_ADDRESS_LIMITS", def: "30/1m", arg: "LIMITS",
		usage: "most sign-in attempts from one client address (an IPv6 /64): COUNT/PERIOD pairs; keep them generous, a carrier's subscribers may share one address",
		apply: func(c *Config, v string) error { return parseLimits(v, &c.SignIn.AddressLimits) }},
	{flag: "signin-address-login-limits", env: "SEP_SIGNIN_ADDRESS_LOGIN_LIMITS", def: "10/1m", arg: "LIMITS",
		usage: "most sign-in attempts at one login from one client address: COUNT/PERIOD pairs",
		apply: func(c *Config, v string) error { return parseLimits(v, &c.SignIn.AddressLoginLimits) }},
	{flag: "sms-success", env: "SEP_SMS_SUCCESS", arg: "REGEXP",
		usage: `a regular expression (Go syntax) the SMS gateway's answer body must match for a message to count as sent, e.g. "sms_id"\s*: for SMS.ru or "status":\s*"OK" — many gateways answer HTTP 200 with an error in the body; empty: any 2xx answer is success`,
		apply: func(c *Config, v string) error {
			if _, err := regexp.Compile(v); err != nil {
				return reason("not a regular expression (Go syntax, e.g. \"status\":\\s*\"OK\")")
			}
			c.Notify.SMSSuccess = v
			return nil
		}},
}

func init() { settings = append(settings, signInSettings...) }
