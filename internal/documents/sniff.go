package documents

import "bytes"

// sniffSize is how much of the start of a file sniff looks at.
const sniffSize = 512

// sniff tells a file's type from its first bytes. A type the store never accepts comes back
// as "" with the refusal that names it: an archive or an office document (a ZIP, which is
// also how zip bombs come), or anything else.
func sniff(head []byte, r Rule) (Type, Verdict) {
	var t Type
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		t = PDF
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		t = JPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		t = PNG
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")),
		bytes.HasPrefix(head, []byte("PK\x07\x08")),                                   // ZIP, and DOCX, XLSX, ODT, which are ZIPs
		bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}), // DOC, XLS
		bytes.HasPrefix(head, []byte("Rar!\x1a\x07")),
		bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")),
		bytes.HasPrefix(head, []byte{0x1F, 0x8B}), // gzip
		bytes.HasPrefix(head, []byte("BZh")):
		return "", refuse("archive", "types", r.typeList())
	case len(head) == 0:
		return "", refuse("empty")
	default:
		return "", refuse("type", "types", r.typeList())
	}
	if !r.allows(t) {
		return "", refuse("type", "types", r.typeList())
	}
	return t, Verdict{}
}
