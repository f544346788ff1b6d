package audit

import (
	"context"
	"database/sql"
	"runtime"
	"testing"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// BenchmarkAppend measures appends per second: each in its own transaction (what an action
// that journals costs), serially and from 8 goroutines, on both engines. Run with
//
//	go test -run XXX -bench Append -benchtime 3s ./internal/audit/
func BenchmarkAppend(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var url string
			if engine == "sqlite" {
				url = dbtest.SQLiteURL(b)
			} else {
				url = dbtest.PostgresURL(b)
			}
			d := dbtest.Open(b, url)
			j := newJournal(b, d)
			ctx := context.Background()
			e := citizenEntry(1)
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					if _, err := j.Append(ctx, nil, e); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
			b.Run("parallel8", func(b *testing.B) {
				b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // about 8 goroutines
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := j.Append(ctx, nil, e); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
			// Ten appends in one transaction: the cost per entry when a caller batches.
			b.Run("tx10", func(b *testing.B) {
				for b.Loop() {
					err := d.Tx(ctx, func(tx *sql.Tx) error {
						for range 10 {
							if _, err := j.Append(ctx, tx, e); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "appends/s")
			})
			if rep, err := j.Verify(ctx, VerifyOptions{}); err != nil || !rep.Intact() {
				b.Fatalf("chain after the benchmark: %+v %v", rep, err)
			}
		})
	}
}

// BenchmarkVerify measures how fast a chain is checked, in entries per second.
func BenchmarkVerify(b *testing.B) {
	d := dbtest.Open(b, dbtest.SQLiteURL(b))
	j := newJournal(b, d)
	ctx := context.Background()
	const n = 5000
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			if _, err := j.Append(ctx, tx, citizenEntry(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if rep, err := j.Verify(ctx, VerifyOptions{}); err != nil || rep.Entries != n {
			b.Fatal(rep, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}
