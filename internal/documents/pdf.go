package documents

import (
	"bytes"
	"regexp"
	"strconv"
)

// pdfCheck looks at a PDF as it streams past, never holding it whole: it is an io.Writer fed
// the plaintext while the store seals it, and verdict judges what it saw.
//
// What it checks, and why this is enough without a full parser:
//   - the header: %PDF-1.0 to %PDF-2.0 at the very start;
//   - the end: "%%EOF" within the last 1024 bytes, after "startxref" and the offset of the
//     last cross-reference section, which must be where a line "xref" or an object "N G obj"
//     (a cross-reference stream) begins — a truncated or spliced file fails here;
//   - names anywhere in the file, with #xx escapes decoded (/J#53 is /JS): /Encrypt means an
//     encrypted file (its content cannot be checked or read by an operator), /JS and
//     /JavaScript mean scripts, and both are refused. Names inside compressed object streams
//     are not seen; the antivirus scans those.
//   - PDF/A-1b, when the rule asks: ISO 19005-1 keeps the XMP metadata stream unfiltered, so
//     its pdfaid:part and pdfaid:conformance properties are read from the raw bytes.
type pdfCheck struct {
	n    int64 // bytes seen
	head []byte

	// line tracking: where the current line began and its first bytes
	lineStart int64
	line      []byte
	starts    map[int64]bool // offsets where "xref" or "N G obj" begins a line

	// name tracking
	inName  bool
	name    []byte
	hex     int // 0: not in an escape; 1, 2: hex digits of #xx still to come
	hexVal  byte
	found   map[string]bool
	tail    []byte // the last tailSize bytes
	window  []byte // the last bytes, to find XMP properties across writes
	join    []byte // the window and the start of a write
	pdfaidP string
	pdfaidC string
}

const (
	tailSize  = 2048
	lineKeep  = 24
	windowLen = 96
)

func newPDFCheck() *pdfCheck {
	return &pdfCheck{starts: map[int64]bool{}, found: map[string]bool{}}
}

var forbiddenNames = map[string]bool{"Encrypt": true, "JS": true, "JavaScript": true}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', 0, '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (p *pdfCheck) Write(b []byte) (int, error) {
	if len(p.head) < 16 {
		p.head = append(p.head, b[:min(len(b), 16-len(p.head))]...)
	}
	for i, c := range b {
		off := p.n + int64(i)
		// lines
		if c == '\r' || c == '\n' {
			p.endLine()
			p.lineStart = off + 1
		} else if len(p.line) < lineKeep {
			p.line = append(p.line, c)
		}
		// names (outside comments; a name ends at a delimiter)
		if p.inName {
			switch {
			case p.hex > 0:
				v, ok := unhex(c)
				if !ok {
					p.endName()
				} else {
					p.hexVal = p.hexVal<<4 | v
					if p.hex--; p.hex == 0 {
						p.addName(p.hexVal)
					}
					continue
				}
			case c == '#':
				p.hex, p.hexVal = 2, 0
				continue
			case isDelim(c):
				p.endName()
			default:
				p.addName(c)
				continue
			}
		}
		if c == '/' {
			p.inName, p.name = true, p.name[:0]
		}
	}
	p.n += int64(len(b))
	p.tail = appendTail(p.tail, b, tailSize)
	p.findXMP(b)
	return len(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (p *pdfCheck) addName(c byte) {
	if len(p.name) < 16 {
		p.name = append(p.name, c)
	} else {
		p.name = append(p.name[:16], '.') // longer than any name of interest
	}
}

func (p *pdfCheck) endName() {
	if forbiddenNames[string(p.name)] {
		p.found[string(p.name)] = true
	}
	p.inName, p.hex = false, 0
}

var objLine = regexp.MustCompile(`^\s*\d+\s+\d+\s+obj\b`)

func (p *pdfCheck) endLine() {
	l := p.line
	if bytes.HasPrefix(bytes.TrimLeft(l, " \t"), []byte("xref")) || objLine.Match(l) {
		p.starts[p.lineStart] = true
	}
	p.line = p.line[:0]
}

// appendTail keeps the last n bytes of what has been written.
func appendTail(tail, b []byte, n int) []byte {
	if len(b) >= n {
		return append(tail[:0], b[len(b)-n:]...)
	}
	tail = append(tail, b...)
	if len(tail) > n {
		tail = append(tail[:0], tail[len(tail)-n:]...)
	}
	return tail
}

var (
	xmpPart = regexp.MustCompile(`pdfaid:part\s*(?:=\s*["']\s*(\d)\s*["']|>\s*(\d)\s*<)`)
	xmpConf = regexp.MustCompile(`pdfaid:conformance\s*(?:=\s*["']\s*([A-Za-z])\s*["']|>\s*([A-Za-z])\s*<)`)
)

// findXMP looks for the PDF/A identification in what was written, and across the boundary
// with the previous write (a window of its last bytes), without copying the write.
func (p *pdfCheck) findXMP(b []byte) {
	if p.pdfaidP != "" && p.pdfaidC != "" {
		return
	}
	p.join = append(append(p.join[:0], p.window...), b[:min(len(b), windowLen)]...)
	p.matchXMP(p.join)
	p.matchXMP(b)
	if len(b) >= windowLen {
		p.window = append(p.window[:0], b[len(b)-windowLen:]...)
	} else {
		p.window = append(p.window, b...)
		p.window = p.window[max(0, len(p.window)-windowLen):]
	}
}

func (p *pdfCheck) matchXMP(w []byte) {
	if !bytes.Contains(w, []byte("pdfaid:")) { // cheap, before the regular expressions
		return
	}
	if p.pdfaidP == "" {
		if m := xmpPart.FindSubmatch(w); m != nil {
			p.pdfaidP = string(m[1]) + string(m[2])
		}
	}
	if p.pdfaidC == "" {
		if m := xmpConf.FindSubmatch(w); m != nil {
			p.pdfaidC = string(m[1]) + string(m[2])
		}
	}
}

var (
	headerRe    = regexp.MustCompile(`^%PDF-(1\.[0-7]|2\.0)`)
	startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
)

// verdict judges the whole file once it has been seen.
func (p *pdfCheck) verdict(r Rule) Verdict {
	p.endLine()
	if !headerRe.Match(p.head) {
		return refuse("pdf_damaged")
	}
	if p.found["Encrypt"] {
		return refuse("pdf_encrypted")
	}
	if p.found["JS"] || p.found["JavaScript"] {
		return refuse("pdf_javascript")
	}
	// %%EOF must be within the last 1024 bytes (ISO 32000-1 §7.5.5 allows trailing bytes
	// before it, and some writers add a few after).
	tail := p.tail
	if len(tail) > 1024+64 {
		tail = tail[len(tail)-1024-64:]
	}
	i := bytes.LastIndex(tail, []byte("%%EOF"))
	if i < 0 || len(tail)-i > 1024 {
		return refuse("pdf_damaged")
	}
	m := startxrefRe.FindSubmatch(p.tail[:len(p.tail)-len(tail)+i+5])
	if m == nil {
		return refuse("pdf_damaged")
	}
	off, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil || !p.starts[off] {
		return refuse("pdf_damaged")
	}
	if r.PDFA && (p.pdfaidP != "1" || (p.pdfaidC != "B" && p.pdfaidC != "b" && p.pdfaidC != "A" && p.pdfaidC != "a")) {
		// PDF/A-1a meets every requirement of 1b, so it is accepted where 1b is asked.
		return refuse("pdf_not_pdfa")
	}
	return Verdict{}
}
