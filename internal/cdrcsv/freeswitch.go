package cdrcsv

import (
	"fmt"
	"strings"
	"time"
)

// The columns of a row written with mod_cdr_csv's default template.
const (
	fsCallerIDName = iota
	fsCallerIDNumber
	fsDestinationNumber
	fsContext
	fsStartStamp
	fsAnswerStamp
	fsEndStamp
	fsDuration
	fsBillSec
	fsHangupCause
	fsUUID
	fsBLegUUID
	fsAccountCode
	fsReadCodec
	fsWriteCodec

	fsColumns = fsWriteCodec + 1
)

// freeSwitchParser reads rows of mod_cdr_csv whose times are in loc.
type freeSwitchParser struct {
	loc *time.Location
}

// parse turns the columns of one row into a Record.
func (p freeSwitchParser) parse(f []string) (Record, error) {
	if len(f) != fsColumns {
		return Record{}, fmt.Errorf("expected %d columns, found %d", fsColumns, len(f))
	}
	err := checkRequired(column{"destination_number", f[fsDestinationNumber]},
		column{"uuid", f[fsUUID]}, column{"hangup_cause", f[fsHangupCause]})
	if err != nil {
		return Record{}, err
	}

	times, err := parseLegTimes(f[fsStartStamp], f[fsAnswerStamp], f[fsEndStamp], p.loc)
	if err != nil {
		return Record{}, err
	}
	duration, billSec, err := parseDurations(f[fsDuration], f[fsBillSec], times.answer != nil)
	if err != nil {
		return Record{}, err
	}

	cause := strings.ToUpper(strings.TrimSpace(f[fsHangupCause]))
	return Record{
		LegID:       "freeswitch:" + f[fsUUID],
		CallID:      f[fsUUID],
		AccountCode: f[fsAccountCode],
		Context:     f[fsContext],
		Src:         f[fsCallerIDNumber],
		Dst:         f[fsDestinationNumber],
		CallerName:  f[fsCallerIDName],
		Start:       times.start,
		Answer:      times.answer,
		End:         times.end,
		Duration:    duration,
		BillSec:     billSec,
		Disposition: freeSwitchDisposition(cause, times.answer != nil),
		HangupCause: cause,
	}, nil
}

// freeSwitchDisposition derives an Asterisk-style disposition: an answered
// leg is ANSWERED whatever the cause; otherwise the cause tells why not.
func freeSwitchDisposition(cause string, answered bool) string {
	if answered {
		return Answered
	}
	switch cause {
	case "USER_BUSY", "CALL_REJECTED":
		// A declined call is counted as busy: to the caller it sounds the same.
		return Busy
	case "NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL", "NORMAL_CLEARING",
		"ALLOTTED_TIMEOUT", "LOSE_RACE", "PICKED_OFF":
		return NoAnswer
	case "NORMAL_CIRCUIT_CONGESTION", "SWITCH_CONGESTION", "RECOVERY_ON_TIMER_EXPIRE":
		return Congestion
	}
	return Failed
}
