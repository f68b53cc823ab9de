package cdrs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/cdrcsv"
	"github.com/yiyun-console/console/internal/money"
)

// Mapping says which app a line of a switch file belongs to: by its account code,
// else by its context, else the app for all lines.
type Mapping struct {
	All   string            // the app of every line that Codes does not map
	Codes map[string]string // account code or context → app ID
}

// appFor returns the app of rec, or "" when none is mapped.
func (m Mapping) appFor(rec cdrcsv.Record) string {
	if id, ok := m.Codes[rec.AccountCode]; ok && rec.AccountCode != "" {
		return id
	}
	if id, ok := m.Codes[rec.Context]; ok && rec.Context != "" {
		return id
	}
	return m.All
}

// ImportCounts are the totals of an import.
type ImportCounts struct {
	Read      int // lines read as records or refused, blank lines aside
	Stored    int
	Duplicate int // stored before (an earlier import) or twice in the file
	Bad       int // refused, each reported with its line number
	Charged   money.Li
}

// Import stores the records of a switch file through Ingest, MaxBatch at a time,
// under source ("asterisk" or "freeswitch"). Every bad line is passed to report
// with its number and skipped; the lines around it are still stored. Records of
// the same leg are stored once however often the file is imported.
func Import(ctx context.Context, store *db.Store, rd *cdrcsv.Reader, source string,
	m Mapping, report func(line int, reason string)) (ImportCounts, error) {
	var c ImportCounts
	recs := make([]Record, 0, MaxBatch)
	lines := make([]int, 0, MaxBatch)
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		res, err := Ingest(ctx, store, source, recs)
		if err != nil {
			return fmt.Errorf("storing the records of lines %d to %d: %w", lines[0],
				lines[len(lines)-1], err)
		}
		c.Stored += res.Accepted
		c.Duplicate += res.Duplicate
		c.Bad += res.Rejected
		c.Charged += res.Charged
		for _, e := range res.Errors {
			report(lines[e.Index], e.Field+" "+e.Reason)
		}
		recs, lines = recs[:0], lines[:0]
		return nil
	}

	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var lineErr *cdrcsv.LineError
		if errors.As(err, &lineErr) {
			c.Read++
			c.Bad++
			report(lineErr.Line, lineErr.Reason)
			continue
		}
		if err != nil {
			return c, err
		}
		c.Read++
		app := m.appFor(rec)
		if app == "" {
			c.Bad++
			report(rec.Line, fmt.Sprintf("no app is mapped to account code %q or context %q",
				rec.AccountCode, rec.Context))
			continue
		}
		recs = append(recs, FromSwitch(rec, app))
		lines = append(lines, rec.Line)
		if len(recs) == MaxBatch {
			if err := flush(); err != nil {
				return c, err
			}
		}
	}
	return c, flush()
}

// FromSwitch turns a leg read from a switch file into a Record of app. Only an
// answered leg is billed: Asterisk writes the bridge's answer time and billsec on
// some legs it reports as NO ANSWER, and those are not charged.
func FromSwitch(rec cdrcsv.Record, app string) Record {
	r := Record{
		CallID: rec.LegID, AppID: app, Caller: rec.Src, Callee: rec.Dst,
		Start: rec.Start, End: rec.End, Duration: rec.Duration,
		Outcome: switchOutcome(rec.Disposition), HangupCause: rec.HangupCause,
	}
	if r.Outcome == OutcomeAnswered {
		r.Answer, r.BilledSec = rec.Answer, rec.BillSec
	}
	return r
}

// switchOutcome maps a switch's disposition to an outcome.
func switchOutcome(disposition string) string {
	switch disposition {
	case cdrcsv.Answered:
		return OutcomeAnswered
	case cdrcsv.NoAnswer:
		return OutcomeNoAnswer
	case cdrcsv.Busy:
		return OutcomeBusy
	case cdrcsv.Congestion:
		return OutcomeCongestion
	}
	return OutcomeFailed
}
