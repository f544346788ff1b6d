package audit

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// An anchor is a checkpoint written outside the database (see the package documentation,
// "Anchors"): one line of text in a file or syslog, or a JSON object sent to a witness.

// anchorMarker starts every anchor line; a reader finds it after any prefix syslog adds.
const anchorMarker = "sep-audit-checkpoint"

// anchorFields are the fields of an anchor line after the marker and "v1", in order.
var anchorFields = [...]string{"n", "seq", "hash", "time", "key_id", "prev_digest", "signature"}

// MarshalText writes the checkpoint as an anchor line (without the newline):
//
//	sep-audit-checkpoint v1 n=17 seq=58 hash=… time=2030-01-02T03:04:05.000006Z key_id=… prev_digest=… signature=…
func (c *Checkpoint) MarshalText() ([]byte, error) {
	values := c.fields()
	b := []byte(anchorMarker + " v1")
	for i, name := range anchorFields {
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, '=')
		b = append(b, values[i]...)
	}
	return b, nil
}

// fields are the checkpoint's values as anchors and `sep audit checkpoints` write them, in
// the order of anchorFields.
func (c *Checkpoint) fields() [len(anchorFields)]string {
	return [...]string{strconv.FormatInt(c.N, 10), strconv.FormatInt(c.Seq, 10), c.Hash.String(),
		c.At.UTC().Format(TimeLayout), c.KeyID, c.PrevDigest.String(), hex.EncodeToString(c.Signature)}
}

// UnmarshalText reads an anchor line written by MarshalText; anything before the marker (a
// syslog prefix) is ignored.
func (c *Checkpoint) UnmarshalText(line []byte) error {
	i := bytes.Index(line, []byte(anchorMarker+" "))
	if i < 0 {
		return errors.New("no " + anchorMarker + " record")
	}
	f := strings.Fields(string(line[i+len(anchorMarker):]))
	if len(f) == 0 || f[0] != "v1" {
		return errors.New("unknown anchor version (want v1)")
	}
	if len(f) != 1+len(anchorFields) {
		return fmt.Errorf("want the %d fields %s", len(anchorFields), strings.Join(anchorFields[:], " "))
	}
	var values [len(anchorFields)]string
	for k, name := range anchorFields {
		v, ok := strings.CutPrefix(f[1+k], name+"=")
		if !ok {
			return fmt.Errorf("field %d is not %s=", k+1, name)
		}
		values[k] = v
	}
	return c.setFields(values)
}

// setFields parses the values of fields into c, strictly: an anchor is believed only if it
// can be signed exactly as it reads.
func (c *Checkpoint) setFields(v [len(anchorFields)]string) error {
	var out Checkpoint
	var err error
	if out.N, err = strconv.ParseInt(v[0], 10, 64); err != nil || out.N < 1 {
		return errors.New("n is not a checkpoint number")
	}
	if out.Seq, err = strconv.ParseInt(v[1], 10, 64); err != nil || out.Seq < 1 {
		return errors.New("seq is not an entry number")
	}
	if out.Hash, err = ParseHash(v[2]); err != nil {
		return fmt.Errorf("hash: %w", err)
	}
	if out.At, err = time.Parse(TimeLayout, v[3]); err != nil || out.At.Format(TimeLayout) != v[3] {
		return fmt.Errorf("time is not %s", TimeLayout)
	}
	if out.KeyID = v[4]; out.KeyID == "" || len(out.KeyID) > 64 || strings.Trim(out.KeyID, "0123456789abcdef") != "" {
		return errors.New("key_id is not a key id")
	}
	if out.PrevDigest, err = ParseHash(v[5]); err != nil {
		return fmt.Errorf("prev_digest: %w", err)
	}
	if out.Signature, err = hex.DecodeString(v[6]); err != nil || len(out.Signature) == 0 {
		return errors.New("signature is not hex")
	}
	*c = out
	return nil
}

// publishedCheckpoint is the JSON of a checkpoint: what `sep audit checkpoints` prints and an
// HTTP witness receives.
type publishedCheckpoint struct {
	N          int64  `json:"n"`
	Seq        int64  `json:"seq"`
	Hash       string `json:"hash"`
	Time       string `json:"time"`
	KeyID      string `json:"key_id"`
	PrevDigest string `json:"prev_digest"`
	Signature  string `json:"signature"`
}

// MarshalJSON writes the checkpoint with the fields of an anchor line, as strings of the
// same text, except n and seq, which are numbers.
func (c Checkpoint) MarshalJSON() ([]byte, error) {
	f := c.fields()
	return json.Marshal(publishedCheckpoint{c.N, c.Seq, f[2], f[3], f[4], f[5], f[6]})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Checkpoint) UnmarshalJSON(b []byte) error {
	var p publishedCheckpoint
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	return c.setFields([...]string{strconv.FormatInt(p.N, 10), strconv.FormatInt(p.Seq, 10), p.Hash, p.Time,
		p.KeyID, p.PrevDigest, p.Signature})
}

// ReadAnchors reads anchors as an operator collects them: anchor lines (from the file sink,
// or syslog lines with the record after syslog's prefix; other lines are skipped), JSON
// objects one a line (as a witness received them), or one JSON array (the output of `sep
// audit checkpoints`, saved elsewhere). A line that carries an anchor but does not parse is
// an error naming its number; so is input without any anchor.
func ReadAnchors(r io.Reader) ([]Checkpoint, error) {
	br := bufio.NewReader(r)
	if first, err := peekNonSpace(br); err == nil && first == '[' {
		var out []Checkpoint
		if err := json.NewDecoder(br).Decode(&out); err != nil {
			return nil, fmt.Errorf("not a JSON array of checkpoints: %w", err)
		}
		if len(out) == 0 {
			return nil, errors.New("no anchors")
		}
		return out, nil
	}
	var out []Checkpoint
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		var c Checkpoint
		var err error
		switch {
		case len(line) > 0 && line[0] == '{':
			err = json.Unmarshal(line, &c)
		case bytes.Contains(line, []byte(anchorMarker)):
			err = c.UnmarshalText(line)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no anchors (no line carries " + anchorMarker + ")")
	}
	return out, nil
}

// peekNonSpace returns the first byte that is not white space, leaving it unread.
func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			return b, br.UnreadByte()
		}
	}
}
