//go:build windows || plan9

package audit

import "errors"

func openSyslog(string) (Sink, error) {
	return nil, errors.New("syslog is not available on this system; use a file or a witness")
}
