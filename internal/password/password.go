// Package password hashes passwords with argon2id and checks them.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The argon2id cost: 2 passes over 19 MiB, one lane.
const (
	passes  = 2
	memory  = 19 * 1024
	lanes   = 1
	keyLen  = 32
	saltLen = 16
)

// Hash returns an encoded argon2id hash of pw with a fresh salt.
func Hash(pw string) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, passes, memory, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes,
		lanes, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errFormat = errors.New("password hash has an unknown format")

// Check reports whether pw matches the encoded hash.
func Check(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errFormat
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errFormat
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, errFormat
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is checked against when an account does not exist, so that a login takes
// as long whether or not the email is registered.
var dummy = Hash("not a real password at all")

// CheckDummy spends the time of one Check.
func CheckDummy(pw string) { _, _ = Check(dummy, pw) }
