// Package pdfsign embeds a detached CMS signature into a PDF, as PDF readers expect one
// (ISO 32000-1, 12.8): an incremental update adds a signature field (an invisible widget on
// the first page, in the catalog's /AcroForm) whose value is a signature dictionary
//
//	<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (D:…Z)
//	  /Reason <FEFF…> /ByteRange [0 a b c] /Contents <…>>>
//
// /ByteRange names the two spans of the file that are signed — everything but the hex string
// of /Contents, delimiters included — and /Contents holds the DER of a CMS SignedData over
// the two spans joined, zero-padded to a fixed size reserved before the spans were known.
//
// The signature itself is the caller's (a func over the signed bytes), so the package knows
// nothing of keys or algorithms; sep signs with GOST R 34.10-2012 and Streebog through
// gost/cms. Sign works on PDFs whose last cross-reference section is a classic table (as
// codeberg.org/go-pdf/fpdf writes them); a cross-reference stream is refused.
package pdfsign

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf16"
)

// ContentsSize is the room reserved for the signature's DER: a GOST CMS SignedData with
// one certificate takes about 1.5 KB.
const ContentsSize = 8192

// Signer signs the bytes of the byte ranges and returns a DER CMS SignedData (detached).
type Signer func(signed []byte) ([]byte, error)

var (
	startxrefRe = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	rootRe      = regexp.MustCompile(`/Root\s+(\d+)\s+0\s+R`)
	infoRe      = regexp.MustCompile(`/Info\s+(\d+)\s+0\s+R`)
	sizeRe      = regexp.MustCompile(`/Size\s+(\d+)`)
	pagesRe     = regexp.MustCompile(`/Pages\s+(\d+)\s+0\s+R`)
	kidsRe      = regexp.MustCompile(`/Kids\s*\[\s*(\d+)\s+0\s+R`)
)

// Sign returns pdf with a signature by sign embedded, made at when, with reason (any text;
// written in UTF-16) as the signature's /Reason.
func Sign(pdf []byte, when time.Time, reason string, sign Signer) ([]byte, error) {
	x, err := readXref(pdf)
	if err != nil {
		return nil, err
	}
	catalog, err := x.object(pdf, x.root)
	if err != nil {
		return nil, fmt.Errorf("pdfsign: the catalog: %w", err)
	}
	if bytes.Contains(catalog, []byte("/AcroForm")) {
		return nil, errors.New("pdfsign: the PDF has a form already")
	}
	m := pagesRe.FindSubmatch(catalog)
	if m == nil {
		return nil, errors.New("pdfsign: the catalog names no pages")
	}
	pagesNum, _ := strconv.Atoi(string(m[1]))
	pages, err := x.object(pdf, pagesNum)
	if err != nil {
		return nil, fmt.Errorf("pdfsign: the page tree: %w", err)
	}
	if m = kidsRe.FindSubmatch(pages); m == nil {
		return nil, errors.New("pdfsign: the page tree has no first page")
	}
	pageNum, _ := strconv.Atoi(string(m[1]))
	page, err := x.object(pdf, pageNum)
	if err != nil {
		return nil, fmt.Errorf("pdfsign: the first page: %w", err)
	}
	if bytes.Contains(page, []byte("/Annots")) {
		return nil, errors.New("pdfsign: the first page has annotations already")
	}

	widget, sig := x.size, x.size+1
	var b bytes.Buffer
	b.Write(pdf)
	if !bytes.HasSuffix(pdf, []byte("\n")) {
		b.WriteByte('\n')
	}
	offsets := map[int]int{}
	obj := func(num int, body []byte) {
		offsets[num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", num, body)
	}
	obj(widget, fmt.Appendf(nil, "<</Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 132 /Rect [0 0 0 0] /P %d 0 R /V %d 0 R>>", pageNum, sig))
	offsets[sig] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (D:%sZ) /Reason <%s>\n/ByteRange ",
		sig, when.UTC().Format("20060102150405"), utf16Hex(reason))
	rangeAt := b.Len()
	fmt.Fprintf(&b, "[0 %010d %010d %010d] /Contents ", 0, 0, 0)
	contentsAt := b.Len()
	b.WriteByte('<')
	b.Write(bytes.Repeat([]byte("0"), 2*ContentsSize))
	b.WriteString(">>>\nendobj\n")
	obj(x.root, insertBeforeEnd(catalog, fmt.Appendf(nil, "/AcroForm <</Fields [%d 0 R] /SigFlags 3>>\n", widget)))
	obj(pageNum, insertBeforeEnd(page, fmt.Appendf(nil, "\n/Annots [%d 0 R]", widget)))

	xrefAt := b.Len()
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, num := range []int{x.root, pageNum, widget, sig} {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", num, offsets[num])
	}
	info := ""
	if x.info > 0 {
		info = fmt.Sprintf(" /Info %d 0 R", x.info)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root %d 0 R%s /Prev %d>>\nstartxref\n%d\n%%%%EOF\n", sig+1, x.root, info, x.start, xrefAt)

	out := b.Bytes()
	gapEnd := contentsAt + 2 + 2*ContentsSize
	copy(out[rangeAt:], fmt.Appendf(nil, "[0 %010d %010d %010d]", contentsAt, gapEnd, len(out)-gapEnd))
	signed := make([]byte, 0, len(out)-(gapEnd-contentsAt))
	signed = append(append(signed, out[:contentsAt]...), out[gapEnd:]...)
	der, err := sign(signed)
	if err != nil {
		return nil, fmt.Errorf("pdfsign: sign: %w", err)
	}
	if len(der) > ContentsSize {
		return nil, fmt.Errorf("pdfsign: the signature takes %d bytes, over the %d reserved", len(der), ContentsSize)
	}
	hex.Encode(out[contentsAt+1:], der)
	return out, nil
}

var (
	byteRangeRe = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)
)

