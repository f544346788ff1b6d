package seal

import (
	"fmt"
	"slices"
)

// Schema is every table of personal data the program declares, with the box that seals them:
// what rotation re-seals, what `sep keys status` counts, what migrations seal by name.
type Schema struct {
	Box    *Box
	Tables []Table
}

// NewSchema checks the declarations (each table once, every index of a sealed column) and
// returns the schema.
func NewSchema(box *Box, tables ...Table) (*Schema, error) {
	seen := map[string]bool{}
	for _, t := range tables {
		if t.Name == "" || t.Key == "" || len(t.Sealed) == 0 {
			return nil, fmt.Errorf("seal: table %q needs a name, a key column and sealed columns", t.Name)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("seal: table %s is declared twice", t.Name)
		}
		seen[t.Name] = true
		for _, ix := range t.Indexes {
			if !slices.Contains(t.Sealed, ix.Of) || ix.Column == "" || ix.Purpose == "" {
				return nil, fmt.Errorf("seal: index %s.%s must name a sealed column and a purpose", t.Name, ix.Column)
			}
		}
	}
	return &Schema{Box: box, Tables: tables}, nil
}

func (s *Schema) table(name string) (Table, bool) {
	for _, t := range s.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// Seal seals a value for a declared column (db.Sealer, for migrations).
func (s *Schema) Seal(table, column, row string, plain []byte) ([]byte, error) {
	t, ok := s.table(table)
	if !ok || !slices.Contains(t.Sealed, column) {
		return nil, fmt.Errorf("seal: %s.%s is not a declared sealed column", table, column)
	}
	return s.Box.Seal(t.Column(column), row, plain).Bytes(), nil
}

// Index computes a declared blind index (db.Sealer, for migrations).
func (s *Schema) Index(table, column, plain string) ([]byte, error) {
	t, ok := s.table(table)
	if ok {
		for _, ix := range t.Indexes {
			if ix.Column == column {
				return s.Box.Index(ix, plain)
			}
		}
	}
	return nil, fmt.Errorf("seal: %s.%s is not a declared blind index", table, column)
}
