package cdrcsv

import (
	"fmt"
	"time"
)

// The normalised outcomes of a leg, as Asterisk names them.
const (
	Answered   = "ANSWERED"
	NoAnswer   = "NO ANSWER"
	Busy       = "BUSY"
	Failed     = "FAILED"
	Congestion = "CONGESTION"
)

// Record is one leg of a call as the switch recorded it.
type Record struct {
	// LegID names the leg uniquely within its switch and is the same every
	// time the same file is read: "asterisk:<uniqueid>:<sequence>",
	// "asterisk:<uniqueid>:h<hash>" or "freeswitch:<uuid>".
	LegID string
	// CallID is shared by the legs of one call: Asterisk's linkedid (its
	// uniqueid without the new columns), FreeSWITCH's uuid.
	CallID string

	AccountCode string
	Context     string
	Src         string // calling number
	Dst         string // called number
	CallerName  string

	Start  time.Time
	Answer *time.Time // nil when the leg was never answered
	End    time.Time

	Duration int // seconds from start to end
	BillSec  int // seconds from answer to end

	// Disposition is one of Answered, NoAnswer, Busy, Failed and Congestion.
	Disposition string
	// HangupCause is the Q.850 cause name FreeSWITCH reports; empty for
	// Asterisk, whose cdr_csv does not write it.
	HangupCause string

	Channel    string // Asterisk only
	DstChannel string // Asterisk only

	// Line is the line of the file on which the record starts, from 1.
	Line int
}

// LineError is a line that could not be read as a record. Reading may go on:
// the next call to Next starts with the following line.
type LineError struct {
	Line   int
	Reason string
}

// Error returns the line number and the reason.
func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}
