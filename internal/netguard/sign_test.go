package netguard

import (
	"strings"
	"testing"
)

func TestSign(t *testing.T) {
	// Expected values computed outside Go with another HMAC implementation.
	secret := []byte("app-secret")
	tests := []struct {
		timestamp int64
		body      string
		want      string
	}{
		{1700000000, `{"call_id":"c1"}`, "dcd830fc16f7044ad7b5424907e549978151e06507b08ef3041aa3ae01f7b619"},
		{0, "", "eeb22af9476f0995ae09f0f12671cc8003039314b61d2ef40cd77c4c281a9bff"},
		{-1, "x", "e4dee6537ba3e5a7ccf4497b2f97b9476e5baca9846367d3b1149d786ebc7a4b"},
	}
	for _, tt := range tests {
		if got := Sign(secret, tt.timestamp, []byte(tt.body)); got != tt.want {
			t.Errorf("Sign(%d, %q) = %s, want %s", tt.timestamp, tt.body, got, tt.want)
		}
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("app-secret")
	body := []byte(`{"call_id":"c1"}`)
	const ts = 1700000000
	sig := Sign(secret, ts, body)

	tests := []struct {
		name      string
		secret    []byte
		timestamp int64
		body      []byte
		signature string
		want      bool
	}{
		{"as signed", secret, ts, body, sig, true},
		{"upper-case hex", secret, ts, body, strings.ToUpper(sig), true},
		{"other secret", []byte("app-secreT"), ts, body, sig, false},
		{"other timestamp", secret, ts + 1, body, sig, false},
		{"other body", secret, ts, []byte(`{"call_id":"c2"}`), sig, false},
		{"timestamp moved into body", secret, 170000000, []byte("0." + string(body)), sig, false},
		{"truncated", secret, ts, body, sig[:62], false},
		{"odd length", secret, ts, body, sig[:63], false},
		{"not hex", secret, ts, body, "zz" + sig[2:], false},
		{"empty signature", secret, ts, body, "", false},
		{"empty secret", nil, ts, body, Sign(nil, ts, body), false},
	}
	for _, tt := range tests {
		if got := Verify(tt.secret, tt.timestamp, tt.body, tt.signature); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}
