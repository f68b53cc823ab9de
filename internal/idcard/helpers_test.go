package idcard

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// withResidentCheck completes 17 digits into a resident ID number. It derives
// the weights as 2^(17-i) mod 11 instead of reading the package's table, so
// that it cross-checks the implementation.
func withResidentCheck(t *testing.T, body string) string {
	t.Helper()
	if len(body) != 17 {
		t.Fatalf("resident ID body %q is not 17 digits", body)
	}
	sum := 0
	for i := range 17 {
		weight := 1
		for range 17 - i {
			weight = weight * 2 % 11
		}
		sum += int(body[i]-'0') * weight
	}
	return body + string("10X98765432"[sum%11])
}

// withCreditCheck completes 17 characters into a credit code, with weights
// derived as 3^i mod 31.
func withCreditCheck(t *testing.T, body string) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(body) != 17 {
		t.Fatalf("credit code body %q is not 17 characters", body)
	}
	sum, weight := 0, 1
	for i := range 17 {
		v := strings.IndexByte(alphabet, body[i])
		if v < 0 {
			t.Fatalf("credit code body %q has %q outside the alphabet", body, body[i])
		}
		sum += v * weight
		weight = weight * 3 % 31
	}
	return body + string(alphabet[(31-sum%31)%31])
}

// randomResidentID makes a valid resident ID number born between 1900 and
// 2020, in a random known province.
func randomResidentID(t *testing.T, r *rand.Rand) string {
	t.Helper()
	provinces := []string{"11", "31", "44", "50", "65", "81"}
	birth := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(120*365))
	body := fmt.Sprintf("%s%04d%s%03d", provinces[r.IntN(len(provinces))], r.IntN(10000),
		birth.Format("20060102"), r.IntN(1000))
	return withResidentCheck(t, body)
}

// randomCreditCode makes a valid credit code with a random authority, type,
// region and organisation code.
func randomCreditCode(t *testing.T, r *rand.Rand) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	var b strings.Builder
	b.WriteByte("123456789ANY"[r.IntN(12)])
	b.WriteByte(byte('1' + r.IntN(9)))
	fmt.Fprintf(&b, "%06d", r.IntN(1000000))
	for range 9 {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return withCreditCheck(t, b.String())
}

func TestHelpersAgreeWithKnownValues(t *testing.T) {
	// The first is the example printed in GB 11643; the others were computed
	// by hand outside Go.
	for _, want := range []string{"11010519491231002X", "310115200002295674", "110101190001010006"} {
		if got := withResidentCheck(t, want[:17]); got != want {
			t.Errorf("withResidentCheck(%q) = %q, want %q", want[:17], got, want)
		}
	}
	for _, want := range []string{"91350100M000100Y43", "121000004000003980", "Y1440300A1234567BY"} {
		if got := withCreditCheck(t, want[:17]); got != want {
			t.Errorf("withCreditCheck(%q) = %q, want %q", want[:17], got, want)
		}
	}
}

// TestCompleteAgreesWithHelpers checks the exported completers against the
// independently derived weights above, on random bodies.
func TestCompleteAgreesWithHelpers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 500 {
		id := randomResidentID(t, r)
		if got := CompleteResidentID(id[:17]); got != id {
			t.Fatalf("CompleteResidentID(%q) = %q, want %q", id[:17], got, id)
		}
		code := randomCreditCode(t, r)
		if got := CompleteCreditCode(code[:17]); got != code {
			t.Fatalf("CompleteCreditCode(%q) = %q, want %q", code[:17], got, code)
		}
	}
}
