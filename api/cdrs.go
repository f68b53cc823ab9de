package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/cdrs"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountCDRs)
}

func (s *Server) mountCDRs(m mounts) {
	m.platform.Post("/platform/cdrs", s.handle(s.postCDRs))
	m.dev.Get("/cdrs", s.handle(s.listCDRs))
	m.dev.Get("/cdrs/export", s.handle(s.exportCDRs))
}

// maxCDRBody bounds the body of a batch of call records: MaxBatch records of about
// half a kilobyte each, with room to spare.
const maxCDRBody = 4 << 20

// cdrRecordJSON is one call record as the platform posts it.
type cdrRecordJSON struct {
	CallID        string     `json:"call_id"`
	AppID         string     `json:"app_id"`
	CallType      string     `json:"call_type"`
	Caller        string     `json:"caller"`
	Callee        string     `json:"callee"`
	StartTime     time.Time  `json:"start_time"`
	AnswerTime    *time.Time `json:"answer_time"`
	EndTime       time.Time  `json:"end_time"`
	BilledSeconds int        `json:"billed_seconds"`
	Outcome       string     `json:"outcome"`
	HangupCause   string     `json:"hangup_cause"`
}

// postCDRs takes a batch of finished calls from the platform. Each record is
// decoded on its own, so that one malformed record is reported by its index and
// the others are still stored.
func (s *Server) postCDRs(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCDRBody+1))
	if err != nil {
		return apperr.New(apperr.Invalid, "the body could not be read")
	}
	if len(body) > maxCDRBody {
		return apperr.New(apperr.TooLarge, "the body is larger than %d bytes", maxCDRBody)
	}
	// The usual batch is decoded in one go; only when that fails is each record
	// decoded on its own, so that the bad ones are named and the others kept.
	var typed struct {
		Records []cdrRecordJSON `json:"records"`
	}
	var raw struct {
		Records []json.RawMessage `json:"records"`
	}
	fast := decodeBytes(body, &typed) == nil
	n := len(typed.Records)
	if !fast {
		if err := decodeBytes(body, &raw); err != nil {
			return err
		}
		n = len(raw.Records)
	}
	if n == 0 || n > cdrs.MaxBatch {
		return apperr.Field("records", "must hold 1 to 1000 records")
	}

	recs := make([]cdrs.Record, 0, n)
	index := make([]int, 0, n) // position in the request of recs[k]
	var bad []cdrs.RecordError
	for i := range n {
		var rj cdrRecordJSON
		if fast {
			rj = typed.Records[i]
		} else {
			dec := json.NewDecoder(bytes.NewReader(raw.Records[i]))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&rj); err != nil {
				bad = append(bad, recordDecodeError(i, err))
				continue
			}
		}
		recs = append(recs, cdrs.Record{
			CallID: rj.CallID, AppID: rj.AppID, CallType: rj.CallType, Caller: rj.Caller,
			Callee: rj.Callee, Start: rj.StartTime, Answer: rj.AnswerTime, End: rj.EndTime,
			Duration: -1, BilledSec: rj.BilledSeconds, Outcome: rj.Outcome,
			HangupCause: rj.HangupCause,
		})
		index = append(index, i)
	}

	res, err := cdrs.Ingest(r.Context(), s.store, cdrs.SourcePlatform, recs)
	if err != nil {
		return err
	}
	for k := range res.Errors {
		res.Errors[k].Index = index[res.Errors[k].Index]
	}
	if len(bad) > 0 {
		res.Errors = mergeRecordErrors(bad, res.Errors)
		res.Rejected = len(res.Errors)
	}
	logger(r.Context(), s.log).Info("call records taken in", "accepted", res.Accepted,
		"duplicate", res.Duplicate, "rejected", res.Rejected, "charged_li", int64(res.Charged))
	writeJSON(w, http.StatusOK, res)
	return nil
}

// recordDecodeError explains why one record of a batch is not a record.
func recordDecodeError(i int, err error) cdrs.RecordError {
	e := cdrs.RecordError{Index: i, Reason: "is not a call record object"}
	var typeErr *json.UnmarshalTypeError
	var timeErr *time.ParseError
	switch ae, _ := apperr.As(jsonError(err)); {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		e.Field, e.Reason = typeErr.Field, "must be "+jsonKind(typeErr.Type.Kind().String())
	case errors.As(err, &timeErr):
		e.Reason = "a time is not RFC 3339"
	case ae != nil && len(ae.Fields) == 1:
		e.Field, e.Reason = ae.Fields[0].Field, ae.Fields[0].Reason
	}
	return e
}

// mergeRecordErrors merges two lists of record errors ordered by index.
func mergeRecordErrors(a, b []cdrs.RecordError) []cdrs.RecordError {
	out := make([]cdrs.RecordError, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].Index < b[j].Index) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}
