// Package passlist keeps the МВД list of invalid passports — an open data set of well over 100
// million series/number pairs — in a compact form that every passport check consults.
//
// # Use
//
// New returns the List of a database; List.Contains(ctx, series, number) answers whether a
// passport is on the list (it implements registry.InvalidPassports). List.Import loads a file,
// plain or bzip2, and makes it the current list for every sep instance; `sep registry
// import-invalid-passports FILE` is the command for it, `sep registry invalid-passports-status`
// describes the current list.
//
// # The file
//
// The МВД publishes list_of_expired_passports.csv(.bz2): a header PASSP_SERIES,PASSP_NUMBER,
// then one passport a line, "4510,123456", LF line ends, no quotes. Programs that load it
// filter out rows that are not four digits, a comma and six digits, because the file has some:
// series with letters (Soviet-style series, typing errors), fields of other lengths, values that
// lost their leading zeros. The reader accepts:
//
//   - the header in any case, names optionally quoted, ',' or ';' between them (the rows then use
//     the same delimiter), after an optional UTF-8 byte order mark;
//   - line ends LF, CRLF or a lone CR (detected from the first line); blank lines are ignored;
//   - rows SERIES,NUMBER with spaces or tabs around the fields and each field optionally in
//     double quotes. A series of 1–3 digits or a number of 1–5 digits lost its leading zeros (as
//     a spreadsheet does): they are restored, and the row is counted as "padded".
//   - a last line without its line end, if it is a complete passport (no zeros to restore).
//
// Every other row is junk: counted, skipped, reported. A file is broken — the import fails with
// a *BrokenFileError and changes nothing — when it cannot be read or decompressed (a truncated
// or damaged .bz2: every block and stream checksum is verified), is empty, does not start with
// the header, has no passport rows, ends in a line without its line end that is not a complete
// passport (a file cut off, by an interrupted download say: the rows after the cut are lost
// however few junk rows the cut makes; the error names the byte where the file ends), or has an
// unreasonable share of junk: more than 1% of its rows and more than 10 rows, or more than 1% of
// its bytes and more than 4 KiB (binary garbage without line ends). The 1% is
// ImportOptions.MaxJunkShare (`-max-junk`).
//
// A good file can still be the wrong one: a list with fewer than half the entries of the
// current list (an old or partial extract, a file cut at a line end) replaces it only with
// ImportOptions.AllowShrink (`-allow-shrink`); otherwise the import fails with a *ShrinkError
// naming both sizes and changes nothing. The current list is read in the import's transaction.
//
// # The structure
//
// A passport is a key series×10⁶ + number below 10¹⁰ (Key). A Set keeps the keys sorted and
// split by their upper bits into 152 588 buckets of 65 536 keys: each key is stored as its low
// 16 bits (2 bytes) in its bucket, and an index of bucket offsets (4 bytes × 152 589, 0.6 MB)
// says where each bucket starts. That is 2 bytes per entry plus the fixed index: 2.06 bytes at
// 10 million entries, 2.004 at 150 million. A lookup reads two offsets and binary-searches one
// bucket (65 keys on average at 10 million entries, about 1 000 at 150 million). Elias–Fano
// coding would take about 1.4 bytes per entry at 10 million but needs a select structure and
// costs more per lookup; 2 bytes is well within the 3-byte budget.
//
// The import parses with a hand-written line parser over a 1 MiB buffer (bufio.ReadSlice, no
// allocation per row; the common row "SSSS,NNNNNN" takes a fast path), collects keys in 1M-key
// chunks (8 bytes each while importing), then builds the Set by a bucket sort: count per bucket,
// scatter the 16-bit suffixes, sort each small bucket and drop duplicates in place. An import
// therefore needs about 10 bytes per row while it runs — some 1.5 GB for the real list — and
// only the 2 bytes per entry of the Set afterwards.
//
// bzip2: compress/bzip2 decodes one block after another on one core, about 12–15 MB of output
// per CPU-second here, which is about one million rows per second — the whole budget. This
// package splits the compressed input at block boundaries (a bit-level search for the 48-bit
// block magic) and decodes the blocks on all cores with a block decoder of its own
// (bzip2block.go): table-driven Huffman decoding and an inverse BWT walked in several pieces at
// once take a fraction of compress/bzip2's CPU time per byte (BenchmarkBzip2); compress/bzip2
// is the reference the tests and fuzz targets compare it with. Every block and stream CRC is
// checked. Memory stays bounded whatever the file: a block is at most 2.2 MiB compressed (the
// format's limit, see maxBlockBits; input without a block boundary within it is refused as
// damaged instead of being buffered), and at most GOMAXPROCS+2 decoded blocks of at most 900 kB
// each wait for the parser (runs are expanded as the parser reads). External decompressors are
// not used: there is nothing to install and no process to manage, and the decoding scales with
// the cores of the host.
//
// # Storage and instances
//
// Several sep instances may share one database, so the list lives there: the encoded Set cut
// into 1 MiB chunks (table invalid_passport_chunks) under a version described in
// invalid_passport_lists, and invalid_passport_head naming the current version. An import
// writes the new version, moves the head and deletes the old version in one transaction: a
// failed import rolls back and leaves the old list; readers see the old list or the new one,
// never a mix. A List loads the current version in the background (sep starts it when it
// starts; else the first lookup does), streaming the chunks of one query straight into the Set
// (the encoded form is never held whole) and checking its SHA-256. Then a lookup at least
// Options.CheckEvery (30 s) after the last check reads the head version — one indexed row — and,
// if another instance imported a new list, starts loading it in the background. A load runs
// under the List's own context and Options.LoadTimeout (10 min), never under a lookup's: a list
// of 150 million entries that takes longer than a check's timeout to read still loads, and is
// swapped in whole when it is ready. Lookups never wait for a load: while a newer list loads,
// and when the database cannot be reached, they answer from the list in memory; while a list is
// imported but none is in memory yet they fail with ErrNotLoaded, which a passport check takes
// as no answer and retries later — it never confirms a passport without the list. Only the Set
// stays resident (two while a newer one loads).
//
// # Figures
//
// `go run ./bench/passlist` generates a 10-million-row list and measures import, memory and
// lookups against the targets (import ≥ 1 M rows/s, ≤ 3 bytes per entry, ≥ 2 M lookups/s);
// README.md has the figures of the last run. BenchmarkContains and BenchmarkBzip2 measure the
// lookup and the bzip2 decoder alone (compress/bzip2, this package's decoder on one goroutine,
// and on all cores).
package passlist
