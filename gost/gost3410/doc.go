// Package gost3410 implements GOST R 34.10-2012 digital signatures (RFC 7091) with 256- and
// 512-bit keys on the parameter sets of RFC 7836, RFC 4357 and RFC 9215: key generation,
// signing of Streebog digests (PrivateKey is a crypto.Signer) and verification.
//
// Byte order follows gost-engine and the RFC 9215 encodings: private keys and public key
// coordinates are little-endian, digests are read as little-endian integers, and signatures
// are s ‖ r with big-endian halves.
//
// The arithmetic (package gost/internal/ec) is generated per curve with fixed 64-bit limbs.
// Key generation and signing run in constant time with respect to the private key and the
// nonce; verification, which sees only public values, is variable-time. Nonces are hedged:
// random, but derived together with the key and the digest, so that a broken random source
// cannot leak the key through a repeated nonce.
package gost3410
