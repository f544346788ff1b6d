// Package gostx509 parses, verifies and creates X.509 certificates with
// GOST R 34.10-2012 keys (RFC 5280 profiled by RFC 9215).
//
// It reads what real-world Russian certificates carry — names with the
// attributes of RFC 9215 §5.1 (OGRN, SNILS, INN, INNLE, OGRNIP), UTCTime and
// GeneralizedTime validity, the common extensions — verifies signatures
// (id-tc26-signwithdigest-gost3410-12-256/512, parameters absent or NULL) and
// chains to given roots, and writes certificates that OpenSSL's gost engine
// reads and verifies, with the RFC 9215 encodings (no parameters in signature
// AlgorithmIdentifiers, signature octets s||r).
//
// The package is named gostx509 so it can be imported beside crypto/x509.
package gostx509
