package passlist

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseKey(t *testing.T) {
	good := []struct {
		series, number string
		want           Key
	}{
		{"4510", "123456", 4510123456},
		{"45 10", " 123456 ", 4510123456},
		{"0000", "000000", 0},
		{"9999", "999999", Universe - 1},
		{"0101", "000001", 101000001},
	}
	for _, c := range good {
		k, err := ParseKey(c.series, c.number)
		if err != nil || k != c.want {
			t.Errorf("ParseKey(%q, %q) = %d, %v; want %d", c.series, c.number, k, err, c.want)
		}
		if k.Series() != fmt.Sprintf("%04d", c.want/1_000_000) || k.Number() != fmt.Sprintf("%06d", c.want%1_000_000) {
			t.Errorf("%d: series %s number %s", k, k.Series(), k.Number())
		}
	}
	bad := [][2]string{{"451", "123456"}, {"4510", "12345"}, {"45100", "123456"}, {"4510", "1234567"},
		{"45А0", "123456"}, {"4510", "12345x"}, {"", ""}, {"-451", "123456"}, {"4510", "１２３４５６"}}
	for _, c := range bad {
		if _, err := ParseKey(c[0], c[1]); !errors.Is(err, ErrPassportFormat) {
			t.Errorf("ParseKey(%q, %q): %v, want ErrPassportFormat", c[0], c[1], err)
		}
	}
}

func TestParseRow(t *testing.T) {
	cases := []struct {
		line string
		key  Key
		kind rowKind
	}{
		{"4510,123456", 4510123456, rowKey},
		{"0000,000000", 0, rowKey},
		{"9999,999999", Universe - 1, rowKey},
		{" 4510 , 123456 ", 4510123456, rowKey},
		{"\"4510\",\"123456\"", 4510123456, rowKey},
		{"4510,123456\r", 4510123456, rowKey},
		{"101,123456", 101123456, rowPadded},  // series lost its leading zero
		{"1,5", 1000005, rowPadded},           // both did
		{"4510,23456", 4510023456, rowPadded}, // the number did
		{"", 0, rowBlank},
		{"  \t", 0, rowBlank},
		{"4510123456", 0, rowJunk},
		{"4510,1234567", 0, rowJunk},
		{"45100,123456", 0, rowJunk},
		{"45А0,123456", 0, rowJunk},  // a Cyrillic letter in the series
		{"IV-АБ,123456", 0, rowJunk}, // a Soviet-style series
		{"4510,12345x", 0, rowJunk},
		{"4510,123,456", 0, rowJunk},
		{",123456", 0, rowJunk},
		{"4510,", 0, rowJunk},
		{"4510;123456", 0, rowJunk},
		{"451a,123456", 0, rowJunk}, // 11 bytes: the fast path must refuse it too
		{"4510,12345/", 0, rowJunk},
		{"\"4510,123456\"", 0, rowJunk},
		{"-451,123456", 0, rowJunk},
		{"PASSP_SERIES,PASSP_NUMBER", 0, rowJunk},
		{"\x00\x01\x02,\xff", 0, rowJunk},
	}
	for _, c := range cases {
		k, kind := parseRow([]byte(c.line), ',')
		if kind != c.kind || (kind == rowKey || kind == rowPadded) && k != c.key {
			t.Errorf("parseRow(%q) = %d, %d; want %d, %d", c.line, k, kind, c.key, c.kind)
		}
	}
	if k, kind := parseRow([]byte("4510;123456"), ';'); kind != rowKey || k != 4510123456 {
		t.Errorf("semicolon list: %d, %d", k, kind)
	}
}

// FuzzParseRow checks that no line makes the parser panic, that every key it returns is inside
// the universe, that a key written back in canonical form parses to itself, and that the fast
// path agrees with the general one.
func FuzzParseRow(f *testing.F) {
	for _, s := range []string{"4510,123456", "101,23", " \"0001\" , \"000001\" ", "45А0,123456", "", ",", "9999,9999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		k, kind := parseRow(line, ',')
		slowK, slowKind := parseRowSlow(line, ',')
		if kind != slowKind || kind != rowJunk && k != slowK {
			t.Fatalf("%q: fast %d,%d slow %d,%d", line, k, kind, slowK, slowKind)
		}
		if kind == rowKey || kind == rowPadded {
			if k >= Universe {
				t.Fatalf("%q: key %d outside the universe", line, k)
			}
			back, again := parseRow([]byte(k.Series()+","+k.Number()), ',')
			if again != rowKey || back != k {
				t.Fatalf("%q: %d does not survive a round trip (%d, %d)", line, k, back, again)
			}
		}
	})
}
