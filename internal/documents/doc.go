// Package documents keeps the files citizens upload — passport scans, СНИЛС cards, powers of
// attorney — checked, sealed and, when an antivirus is configured, scanned. It is a store and
// nothing more: the applications that attach documents keep the ids it returns.
//
//	doc, err := store.Put(ctx, r.Body, documents.Upload{Name: header.Filename,
//		Rule: documents.Rule{Kind: "passport_scan", MaxBytes: 5 << 20, MinDPI: 300}, Request: r})
//	// doc.Verdict.Message(printer): «Принят», or the reason it is not
//	_, content, err := store.Open(ctx, doc.ID) // an accepted document only
//	err = store.Remove(ctx, r, doc.ID)
//
// # Checks
//
// A file is judged by its content, never by its name or the type the browser sent. The first
// 512 bytes tell the type (PDF, JPEG, PNG); anything else is refused at once, with its own
// message for archives and office documents (ZIP, DOCX, XLSX, RAR…: a zip bomb is refused
// here, before anything is inflated). The rest is read through a limit that stops at the rule's
// size and one byte more, so an oversized upload is refused without being read whole. PDFs are
// checked as they stream past (header, the cross-reference offset named by startxref, %%EOF;
// /Encrypt and JavaScript refused; the PDF/A-1b claim of the XMP metadata when the rule asks).
// Images are judged by their header first (dimensions, so an image bomb is refused before it
// is decoded; resolution from JFIF, Exif or pHYs), then decoded a few at a time, checked for
// colour and re-encoded: what is stored holds the pixels and the resolution, and no Exif (GPS
// position, camera serial), comments or trailing bytes. Each document gets «Принят» or a
// specific refusal (catalog keys documents.refused.*), shown in the user's language.
//
// # Antivirus
//
// With a Scanner (Clamd: clamd's INSTREAM command over TCP or a unix socket) every file is
// scanned as it was uploaded; an infected one is refused with its own message, its signature
// kept in the row, nothing of it stored. When clamd cannot be reached the document is stored
// in quarantine: Open refuses it until ScanQuarantined (a periodic job) finds it clean.
//
// # Storage
//
// Storage is one interface with two implementations: Disk (a directory, by default
// DATA_DIR/documents) and S3 (any S3-compatible service, through minio-go). An upload is
// sealed into a spool file as it arrives, checked there, and only then handed to the storage
// (renamed into place on disk, uploaded with its exact size to S3), so a refused file never
// reaches the storage, plaintext never touches a disk, and no file is ever held in memory.
//
// # The sealed file
//
// Stored files are sealed with the personal-data keys (internal/seal) in a chunked AEAD
// construction over Kuznyechik-MGM (GOST R 34.12-2015, RFC 9058). Byte for byte (version 1):
//
//	"SEPD"        4 bytes, magic
//	0x01          format version
//	0x10          log2 of the chunk size: chunks of 65,536 bytes of plaintext
//	key id        4 bytes, big-endian: the data key it is sealed under (seal.KeyID)
//	salt          16 random bytes
//	chunks        each the chunk's ciphertext and a 16-byte MGM tag; every chunk but the last
//	              holds 65,536 bytes, the last 0 to 65,536 (an empty file is one empty chunk)
//
// The file key is KDF_GOSTR3411_2012_256 (RFC 7836) of the data key named in the header, with
// the label "sep document kuznyechik-mgm chunked v1" and the seed salt ‖ document id: a key
// of its own for every file, so nonces never repeat across files, and a file copied under
// another document's id does not open. Chunk i is sealed with the 16-byte nonce
// flag ‖ 0^7 ‖ i (i as 8 bytes big-endian; flag 0x01 for the last chunk and 0x00 for the
// others, which also keeps MGM's most significant nonce bit 0) and the 26-byte header as
// associated data. So chunks cannot be reordered, repeated or taken from another file (the
// index and the file key differ), the file cannot be truncated at a chunk boundary (the chunk
// then last is not flagged last) or extended past its last chunk, and no header byte can
// change. Reading verifies each chunk before returning any of its bytes; memory use is one
// chunk, whatever the file's size.
//
// Rotation: the header names its key, so a file sealed before a rotation opens with the old
// key while the ring holds it, and new files are sealed with the current key. The row's
// key_id tells which files still depend on an old key (KeyUses), and `sep keys
// remove-data-key` refuses to remove a key that still seals a stored file. Re-sealing stored
// files under the new key is not done yet, so an old data key stays in the ring while
// documents sealed with it are kept.
package documents
