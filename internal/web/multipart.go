package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
)

// MultipartForm is a multipart form read as a stream: the small fields that came before its
// file, and the file part itself, not yet read, for the handler to stream where it belongs
// (the documents store seals it chunk by chunk as it arrives). Nothing of the form touches the
// disk — unlike http.Request.ParseMultipartForm, which writes every part over its memory
// limit into a temporary file, in clear.
//
// The order of the form matters: its fields, the csrf_token first of all, come before the
// file (the CSRF check reads the token before a byte of the file is read); the fields after
// the file are not read. Forms put their file input last.
type MultipartForm struct {
	Values url.Values      // the fields before the file
	File   *multipart.Part // the first file part; nil if the form has none or its input was left empty
}

// FileName is the name the browser gave the file ("" without one); shown back, never trusted.
func (f *MultipartForm) FileName() string {
	if f.File == nil {
		return ""
	}
	return f.File.FileName()
}

// MaxMultipartFields bounds the fields before the file, which are held in memory.
const MaxMultipartFields = 64 << 10

// Multipart reads a multipart request up to its file (see MultipartForm). The first call
// reads; later ones (the CSRF check, then the handler) return the same form. A body that is
// not multipart or is malformed is errs.Invalid; fields over MaxMultipartFields, or a body
// over the route's limit, errs.TooLarge.
func Multipart(r *http.Request) (*MultipartForm, error) {
	ri := info(r)
	if ri.multipart != nil || ri.multipartErr != nil {
		return ri.multipart, ri.multipartErr
	}
	ri.multipart, ri.multipartErr = readMultipart(r)
	if ri.multipartErr != nil {
		ri.multipart = nil
	}
	return ri.multipart, ri.multipartErr
}

func readMultipart(r *http.Request) (*MultipartForm, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.E(errs.Invalid, "", err)
	}
	f := &MultipartForm{Values: url.Values{}}
	left := int64(MaxMultipartFields)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return nil, bodyError(err)
		}
		name := part.FormName()
		if name == "" {
			continue
		}
		if isFilePart(part) {
			if part.FileName() == "" {
				// An input with no file chosen: browsers send the part, empty and nameless.
				if _, err := io.Copy(io.Discard, io.LimitReader(part, 1)); err != nil {
					return nil, bodyError(err)
				}
				continue
			}
			f.File = part
			return f, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, left+1))
		if err != nil {
			return nil, bodyError(err)
		}
		if left -= int64(len(b)); left < 0 {
			return nil, errs.E(errs.TooLarge, "", errors.New("web: multipart fields over the limit"))
		}
		f.Values.Add(name, string(b))
	}
}

// isFilePart reports whether the part comes from a file input: its Content-Disposition has a
// filename parameter, empty when nothing was chosen (a text field has none).
func isFilePart(p *multipart.Part) bool {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	_, ok := params["filename"]
	return err == nil && ok
}

// bodyError is a failure reading a body: TooLarge over the route's limit, Invalid otherwise.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.E(errs.TooLarge, "", err)
	}
	return errs.E(errs.Invalid, "", err)
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

// errFileBeforeToken refuses a multipart form whose file came before its csrf_token: the
// token would have to be looked for after the whole file, which is not read before the check.
var errFileBeforeToken = errs.E(errs.Invalid, "error.upload_order", errors.New("web: the file came before the csrf_token"))
