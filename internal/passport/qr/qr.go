// Package qr draws a passport seal's payload as a QR code (PNG and SVG) and reads one back
// from a photo or a screenshot. The matrix comes from github.com/skip2/go-qrcode; the SVG is
// written here from its bitmap; reading uses github.com/makiuchi-d/gozxing.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // uploads: screenshots come as PNG, photos as JPEG, sometimes GIF
	_ "image/jpeg" //
	_ "image/png"  //
	"io"
	"strings"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"
)

// Level is the error correction of passport QR codes: M (15 % of the code may be lost), the
// balance between a small symbol (a phone reads it from a screen) and a scratched print.
const Level = qrcode.Medium

// ModulePixels is the size of one module in the PNG: 8 px, so that a version 10 symbol with
// its quiet zone is 520 px wide.
const ModulePixels = 8

// Code is an encoded QR symbol.
type Code struct {
	Version int
	Modules int // modules on a side, without the quiet zone
	q       *qrcode.QRCode
}

// Encode makes the QR symbol of a payload (alphanumeric mode for a Base45 payload).
func Encode(payload string) (*Code, error) {
	q, err := qrcode.New(payload, Level)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return &Code{Version: q.VersionNumber, Modules: 17 + 4*q.VersionNumber, q: q}, nil
}

// PNG draws the symbol with ModulePixels per module and a quiet zone of 4 modules.
func (c *Code) PNG() ([]byte, error) { return c.q.PNG(-ModulePixels) }

// SVG draws the symbol as a scalable image: one path of the dark modules, row runs merged, on
// a white square with the quiet zone; title names it for screen readers.
func (c *Code) SVG(title string) []byte {
	bits := c.q.Bitmap() // with the 4-module quiet zone
	n := len(bits)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img">`,
		n, n, n*ModulePixels, n*ModulePixels)
	b.WriteString("<title>")
	xmlEscape(&b, title)
	b.WriteString("</title>")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	b.WriteByte('\n')
	return b.Bytes()
}

func xmlEscape(b *bytes.Buffer, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	r.WriteString(b, s)
}

// MaxPixels bounds the images Read decodes: a 50-megapixel phone photo; larger images are
// refused before their pixels are decoded.
const MaxPixels = 50_000_000

// Errors of Read.
var (
	ErrNotImage = errors.New("qr: not a PNG, JPEG or GIF image")
	ErrTooLarge = errors.New("qr: the image is too large")
	ErrNoCode   = errors.New("qr: no QR code found in the image")
)

// Read finds a QR code in an image and returns its text.
func Read(r io.Reader) (string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return "", ErrTooLarge
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", ErrNotImage
	}
	return ReadImage(img)
}

// ReadImage finds a QR code in a decoded image.
func ReadImage(img image.Image) (text string, err error) {
	defer func() {
		// The decoder is third-party code fed with anyone's pixels: a panic in it is "no code".
		if recover() != nil {
			text, err = "", ErrNoCode
		}
	}()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", ErrNoCode
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", ErrNoCode
	}
	return res.GetText(), nil
}
