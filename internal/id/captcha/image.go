package captcha

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The picture's size in pixels: wide enough for 6 digits at a readable height.
const (
	Width  = 240
	Height = 80
)

type point struct{ x, y float64 }

// glyphs are the digits' strokes in a unit box (x to the right, y down), drawn as a hand
// would: each digit is one or more polylines.
var glyphs = func() [10][][]point {
	var g [10][][]point
	g[0] = [][]point{arc(0.5, 0.5, 0.32, 0.45, 0, 360)}
	g[1] = [][]point{{{0.25, 0.3}, {0.55, 0.05}, {0.55, 0.95}}, {{0.3, 0.95}, {0.8, 0.95}}}
	g[2] = [][]point{append(arc(0.5, 0.3, 0.3, 0.25, 200, 380), point{0.15, 0.95}, point{0.85, 0.95})}
	g[3] = [][]point{append(arc(0.48, 0.28, 0.3, 0.23, 210, 450), arc(0.48, 0.72, 0.33, 0.23, 270, 500)...)}
	g[4] = [][]point{{{0.68, 0.95}, {0.68, 0.05}, {0.12, 0.68}, {0.9, 0.68}}}
	g[5] = [][]point{append([]point{{0.82, 0.05}, {0.28, 0.05}, {0.22, 0.45}}, arc(0.5, 0.66, 0.32, 0.29, 230, 490)...)}
	g[6] = [][]point{append(arc(0.55, 0.55, 0.45, 0.5, 300, 180), arc(0.5, 0.7, 0.3, 0.25, 180, 540)...)}
	g[7] = [][]point{{{0.12, 0.05}, {0.88, 0.05}, {0.4, 0.95}}, {{0.35, 0.5}, {0.75, 0.5}}}
	g[8] = [][]point{arc(0.5, 0.27, 0.26, 0.22, 90, 450), arc(0.5, 0.72, 0.32, 0.23, 270, 630)}
	g[9] = [][]point{append(arc(0.5, 0.3, 0.3, 0.25, 0, 360), arc(0.45, 0.45, 0.45, 0.5, 0, 120)...)}
	return g
}()

// arc is an elliptic arc from angle a0 to a1 (degrees, 0 to the right, growing clockwise on
// the screen); a1 below a0 runs counter-clockwise.
func arc(cx, cy, rx, ry, a0, a1 float64) []point {
	n := int(math.Abs(a1-a0)/10) + 2
	out := make([]point, n)
	for i := range out {
		a := (a0 + (a1-a0)*float64(i)/float64(n-1)) * math.Pi / 180
		out[i] = point{cx + rx*math.Cos(a), cy + ry*math.Sin(a)}
	}
	return out
}

// Image draws the digits of answer as a PNG of Width×Height: each digit turned, slanted,
// scaled and moved a little, the whole warped by waves, crossed by lines and sprinkled with
// dots, dark on a light background.
func Image(answer string, seed [32]byte) ([]byte, error) {
	if err := checkDigits(answer); err != nil {
		return nil, err
	}
	r := source(seed, 'i')
	ink := newCanvas(Width, Height)
	cell := float64(Width-20) / float64(len(answer))
	size := min(cell*1.25, Height*0.72)
	for i, c := range answer {
		t := transform{
			scale: size * between(r, 0.85, 1.1),
			angle: between(r, -0.35, 0.35),
			shear: between(r, -0.3, 0.3),
			dx:    10 + cell*(float64(i)+0.5) + between(r, -cell*0.12, cell*0.12),
			dy:    Height/2 + between(r, -Height*0.08, Height*0.08),
		}
		width := between(r, 2.6, 4.2)
		for _, stroke := range glyphs[c-'0'] {
			ink.polyline(mapPoints(stroke, t), width, 1)
		}
	}
	// Lines across the digits, thinner than their strokes, so that cutting the picture into
	// digits by its blank columns does not work.
	for range 3 + r.IntN(3) {
		var pts []point
		y0, amp, period, phase := between(r, 15, Height-15), between(r, 5, 18), between(r, 40, 120), between(r, 0, 2*math.Pi)
		for x := -5.0; x <= Width+5; x += 4 {
			pts = append(pts, point{x, y0 + amp*math.Sin(x/period*2*math.Pi+phase)})
		}
		ink.polyline(pts, between(r, 1, 2.2), between(r, 0.55, 0.95))
	}
	// The whole picture warped by two waves, sampled back from the ink.
	ax, px, fx := between(r, 2, 5), between(r, 25, 60), between(r, 0, 2*math.Pi)
	ay, py, fy := between(r, 2, 5), between(r, 30, 80), between(r, 0, 2*math.Pi)
	bg := color.Gray{Y: uint8(between(r, 225, 250))}
	out := image.NewGray(image.Rect(0, 0, Width, Height))
	for y := range Height {
		for x := range Width {
			sx := float64(x) + ax*math.Sin(float64(y)/px*2*math.Pi+fx)
			sy := float64(y) + ay*math.Sin(float64(x)/py*2*math.Pi+fy)
			v := ink.sample(sx, sy)
			shade := float64(bg.Y)*(1-v) + between(r, 10, 70)*v
			if r.IntN(100) < 6 { // dots of noise
				shade = between(r, 60, 200)
			}
			out.SetGray(x, y, color.Gray{Y: uint8(math.Round(shade))})
		}
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type transform struct{ scale, angle, shear, dx, dy float64 }

// mapPoints places a glyph's unit-box points: centred, slanted, turned, scaled, moved.
func mapPoints(ps []point, t transform) []point {
	sin, cos := math.Sincos(t.angle)
	out := make([]point, len(ps))
	for i, p := range ps {
		x, y := (p.x-0.5)*0.62, p.y-0.5 // digits are narrower than tall
		x += t.shear * y
		x, y = x*cos-y*sin, x*sin+y*cos
		out[i] = point{t.dx + x*t.scale, t.dy + y*t.scale}
	}
	return out
}

// canvas is a coverage map: 0 nothing, 1 full ink.
type canvas struct {
	w, h int
	v    []float64
}

func newCanvas(w, h int) *canvas { return &canvas{w: w, h: h, v: make([]float64, w*h)} }

// polyline inks the segments between the points with a round pen of the width, at the
// strength (0–1), antialiased over a pixel.
func (c *canvas) polyline(ps []point, width, strength float64) {
	half := width / 2
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		x0, x1 := int(math.Floor(min(a.x, b.x)-half-1)), int(math.Ceil(max(a.x, b.x)+half+1))
		y0, y1 := int(math.Floor(min(a.y, b.y)-half-1)), int(math.Ceil(max(a.y, b.y)+half+1))
		for y := max(0, y0); y <= min(c.h-1, y1); y++ {
			for x := max(0, x0); x <= min(c.w-1, x1); x++ {
				d := segmentDistance(point{float64(x), float64(y)}, a, b)
				if cover := math.Min(1, math.Max(0, half+0.5-d)) * strength; cover > c.v[y*c.w+x] {
					c.v[y*c.w+x] = cover
				}
			}
		}
	}
}

// sample reads the coverage at a point between pixels (bilinear).
func (c *canvas) sample(x, y float64) float64 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= c.w || y >= c.h {
			return 0
		}
		return c.v[y*c.w+x]
	}
	return at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
}

func segmentDistance(p, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l := dx*dx + dy*dy
	t := 0.0
	if l > 0 {
		t = math.Max(0, math.Min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/l))
	}
	return math.Hypot(p.x-(a.x+t*dx), p.y-(a.y+t*dy))
}
