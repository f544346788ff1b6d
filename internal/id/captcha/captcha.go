// Package captcha draws and speaks the self-hosted CAPTCHA of sign-in: a few digits as a
// distorted picture (PNG) and, for those who cannot see it, the same digits spoken in Russian
// with noise and uneven pauses (WAV). It knows nothing of who asks or what the answer is for:
// the caller picks the digits and a seed, and the same digits and seed give the same picture
// and sound (so reloading a challenge does not hand a reader several distortions to average).
//
// Everything is drawn here, with no font or speech engine at run time: the digits' strokes
// are written below as polylines, and digits/*.wav are recordings made once with espeak-ng
// (see mkdigits.go and README.md).
package captcha

import (
	"errors"
	"math/rand/v2"
)

// ErrNotDigits is the error for an answer that is not 1 to 10 decimal digits.
var ErrNotDigits = errors.New("captcha: the answer must be 1 to 10 digits")

func checkDigits(s string) error {
	if len(s) == 0 || len(s) > 10 {
		return ErrNotDigits
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return ErrNotDigits
		}
	}
	return nil
}

// source is the deterministic randomness of one challenge's picture or sound; salt keeps the
// two apart.
func source(seed [32]byte, salt byte) *rand.Rand {
	seed[0] ^= salt
	return rand.New(rand.NewChaCha8(seed))
}

// between draws evenly from [lo, hi).
func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }
