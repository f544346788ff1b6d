// Command passport measures electronic passport verification against the issue's goal of
// ≥ 3,000 verifications per second on this machine (2 cores), and prints a table with the
// process's CPU time per verification (the build machines are shared: the rate depends on
// the load, the CPU time much less):
//
//   - offline: passport.Offline (signature, expiry, a status list lookup), on all cores;
//
//   - online: POST /api/v1/passports/verify through the real HTTP stack (an httptest server
//     on 127.0.0.1 with sep's site and middleware, SQLite in a temporary directory), with
//     -clients concurrent clients; each check is recorded for the holder and journaled as in
//     production (in batches: see internal/passport/checks.go).
//
//     go run ./bench/passport -duration 10s
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

const goal = 3000 // verifications per second

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long each measurement runs")
	clients := flag.Int("clients", 2*runtime.GOMAXPROCS(0), "concurrent HTTP clients")
	n := flag.Int("passports", 100, "passports issued and verified in turn")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the online measurement to this file")
	flag.Parse()
	if err := run(*duration, *clients, *n, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "bench/passport:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, clients, n int, cpuprofile string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bench-passport")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(dir, "sep.db"), db.Options{MaxConns: 8})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	c, _ := gost3410.CurveByName("tc26-256-A")
	root, err := gost3410.GenerateKey(c, nil)
	if err != nil {
		return err
	}
	journal, err := audit.New(d, audit.Options{})
	if err != nil {
		return err
	}
	svc, err := passport.New(passport.Options{DB: d, Box: seal.NewBox(seal.GenerateRing(), nil), RootKey: root, Journal: journal})
	if err != nil {
		return err
	}
	defer svc.Close(ctx)
	payloads := make([]string, n)
	for i := range payloads {
		p, err := svc.IssueDemo(ctx, i, "")
		if err != nil {
			return err
		}
		payloads[i] = p.Payload
	}
	trust, err := svc.Trust(ctx)
	if err != nil {
		return err
	}
	lb, err := svc.StatusList(ctx)
	if err != nil {
		return err
	}
	list, err := vds.ParseStatusList(lb)
	if err != nil {
		return err
	}

	offline := measure(duration, runtime.GOMAXPROCS(0), func(i int) error {
		if r := passport.Offline(payloads[i%n], trust, list, time.Hour, time.Now()); r.Outcome != passport.OutcomeValid {
			return fmt.Errorf("offline: %s", r.Outcome)
		}
		return nil
	})

	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{passport.Templates}})
	if err != nil {
		return err
	}
	passport.Register(site, svc)
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	online := measure(duration, clients, func(i int) error {
		body := []byte(`{"payload":"` + payloads[i%n] + `"}`)
		resp, err := client.Post(srv.URL+"/api/v1/passports/verify", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"result":"valid"`)) {
			return fmt.Errorf("online: %d %s", resp.StatusCode, b)
		}
		return nil
	})

	pprof.StopCPUProfile() // nothing when none was started
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "verification\tper second\tgoal\tCPU per verification\ton %d idle cores\t\n", runtime.NumCPU())
	for _, r := range []struct {
		name string
		rate rate
	}{{"offline (passport.Offline)", offline}, {"online (POST /api/v1/passports/verify)", online}} {
		mark := "met"
		if r.rate.perSecond < goal {
			mark = "NOT met"
		}
		idle := 0.0
		if r.rate.cpuPer > 0 {
			idle = float64(runtime.NumCPU()) * float64(time.Second) / float64(r.rate.cpuPer)
		}
		fmt.Fprintf(w, "%s\t%.0f\t%d (%s)\t%d µs\t≈ %.0f/s\t\n", r.name, r.rate.perSecond, goal, mark,
			r.rate.cpuPer.Microseconds(), idle)
	}
	fmt.Fprintln(w, "(CPU per verification counts the whole process: for online, the HTTP clients too;")
	fmt.Fprintln(w, "the last column is what that CPU time allows when the cores are not shared)")
	return w.Flush()
}

// rate is a measurement: calls per second, and the process's CPU time per call (which tells
// what 2 idle cores would do when the machine is shared).
type rate struct {
	perSecond float64
	cpuPer    time.Duration
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn from workers goroutines for d and returns calls per second; the first error
// stops it and is printed.
func measure(d time.Duration, workers int, fn func(i int) error) rate {
	var count atomic.Int64
	var failed atomic.Bool
	deadline := time.Now().Add(d)
	start := time.Now()
	cpu := cpuTime()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; time.Now().Before(deadline) && !failed.Load(); i += workers {
				if err := fn(i); err != nil {
					if !failed.Swap(true) {
						fmt.Fprintln(os.Stderr, err)
					}
					return
				}
				count.Add(1)
			}
		}(w)
	}
	wg.Wait()
	n := count.Load()
	r := rate{perSecond: float64(n) / time.Since(start).Seconds()}
	if n > 0 {
		r.cpuPer = (cpuTime() - cpu) / time.Duration(n)
	}
	return r
}
