package cdrcsv

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The columns of an Asterisk cdr_csv row.
const (
	astAccountCode = iota
	astSrc
	astDst
	astDContext
	astCLID
	astChannel
	astDstChannel
	astLastApp
	astLastData
	astStart
	astAnswer
	astEnd
	astDuration
	astBillSec
	astDisposition
	astAMAFlags
	astUniqueID
	astUserField
	astPeerAccount // the three newcdrcolumns
	astLinkedID
	astSequence

	astColumns    = astUserField + 1 // with loguniqueid and loguserfield
	astColumnsNew = astSequence + 1  // and with newcdrcolumns
)

// asteriskParser reads rows of cdr_csv whose times are in loc.
type asteriskParser struct {
	loc *time.Location
}

// parse turns the columns of one row into a Record.
func (p asteriskParser) parse(f []string) (Record, error) {
	if len(f) != astColumns && len(f) != astColumnsNew {
		return Record{}, fmt.Errorf("expected %d or %d columns, found %d",
			astColumns, astColumnsNew, len(f))
	}
	err := checkRequired(column{"dst", f[astDst]}, column{"uniqueid", f[astUniqueID]},
		column{"disposition", f[astDisposition]})
	if err != nil {
		return Record{}, err
	}

	times, err := parseLegTimes(f[astStart], f[astAnswer], f[astEnd], p.loc)
	if err != nil {
		return Record{}, err
	}
	duration, billSec, err := parseDurations(f[astDuration], f[astBillSec], times.answer != nil)
	if err != nil {
		return Record{}, err
	}
	disposition, err := asteriskDisposition(f[astDisposition])
	if err != nil {
		return Record{}, err
	}
	legID, callID, err := asteriskLegID(f)
	if err != nil {
		return Record{}, err
	}

	return Record{
		LegID:       legID,
		CallID:      callID,
		AccountCode: f[astAccountCode],
		Context:     f[astDContext],
		Src:         f[astSrc],
		Dst:         f[astDst],
		CallerName:  callerName(f[astCLID]),
		Start:       times.start,
		Answer:      times.answer,
		End:         times.end,
		Duration:    duration,
		BillSec:     billSec,
		Disposition: disposition,
		Channel:     f[astChannel],
		DstChannel:  f[astDstChannel],
	}, nil
}

// asteriskLegID names the leg of a row (see the package documentation) and
// the call it belongs to.
func asteriskLegID(f []string) (legID, callID string, err error) {
	uniqueID := f[astUniqueID]
	if len(f) == astColumnsNew {
		seq, err := strconv.Atoi(f[astSequence])
		if err != nil || seq < 0 {
			return "", "", fmt.Errorf("sequence %q is not a number", f[astSequence])
		}
		callID = f[astLinkedID]
		if callID == "" {
			callID = uniqueID
		}
		return "asterisk:" + uniqueID + ":" + strconv.Itoa(seq), callID, nil
	}

	// Without a sequence, hash what differs between the rows of one uniqueid.
	// The channels may hold phone numbers, so they go into the ID only hashed.
	h := sha256.New()
	for _, i := range []int{astChannel, astDstChannel, astLastApp, astLastData,
		astStart, astAnswer, astEnd, astDisposition} {
		h.Write([]byte(f[i]))
		h.Write([]byte{0})
	}
	sum := hex.EncodeToString(h.Sum(nil)[:8])
	return "asterisk:" + uniqueID + ":h" + sum, uniqueID, nil
}

// asteriskDisposition normalises the disposition column: case and spacing
// vary between versions ("NO ANSWER", "NO_ANSWER"); anything unknown is
// refused rather than guessed.
func asteriskDisposition(s string) (string, error) {
	norm := strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " "))
	switch norm {
	case Answered, NoAnswer, Busy, Failed, Congestion:
		return norm, nil
	}
	return "", fmt.Errorf("unknown disposition %q", s)
}

// callerName takes the name out of a caller ID written as `"Name" <number>`
// or `Name <number>`; a caller ID without a number in angle brackets is kept
// whole.
func callerName(clid string) string {
	open := strings.LastIndexByte(clid, '<')
	if open < 0 || !strings.HasSuffix(clid, ">") {
		return strings.TrimSpace(clid)
	}
	name := strings.TrimSpace(clid[:open])
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		name = name[1 : len(name)-1]
	}
	return name
}
