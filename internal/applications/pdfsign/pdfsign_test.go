package pdfsign

import (
	"bytes"
	"testing"
	"time"
)

// Inputs Sign does not know how to update are refused, never half-signed.
func TestSignRefuses(t *testing.T) {
	sign := func(b []byte) ([]byte, error) { return []byte{0x30, 0}, nil }
	for name, pdf := range map[string][]byte{
		"empty":       nil,
		"no xref":     []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
		"xref stream": []byte("%PDF-1.5\n1 0 obj\n<</Type /XRef>>\nstream\nendstream\nendobj\nstartxref\n9\n%%EOF\n"),
	} {
		if _, err := Sign(pdf, time.Now(), "r", sign); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}

// Signature finds nothing in a file without one, and refuses byte ranges that do not cover
// the whole file around one hex string.
func TestSignatureRefuses(t *testing.T) {
	for name, pdf := range map[string][]byte{
		"none":      []byte("%PDF-1.4\n%%EOF\n"),
		"short":     []byte("/ByteRange [0 10 20 999] /Contents <30>"),
		"not a gap": []byte("/ByteRange [0 1 3 36]/Contents <3000>" + "xxxxxx"),
	} {
		if _, _, err := Signature(pdf); err == nil {
			t.Errorf("%s: a signature found", name)
		}
	}
}

// Signature never panics, whatever the file.
func FuzzSignature(f *testing.F) {
	f.Add([]byte("/ByteRange [0 11 15 0]/Contents <3000>"))
	f.Add(bytes.Repeat([]byte("/ByteRange [0 1 2 3]"), 3))
	f.Fuzz(func(t *testing.T, b []byte) { Signature(b) })
}
