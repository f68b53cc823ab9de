package cdrs

import (
	"math"
	"testing"
	"time"
)

func TestBilledMinutes(t *testing.T) {
	for in, want := range map[int]int{0: 0, 1: 1, 59: 1, 60: 1, 61: 2, -5: 0,
		math.MaxInt: math.MaxInt/60 + 1, math.MaxInt - 7: (math.MaxInt - 7) / 60} {
		if got := BilledMinutes(in); got != want {
			t.Errorf("BilledMinutes(%d) = %d, want %d", in, got, want)
		}
	}
}

// TestCheckSecondsAndTimes checks that billed seconds and durations are compared
// with the call's own times in whole seconds, overflow-proof, and that start times
// outside the window are refused.
func TestCheckSecondsAndTimes(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	w := window{oldest: now.Add(-MaxAge), latest: now.Add(FutureSlack)}
	start := now.Add(-time.Hour)
	answer := start.Add(10 * time.Second)
	base := Record{CallID: "c", AppID: "0123456789abcdef0123456789abcdef",
		Outcome: OutcomeAnswered, Start: start, Answer: &answer,
		End: answer.Add(120*time.Second + 500*time.Millisecond), Duration: -1}
	cases := []struct {
		name  string
		edit  func(r *Record)
		field string
	}{
		{"120 billed", func(r *Record) { r.BilledSec = 120 }, ""},
		{"121 billed, the slack", func(r *Record) { r.BilledSec = 121 }, ""},
		{"122 billed", func(r *Record) { r.BilledSec = 122 }, "billed_seconds"},
		{"9300000000 billed", func(r *Record) { r.BilledSec = 9300000000 }, "billed_seconds"},
		{"MaxInt billed", func(r *Record) { r.BilledSec = math.MaxInt }, "billed_seconds"},
		{"MaxInt64/1e9+1 billed", func(r *Record) {
			r.BilledSec = int(math.MaxInt64/int64(time.Second)) + 1
		}, "billed_seconds"},
		{"131 duration", func(r *Record) { r.Duration = 131 }, ""},
		{"132 duration", func(r *Record) { r.Duration = 132 }, "duration"},
		{"MaxInt duration", func(r *Record) { r.Duration = math.MaxInt }, "duration"},
		{"49 hours", func(r *Record) { r.End = r.Start.Add(49 * time.Hour) }, "end_time"},
		{"starts in 4 minutes", func(r *Record) {
			r.Start, r.Answer, r.End = now.Add(4*time.Minute), nil, now.Add(5*time.Minute)
			r.Outcome = OutcomeBusy
		}, ""},
		{"starts in 6 minutes", func(r *Record) {
			r.Start, r.Answer, r.End = now.Add(6*time.Minute), nil, now.Add(7*time.Minute)
			r.Outcome = OutcomeBusy
		}, "start_time"},
		{"started 366 days ago", func(r *Record) {
			r.Start, r.Answer, r.End = now.AddDate(0, 0, -366), nil, now.AddDate(0, 0, -366)
			r.Outcome = OutcomeBusy
		}, "start_time"},
	}
	for _, c := range cases {
		r := base
		c.edit(&r)
		if field, reason := r.check(w); field != c.field {
			t.Errorf("%s: field %q (%s), want %q", c.name, field, reason, c.field)
		}
	}

	// Without a lower bound (switch files), an old call is kept.
	r := base
	r.Start, r.Answer, r.End, r.Outcome = now.AddDate(-2, 0, 0), nil, now.AddDate(-2, 0, 0),
		OutcomeBusy
	if field, reason := r.check(window{latest: w.latest}); field != "" {
		t.Errorf("old switch record refused: %s %s", field, reason)
	}
	// A derived duration is the rounded time from start to end.
	r = base
	if field, _ := r.check(w); field != "" || r.Duration != 131 {
		t.Errorf("derived duration %d (%s)", r.Duration, field)
	}
}
