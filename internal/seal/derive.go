package seal

import (
	"fmt"

	"github.com/sep-platform/sep/gost/kdf"
)

// DeriveFor returns 32 bytes for a purpose and a context (say, a file's random salt and id)
// from the data key named id: what a sealed format that is not a column (a stored document,
// internal/documents) keys itself with, naming the key in its own header. The current key
// (Ring().Current()) derives for new values; an older key of the ring still derives for what
// it sealed, and a key the ring lacks makes the box read the key file again once (a rotation
// this instance has not seen yet) before the error. Different purposes or contexts give
// unrelated bytes, and none of them tells anything about the data key or the column keys.
func (b *Box) DeriveFor(id KeyID, purpose string, context []byte) ([]byte, error) {
	k := b.ring.Load().key(id)
	if k == nil {
		if k = b.reloadForKey(id).key(id); k == nil {
			return nil, fmt.Errorf("seal: %w: %s", ErrUnknownKey, id)
		}
	}
	return kdf.KDF256(k.secret, []byte(purpose), context), nil
}
