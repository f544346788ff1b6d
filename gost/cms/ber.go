package cms

import (
	"errors"
	"fmt"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

// normalize rewrites BER as DER to the extent CMS readers need: indefinite
// lengths become definite, long-form lengths minimal, and constructed OCTET
// STRINGs (content streamed in segments) one primitive OCTET STRING. SET OF
// order is kept: signed attributes must be digested as they were sent. DER
// input comes back unchanged.
func normalize(in []byte) ([]byte, error) {
	out, rest, err := normalizeElement(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	return out, nil
}

// normalizeElement reads one element from in and returns its DER form and
// the bytes after it.
func normalizeElement(in []byte, depth int) (out, rest []byte, err error) {
	if depth > maxDepth {
		return nil, nil, errors.New("nested too deeply")
	}
	if len(in) < 2 {
		return nil, nil, errors.New("truncated element")
	}
	// Identifier octets, including the high-tag-number form.
	idLen := 1
	if in[0]&0x1f == 0x1f {
		for {
			if idLen >= len(in) || idLen > 5 {
				return nil, nil, errors.New("truncated or oversized tag")
			}
			b := in[idLen]
			idLen++
			if b&0x80 == 0 {
				break
			}
		}
	}
	id := in[:idLen]
	constructed := in[0]&0x20 != 0
	if idLen >= len(in) {
		return nil, nil, errors.New("truncated element")
	}
	lenByte := in[idLen]
	p := idLen + 1

	var content []byte
	if lenByte == 0x80 { // indefinite length
		if !constructed {
			return nil, nil, errors.New("indefinite length on a primitive element")
		}
		body := in[p:]
		for {
			if len(body) < 2 {
				return nil, nil, errors.New("missing end-of-contents")
			}
			if body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
			var child []byte
			child, body, err = normalizeElement(body, depth+1)
			if err != nil {
				return nil, nil, err
			}
			content = append(content, child...)
		}
	} else {
		n := int(lenByte)
		if lenByte&0x80 != 0 {
			k := int(lenByte & 0x7f)
			if k > 4 || p+k > len(in) {
				return nil, nil, errors.New("bad length")
			}
			n = 0
			for _, b := range in[p : p+k] {
				n = n<<8 | int(b)
			}
			p += k
		}
		if n < 0 || n > len(in)-p {
			return nil, nil, fmt.Errorf("length %d exceeds the %d bytes left", n, len(in)-p)
		}
		body := in[p : p+n]
		rest = in[p+n:]
		if !constructed {
			content = body
		} else {
			for len(body) > 0 {
				if len(body) >= 2 && body[0] == 0 && body[1] == 0 {
					return nil, nil, errors.New("end-of-contents inside a definite length")
				}
				var child []byte
				child, body, err = normalizeElement(body, depth+1)
				if err != nil {
					return nil, nil, err
				}
				content = append(content, child...)
			}
		}
	}

	if constructed && len(id) == 1 && id[0] == 0x24 { // constructed OCTET STRING
		flat, err := flattenOctets(content)
		if err != nil {
			return nil, nil, err
		}
		return appendElement(nil, []byte{0x04}, flat), rest, nil
	}
	return appendElement(nil, id, content), rest, nil
}

// flattenOctets joins the segments of a constructed OCTET STRING, already
// normalized, so each is a primitive OCTET STRING.
func flattenOctets(segments []byte) ([]byte, error) {
	var out []byte
	for len(segments) > 0 {
		if segments[0] != 0x04 {
			return nil, errors.New("constructed OCTET STRING holds something else")
		}
		n, hdr, err := definiteLength(segments)
		if err != nil {
			return nil, err
		}
		out = append(out, segments[hdr:hdr+n]...)
		segments = segments[hdr+n:]
	}
	return out, nil
}

// definiteLength reads the header of a DER element with a one-byte tag and
// returns its content length and header size.
func definiteLength(b []byte) (n, hdr int, err error) {
	if len(b) < 2 {
		return 0, 0, errors.New("truncated element")
	}
	if b[1]&0x80 == 0 {
		n, hdr = int(b[1]), 2
	} else {
		k := int(b[1] & 0x7f)
		if k == 0 || k > 4 || 2+k > len(b) {
			return 0, 0, errors.New("bad length")
		}
		for _, x := range b[2 : 2+k] {
			n = n<<8 | int(x)
		}
		hdr = 2 + k
	}
	if n < 0 || n > len(b)-hdr {
		return 0, 0, errors.New("length exceeds data")
	}
	return n, hdr, nil
}

// appendElement appends identifier, minimal DER length and content.
func appendElement(dst, id, content []byte) []byte {
	dst = append(dst, id...)
	n := len(content)
	switch {
	case n < 0x80:
		dst = append(dst, byte(n))
	default:
		var l []byte
		for x := n; x > 0; x >>= 8 {
			l = append([]byte{byte(x)}, l...)
		}
		dst = append(dst, 0x80|byte(len(l)))
		dst = append(dst, l...)
	}
	return append(dst, content...)
}
