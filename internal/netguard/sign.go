package netguard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Headers that carry the signature of an outgoing callback request.
const (
	// TimestampHeader holds the Unix time in seconds the request was signed at.
	TimestampHeader = "X-Yiyun-Timestamp"
	// SignatureHeader holds the hex signature Sign computed.
	SignatureHeader = "X-Yiyun-Signature"
)

// Sign returns the lower-case hex HMAC-SHA256, keyed with secret, of the
// decimal timestamp (Unix seconds), a dot and the request body. Signing the
// timestamp lets the receiver refuse replays of old requests.
func Sign(secret []byte, timestamp int64, body []byte) string {
	return hex.EncodeToString(mac(secret, timestamp, body))
}

// Verify reports whether signature, in hex of either case, is what Sign
// computes for secret, timestamp and body. It compares in constant time and
// is false for an empty secret, which anyone could sign with. Whether the
// timestamp is recent enough is for the caller to judge.
func Verify(secret []byte, timestamp int64, body []byte, signature string) bool {
	if len(secret) == 0 {
		return false
	}
	got, err := hex.DecodeString(signature)
	if err != nil {
		return false
	}
	return hmac.Equal(got, mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(strconv.AppendInt(nil, timestamp, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}
