package qr

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A payload of the length of a real seal (see docs/passport-seal.md).
var payload = "SEP1:" + strings.Repeat("6BFOXN*TS0BI$ZDFRH", 17)[:290]

func TestPNGReadBack(t *testing.T) {
	c, err := Encode(payload)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version > 10 {
		t.Errorf("version %d: more than the documented 10", c.Version)
	}
	p, err := c.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Read(bytes.NewReader(p)); err != nil || got != payload {
		t.Fatalf("read back %q, %v", got, err)
	}
	// A photo of a screen: the code small, off-centre, on grey, as JPEG.
	img, _ := png.Decode(bytes.NewReader(p))
	canvas := image.NewRGBA(image.Rect(0, 0, 1400, 1000))
	draw.Draw(canvas, canvas.Bounds(), &image.Uniform{color.Gray{0xc0}}, image.Point{}, draw.Src)
	draw.Draw(canvas, img.Bounds().Add(image.Pt(600, 300)), img, image.Point{}, draw.Src)
	var j bytes.Buffer
	jpeg.Encode(&j, canvas, &jpeg.Options{Quality: 80})
	if got, err := Read(&j); err != nil || got != payload {
		t.Fatalf("JPEG read back %q, %v", got, err)
	}
}

// The independent decoder of Debian's zbar-tools reads our PNG (installed by scripts/test;
// mandatory when CI=true).
func TestZbarReadsPNG(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg not found: install zbar-tools")
		}
		t.Skip("zbarimg not found: install zbar-tools")
	}
	c, _ := Encode(payload)
	p, _ := c.PNG()
	path := filepath.Join(t.TempDir(), "qr.png")
	os.WriteFile(path, p, 0o600)
	out, err := exec.Command(zbar, "--quiet", "--raw", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimRight(string(out), "\n"); got != payload {
		t.Fatalf("zbarimg read %q", got)
	}
}

func TestSVG(t *testing.T) {
	c, _ := Encode(payload)
	s := c.SVG(`QR-код «паспорт» <EP1>`)
	if err := xml.Unmarshal(s, new(struct{})); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if !bytes.Contains(s, []byte("&lt;EP1&gt;")) || !bytes.HasPrefix(s, []byte("<svg ")) {
		t.Fatalf("%s", s[:200])
	}
}

func TestReadRefusals(t *testing.T) {
	if _, err := Read(strings.NewReader("not an image")); !errors.Is(err, ErrNotImage) {
		t.Error(err)
	}
	var blank bytes.Buffer
	png.Encode(&blank, image.NewGray(image.Rect(0, 0, 200, 200)))
	if _, err := Read(&blank); !errors.Is(err, ErrNoCode) {
		t.Error(err)
	}
	// A PNG header claiming 100 000 × 100 000 pixels is refused before decoding.
	var huge bytes.Buffer
	png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := huge.Bytes()
	copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	if _, err := Read(bytes.NewReader(b)); !errors.Is(err, ErrTooLarge) {
		t.Error(err)
	}
}
