package rotate

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/sep-platform/sep/internal/seal"
)

// Use is how many values and blind indexes one key still seals in one column.
type Use struct {
	Key     seal.KeyID
	Column  string // table.column
	Values  int64  // sealed values
	Indexes int64  // blind indexes (Column is then the index column)
}

// Uses counts, for every declared column and index, how many values each key seals. It reads
// the key id in each value's header (SQL substr, no opening), so it is cheap enough for a status
// command on large tables. A value whose header is not readable is counted under key 0.
func (r *Rotator) Uses(ctx context.Context) ([]Use, error) {
	var out []Use
	for _, t := range r.schema.Tables {
		for _, c := range t.Sealed {
			us, err := r.count(ctx, t.Name, c, 2, false)
			if err != nil {
				return nil, err
			}
			out = append(out, us...)
		}
		for _, ix := range t.Indexes {
			us, err := r.count(ctx, t.Name, ix.Column, 1, true)
			if err != nil {
				return nil, err
			}
			out = append(out, us...)
		}
	}
	return out, nil
}

// count groups the values of one column by the 4 bytes of key id that start at offset (1-based,
// as SQL's substr counts: 2 after a sealed value's version byte, 1 for a blind index).
func (r *Rotator) count(ctx context.Context, table, column string, offset int, index bool) ([]Use, error) {
	rows, err := r.db.Reader().QueryContext(ctx, fmt.Sprintf(`SELECT substr(%[1]s, %[2]d, 4), count(*) FROM %[3]s
		WHERE %[1]s IS NOT NULL GROUP BY substr(%[1]s, %[2]d, 4)`, column, offset, table))
	if err != nil {
		return nil, fmt.Errorf("rotate: count %s.%s: %w", table, column, err)
	}
	defer rows.Close()
	var out []Use
	for rows.Next() {
		var kb []byte
		var n int64
		if err := rows.Scan(&kb, &n); err != nil {
			return nil, err
		}
		u := Use{Column: table + "." + column}
		if len(kb) == 4 {
			u.Key = seal.KeyID(binary.BigEndian.Uint32(kb))
		}
		if index {
			u.Indexes = n
		} else {
			u.Values = n
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// PerKey sums uses by key, in the order of first appearance of each key in ids, then any
// other keys found (values sealed with keys no longer in the ring).
func PerKey(uses []Use, ids []seal.KeyID) []Use {
	sums := map[seal.KeyID]*Use{}
	order := slices.Clone(ids)
	for _, id := range ids {
		sums[id] = &Use{Key: id}
	}
	for _, u := range uses {
		s, ok := sums[u.Key]
		if !ok {
			s = &Use{Key: u.Key}
			sums[u.Key] = s
			order = append(order, u.Key)
		}
		s.Values += u.Values
		s.Indexes += u.Indexes
	}
	out := make([]Use, len(order))
	for i, id := range order {
		out[i] = *sums[id]
	}
	return out
}

// left counts the values and indexes sealed with any key but current.
func (r *Rotator) left(ctx context.Context, current seal.KeyID) (int64, error) {
	var n int64
	kb := keyBytes(current)
	for _, t := range r.schema.Tables {
		cols := make([][2]any, 0, len(t.Sealed)+len(t.Indexes))
		for _, c := range t.Sealed {
			cols = append(cols, [2]any{c, 2})
		}
		for _, ix := range t.Indexes {
			cols = append(cols, [2]any{ix.Column, 1})
		}
		for _, c := range cols {
			var k int64
			err := r.db.Reader().QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %[1]s
				WHERE %[2]s IS NOT NULL AND substr(%[2]s, %[3]d, 4) <> $1`, t.Name, c[0], c[1]), kb).Scan(&k)
			if err != nil {
				return 0, fmt.Errorf("rotate: count %s.%s: %w", t.Name, c[0], err)
			}
			n += k
		}
	}
	return n, nil
}
