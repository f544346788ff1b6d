package config

import "time"

func init() {
	settingCases = append(settingCases, []settingCase{
		{env: "SEP_SIGNIN_LOCK_AFTER", value: "10", ok: func(c *Config) bool { return c.SignIn.LockAfter == 10 }},
		{env: "SEP_SIGNIN_LOCK_AFTER", value: "0", reason: "out of range (1–100)"},
		{env: "SEP_SIGNIN_LOCK_FOR", value: "30m", ok: func(c *Config) bool { return c.SignIn.LockFor == 30*time.Minute }},
		{env: "SEP_SIGNIN_LOCK_FOR", value: "48h", reason: "between 1s and 24h"},
		{env: "SEP_SIGNIN_LOCK_FOR", value: "0", reason: "not a positive duration (e.g. 30s, 2m)"},
		{env: "SEP_SIGNIN_LOCK_MAX", value: "12h", ok: func(c *Config) bool { return c.SignIn.LockMax == 12*time.Hour }},
		{env: "SEP_SIGNIN_LOCK_MAX", value: "1000h", reason: "at most 720h"},
		{env: "SEP_SIGNIN_CAPTCHA_AFTER", value: "1", ok: func(c *Config) bool { return c.SignIn.CaptchaAfter == 1 }},
		{env: "SEP_SIGNIN_CAPTCHA_AFTER", value: "many", reason: "not a whole number"},
		{env: "SEP_SIGNIN_ADDRESS_LIMITS", value: "100/1m,1000/1h", ok: func(c *Config) bool {
			return len(c.SignIn.AddressLimits) == 2 && c.SignIn.AddressLimits[1] == RateLimit{N: 1000, Per: time.Hour}
		}},
		{env: "SEP_SIGNIN_ADDRESS_LIMITS", value: "100", reason: `"100": want COUNT/PERIOD pairs, e.g. 3/10m,10/24h`},
		{env: "SEP_SIGNIN_ADDRESS_LOGIN_LIMITS", value: "5/1m", ok: func(c *Config) bool {
			return len(c.SignIn.AddressLoginLimits) == 1 && c.SignIn.AddressLoginLimits[0] == RateLimit{N: 5, Per: time.Minute}
		}},
		{env: "SEP_SIGNIN_ADDRESS_LOGIN_LIMITS", value: "5/0s", reason: `"5/0s": the period must be between 1s and 744h`},
		{env: "SEP_SMS_SUCCESS", value: `"status":\s*"OK"`, ok: func(c *Config) bool { return c.Notify.SMSSuccess == `"status":\s*"OK"` }},
		{env: "SEP_SMS_SUCCESS", value: `"status":(`, reason: `not a regular expression (Go syntax, e.g. "status":\s*"OK")`},
	}...)
}
