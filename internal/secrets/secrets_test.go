package secrets

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	const id = "11010519491231002X"
	sealed := b.Seal(id, "row-1")
	if bytes.Contains(sealed, []byte(id)) || bytes.Contains(sealed, []byte("0519491231")) {
		t.Fatalf("ciphertext holds the plaintext: %x", sealed)
	}
	if again := b.Seal(id, "row-1"); bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal; the nonce is not random")
	}
	got, err := b.Open(sealed, "row-1")
	if err != nil || got != id {
		t.Fatalf("Open = %q, %v; want %q", got, err, id)
	}

	// Another row, another key, a flipped bit or a short value do not decrypt.
	if _, err := b.Open(sealed, "row-2"); !errors.Is(err, ErrDecrypt) {
		t.Errorf("other context: %v", err)
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(sealed, "row-1"); !errors.Is(err, ErrDecrypt) {
		t.Errorf("other key: %v", err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	if _, err := b.Open(flipped, "row-1"); !errors.Is(err, ErrDecrypt) {
		t.Errorf("flipped bit: %v", err)
	}
	if _, err := b.Open(sealed[:10], "row-1"); !errors.Is(err, ErrDecrypt) {
		t.Errorf("short: %v", err)
	}
	if _, err := NewBox(key[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}
