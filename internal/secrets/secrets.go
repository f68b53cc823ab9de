// Package secrets encrypts personal data at rest (ID numbers, credit codes) with
// AES-256-GCM under the configured key. Each value is bound to the row it belongs to
// through the additional data, so that a ciphertext copied to another row does not
// decrypt.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrDecrypt is returned for a ciphertext that is damaged, was made under another key
// or belongs to another row.
var ErrDecrypt = errors.New("secrets: ciphertext does not decrypt")

// Box seals and opens values under one key.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box over a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secrets: the key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (such as the row's ID) and returns the
// random nonce followed by the ciphertext.
func (b *Box) Seal(plaintext, context string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secrets: reading random nonce: " + err.Error())
	}
	return b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
}

// Open decrypts what Seal returned for the same context, or returns ErrDecrypt.
func (b *Box) Open(sealed []byte, context string) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return "", ErrDecrypt
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(plain), nil
}
