package captcha

import (
	"bytes"
	"embed"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

// SampleRate is the audio's rate: telephone quality, enough for speech, small to send.
const SampleRate = 8000

//go:embed digits/*.wav
var digitFiles embed.FS

// voices are the recorded digits as samples in [-1, 1], read once.
var voices = sync.OnceValues(func() ([10][]float64, error) {
	var out [10][]float64
	for d := range out {
		b, err := digitFiles.ReadFile(fmt.Sprintf("digits/%d.wav", d))
		if err != nil {
			return out, err
		}
		if out[d], err = readPCM(b); err != nil {
			return out, fmt.Errorf("captcha: digits/%d.wav: %w", d, err)
		}
	}
	return out, nil
})

// Audio speaks the digits of answer in Russian as a WAV (8 kHz, mono, 16-bit PCM): each
// digit a little faster or slower and louder or softer than the last, after pauses of
// uneven length, over a hiss.
func Audio(answer string, seed [32]byte) ([]byte, error) {
	if err := checkDigits(answer); err != nil {
		return nil, err
	}
	vs, err := voices()
	if err != nil {
		return nil, err
	}
	r := source(seed, 'a')
	var track []float64
	silence := func(seconds float64) { track = append(track, make([]float64, int(seconds*SampleRate))...) }
	silence(between(r, 0.5, 0.8))
	for _, c := range answer {
		v := vs[c-'0']
		speed, gain := between(r, 0.9, 1.12), between(r, 0.7, 1)
		n := int(float64(len(v)) / speed)
		for i := range n {
			// Linear interpolation between the recorded samples.
			p := float64(i) * speed
			k := int(p)
			s := v[min(k, len(v)-1)]
			if k+1 < len(v) {
				s += (v[k+1] - s) * (p - float64(k))
			}
			track = append(track, s*gain)
		}
		silence(between(r, 0.45, 0.9))
	}
	hiss := between(r, 0.02, 0.045)
	hum, humFreq := between(r, 0.01, 0.03), between(r, 90, 300)
	for i := range track {
		track[i] += hiss*(r.Float64()*2-1) + hum*math.Sin(2*math.Pi*humFreq*float64(i)/SampleRate)
	}
	return wav(track), nil
}

// readPCM reads a mono 16-bit PCM WAV at SampleRate.
func readPCM(b []byte) ([]float64, error) {
	if len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[12:16]) != "fmt " {
		return nil, fmt.Errorf("not a WAV")
	}
	format, channels := binary.LittleEndian.Uint16(b[20:]), binary.LittleEndian.Uint16(b[22:])
	rate, bits := binary.LittleEndian.Uint32(b[24:]), binary.LittleEndian.Uint16(b[34:])
	if format != 1 || channels != 1 || rate != SampleRate || bits != 16 || string(b[36:40]) != "data" {
		return nil, fmt.Errorf("want mono 16-bit PCM at %d Hz", SampleRate)
	}
	data := b[44:]
	if n := int(binary.LittleEndian.Uint32(b[40:])); n < len(data) {
		data = data[:n]
	}
	out := make([]float64, len(data)/2)
	for i := range out {
		out[i] = float64(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	return out, nil
}

// wav writes samples in [-1, 1] (clipped) as a mono 16-bit PCM WAV at SampleRate.
func wav(s []float64) []byte {
	var b bytes.Buffer
	size := len(s) * 2
	b.Grow(44 + size)
	b.WriteString("RIFF")
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint32(36 + size))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(SampleRate), uint32(SampleRate * 2), uint16(2), uint16(16)} {
		le(v)
	}
	b.WriteString("data")
	le(uint32(size))
	pcm := make([]byte, size)
	for i, v := range s {
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(math.Round(math.Max(-1, math.Min(1, v))*32767))))
	}
	b.Write(pcm)
	return b.Bytes()
}
