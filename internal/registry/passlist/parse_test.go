package passlist

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// read runs readList over text and returns the distinct keys it found.
func read(t *testing.T, text string) ([]Key, Counts, error) {
	t.Helper()
	return readShare(t, text, DefaultMaxJunkShare)
}

func readShare(t *testing.T, text string, maxJunkShare float64) ([]Key, Counts, error) {
	t.Helper()
	kb, c, err := readList(context.Background(), strings.NewReader(text), maxJunkShare, nil)
	if err != nil {
		return nil, c, err
	}
	set, dups := buildSet(kb)
	c.Duplicates = int64(dups)
	var keys []Key
	set.All(func(k Key) bool { keys = append(keys, k); return true })
	return keys, c, nil
}

func TestReadListHeaderVariantsAndLineEnds(t *testing.T) {
	want := []Key{1_000_001, 4510_123456}
	variants := map[string]string{
		"plain":             "PASSP_SERIES,PASSP_NUMBER\n4510,123456\n0001,000001\n",
		"CRLF":              "PASSP_SERIES,PASSP_NUMBER\r\n4510,123456\r\n0001,000001\r\n",
		"CR only":           "PASSP_SERIES,PASSP_NUMBER\r4510,123456\r0001,000001\r",
		"no final newline":  "PASSP_SERIES,PASSP_NUMBER\n4510,123456\n0001,000001",
		"byte order mark":   "\xef\xbb\xbfPASSP_SERIES,PASSP_NUMBER\n4510,123456\n0001,000001\n",
		"quoted":            "\"PASSP_SERIES\",\"PASSP_NUMBER\"\n\"4510\",\"123456\"\n\"0001\",\"000001\"\n",
		"lower case, space": "passp_series, passp_number \n4510, 123456\n0001 ,000001\n",
		"semicolons":        "PASSP_SERIES;PASSP_NUMBER\n4510;123456\n0001;000001\n",
		"blank lines":       "PASSP_SERIES,PASSP_NUMBER\n\n4510,123456\n   \n0001,000001\n\n",
	}
	for name, text := range variants {
		keys, c, err := read(t, text)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !slices.Equal(keys, want) || c.Rows != 2 || c.Valid != 2 || c.Junk != 0 {
			t.Errorf("%s: keys %v, counts %+v", name, keys, c)
		}
	}
}

func TestReadListCountsJunkDuplicatesAndRestoredZeros(t *testing.T) {
	var b strings.Builder
	b.WriteString("PASSP_SERIES,PASSP_NUMBER\n")
	for i := range 2000 {
		b.WriteString(Key(4510_000000+i).Series() + "," + Key(4510_000000+i).Number() + "\n")
	}
	b.WriteString("4510,000000\n4510,000001\n")      // duplicates
	b.WriteString("101,123456\n")                    // series lost its leading zero → 0101
	b.WriteString("45А0,123456\nXX,YY\n4510\n,\n")   // junk
	b.WriteString(strings.Repeat("9", 3*readBuffer)) // a junk line longer than the buffer
	b.WriteString("\n9999,999999\n")
	keys, c, err := readShare(t, b.String(), 1) // the long line is most of the bytes
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Rows: 2000 + 2 + 1 + 4 + 1 + 1, Valid: 2000 + 2 + 1 + 1, Padded: 1, Junk: 5, Duplicates: 2}
	if c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
	if len(keys) != 2002 || !slices.Contains(keys, 101_123456) || !slices.Contains(keys, Universe-1) {
		t.Errorf("%d keys; 0101 123456 and 9999 999999 among them: %v %v", len(keys),
			slices.Contains(keys, 101_123456), slices.Contains(keys, Universe-1))
	}
}

