// Package esia is a client of ЕСИА (Единая система идентификации и
// аутентификации, the Russian government's identity provider) and of any
// provider that speaks its dialect of OAuth 2.0, such as a СЭП instance's own
// ID.
//
// A system registered in ЕСИА has a mnemonic (client_id), a certificate and
// a key. The flow:
//
//  1. AuthURL signs an authorization request and gives the URL of
//     /aas/oauth2/v2/ac to send the browser to.
//  2. ЕСИА sends the browser back to the redirect URI; ParseCallback reads the
//     code or the ЕСИА error (ESIA-007004: the user declined, …).
//  3. Exchange trades the code for tokens on /aas/oauth2/v3/te and verifies
//     them with ЕСИА's certificate (GOST3410_2012_256 or RS256).
//  4. Person, Contacts, Addresses, Documents, Roles and Org read the data
//     the scopes allow; Refresh renews tokens; LogoutURL ends the ЕСИА
//     session.
//
// client_secret is a signature made by a Signer: KeySigner with a key in
// this process (pure Go GOST R 34.10-2012, package gost/gost3410),
// CommandSigner with an external program (CryptoPro csptest, whose output is
// byte-reversed), or HTTPSigner with a signing service. Since 2025 the real
// ЕСИА requires certified crypto for new connections, so production systems
// use one of the latter two.
//
// The legacy protocol (V1: /aas/oauth2/ac, /aas/oauth2/te, detached CMS
// secrets) is available with Config.Version.
//
// The package uses the standard library and the repository's gost packages
// only.
package esia
