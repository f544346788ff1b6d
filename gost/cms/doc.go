// Package cms creates and verifies CMS SignedData (RFC 5652) with GOST
// R 34.10-2012 signatures and Streebog digests, as OpenSSL's gost engine and
// Russian signing software exchange them (.p7s files).
//
// Sign writes attached or detached signatures, with the signed attributes
// contentType, signingTime and messageDigest or without any (the signature
// then covers the content's digest directly), identifying the signer by
// issuer and serial number and including its certificate. Encodings follow
// RFC 9215: no parameters in digest and signature AlgorithmIdentifiers, the
// signature octets s||r.
//
// Verify accepts DER and BER input (indefinite lengths, segmented content),
// the engine's quirks (NULL parameters, the public-key OID as signature
// algorithm), checks the message digest and every signature and, given
// trusted roots, each signer's certificate chain. A message may carry at most
// 16 signers and 64 certificates: Verify's work grows with their product, and
// a megabyte of hostile signers and certificates would otherwise cost seconds.
package cms