// A file cut in the middle of a line — an interrupted download or copy — ends in a line without
// its line end that is not a passport. It is refused, naming where it ends, however few junk
// rows that makes: taking the rest would silently drop the rows that were cut away.
func TestReadListRefusesAFileCutInALine(t *testing.T) {
	const head = "PASSP_SERIES,PASSP_NUMBER\n"
	big := sampleCSV(1_000_000, 9) // 12 MB
	half := len(big) / 2
	for half-bytes.LastIndexByte(big[:half], '\n')-1 != 7 { // cut inside a number: "SSSS,NN"
		half++
	}
	cases := map[string]string{
		"1,000,000 rows cut at half": string(big[:half]),
		// "4510,12" is more likely a cut "4510,12xxxx" than a number that lost four zeros.
		"a number cut short":  head + "4510,123456\n4510,12",
		"after the comma":     head + "4510,123456\n4510,",
		"inside the series":   head + "4510,123456\n45",
		"a junk last line":    head + "4510,123456\n45А0,123456",
		"a long line cut":     head + "4510,123456\n" + strings.Repeat("9", 2*readBuffer),
		"CR line ends, cut":   "PASSP_SERIES,PASSP_NUMBER\r4510,123456\r4510,1234",
		"CRLF line ends, cut": "PASSP_SERIES,PASSP_NUMBER\r\n4510,123456\r\n4510,1234",
	}
	for name, text := range cases {
		_, _, err := read(t, text)
		var be *BrokenFileError
		want := fmt.Sprintf("cut off at byte %d", len(text))
		if !errors.As(err, &be) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want a BrokenFileError saying %q", name, err, want)
		}
	}
	// A complete last line without its line end is fine, and so is a blank one.
	for _, text := range []string{head + "4510,123456\n0001,000001", head + "4510,123456\n0001,000001\n  "} {
		if keys, c, err := read(t, text); err != nil || len(keys) != 2 || c.Junk != 0 {
			t.Errorf("%q: keys %v, counts %+v, %v", text, keys, c, err)
		}
	}
}

func TestReadListRefusesBrokenFiles(t *testing.T) {
	garbage := make([]byte, 200_000)
	rand.Read(garbage)
	rows := strings.Repeat("4510,123456\n", 500)
	cases := map[string]string{
		"empty":               "",
		"only spaces":         "   \n\n",
		"header only":         "PASSP_SERIES,PASSP_NUMBER\n",
		"header and blanks":   "PASSP_SERIES,PASSP_NUMBER\n\n\n",
		"no header":           "4510,123456\n4510,123457\n",
		"wrong header":        "SERIES,NUMBER\n4510,123456\n",
		"three columns":       "PASSP_SERIES,PASSP_NUMBER,DATE\n4510,123456,2020\n",
		"binary garbage":      string(garbage),
		"garbage after head":  "PASSP_SERIES,PASSP_NUMBER\n" + string(garbage),
		"mostly junk":         "PASSP_SERIES,PASSP_NUMBER\n" + rows + strings.Repeat("45x0,123456\n", 20),
		"a huge garbage tail": "PASSP_SERIES,PASSP_NUMBER\n" + rows + strings.Repeat("x", 2*readBuffer),
		"HTML error page":     "<!DOCTYPE html><html><body>404 Not Found</body></html>\n",
	}
	for name, text := range cases {
		_, _, err := read(t, text)
		var be *BrokenFileError
		if !errors.As(err, &be) {
			t.Errorf("%s: %v, want a BrokenFileError", name, err)
		}
	}
	// 1% of junk is tolerated, more is not.
	ok := "PASSP_SERIES,PASSP_NUMBER\n" + strings.Repeat("4510,123456\n", 1980) + strings.Repeat("junk\n", 20)
	if _, _, err := read(t, ok); err != nil {
		t.Errorf("1%% junk: %v", err)
	}
}

func TestReadListStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	text := "PASSP_SERIES,PASSP_NUMBER\n" + strings.Repeat("4510,123456\n", 200_000)
	if _, _, err := readList(ctx, bytes.NewReader([]byte(text)), DefaultMaxJunkShare, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
}

// FuzzReadList feeds arbitrary files to the reader: it must never panic, and whatever it accepts
// must respect the junk rule and contain only keys inside the universe.
func FuzzReadList(f *testing.F) {
	f.Add([]byte("PASSP_SERIES,PASSP_NUMBER\n4510,123456\n"))
	f.Add([]byte("PASSP_SERIES;PASSP_NUMBER\r\n1,2\r\n"))
	f.Add([]byte("\xef\xbb\xbf\"passp_series\",\"passp_number\"\r4510,123456\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kb, c, err := readList(context.Background(), bytes.NewReader(data), DefaultMaxJunkShare, nil)
		if err != nil {
			var be *BrokenFileError
			if !errors.As(err, &be) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if c.Valid == 0 || c.Valid+c.Junk != c.Rows || c.Junk > junkAllowance && float64(c.Junk) > DefaultMaxJunkShare*float64(c.Rows) {
			t.Fatalf("accepted with counts %+v", c)
		}
		set, _ := buildSet(kb)
		set.All(func(k Key) bool {
			if k >= Universe {
				t.Fatalf("key %d", k)
			}
			return true
		})
	})
}
