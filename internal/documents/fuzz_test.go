package documents

import (
	"bytes"
	"io"
	"testing"

	"github.com/sep-platform/sep/internal/seal"
)

// FuzzChecks feeds arbitrary bytes to every parser of an upload: none may panic, and a file
// judged a PDF or an image is judged without error.
func FuzzChecks(f *testing.F) {
	f.Add(testPDF("fictitious", "", "", pdfA1bXMP))
	f.Add(testPDF("x", "/JS (x)", "/Encrypt 1 0 R", ""))
	f.Add(testJPEG(f, testImage(8, 8, true), 300, "GPS"))
	f.Add(testPNG(f, testImage(8, 8, true), 300))
	f.Add(pngBomb(1<<20, 1<<20))
	f.Fuzz(func(t *testing.T, b []byte) {
		head := b[:min(len(b), sniffSize)]
		typ, _ := sniff(head, Rule{})
		p := newPDFCheck()
		for i := 0; i < len(b); i += 7 { // odd-sized writes cross every boundary
			p.Write(b[i:min(len(b), i+7)])
		}
		p.verdict(Rule{PDFA: true})
		jpegDPI(b)
		pngDPI(b)
		if typ == JPEG || typ == PNG {
			if h, err := readImageHeader(bytes.NewReader(b), typ); err == nil && !h.bomb() && h.width*h.height < 1<<20 {
				reencode(bytes.NewReader(b), typ, io.Discard, true, h.dpi)
			}
		}
	})
}

// FuzzOpenSealed: arbitrary bytes never open as a sealed document, and never panic.
func FuzzOpenSealed(f *testing.F) {
	box := seal.NewBox(seal.GenerateRing(), nil)
	f.Add(sealBytes(f, box, "doc", []byte("fictitious")))
	f.Add([]byte("SEPD\x01\x10"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := openReader(bytes.NewReader(b), box, "doc")
		if err != nil {
			return
		}
		if _, err := io.ReadAll(r); err == nil && !bytes.HasPrefix(b, sealBytes(t, box, "doc", nil)[:4]) {
			t.Fatal("a file without the magic opened")
		}
	})
}
