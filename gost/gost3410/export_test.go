package gost3410

// SignWithNonce exposes deterministic signing with a fixed nonce (little-endian) to the
// tests, which need it to reproduce published vectors.
func SignWithNonce(k *PrivateKey, digest, nonce []byte) ([]byte, bool) {
	return k.signWithNonce(digest, nonce)
}
