// Command cmd measures the GOST packages of this module side by side with
// OpenSSL's gost engine and prints one table: figure, ours, engine, ratio.
//
// It is run by bench/gost/run, which builds the engine side (a small C
// program calling libcrypto's EVP interface, bench/gost/engine/engine.c)
// and passes its path:
//
//	go run ./bench/gost/cmd -engine /tmp/.../engine [-time 0.5s] [-rounds 2]
//
// For every figure the two sides run alternately, rounds times for time
// each, and the best rate of each side is kept, which damps the noise of a
// shared machine. Without -engine only our figures are printed.
package main

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/ctr"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/magma"
	"github.com/sep-platform/sep/gost/mgm"
	"github.com/sep-platform/sep/gost/streebog"
)

// bufLen is the message size of the throughput figures, the same as the
// engine side's.
const bufLen = 16 << 10

// figure is one row of the table.
type figure struct {
	name   string // what is measured and in which unit
	engine string // the engine harness's name for it; "" if the engine lacks it
	// prepare sets up the operation and returns it with the amount one call
	// counts for (bytes in MB for throughput, 1 for operations).
	prepare func() (op func(), per float64)
}

func main() {
	log.SetFlags(0)
	enginePath := flag.String("engine", "", "path of the compiled engine harness (bench/gost/engine)")
	perRun := flag.Duration("time", 500*time.Millisecond, "duration of one measurement")
	rounds := flag.Int("rounds", 2, "measurements per side and figure; the best is kept")
	only := flag.String("only", "", "measure only figures whose name contains this text")
	flag.Parse()

	fmt.Println("| figure | ours | engine | ratio |")
	fmt.Println("|---|---:|---:|---:|")
	for _, f := range figures() {
		if *only != "" && !strings.Contains(f.name, *only) {
			continue
		}
		op, per := f.prepare()
		var ours, engine float64
		for range *rounds {
			if *enginePath != "" && f.engine != "" {
				e, err := runEngine(*enginePath, f.engine, *perRun)
				if err != nil {
					log.Fatalf("%s: %v", f.name, err)
				}
				engine = max(engine, e)
			}
			ours = max(ours, measure(op, *perRun)*per)
		}
		switch {
		case f.engine == "":
			fmt.Printf("| %s | %s | not in engine | — |\n", f.name, format(ours))
		case *enginePath == "":
			fmt.Printf("| %s | %s | not measured | — |\n", f.name, format(ours))
		default:
			fmt.Printf("| %s | %s | %s | %.2f |\n", f.name, format(ours), format(engine), ours/engine)
		}
	}
}

// measure runs op repeatedly for about d and returns calls per second.
func measure(op func(), d time.Duration) float64 {
	op() // warm up: tables, caches, lazy initialisation
	n := 0
	start := time.Now()
	for {
		for range 8 {
			op()
		}
		n += 8
		if el := time.Since(start); el >= d {
			return float64(n) / el.Seconds()
		}
	}
}

// runEngine runs the C harness for one figure and parses its rate.
func runEngine(path, name string, d time.Duration) (float64, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(path, name, strconv.FormatFloat(d.Seconds(), 'f', 3, 64))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("engine harness: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
}

func format(v float64) string {
	if v >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func figures() []figure {
	const mb = float64(bufLen) / 1e6
	return []figure{
		{"Streebog-256, MB/s", "streebog256", func() (func(), float64) {
			buf := random(bufLen)
			return func() { streebog.Sum256(buf) }, mb
		}},
		{"Streebog-512, MB/s", "streebog512", func() (func(), float64) {
			buf := random(bufLen)
			return func() { streebog.Sum512(buf) }, mb
		}},
		signing("tc26-256-A"),
		verifying("tc26-256-A"),
		signing("cryptopro-A"),
		verifying("cryptopro-A"),
		signing("tc26-512-A"),
		verifying("tc26-512-A"),
		{"Kuznyechik-CTR, MB/s", "kuznyechik-ctr", func() (func(), float64) {
			b := must(kuznyechik.NewCipher(random(kuznyechik.KeySize)))
			s := must(ctr.New(b, random(kuznyechik.BlockSize/2)))
			buf, out := random(bufLen), make([]byte, bufLen)
			return func() { s.XORKeyStream(out, buf) }, mb
		}},
		{"Kuznyechik-MGM seal, MB/s", "", mgmSeal(kuznyechik.NewCipher)},
		{"Kuznyechik-MGM open, MB/s", "", mgmOpen(kuznyechik.NewCipher)},
		{"Magma-MGM seal, MB/s", "", mgmSeal(magma.NewCipher)},
	}
}

func signing(curve string) figure {
	return figure{"34.10-2012 " + curve + " sign, ops/s", "sign-" + curve, func() (func(), float64) {
		key, digest := keyAndDigest(curve)
		return func() { must(key.Sign(rand.Reader, digest, nil)) }, 1
	}}
}

func verifying(curve string) figure {
	return figure{"34.10-2012 " + curve + " verify, ops/s", "verify-" + curve, func() (func(), float64) {
		key, digest := keyAndDigest(curve)
		sig := must(key.Sign(rand.Reader, digest, nil))
		pub := key.PublicKey()
		return func() {
			if !gost3410.VerifyDigest(pub, digest, sig) {
				log.Fatalf("%s: a fresh signature does not verify", curve)
			}
		}, 1
	}}
}

func keyAndDigest(curve string) (*gost3410.PrivateKey, []byte) {
	c := must(gost3410.CurveByName(curve))
	key := must(gost3410.GenerateKey(c, rand.Reader))
	return key, random(c.PointSize)
}

func newMGM(newCipher func([]byte) (cipher.Block, error)) cipher.AEAD {
	b := must(newCipher(random(32)))
	return must(mgm.New(b, b.BlockSize()))
}

func mgmSeal(newCipher func([]byte) (cipher.Block, error)) func() (func(), float64) {
	return func() (func(), float64) {
		a := newMGM(newCipher)
		nonce := make([]byte, a.NonceSize())
		buf, out := random(bufLen), make([]byte, 0, bufLen+a.Overhead())
		return func() { a.Seal(out, nonce, buf, nil) }, float64(bufLen) / 1e6
	}
}

func mgmOpen(newCipher func([]byte) (cipher.Block, error)) func() (func(), float64) {
	return func() (func(), float64) {
		a := newMGM(newCipher)
		nonce := make([]byte, a.NonceSize())
		sealed := a.Seal(nil, nonce, random(bufLen), nil)
		out := make([]byte, 0, bufLen)
		return func() { must(a.Open(out, nonce, sealed, nil)) }, float64(bufLen) / 1e6
	}
}
