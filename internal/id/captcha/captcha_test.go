package captcha

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"os"
	"testing"
)

var seed = [32]byte{1, 2, 3}

// The picture is a PNG of the promised size, the same for the same seed and different for
// another; it has ink where the digits are and is not mostly ink.
func TestImage(t *testing.T) {
	a, err := Image("40719", seed)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Image("40719", seed)
	c, _ := Image("40719", [32]byte{9})
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("the picture must depend on the seed alone")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != Width || r.Dy() != Height {
		t.Fatalf("size %v", r)
	}
	dark := 0
	for y := range Height {
		for x := range Width {
			if g, _, _, _ := img.At(x, y).RGBA(); g < 0x6000 {
				dark++
			}
		}
	}
	if share := float64(dark) / (Width * Height); share < 0.05 || share > 0.4 {
		t.Fatalf("%.0f%% of the picture is dark", share*100)
	}
	if len(a) > 40<<10 {
		t.Fatalf("the picture is %d bytes", len(a))
	}
	if dir := os.Getenv("CAPTCHA_SAMPLES"); dir != "" { // to look at them
		os.WriteFile(dir+"/captcha.png", a, 0o644)
		w, _ := Audio("40719", seed)
		os.WriteFile(dir+"/captcha.wav", w, 0o644)
	}
}

// The sound is a WAV at 8 kHz that lasts about as long as the digits take to say, with
// pauses, and depends on the seed alone.
func TestAudio(t *testing.T) {
	a, err := Audio("58236", seed)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Audio("58236", seed)
	if !bytes.Equal(a, b) {
		t.Fatal("the sound must depend on the seed alone")
	}
	if string(a[:4]) != "RIFF" || string(a[8:16]) != "WAVEfmt " || binary.LittleEndian.Uint32(a[24:]) != SampleRate {
		t.Fatalf("not a WAV at %d Hz: % x", SampleRate, a[:44])
	}
	secs := float64(len(a)-44) / 2 / SampleRate
	if secs < 3 || secs > 9 {
		t.Fatalf("five digits last %.1f s", secs)
	}
}

func TestNotDigits(t *testing.T) {
	for _, s := range []string{"", "12a", "12345678901", "１２"} {
		if _, err := Image(s, seed); err != ErrNotDigits {
			t.Errorf("Image(%q): %v", s, err)
		}
		if _, err := Audio(s, seed); err != ErrNotDigits {
			t.Errorf("Audio(%q): %v", s, err)
		}
	}
}

// Every digit's recording is there, in the format Audio reads, and the set stays small.
func TestDigitRecordings(t *testing.T) {
	vs, err := voices()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for d, v := range vs {
		if len(v) < SampleRate/5 {
			t.Errorf("digit %d lasts %d samples", d, len(v))
		}
		total += 44 + 2*len(v)
	}
	if total > 200<<10 {
		t.Errorf("the recordings take %d bytes", total)
	}
}
