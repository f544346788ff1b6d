package seal

import (
	"fmt"
	"slices"
)

// Table declares the personal data of one table: which columns are sealed and which blind
// indexes stand beside them. Each store declares its tables once; the declaration makes its
// Columns, and `sep keys` re-seals, counts and checks exactly what the declarations list, so
// a sealed column cannot be left out of a rotation.
type Table struct {
	Name    string   // the table
	Key     string   // its primary-key column, a text id; every value is bound to it
	Sealed  []string // the sealed columns ({{blob}}, nullable)
	Indexes []Index  // blind indexes, each of one sealed column
}

// Column returns the sealed column name of t. It panics if t does not declare it: asking for
// an undeclared column is a mistake in the program, found at start-up.
func (t Table) Column(name string) Column {
	if !slices.Contains(t.Sealed, name) {
		panic(fmt.Sprintf("seal: table %s declares no sealed column %s", t.Name, name))
	}
	return Column{table: t.Name, name: name}
}

// Columns returns every sealed column of t.
func (t Table) Columns() []Column {
	out := make([]Column, len(t.Sealed))
	for i, n := range t.Sealed {
		out[i] = Column{table: t.Name, name: n}
	}
	return out
}

// Index is a blind index: a column (BLOB) holding, for the plaintext of a sealed column, a
// keyed digest of its normalised form, so that a row can be found by an exact value without
// opening every row.
type Index struct {
	Column string // the index column
	Of     string // the sealed column it indexes; stores seal the normalised form there
	// Purpose separates the digests of different kinds of value (e.g. "phone", "email"): the
	// same text indexed for two purposes gives unrelated digests.
	Purpose string
	// Normalize turns a value into the one spelling the index is computed over (a ruid
	// normaliser: +79123456789 for any spelling of a phone number). nil keeps the value.
	Normalize func(string) (string, error)
}

func (ix Index) normalise(v string) (string, error) {
	if ix.Normalize == nil {
		return v, nil
	}
	return ix.Normalize(v)
}
