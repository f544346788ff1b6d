package db

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Sealer seals personal data for the migrations that move it under seal; internal/seal's
// Schema is the one implementation. The data are named by table and column, as the stores
// declare them.
type Sealer interface {
	// Seal seals plain for column of table, in the row whose primary key is row.
	Seal(table, column, row string, plain []byte) ([]byte, error)
	// Index computes the blind index stored in column of table for the plaintext of the sealed
	// column it indexes.
	Index(table, column, plain string) ([]byte, error)
}

type stepFunc func(ctx context.Context, tx *sql.Tx, d Dialect, s Sealer) error

// goSteps are the migrations written in Go, by version.
var goSteps = map[int]struct {
	name string
	run  stepFunc
}{
	51: {"seal_personal_data", sealPersonalData},
}

// plainTable is a table of migration 0050: plain columns moved aside (*_plain), each sealed
// into the column of its old name, and blind indexes to compute from the sealed columns.
type plainTable struct {
	name    string
	columns []string          // the sealed columns; the plain ones are these + "_plain"
	indexes map[string]string // index column → sealed column it indexes
}

// The personal data of the tables as they were before migration 0050. This list is part of
// the migration: it never changes, whatever later versions declare.
var plainTables = []plainTable{
	{name: "registry_checks", columns: []string{"query", "extract"}},
	{name: "notify_messages", columns: []string{"subject", "body_text", "body_html", "body_short"}},
	{name: "notify_deliveries", columns: []string{"address"}},
	{name: "notify_inbox", columns: []string{"subject", "body"}},
	{name: "notify_outbox", columns: []string{"recipient", "subject", "body", "body_html"},
		indexes: map[string]string{"recipient_idx": "recipient"}},
}

// sealPersonalData is migration 0051: it seals every row's plain personal data into the
// sealed columns and blanks the plain ones (so that no live row version keeps them; 0052 drops
// them). It goes through each table in batches by primary key.
func sealPersonalData(ctx context.Context, tx *sql.Tx, _ Dialect, s Sealer) error {
	for _, t := range plainTables {
		plain := make([]string, len(t.columns))
		for i, c := range t.columns {
			plain[i] = c + "_plain"
		}
		var sets []string
		for i, c := range t.columns {
			sets = append(sets, fmt.Sprintf("%s = $%d, %s = ''", c, i+2, plain[i]))
		}
		idxCols := slices.Sorted(maps.Keys(t.indexes))
		for i, c := range idxCols {
			sets = append(sets, fmt.Sprintf("%s = $%d", c, len(t.columns)+i+2))
		}
		update := `UPDATE ` + t.name + ` SET ` + strings.Join(sets, ", ") + ` WHERE id = $1`
		sel := `SELECT id, ` + strings.Join(plain, ", ") + ` FROM ` + t.name + ` WHERE id > $1 ORDER BY id LIMIT 500`
		after := ""
		for {
			batch, err := readPlain(ctx, tx, sel, after, len(plain))
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if len(batch) == 0 {
				break
			}
			if s == nil {
				return fmt.Errorf("%s holds personal data in clear that this migration seals; it needs the data key "+
					"ring (SEP_DATA_KEY_FILE): run sep serve or sep migrate up with the instance's settings", t.name)
			}
			for _, row := range batch {
				args := []any{row.id}
				values := map[string]string{}
				for i, c := range t.columns {
					if !row.values[i].Valid {
						args = append(args, nil)
						continue
					}
					values[c] = row.values[i].String
					sealed, err := s.Seal(t.name, c, row.id, []byte(row.values[i].String))
					if err != nil {
						return err
					}
					args = append(args, sealed)
				}
				for _, ic := range idxCols {
					v, ok := values[t.indexes[ic]]
					if !ok {
						args = append(args, nil)
						continue
					}
					ix, err := s.Index(t.name, ic, v)
					if err != nil {
						return err
					}
					args = append(args, ix)
				}
				if _, err := tx.ExecContext(ctx, update, args...); err != nil {
					return fmt.Errorf("%s: seal row %s: %w", t.name, row.id, err)
				}
				after = row.id
			}
		}
	}
	return nil
}

type plainRow struct {
	id     string
	values []sql.NullString
}

func readPlain(ctx context.Context, tx *sql.Tx, query, after string, n int) ([]plainRow, error) {
	rows, err := tx.QueryContext(ctx, query, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plainRow
	for rows.Next() {
		r := plainRow{values: make([]sql.NullString, n)}
		dest := []any{&r.id}
		for i := range r.values {
			dest = append(dest, &r.values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
