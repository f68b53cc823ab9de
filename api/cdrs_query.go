package api

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/cdrs"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/money"
)

// cdrJSON is one call record as the developer sees it.
type cdrJSON struct {
	ID              string     `json:"id"`
	Source          string     `json:"source"`
	CallID          string     `json:"call_id"`
	AppID           string     `json:"app_id"`
	CallType        string     `json:"call_type"`
	Caller          string     `json:"caller"`
	Callee          string     `json:"callee"`
	StartTime       time.Time  `json:"start_time"`
	AnswerTime      *time.Time `json:"answer_time,omitempty"`
	EndTime         time.Time  `json:"end_time"`
	DurationSeconds int32      `json:"duration_seconds"`
	BilledSeconds   int32      `json:"billed_seconds"`
	BilledMinutes   int32      `json:"billed_minutes"`
	Outcome         string     `json:"outcome"`
	HangupCause     string     `json:"hangup_cause,omitempty"`
	PricePerMinute  money.Li   `json:"price_per_minute"`
	Amount          money.Li   `json:"amount"`
}

func toCDRJSON(c db.Cdr) cdrJSON {
	return cdrJSON{ID: strconv.FormatInt(c.ID, 10), Source: c.Source, CallID: c.CallID,
		AppID: c.AppID, CallType: c.CallType, Caller: c.Caller, Callee: c.Callee,
		StartTime: c.StartedAt, AnswerTime: c.AnsweredAt, EndTime: c.EndedAt,
		DurationSeconds: c.DurationSeconds, BilledSeconds: c.BilledSeconds,
		BilledMinutes: c.BilledMinutes, Outcome: c.Outcome, HangupCause: c.HangupCause,
		PricePerMinute: money.Li(c.PricePerMinuteLi), Amount: money.Li(c.AmountLi)}
}

// cdrFilter reads the filter of the call record list and export.
func cdrFilter(r *http.Request) (db.ListCDRsParams, error) {
	q := r.URL.Query()
	p := db.ListCDRsParams{AccountSid: caller(r.Context()).SID}
	var v apperr.Validation
	opt := func(name string) *string {
		s := strings.TrimSpace(q.Get(name))
		if s == "" {
			return nil
		}
		if len(s) > 128 {
			v.Add(name, "must be at most 128 bytes")
		}
		return &s
	}
	p.AppID, p.Caller, p.Callee = opt("app_id"), opt("caller"), opt("callee")
	p.CallType, p.Outcome = opt("call_type"), opt("outcome")
	if p.AppID != nil && !ids.Valid(*p.AppID) {
		v.Add("app_id", "is not an app ID")
	}
	if p.CallType != nil && !slices.Contains(cdrs.CallTypes, *p.CallType) {
		v.Add("call_type", "must be one of "+strings.Join(cdrs.CallTypes, ", "))
	}
	if p.Outcome != nil && !slices.Contains(cdrs.Outcomes, *p.Outcome) {
		v.Add("outcome", "must be one of "+strings.Join(cdrs.Outcomes, ", "))
	}
	p.FromTime = queryTime(&v, q.Get("from"), "from")
	to := queryTime(&v, q.Get("to"), "to")
	if p.FromTime != nil && to != nil && !to.After(*p.FromTime) {
		v.Add("to", "must be after from")
	}
	if to != nil {
		// Record IDs start at 1: (to, 0) excludes every record that starts at to.
		zero := int64(0)
		p.BeforeTime, p.BeforeID = to, &zero
	}
	return p, v.Err()
}

// queryTime parses an optional RFC 3339 query parameter.
func queryTime(v *apperr.Validation, s, field string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.Add(field, "must be an RFC 3339 time such as 2026-11-01T00:00:00+08:00")
		return nil
	}
	return &t
}

// cdrCursor turns a page cursor into the list's upper (time, id) bound; a cursor
// beyond the end of the time range leaves the range's end.
func cdrCursor(page pageParams, p *db.ListCDRsParams) error {
	if page.After == nil {
		return nil
	}
	id, err := strconv.ParseInt(page.After.ID, 10, 64)
	if err != nil {
		return apperr.Field("cursor", "is not a cursor this API returned")
	}
	at := page.After.Time
	if p.BeforeTime == nil || at.Before(*p.BeforeTime) {
		p.BeforeTime, p.BeforeID = &at, &id
	}
	return nil
}

func (s *Server) listCDRs(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	p, err := cdrFilter(r)
	if err != nil {
		return err
	}
	if err := cdrCursor(page, &p); err != nil {
		return err
	}
	p.MaxRows = page.Limit + 1
	rows, err := db.PlannedPerCall(s.store.Pool).ListCDRs(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit, func(c db.Cdr) (time.Time, string) {
		return c.StartedAt, strconv.FormatInt(c.ID, 10)
	}, toCDRJSON))
	return nil
}

// exportChunk is how many records the export reads at a time: it walks the list
// with the same cursor as the pages, so memory stays flat however many match.
const exportChunk = 1000

// exportCDRs writes every record that matches the filter as CSV, newest first.
func (s *Server) exportCDRs(w http.ResponseWriter, r *http.Request) error {
	p, err := cdrFilter(r)
	if err != nil {
		return err
	}
	p.MaxRows = exportChunk
	rows, err := db.PlannedPerCall(s.store.Pool).ListCDRs(r.Context(), p)
	if err != nil {
		return err
	}

	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="cdrs.csv"`)
	w.WriteHeader(http.StatusOK)
	out := csv.NewWriter(w)
	_ = out.Write([]string{"id", "call_id", "app_id", "call_type", "caller", "callee",
		"start_time", "answer_time", "end_time", "duration_seconds", "billed_seconds",
		"billed_minutes", "outcome", "hangup_cause", "price_per_minute", "amount"})
	written := 0
	for len(rows) > 0 {
		for _, c := range rows {
			answer := ""
			if c.AnsweredAt != nil {
				answer = c.AnsweredAt.Format(time.RFC3339)
			}
			_ = out.Write([]string{strconv.FormatInt(c.ID, 10), c.CallID, c.AppID, c.CallType,
				csvSafe(c.Caller), csvSafe(c.Callee), c.StartedAt.Format(time.RFC3339), answer,
				c.EndedAt.Format(time.RFC3339), itoa32(c.DurationSeconds),
				itoa32(c.BilledSeconds), itoa32(c.BilledMinutes), c.Outcome,
				csvSafe(c.HangupCause), money.Li(c.PricePerMinuteLi).String(),
				money.Li(c.AmountLi).String()})
		}
		written += len(rows)
		out.Flush()
		if err := out.Error(); err != nil || len(rows) < exportChunk {
			break
		}
		last := rows[len(rows)-1]
		p.BeforeTime, p.BeforeID = &last.StartedAt, &last.ID
		if rows, err = db.PlannedPerCall(s.store.Pool).ListCDRs(r.Context(), p); err != nil {
			// The status is sent; all that is left is to stop and log.
			logger(r.Context(), s.log).Error("exporting call records failed", "err", err,
				"written", written)
			return nil
		}
	}
	out.Flush()
	logger(r.Context(), s.log).Info("call records exported", "records", written)
	return nil
}

func itoa32(n int32) string { return strconv.FormatInt(int64(n), 10) }

// csvSafe keeps a spreadsheet from reading a field as a formula. Phone numbers may
// start with "+", so only the other formula characters are escaped.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
