package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// check reads the upload, seals it into a spool while checking it, and returns the verdict
// and the spool to store (nil when refused: the caller keeps nothing). The order matters:
//
//  1. the first 512 bytes tell the type; a type the rule does not take is refused at once;
//  2. the rest streams through the limit (limit + 1 bytes at most are read), the type's
//     checks and the sealing, into a spool;
//  3. images: the header, from the spool — an image bomb is refused before decoding —,
//     the resolution, then the pixels: colour, and a re-encoded copy into a second spool;
//  4. the antivirus scans the file as uploaded; an infected file is refused whatever the
//     other checks said, and one the antivirus could not scan is stored in quarantine.
func (s *Store) check(ctx context.Context, id string, r io.Reader, rule Rule, d *Document) (Verdict, *spoolFile, error) {
	limit := rule.maxBytes()
	lr := &io.LimitedReader{R: r, N: limit + 1}
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(lr, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Verdict{}, nil, fmt.Errorf("documents: read the upload: %w", err)
	}
	head = head[:n]
	t, v := sniff(head, rule)
	if v.State == Refused {
		return v, nil, nil
	}
	d.Type = t

	orig, err := s.newSpool(id)
	if err != nil {
		return Verdict{}, nil, err
	}
	keep := false
	defer func() {
		if !keep {
			orig.discard()
		}
	}()
	sw, key, err := newSealWriter(orig.f, s.box, id)
	if err != nil {
		return Verdict{}, nil, err
	}
	orig.key = key
	var pdf *pdfCheck
	var w io.Writer = sw
	if t == PDF {
		pdf = newPDFCheck()
		w = io.MultiWriter(sw, pdf)
	}
	if _, err := w.Write(head); err != nil {
		return Verdict{}, nil, fmt.Errorf("documents: spool: %w", err)
	}
	copied, err := io.CopyBuffer(w, lr, make([]byte, 32<<10))
	if err != nil {
		return Verdict{}, nil, fmt.Errorf("documents: read the upload: %w", err)
	}
	total := int64(n) + copied
	if total > limit {
		return refuse("too_large", "mb", megabytes(limit)), nil, nil
	}
	if err := sw.Close(); err != nil {
		return Verdict{}, nil, fmt.Errorf("documents: spool: %w", err)
	}
	d.Size = total

	final := orig
	switch t {
	case PDF:
		v = pdf.verdict(rule)
	case JPEG, PNG:
		var img *spoolFile
		v, img, err = s.checkImage(ctx, id, orig, t, rule)
		if err != nil {
			return Verdict{}, nil, err
		}
		if img != nil {
			final = img
			defer func() {
				if !keep {
					img.discard()
				}
			}()
			if d.Size, err = img.plainSize(); err != nil {
				return Verdict{}, nil, err
			}
		}
	}

	// The antivirus has the last word on the file as it was uploaded.
	if s.scanner != nil {
		pr, err := orig.opened(s.box, id)
		if err != nil {
			return Verdict{}, nil, err
		}
		infected, sig, err := s.scanner.Scan(ctx, pr)
		switch {
		case err != nil:
			s.log.Warn("documents: the antivirus cannot scan now; the document waits in quarantine",
				"document", id, "err", err)
			if v.State != Refused {
				v = quarantined()
			}
		case infected:
			d.Signature = sig
			return refuse("infected"), nil, nil
		}
	}
	if v.State == Refused {
		return v, nil, nil
	}
	if v.State == "" {
		v = accepted()
	}
	if final != orig {
		orig.discard()
	}
	keep = true
	return v, final, nil
}

// checkImage judges an image spooled in orig, and returns its re-encoded copy.
func (s *Store) checkImage(ctx context.Context, id string, orig *spoolFile, t Type, rule Rule) (Verdict, *spoolFile, error) {
	pr, err := orig.opened(s.box, id)
	if err != nil {
		return Verdict{}, nil, err
	}
	h, err := readImageHeader(pr, t)
	if err != nil {
		return refuse("image_damaged", "type", t.label()), nil, nil
	}
	if h.bomb() {
		return refuse("image_dimensions", "width", strconv.Itoa(h.width), "height", strconv.Itoa(h.height)), nil, nil
	}
	if rule.MinDPI > 0 {
		switch {
		case h.dpi == 0:
			return refuse("dpi_unknown", "dpi", strconv.Itoa(rule.MinDPI)), nil, nil
		case h.dpi+0.5 < float64(rule.MinDPI):
			return refuse("dpi_low", "dpi", strconv.Itoa(rule.MinDPI), "actual", dpiLabel(h.dpi)), nil, nil
		}
	}

	select {
	case s.decoders <- struct{}{}:
	case <-ctx.Done():
		return Verdict{}, nil, ctx.Err()
	}
	defer func() { <-s.decoders }()
	if pr, err = orig.opened(s.box, id); err != nil {
		return Verdict{}, nil, err
	}
	out, err := s.newSpool(id)
	if err != nil {
		return Verdict{}, nil, err
	}
	sw, key, err := newSealWriter(out.f, s.box, id)
	if err != nil {
		out.discard()
		return Verdict{}, nil, err
	}
	out.key = key
	colour, err := reencode(pr, t, sw, rule.Colour, h.dpi)
	if err == nil {
		err = sw.Close()
	}
	switch {
	case err != nil && isSealErr(err):
		out.discard()
		return Verdict{}, nil, err
	case err != nil:
		out.discard()
		return refuse("image_damaged", "type", t.label()), nil, nil
	case !colour:
		out.discard()
		return refuse("not_colour"), nil, nil
	}
	return Verdict{}, out, nil
}

func isSealErr(err error) bool {
	return errors.Is(err, ErrTampered) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrNotSealed)
}

// plainSize is the size of the spool's plaintext.
func (sf *spoolFile) plainSize() (int64, error) {
	n, err := sf.size()
	if err != nil {
		return 0, err
	}
	n -= int64(headerSize)
	chunks := (n + chunkSize + tagSize - 1) / (chunkSize + tagSize)
	return n - chunks*tagSize, nil
}
