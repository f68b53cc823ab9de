package cdrcsv

import (
	"testing"
	"time"
)

func TestCallerName(t *testing.T) {
	tests := map[string]string{
		`"13800130001" <13800130001>`: "13800130001",
		`"Zhang San" <13800000001>`:   "Zhang San",
		`Front Desk <200>`:            "Front Desk",
		`<13800000001>`:               "",
		`13800000001`:                 "13800000001",
		``:                            "",
	}
	for clid, want := range tests {
		if got := callerName(clid); got != want {
			t.Errorf("callerName(%q) = %q, want %q", clid, got, want)
		}
	}
}

func TestAsteriskDisposition(t *testing.T) {
	for in, want := range map[string]string{
		"ANSWERED": Answered, "NO ANSWER": NoAnswer, "no_answer": NoAnswer,
		" busy ": Busy, "FAILED": Failed, "CONGESTION": Congestion,
	} {
		if got, err := asteriskDisposition(in); err != nil || got != want {
			t.Errorf("asteriskDisposition(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "UNKNOWN", "ANSWER"} {
		if _, err := asteriskDisposition(in); err == nil {
			t.Errorf("asteriskDisposition(%q) accepted", in)
		}
	}
}

func TestParseLegTimes(t *testing.T) {
	const start, end = "2024-01-28 04:10:46", "2024-01-28 04:11:23"
	good := []struct{ answer string }{{""}, {start}, {end}, {"2024-01-28 04:10:52"}}
	for _, g := range good {
		if _, err := parseLegTimes(start, g.answer, end, time.UTC); err != nil {
			t.Errorf("answer %q: %v", g.answer, err)
		}
	}
	bad := [][3]string{
		{"", "", end},
		{start, "", ""},
		{"2024-01-28T04:10:46", "", end},
		{start, "2024-01-28 04:10:45", end},
		{start, "2024-01-28 04:11:24", end},
		{end, "", start},
	}
	for _, b := range bad {
		if _, err := parseLegTimes(b[0], b[1], b[2], time.UTC); err == nil {
			t.Errorf("%q accepted", b)
		}
	}
}

func TestParseDurations(t *testing.T) {
	if d, b, err := parseDurations("36", "30", true); err != nil || d != 36 || b != 30 {
		t.Errorf("got %d, %d, %v", d, b, err)
	}
	for _, c := range [][2]string{{"-1", "0"}, {"5", "6"}, {"x", "0"}, {"+5", "0"}, {"", "0"}} {
		if _, _, err := parseDurations(c[0], c[1], true); err == nil {
			t.Errorf("%q accepted", c)
		}
	}
	if _, _, err := parseDurations("5", "3", false); err == nil {
		t.Error("billsec without answer accepted")
	}
}

// A duration or billsec beyond 48 hours is refused, however large, and so is one
// too large for an int; 48 hours exactly is kept.
func TestParseDurationsBounded(t *testing.T) {
	if d, b, err := parseDurations("172800", "172800", true); err != nil || d != 172800 ||
		b != 172800 {
		t.Errorf("48 hours: got %d, %d, %v", d, b, err)
	}
	for _, c := range [][2]string{
		{"172801", "0"},
		{"9300000000", "9300000000"},
		{"9223372036854775807", "120"},
		{"99999999999999999999", "120"},
		{"120", "9300000000"},
	} {
		if _, _, err := parseDurations(c[0], c[1], true); err == nil {
			t.Errorf("%q accepted", c)
		}
	}
}
