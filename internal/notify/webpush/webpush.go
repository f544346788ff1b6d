// Package webpush is the sending side of the Web Push protocol: the message encryption of RFC
// 8291 (ECDH on P-256 and HKDF-SHA-256 into the aes128gcm content coding of RFC 8188) and the
// VAPID identification of RFC 8292 (an ES256 JWT). It uses the standard library only and
// imports nothing of the project.
//
// A subscription, as the browser's PushManager hands it over, is an endpoint URL of the push
// service and two keys: p256dh (the browser's P-256 public key, 65 bytes uncompressed) and auth
// (a 16-byte secret). Encrypt turns a payload into the body that is POSTed to the endpoint with
// Content-Encoding: aes128gcm; only the browser holding the private key can read it.
package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes of the protocol's values.
const (
	AuthSize   = 16 // the subscription's auth secret
	PublicSize = 65 // an uncompressed P-256 point
	SaltSize   = 16
	// RecordSize is the record size sep writes in the header: the whole body is one record.
	RecordSize = 4096
	// MaxPayload is the largest plaintext that fits one record with its delimiter and tag
	// (RFC 8291 §4: push services must accept 4096 octets of body).
	MaxPayload = RecordSize - headerSize - 16 - 1
	headerSize = SaltSize + 4 + 1 + PublicSize
)

// ErrPayloadTooLarge is returned for a payload over MaxPayload.
var ErrPayloadTooLarge = errors.New("webpush: payload too large for one record")

// Encrypt encrypts plaintext for the subscription's keys with a fresh ephemeral key and salt.
func Encrypt(plaintext, p256dh, auth []byte) ([]byte, error) {
	as, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, SaltSize)
	rand.Read(salt)
	return EncryptWith(plaintext, p256dh, auth, as, salt)
}

// EncryptWith is Encrypt with the application server's ephemeral key and the salt given: for
// the RFC's test vector. Never reuse either for a real message.
func EncryptWith(plaintext, p256dh, auth []byte, as *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	if len(plaintext) > MaxPayload {
		return nil, ErrPayloadTooLarge
	}
	if len(auth) != AuthSize {
		return nil, fmt.Errorf("webpush: auth secret of %d bytes, want %d", len(auth), AuthSize)
	}
	if len(salt) != SaltSize {
		return nil, fmt.Errorf("webpush: salt of %d bytes, want %d", len(salt), SaltSize)
	}
	ua, err := ecdh.P256().NewPublicKey(p256dh)
	if err != nil {
		return nil, fmt.Errorf("webpush: the subscription's p256dh is not a P-256 point: %w", err)
	}
	shared, err := as.ECDH(ua)
	if err != nil {
		return nil, fmt.Errorf("webpush: %w", err)
	}
	asPublic := as.PublicKey().Bytes()
	cek, nonce, err := deriveKeys(shared, auth, salt, p256dh, asPublic)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, headerSize+len(plaintext)+1+gcm.Overhead())
	out = append(out, salt...)
	out = binary.BigEndian.AppendUint32(out, RecordSize)
	out = append(out, PublicSize)
	out = append(out, asPublic...)
	record := append(append(make([]byte, 0, len(plaintext)+1), plaintext...), 0x02) // the last record's delimiter
	return gcm.Seal(out, nonce, record, nil), nil
}

// Decrypt reverses Encrypt with the browser's private key and auth secret: what a browser (or
// a test's push service) does. It reads a single-record body.
func Decrypt(body []byte, ua *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	if len(body) < headerSize+17 {
		return nil, errors.New("webpush: body too short")
	}
	salt, idlen := body[:SaltSize], int(body[SaltSize+4])
	rs := binary.BigEndian.Uint32(body[SaltSize : SaltSize+4])
	if idlen != PublicSize || len(body) < SaltSize+5+idlen {
		return nil, errors.New("webpush: the key id is not a P-256 public key")
	}
	asPublic := body[SaltSize+5 : SaltSize+5+idlen]
	ciphertext := body[SaltSize+5+idlen:]
	if uint32(len(ciphertext)) > rs {
		return nil, errors.New("webpush: more than one record")
	}
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("webpush: %w", err)
	}
	shared, err := ua.ECDH(as)
	if err != nil {
		return nil, fmt.Errorf("webpush: %w", err)
	}
	cek, nonce, err := deriveKeys(shared, auth, salt, ua.PublicKey().Bytes(), asPublic)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, err
	}
	record, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("webpush: %w", err)
	}
	// Strip the padding (zeros) back to the delimiter, which must be 0x02 in the last record.
	i := len(record) - 1
	for i >= 0 && record[i] == 0 {
		i--
	}
	if i < 0 || record[i] != 0x02 {
		return nil, errors.New("webpush: no last-record delimiter")
	}
	return record[:i], nil
}

// deriveKeys is RFC 8291 §3.4 and RFC 8188 §2.2: the content encryption key and the nonce.
func deriveKeys(shared, auth, salt, uaPublic, asPublic []byte) (cek, nonce []byte, err error) {
	keyInfo := append(append([]byte("WebPush: info\x00"), uaPublic...), asPublic...)
	prkKey, err := hkdf.Extract(sha256.New, shared, auth)
	if err != nil {
		return nil, nil, err
	}
	ikm, err := hkdf.Expand(sha256.New, prkKey, string(keyInfo), 32)
	if err != nil {
		return nil, nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, nil, err
	}
	if cek, err = hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16); err != nil {
		return nil, nil, err
	}
	nonce, err = hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	return cek, nonce, err
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
