package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/seal"
)

// testPDF builds a small well-formed PDF whose page says text; extra goes into the catalog
// dictionary (e.g. "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), trailerExtra into
// the trailer (e.g. "/Encrypt 9 0 R"), and metadata, if not empty, is an XMP stream.
func testPDF(text, extra, trailerExtra, metadata string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	meta := ""
	if metadata != "" {
		meta = " /Metadata 5 0 R"
	}
	obj("<< /Type /Catalog /Pages 2 0 R" + meta + " " + extra + " >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
	content := "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET"
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	if metadata != "" {
		obj(fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(metadata), metadata))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, trailerExtra, xref)
	return b.Bytes()
}

const pdfA1bXMP = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`

// testImage is a w×h picture: a colour gradient, or grey levels only.
func testImage(w, h int, colour bool) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8((x + y) * 255 / (w + h))
			c := color.RGBA{v, v, v, 255}
			if colour {
				c = color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// testJPEG encodes img with a JFIF density of dpi (0: none) and, if exif is not empty, an
// Exif APP1 segment carrying it (a stand-in for a camera's GPS block).
func testJPEG(t testing.TB, img image.Image, dpi int, exif string) []byte {
	t.Helper()
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.Write(enc.Bytes()[:2]) // SOI
	if dpi > 0 {
		seg := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 1, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(seg[12:], uint16(dpi))
		binary.BigEndian.PutUint16(seg[14:], uint16(dpi))
		out.Write(seg)
	}
	if exif != "" {
		// A minimal little-endian TIFF with no IFD entries, and the text after it.
		body := append([]byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"), exif...)
		out.Write([]byte{0xFF, 0xE1, byte((len(body) + 2) >> 8), byte(len(body) + 2)})
		out.Write(body)
	}
	out.Write(enc.Bytes()[2:])
	return out.Bytes()
}

// testPNG encodes img with a pHYs chunk of dpi (0: none).
func testPNG(t testing.TB, img image.Image, dpi int) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := png.Encode(&withDensity{w: &out, dpi: uint32(dpi)}, img); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// pngBomb is a small PNG that declares w×h pixels (its data is a few zero bytes: decoding it
// would need w*h*4 bytes of memory before finding out).
func pngBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		io.WriteString(crc, typ)
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// zipBomb is a ZIP of one entry of n zero bytes: a few kilobytes that inflate to n.
func zipBomb(t testing.TB, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("passport.pdf")
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for i := 0; i < n>>20; i++ {
		w.Write(zero)
	}
	zw.Close()
	return b.Bytes()
}

// eicar is the EICAR antivirus test file, built from parts so that this source file itself is
// not flagged by a scanner on a developer's machine.
var eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$` + `EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// countingReader counts what is read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless is an unending stream of a PDF's first bytes and then filler.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		if e.n < 9 {
			p[i] = "%PDF-1.7\n"[e.n]
		} else {
			p[i] = 'x'
		}
		e.n++
	}
	return len(p), nil
}

// testStore is a store on d with disk storage in a temporary directory.
func testStore(t testing.TB, d *db.DB, scanner Scanner, storage Storage) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	if storage == nil {
		storage = Disk{Dir: dir}
	}
	s, err := New(Options{DB: d, Box: seal.NewBox(seal.GenerateRing(), nil), Storage: storage,
		SpoolDir: filepath.Join(dir, ".spool"), Scanner: scanner})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// readAll opens an accepted document and reads it whole.
func readAll(t testing.TB, s *Store, id string) []byte {
	t.Helper()
	_, rc, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatalf("open %s: %v", id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", id, err)
	}
	return b
}

// filesUnder lists the regular files under dir.
func filesUnder(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}
