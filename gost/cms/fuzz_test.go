package cms

import (
	"testing"
)

// FuzzParse: parsing and verifying arbitrary bytes never panics, and no
// mutation of a signed message verifies with other content.
func FuzzParse(f *testing.F) {
	s := newSigner(f, "tc26-256-A", "CN=Fuzz,O=Example", nil)
	for _, m := range modes {
		der, err := Sign([]byte("fuzz content"), s.cert, s.key, SignOptions{Detached: m.detached, NoAttributes: m.noAttrib})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			return
		}
		sd.Verify(VerifyOptions{Content: []byte("fuzz content")})
		if _, err := sd.Verify(VerifyOptions{Content: []byte("other content")}); err == nil && sd.Content == nil {
			t.Fatal("a detached signature verified over other content")
		}
	})
}
