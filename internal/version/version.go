// Package version tells which build of sep is running.
package version

import "runtime/debug"

// Version is set at link time (-ldflags "-X github.com/sep-platform/sep/internal/version.Version=v1.2.3");
// otherwise it is taken from the module build information, or "dev".
var Version = ""

// String returns the version of this build.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
