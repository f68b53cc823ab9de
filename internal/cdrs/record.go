package cdrs

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/yiyun-console/console/internal/ids"
)

// MaxBatch is the most records one batch may hold.
const MaxBatch = 1000

// The outcomes of a call.
const (
	OutcomeAnswered   = "answered"
	OutcomeNoAnswer   = "no_answer"
	OutcomeBusy       = "busy"
	OutcomeFailed     = "failed"
	OutcomeCongestion = "congestion"
)

// Outcomes lists every outcome, for validating input and filters.
var Outcomes = []string{OutcomeAnswered, OutcomeNoAnswer, OutcomeBusy, OutcomeFailed,
	OutcomeCongestion}

// CallTypes lists the call types; each has a price in the price list. They are the
// app types, and a record without a call type takes its app's.
var CallTypes = []string{"ivr", "voice_notification", "voice_code", "click_to_call",
	"conference"}

// SourcePlatform is the source of the records the platform posts.
const SourcePlatform = "platform"

// Record is one finished call as reported.
type Record struct {
	CallID      string // unique within its source
	AppID       string
	CallType    string // empty: the app's type
	Caller      string
	Callee      string
	Start       time.Time
	Answer      *time.Time // nil when the call was not answered
	End         time.Time
	Duration    int // seconds from start to end; negative: derived from the times
	BilledSec   int
	Outcome     string
	HangupCause string
}

// RecordError is a record that was refused, by its index in the batch.
type RecordError struct {
	Index  int    `json:"index"`
	CallID string `json:"call_id,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// MaxCall is the longest call accepted, from start to end.
const MaxCall = 48 * time.Hour

// The window of start times accepted: a record may start at most FutureSlack after
// now (the clocks of the switch and the console differ a little), and a record the
// platform posts at most MaxAge before now. Switch files imported by operators may
// hold older calls, so the age limit applies only where Ingest is told so.
const (
	FutureSlack = 5 * time.Minute
	MaxAge      = 365 * 24 * time.Hour
)

// BilledMinutes is the number of started minutes in billed seconds: 0 s is 0,
// 1 to 60 s is 1, 61 s is 2. It does not overflow however large billedSec is.
func BilledMinutes(billedSec int) int {
	if billedSec <= 0 {
		return 0
	}
	m := billedSec / 60
	if billedSec%60 != 0 {
		m++
	}
	return m
}

// wholeSeconds is d plus the one second of slack a switch's rounding may need, in
// whole seconds (rounded down): the most seconds a record may report for d.
func wholeSeconds(d time.Duration) int {
	return int((d + time.Second) / time.Second)
}

// window is the range of start times Ingest accepts; a zero oldest has no lower
// bound.
type window struct{ oldest, latest time.Time }

// check validates r's own fields (not its app, which needs the database) and fills
// in its duration. It returns the field at fault and why.
func (r *Record) check(w window) (field, reason string) {
	switch {
	case strings.TrimSpace(r.CallID) == "":
		return "call_id", "is required"
	case len(r.CallID) > 128:
		return "call_id", "must be at most 128 bytes"
	case strings.ContainsFunc(r.CallID, unicode.IsControl):
		return "call_id", "must not contain control characters"
	case !ids.Valid(r.AppID):
		return "app_id", "is not an app ID"
	case r.CallType != "" && !slices.Contains(CallTypes, r.CallType):
		return "call_type", "must be one of " + strings.Join(CallTypes, ", ")
	case len(r.Caller) > 64 || strings.ContainsFunc(r.Caller, unicode.IsControl):
		return "caller", "must be at most 64 bytes without control characters"
	case len(r.Callee) > 64 || strings.ContainsFunc(r.Callee, unicode.IsControl):
		return "callee", "must be at most 64 bytes without control characters"
	case len(r.HangupCause) > 64 || strings.ContainsFunc(r.HangupCause, unicode.IsControl):
		return "hangup_cause", "must be at most 64 bytes without control characters"
	case !slices.Contains(Outcomes, r.Outcome):
		return "outcome", "must be one of " + strings.Join(Outcomes, ", ")
	case r.Start.IsZero():
		return "start_time", "is required"
	case r.Start.After(w.latest):
		return "start_time", "is in the future"
	case !w.oldest.IsZero() && r.Start.Before(w.oldest):
		return "start_time", "is more than a year ago"
	case r.End.IsZero():
		return "end_time", "is required"
	case r.End.Before(r.Start):
		return "end_time", "is before start_time"
	case r.End.Sub(r.Start) > MaxCall:
		return "end_time", "is more than 48 hours after start_time"
	case r.Duration > wholeSeconds(r.End.Sub(r.Start)):
		return "duration", fmt.Sprintf("%d is more than the %d seconds from start_time "+
			"to end_time", r.Duration, int(r.End.Sub(r.Start)/time.Second))
	case r.Answer != nil && (r.Answer.Before(r.Start) || r.Answer.After(r.End)):
		return "answer_time", "must be between start_time and end_time"
	case r.Outcome == OutcomeAnswered && r.Answer == nil:
		return "answer_time", "is required when the call was answered"
	case r.Outcome != OutcomeAnswered && r.Answer != nil:
		return "answer_time", "must be empty when the call was not answered"
	case r.BilledSec < 0:
		return "billed_seconds", "must not be negative"
	case r.Outcome != OutcomeAnswered && r.BilledSec != 0:
		return "billed_seconds", "must be 0 when the call was not answered"
	}
	if r.Answer != nil {
		// The switch rounds; allow it a second over the time from answer to end. The
		// comparison is in whole seconds: billed seconds are never multiplied, so no
		// value overflows, and with the 48-hour bound on the call above, what passes
		// fits the database's int4 columns.
		talk := r.End.Sub(*r.Answer)
		if r.BilledSec > wholeSeconds(talk) {
			return "billed_seconds", fmt.Sprintf("is more than the %d seconds from "+
				"answer_time to end_time", int(talk/time.Second))
		}
	}
	if r.Duration < 0 {
		r.Duration = int(r.End.Sub(r.Start).Round(time.Second) / time.Second)
	}
	return "", ""
}