// Signature returns what the last signature of pdf signs (its byte ranges joined) and the
// signature (the DER of /Contents, without its padding): what a verifier checks.
func Signature(pdf []byte) (signed, der []byte, err error) {
	all := byteRangeRe.FindAllSubmatch(pdf, -1)
	if len(all) == 0 {
		return nil, nil, errors.New("pdfsign: no signature")
	}
	m := all[len(all)-1]
	var r [4]int
	for i := range r {
		if r[i], err = strconv.Atoi(string(m[i+1])); err != nil {
			return nil, nil, fmt.Errorf("pdfsign: a byte range: %w", err)
		}
	}
	if r[0] != 0 || r[1] <= 0 || r[2] <= r[1]+2 || r[2]+r[3] != len(pdf) || pdf[r[1]] != '<' || pdf[r[2]-1] != '>' {
		return nil, nil, errors.New("pdfsign: the byte ranges do not cover the file around one hex string")
	}
	h := pdf[r[1]+1 : r[2]-1]
	raw := make([]byte, hex.DecodedLen(len(h)))
	if _, err := hex.Decode(raw, h); err != nil {
		return nil, nil, fmt.Errorf("pdfsign: /Contents: %w", err)
	}
	n, err := derLength(raw)
	if err != nil {
		return nil, nil, err
	}
	signed = append(append([]byte{}, pdf[:r[1]]...), pdf[r[2]:]...)
	return signed, raw[:n], nil
}

// derLength is the length of the DER element at the start of b (its padding follows).
func derLength(b []byte) (int, error) {
	if len(b) < 2 || b[0] != 0x30 {
		return 0, errors.New("pdfsign: /Contents holds no DER sequence")
	}
	if b[1] < 0x80 {
		return 2 + int(b[1]), nil
	}
	k := int(b[1] & 0x7f)
	if k == 0 || k > 3 || len(b) < 2+k {
		return 0, errors.New("pdfsign: /Contents: a bad DER length")
	}
	n := 0
	for _, c := range b[2 : 2+k] {
		n = n<<8 | int(c)
	}
	if 2+k+n > len(b) {
		return 0, errors.New("pdfsign: /Contents: the DER is cut")
	}
	return 2 + k + n, nil
}

