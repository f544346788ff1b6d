package notify

import (
	"slices"
	"testing"
)

// The channels and their order (the order a message's deliveries are made in) belong to this
// package: a caller that sorts or overwrites the list it got must not change them.
func TestChannelsCannotBeChangedFromOutside(t *testing.T) {
	want := []Channel{Inbox, Email, SMS, Push}
	if got := Channels(); !slices.Equal(got, want) {
		t.Fatalf("Channels() = %v, want %v", got, want)
	}
	c := Channels()
	slices.Reverse(c)
	c[0] = "fax"
	if got := Channels(); !slices.Equal(got, want) {
		t.Fatalf("after a caller changed its copy, Channels() = %v, want %v", got, want)
	}
}
