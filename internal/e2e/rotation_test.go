package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
	"github.com/sep-platform/sep/internal/seal"
)

// A data-key rotation while two instances on one database serve writes: the key file changes
// under both (as `sep keys rotate-data-key` or a secret manager would change it), each reloads
// it, one runs the re-sealing. Nothing acknowledged is lost, nothing is left on the old key,
// and every value opens with the new key alone.
func TestRotationWhileTwoInstancesServe(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			shared := t.TempDir()
			keyFile := filepath.Join(shared, "data.key")
			opt := keys.Options{DataKeyFile: keyFile}
			if err := keys.WriteData(opt, seal.GenerateRing()); err != nil {
				t.Fatal(err)
			}
			dsn := "sqlite:" + filepath.Join(shared, "sep.db")
			if engine == "postgres" {
				dsn = dbtest.PostgresURL(t)
			}
			settings := []string{"SEP_DATABASE_URL", dsn, "SEP_DATA_KEY_FILE", keyFile, "SEP_REGISTRY_SIM_LATENCY", "0"}
			a := Start(t, settings...)
			b := Start(t, settings...)

			var mu sync.Mutex
			var messages, checks []string
			var stop atomic.Bool
			var wg sync.WaitGroup
			people := sim.Default().Tagged("basic")
			for w, inst := range []*Instance{a, b} {
				wg.Go(func() {
					for i := 0; !stop.Load(); i++ {
						ctx := context.Background()
						id, err := inst.Notify.Send(ctx, nil, notify.Message{Kind: notify.TestMessage,
							To: notify.Recipient{Phone: fmt.Sprintf("+7900%03d%04d", w, i), AccountID: fmt.Sprintf("acc-%d-%d", w, i)}})
						if err != nil {
							t.Error(err)
							return
						}
						p := people[i%len(people)]
						cid, err := inst.Registry.Request(ctx, nil, registry.CheckRequest{Subject: "account:rot",
							Query: registry.SNILSQuery{SNILS: p.SNILS, Person: registry.Person{LastName: p.LastName,
								FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time}}})
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						messages, checks = append(messages, id), append(checks, cid)
						mu.Unlock()
						time.Sleep(20 * time.Millisecond)
					}
				})
			}
			time.Sleep(500 * time.Millisecond)
			old, err := keys.LoadData(opt)
			if err != nil {
				t.Fatal(err)
			}
			next := old.Rotate()
			if err := keys.WriteData(opt, next); err != nil {
				t.Fatal(err)
			}
			waitRotation(t, a, next.Current(), 60*time.Second)
			stop.Store(true)
			wg.Wait()

			// Everything acknowledged is there and ends: messages delivered, checks answered.
			for _, id := range messages {
				waitDelivered(t, a, id)
			}
			for _, id := range checks {
				if c := waitCheck(t, b, id, 30*time.Second); c.Status != registry.Confirmed {
					t.Fatalf("check %s: %s", id, c.Status)
				}
			}
			if len(messages) < 10 {
				t.Fatalf("only %d messages were written during the test", len(messages))
			}
			// Values written after the re-sealing finished are on the new key anyway; a second
			// look at the counts finds nothing on the old one.
			newOnly, err := next.Without(old.Current())
			if err != nil {
				t.Fatal(err)
			}
			opened := openEverything(t, a, seal.NewBox(newOnly, nil))
			if opened == 0 {
				t.Fatal("nothing was opened")
			}
			uses, err := a.Rotator.Uses(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range uses {
				if u.Key != next.Current() {
					t.Fatalf("%s still has %d values on key %s", u.Column, u.Values+u.Indexes, u.Key)
				}
			}
		})
	}
}

func waitRotation(t *testing.T, sep *Instance, key seal.KeyID, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		rs, err := sep.Rotator.Rotations(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Key == key && r.Finished() {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the rotation to %s did not finish within %v", key, within)
}

// openEverything opens every sealed value of every declared table with box and returns how
// many it opened.
func openEverything(t *testing.T, sep *Instance, box *seal.Box) int {
	t.Helper()
	n := 0
	for _, tb := range sep.Seal.Tables {
		rows, err := sep.DB.Reader().Query(`SELECT ` + tb.Key + `, ` + strings.Join(tb.Sealed, ", ") + ` FROM ` + tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			vals := make([]seal.Sealed, len(tb.Sealed))
			dest := []any{&id}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			for i, c := range tb.Columns() {
				if _, err := box.Open(c, id, vals[i]); err != nil {
					t.Fatalf("%v", err)
				}
				n++
			}
		}
		rows.Close()
	}
	return n
}
