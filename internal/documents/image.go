package documents

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"strconv"
)

// Images are checked in two steps. First their header alone (image.DecodeConfig, and the
// resolution from JFIF, Exif or pHYs): dimensions over MaxPixels or MaxSide are an image
// bomb and are refused before a single pixel is decoded. Then they are decoded — a few at a
// time, as a decoded page takes tens of megabytes — checked for colour, and re-encoded, so
// that what is stored holds pixels only: no Exif (with its GPS position and camera serial),
// no comments, no trailing bytes.

// imageHeader is what an image's header tells.
type imageHeader struct {
	width, height int
	dpi           float64 // 0: the file does not say
}

// readImageHeader reads the header of an image of type t from r (the start of the file).
func readImageHeader(r io.Reader, t Type) (imageHeader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// The header lies in the first bytes: JPEG markers before the frame (Exif at most 64 KiB
	// each), PNG chunks before the pixels. Peek what is there for the resolution, then let
	// DecodeConfig read the same bytes.
	head, _ := br.Peek(64 << 10)
	var h imageHeader
	switch t {
	case JPEG:
		h.dpi = jpegDPI(head)
	case PNG:
		h.dpi = pngDPI(head)
	}
	var cfg image.Config
	var err error
	switch t {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(br)
	case PNG:
		cfg, err = png.DecodeConfig(br)
	default:
		return h, errors.New("documents: not an image type")
	}
	if err != nil {
		return h, err
	}
	h.width, h.height = cfg.Width, cfg.Height
	return h, nil
}

// bomb reports whether the dimensions are more than any document needs.
func (h imageHeader) bomb() bool {
	return h.width <= 0 || h.height <= 0 || h.width > MaxSide || h.height > MaxSide ||
		int64(h.width)*int64(h.height) > MaxPixels
}

// jpegDPI reads the resolution from a JPEG's JFIF (APP0) or Exif (APP1) segment.
func jpegDPI(b []byte) float64 {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 0
		}
		marker := b[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // the pixels start: no more metadata
			return 0
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 0
		}
		seg := b[i+4 : i+2+n]
		switch {
		case marker == 0xE0 && len(seg) >= 12 && bytes.HasPrefix(seg, []byte("JFIF\x00")):
			units, x := seg[7], float64(binary.BigEndian.Uint16(seg[8:]))
			y := float64(binary.BigEndian.Uint16(seg[10:]))
			switch units {
			case 1:
				return math.Min(x, y)
			case 2:
				return math.Min(x, y) * 2.54
			}
		case marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			if d := exifDPI(seg[6:]); d > 0 {
				return d
			}
		}
		i += 2 + n
	}
	return 0
}

// exifDPI reads XResolution, YResolution and ResolutionUnit from IFD0 of a TIFF structure.
func exifDPI(t []byte) float64 {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[ifd:]))
	rational := func(off int) float64 {
		if off < 0 || off+8 > len(t) {
			return 0
		}
		num, den := bo.Uint32(t[off:]), bo.Uint32(t[off+4:])
		if den == 0 {
			return 0
		}
		return float64(num) / float64(den)
	}
	x, y, unit := 0.0, 0.0, 2 // the default unit is the inch
	for k := 0; k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		switch bo.Uint16(t[e:]) {
		case 0x011A:
			x = rational(int(bo.Uint32(t[e+8:])))
		case 0x011B:
			y = rational(int(bo.Uint32(t[e+8:])))
		case 0x0128:
			unit = int(bo.Uint16(t[e+8:]))
		}
	}
	d := math.Min(x, y)
	if y == 0 {
		d = x
	}
	if unit == 3 {
		d *= 2.54
	}
	return d
}