// xref is what Sign needs of the last cross-reference section.
type xref struct {
	start, size, root, info int
	offsets                 map[int]int
}

func readXref(pdf []byte) (*xref, error) {
	tail := pdf[max(0, len(pdf)-1024):]
	m := startxrefRe.FindSubmatch(tail)
	if m == nil {
		return nil, errors.New("pdfsign: no startxref at the end")
	}
	x := &xref{offsets: map[int]int{}}
	x.start, _ = strconv.Atoi(string(m[1]))
	if x.start >= len(pdf) || !bytes.HasPrefix(pdf[x.start:], []byte("xref")) {
		return nil, errors.New("pdfsign: the last cross-reference section is not a table")
	}
	rest := pdf[x.start+len("xref"):]
	end := bytes.Index(rest, []byte("trailer"))
	if end < 0 {
		return nil, errors.New("pdfsign: no trailer")
	}
	fields := bytes.Fields(rest[:end])
	for i := 0; i+1 < len(fields); {
		first, err1 := strconv.Atoi(string(fields[i]))
		count, err2 := strconv.Atoi(string(fields[i+1]))
		if err1 != nil || err2 != nil || i+2+3*count > len(fields) {
			return nil, errors.New("pdfsign: a bad cross-reference table")
		}
		i += 2
		for j := range count {
			off, _ := strconv.Atoi(string(fields[i]))
			if string(fields[i+2]) == "n" {
				x.offsets[first+j] = off
			}
			i += 3
		}
	}
	trailer := rest[end:]
	if m = rootRe.FindSubmatch(trailer); m == nil {
		return nil, errors.New("pdfsign: the trailer names no catalog")
	}
	x.root, _ = strconv.Atoi(string(m[1]))
	if m = infoRe.FindSubmatch(trailer); m != nil {
		x.info, _ = strconv.Atoi(string(m[1]))
	}
	if m = sizeRe.FindSubmatch(trailer); m == nil {
		return nil, errors.New("pdfsign: the trailer has no /Size")
	}
	x.size, _ = strconv.Atoi(string(m[1]))
	return x, nil
}

// object returns the dictionary of object num (the text between "num 0 obj" and "endobj").
func (x *xref) object(pdf []byte, num int) ([]byte, error) {
	off, ok := x.offsets[num]
	if !ok || off >= len(pdf) {
		return nil, fmt.Errorf("object %d is not in the cross-reference table", num)
	}
	head := fmt.Appendf(nil, "%d 0 obj", num)
	if !bytes.HasPrefix(pdf[off:], head) {
		return nil, fmt.Errorf("object %d is not where the table says", num)
	}
	body := pdf[off+len(head):]
	end := bytes.Index(body, []byte("endobj"))
	if end < 0 {
		return nil, fmt.Errorf("object %d has no end", num)
	}
	d := bytes.TrimSpace(body[:end])
	if !bytes.HasPrefix(d, []byte("<<")) || !bytes.HasSuffix(d, []byte(">>")) || bytes.Contains(d, []byte("stream")) {
		return nil, fmt.Errorf("object %d is not a dictionary", num)
	}
	return d, nil
}

// insertBeforeEnd puts entries before the closing ">>" of dictionary d.
func insertBeforeEnd(d, entries []byte) []byte {
	out := append([]byte{}, d[:len(d)-2]...)
	out = append(out, entries...)
	return append(out, ">>"...)
}

// utf16Hex is s as a PDF text string in UTF-16BE with its byte order mark, in hex.
func utf16Hex(s string) string {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return hex.EncodeToString(b)
}
