// Package gostpkix encodes and decodes GOST R 34.10-2012 keys in the
// containers the rest of the world uses: SubjectPublicKeyInfo (RFC 5280,
// RFC 9215 §4) and PKCS#8 PrivateKeyInfo (RFC 5208/5958), in DER and PEM.
//
// The encodings are those of OpenSSL's gost engine: the public key is a BIT
// STRING wrapping an OCTET STRING of LE(x)||LE(y); the private key is an
// OCTET STRING of the little-endian scalar d. Parsing also accepts the forms
// other producers write (d wrapped in an inner OCTET STRING or INTEGER, and
// the masked forms CryptoPro exports).
//
// The package also names the object identifiers and picks the Streebog digest
// belonging to a key, so that X.509 and CMS code choose them in one place.
package gostpkix
