package omac_test

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/internal/ossltest"
	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/magma"
	"github.com/sep-platform/sep/gost/omac"
)

// TestAgainstEngine compares full-block MACs of random messages, including
// the empty one and lengths around block boundaries, with the gost
// engine's kuznyechik-mac and magma-mac.
func TestAgainstEngine(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{'o', 'm', 'a', 'c'})
	for _, c := range []struct {
		mac       string
		newCipher func([]byte) (cipher.Block, error)
	}{
		{"kuznyechik-mac", kuznyechik.NewCipher},
		{"magma-mac", magma.NewCipher},
	} {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 32, 33, 1000} {
			key := make([]byte, 32)
			msg := make([]byte, n)
			r.Read(key)
			r.Read(msg)
			b, _ := c.newCipher(key)
			m, err := omac.New(b, b.BlockSize())
			if err != nil {
				t.Fatal(err)
			}
			m.Write(msg)
			ours := m.Sum(nil)
			out := o.MustRun(t, msg, "dgst", "-engine", "gost", "-r", "-mac", c.mac, "-macopt", "hexkey:"+hex.EncodeToString(key))
			digest, _, _ := strings.Cut(string(out), " ")
			engine, err := hex.DecodeString(digest)
			if err != nil {
				t.Fatalf("%s: engine printed %q", c.mac, out)
			}
			if !bytes.Equal(ours, engine) {
				t.Errorf("%s of %d bytes: ours %x, engine %x", c.mac, n, ours, engine)
			}
		}
	}
}
