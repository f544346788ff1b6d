// Command seal measures the sealing of personal data at rest (internal/seal) against the targets
// of the issue, and prints a table:
//
//   - seal and open of one value — a short field (64 bytes) and a 4 KiB text — in µs per value
//     and MB/s, beside AES-256-GCM from the standard library in the same run (the reference: the
//     cost of GOST over the hardware-accelerated default);
//
//   - re-sealing rows per second during a rotation (goal ≥ 20,000 rows/s on SQLite): a table of
//     -rows rows, each with two sealed columns and a blind index, re-sealed by the rotation job
//     from the first key to a second.
//
//     go run ./bench/seal                      # SQLite in a temporary directory
//     go run ./bench/seal -db postgres://…     # the rotation on PostgreSQL (a table bench_people is made and dropped)
package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/seal/rotate"
)

const targetResealRate = 20_000 // rows/s on SQLite

func main() {
	rows := flag.Int("rows", 200_000, "rows of the rotation's table")
	dsn := flag.String("db", "", "database URL for the rotation (default: SQLite in a temporary directory)")
	flag.Parse()
	if err := run(*rows, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "seal bench:", err)
		os.Exit(1)
	}
}

func run(rows int, dsn string) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tKuznyechik-MGM (sep)\tAES-256-GCM (Go)\tratio")
	ring := seal.GenerateRing()
	box := seal.NewBox(ring, nil)
	col := seal.Table{Name: "bench", Key: "id", Sealed: []string{"v"}}.Column("v")
	gcm := aesGCM()
	for _, size := range []int{64, 4096} {
		plain := make([]byte, size)
		rand.Read(plain)
		sealed := box.Seal(col, "0190b7c2-0000-7000-8000-000000000001", plain)
		nonce := make([]byte, gcm.NonceSize())
		ct := gcm.Seal(nil, nonce, plain, nil)
		ours := []testing.BenchmarkResult{
			testing.Benchmark(func(b *testing.B) {
				b.SetBytes(int64(size))
				for b.Loop() {
					box.Seal(col, "0190b7c2-0000-7000-8000-000000000001", plain)
				}
			}),
			testing.Benchmark(func(b *testing.B) {
				b.SetBytes(int64(size))
				for b.Loop() {
					if _, err := box.Open(col, "0190b7c2-0000-7000-8000-000000000001", sealed); err != nil {
						b.Fatal(err)
					}
				}
			}),
		}
		ref := []testing.BenchmarkResult{
			testing.Benchmark(func(b *testing.B) {
				b.SetBytes(int64(size))
				n := make([]byte, gcm.NonceSize())
				for b.Loop() {
					rand.Read(n) // a fresh nonce per value, as sealing draws one
					gcm.Seal(nil, n, plain, nil)
				}
			}),
			testing.Benchmark(func(b *testing.B) {
				b.SetBytes(int64(size))
				for b.Loop() {
					if _, err := gcm.Open(nil, nonce, ct, nil); err != nil {
						b.Fatal(err)
					}
				}
			}),
		}
		for i, op := range []string{"seal", "open"} {
			fmt.Fprintf(tw, "%s %d B\t%s\t%s\t%.1f× slower\n", op, size, figure(ours[i], size), figure(ref[i], size),
				float64(ours[i].NsPerOp())/float64(max(ref[i].NsPerOp(), 1)))
		}
	}
	rate, err := reseal(rows, dsn)
	if err != nil {
		return err
	}
	verdict := "PASS"
	if rate < targetResealRate {
		verdict = "below the goal"
	}
	fmt.Fprintf(tw, "re-sealing during a rotation\t%.0f rows/s (%d rows, 2 values and 1 index each)\t\tgoal ≥ %d: %s\n",
		rate, rows, targetResealRate, verdict)
	return tw.Flush()
}

func figure(r testing.BenchmarkResult, size int) string {
	us := float64(r.NsPerOp()) / 1000
	mbs := float64(size) * float64(r.N) / r.T.Seconds() / 1e6
	return fmt.Sprintf("%.2f µs, %.0f MB/s", us, mbs)
}

func aesGCM() cipher.AEAD {
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

// reseal fills a table with rows sealed with one key, rotates to a second and times the
// rotation job from its start to the end of its pass.
func reseal(rows int, dsn string) (float64, error) {
	ctx := context.Background()
	if dsn == "" {
		dir, err := os.MkdirTemp("", "sep-bench-seal-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		dsn = "sqlite:" + filepath.Join(dir, "sep.db")
	}
	d, err := db.Open(ctx, dsn, db.Options{})
	if err != nil {
		return 0, err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return 0, err
	}
	blob := "BLOB"
	if d.Dialect() == db.Postgres {
		blob = "BYTEA"
	}
	d.Writer().ExecContext(ctx, `DROP TABLE IF EXISTS bench_people`)
	if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE bench_people (id TEXT PRIMARY KEY, name `+blob+`, phone `+blob+
		`, phone_idx `+blob+`)`); err != nil {
		return 0, err
	}
	defer d.Writer().ExecContext(ctx, `DROP TABLE bench_people`)
	people := seal.Table{Name: "bench_people", Key: "id", Sealed: []string{"name", "phone"},
		Indexes: []seal.Index{{Column: "phone_idx", Of: "phone", Purpose: "phone"}}}
	file := seal.GenerateRing()
	box := seal.NewBox(file, func() (*seal.Ring, error) { return file, nil })
	name, phone := people.Column("name"), people.Column("phone")
	fmt.Fprintf(os.Stderr, "filling %d rows…\n", rows)
	const batch = 5000
	for i := 0; i < rows; i += batch {
		tx, err := d.Writer().BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO bench_people (id, name, phone, phone_idx) VALUES ($1, $2, $3, $4)`)
		if err != nil {
			return 0, err
		}
		for j := i; j < min(i+batch, rows); j++ {
			id := db.NewID()
			p := fmt.Sprintf("+7900%07d", j)
			ix, _ := box.Index(people.Indexes[0], p)
			if _, err := stmt.ExecContext(ctx, id, box.SealString(name, id, "Тестова Анна Ивановна "+strings.Repeat("x", j%16)),
				box.SealString(phone, id, p), ix); err != nil {
				return 0, err
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	schema, err := seal.NewSchema(box, people)
	if err != nil {
		return 0, err
	}
	q := jobs.New(d)
	r := rotate.New(rotate.Options{DB: d, Jobs: q, Schema: schema, Settle: time.Millisecond})
	old := file.Current()
	file = file.Rotate()
	box.Reload()
	if _, err := r.Start(ctx, nil, file.Current(), old); err != nil {
		return 0, err
	}
	fmt.Fprintln(os.Stderr, "re-sealing…")
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go q.Run(runCtx, jobs.RunOptions{Concurrency: 1, PollInterval: time.Millisecond})
	start := time.Now()
	for {
		rs, err := r.Rotations(ctx)
		if err != nil {
			return 0, err
		}
		if len(rs) > 0 && rs[0].Finished() {
			if rs[0].Resealed != int64(rows) {
				return 0, fmt.Errorf("re-sealed %d rows of %d", rs[0].Resealed, rows)
			}
			return float64(rows) / time.Since(start).Seconds(), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}