// pngDPI reads the pHYs chunk (pixels per metre) before the image data.
func pngDPI(b []byte) float64 {
	for i := 8; i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if typ == "IDAT" || n < 0 || i+12+n > len(b) {
			return 0
		}
		if typ == "pHYs" && n == 9 {
			x := float64(binary.BigEndian.Uint32(b[i+8:]))
			y := float64(binary.BigEndian.Uint32(b[i+12:]))
			if b[i+16] != 1 { // unit unknown: an aspect ratio only
				return 0
			}
			return math.Min(x, y) * 0.0254
		}
		i += 12 + n
	}
	return 0
}

// dpiLabel writes a resolution for a message.
func dpiLabel(d float64) string { return strconv.Itoa(int(math.Round(d))) }

// inColour reports whether an image has colour: a grey colour model says no at once, else a
// sample of up to about 40,000 pixels must hold one whose channels differ visibly.
func inColour(img image.Image) bool {
	switch img.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		return false
	}
	b := img.Bounds()
	step := max(1, int(math.Sqrt(float64(b.Dx())*float64(b.Dy())/40000)))
	const visible = 12 << 8 // of 65535: about 5 % of the range
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step {
			r, g, bl, _ := img.At(x, y).RGBA()
			if diff(r, g) > visible || diff(g, bl) > visible || diff(r, bl) > visible {
				return true
			}
		}
	}
	return false
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// reencode decodes the image of type t from r and writes it anew to w, with its resolution
// (dpi, when known) and nothing else of its metadata; colour tells whether it is in colour
// (asked only when the rule needs it).
func reencode(r io.Reader, t Type, w io.Writer, wantColour bool, dpi float64) (colour bool, err error) {
	var img image.Image
	switch t {
	case JPEG:
		img, err = jpeg.Decode(r)
	case PNG:
		img, err = png.Decode(r)
	default:
		return false, errors.New("documents: not an image type")
	}
	if err != nil {
		return false, err
	}
	colour = !wantColour || inColour(img)
	if !colour {
		return false, nil
	}
	d := uint32(math.Round(dpi))
	switch t {
	case JPEG:
		// Quality 92 keeps a scan legible; a 300 dpi page stays within a few megabytes.
		err = jpeg.Encode(&withDensity{w: w, jpeg: true, dpi: d}, img, &jpeg.Options{Quality: 92})
	case PNG:
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&withDensity{w: w, dpi: d}, img)
	}
	return true, err
}

// withDensity puts the resolution back into what image/jpeg and image/png write (they write
// none): a JFIF APP0 segment after a JPEG's SOI, a pHYs chunk after a PNG's IHDR.
type withDensity struct {
	w    io.Writer
	jpeg bool
	dpi  uint32
	n    int // bytes passed so far
	done bool
}

func (x *withDensity) Write(b []byte) (int, error) {
	if x.done || x.dpi == 0 || x.dpi > 65535 {
		return x.w.Write(b)
	}
	at := 33 // PNG: the signature (8) and IHDR (25)
	if x.jpeg {
		at = 2 // SOI
	}
	if x.n+len(b) < at {
		x.n += len(b)
		return x.w.Write(b)
	}
	k := at - x.n
	if _, err := x.w.Write(b[:k]); err != nil {
		return 0, err
	}
	var seg []byte
	if x.jpeg {
		seg = []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 1, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(seg[12:], uint16(x.dpi))
		binary.BigEndian.PutUint16(seg[14:], uint16(x.dpi))
	} else {
		ppm := uint32(math.Round(float64(x.dpi) / 0.0254))
		seg = make([]byte, 4+4+9+4)
		binary.BigEndian.PutUint32(seg, 9)
		copy(seg[4:], "pHYs")
		binary.BigEndian.PutUint32(seg[8:], ppm)
		binary.BigEndian.PutUint32(seg[12:], ppm)
		seg[16] = 1
		binary.BigEndian.PutUint32(seg[17:], crc32.ChecksumIEEE(seg[4:17]))
	}
	if _, err := x.w.Write(seg); err != nil {
		return 0, err
	}
	x.done = true
	if _, err := x.w.Write(b[k:]); err != nil {
		return 0, err
	}
	return len(b), nil
}
