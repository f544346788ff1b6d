//go:build ignore

// mkdigits makes digits/0.wav … digits/9.wav, the Russian names of the digits that the audio
// CAPTCHA strings together, with espeak-ng (Debian package espeak-ng): each word is spoken at
// espeak-ng's 22 050 Hz, its silent ends trimmed, low-passed and resampled to 8 kHz mono
// 16-bit PCM. Run it from this directory: go run mkdigits.go
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
)

var words = [10]string{"ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}

const outRate = 8000

func main() {
	for d, w := range words {
		raw, err := exec.Command("espeak-ng", "-v", "ru", "-s", "140", "--stdout", w).Output()
		if err != nil {
			fail(err)
		}
		rate, pcm, err := readWAV(raw)
		if err != nil {
			fail(err)
		}
		out := resample(trim(pcm), rate, outRate)
		if err := os.WriteFile(fmt.Sprintf("digits/%d.wav", d), writeWAV(out, outRate), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkdigits:", err)
	os.Exit(1)
}

// readWAV reads a mono 16-bit PCM WAV as espeak-ng writes it (its --stdout sizes may be 0).
func readWAV(b []byte) (int, []float64, error) {
	if len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, nil, fmt.Errorf("not a WAV")
	}
	rate := int(binary.LittleEndian.Uint32(b[24:28]))
	p := 12
	for p+8 <= len(b) {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		p += 8
		if id == "data" {
			data := b[p:]
			if n > 0 && n < len(data) {
				data = data[:n]
			}
			out := make([]float64, len(data)/2)
			for i := range out {
				out[i] = float64(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
			}
			return rate, out, nil
		}
		p += n
	}
	return 0, nil, fmt.Errorf("no data chunk")
}

// trim drops the near-silent start and end, keeping 20 ms either side.
func trim(s []float64) []float64 {
	const floor = 0.01
	lo, hi := 0, len(s)
	for lo < hi && math.Abs(s[lo]) < floor {
		lo++
	}
	for hi > lo && math.Abs(s[hi-1]) < floor {
		hi--
	}
	pad := 441
	return s[max(0, lo-pad):min(len(s), hi+pad)]
}

// resample low-passes below the new Nyquist frequency with a windowed sinc and takes samples
// at the new rate.
func resample(s []float64, from, to int) []float64 {
	ratio := float64(from) / float64(to)
	cutoff := 0.45 / ratio // of the source rate
	const taps = 32
	n := int(float64(len(s)) / ratio)
	out := make([]float64, n)
	for i := range out {
		c := float64(i) * ratio
		var sum, wsum float64
		for k := int(c) - taps; k <= int(c)+taps; k++ {
			if k < 0 || k >= len(s) {
				continue
			}
			x := float64(k) - c
			w := 0.5 + 0.5*math.Cos(math.Pi*x/(taps+1)) // Hann window
			sinc := 2 * cutoff
			if x != 0 {
				sinc = math.Sin(2*math.Pi*cutoff*x) / (math.Pi * x)
			}
			sum += s[k] * sinc * w
			wsum += sinc * w
		}
		if wsum != 0 {
			out[i] = sum / wsum
		}
	}
	return out
}

func writeWAV(s []float64, rate int) []byte {
	var b bytes.Buffer
	data := len(s) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data))
	for _, v := range s {
		binary.Write(&b, binary.LittleEndian, int16(max(-32767, min(32767, math.Round(v*32767)))))
	}
	return b.Bytes()
}
