package api

import (
	"math"
	"net/http"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountStats)
}

func (s *Server) mountStats(m mounts) {
	m.dev.Get("/stats/consumption", s.handle(s.consumptionStats))
	m.dev.Get("/stats/sessions", s.handle(s.sessionStats))
}

// dayLayout is how the statistics name a Beijing day.
const dayLayout = "2006-01-02"

// maxStatsDays bounds the range of a statistics query.
const maxStatsDays = 3700

// beijingDays reads the from and to query parameters, Beijing days written
// 2026-11-01 and both included. Missing, to is today and from is defaultSpan days
// before it. It returns the first and the last day.
func (s *Server) beijingDays(r *http.Request, defaultSpan int) (time.Time, time.Time, error) {
	q := r.URL.Query()
	var v apperr.Validation
	today := beijingDay(s.now())
	parse := func(field string, def time.Time) time.Time {
		str := q.Get(field)
		if str == "" {
			return def
		}
		d, err := time.ParseInLocation(dayLayout, str, ledger.Beijing)
		if err != nil {
			v.Add(field, "must be a day written 2026-11-01")
		}
		return d
	}
	to := parse("to", today)
	from := parse("from", to.AddDate(0, 0, -defaultSpan))
	if err := v.Err(); err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, apperr.Field("to", "must not be before from")
	}
	if to.Sub(from) > maxStatsDays*24*time.Hour {
		return from, to, apperr.Field("from", "the range must be at most 10 years")
	}
	return from, to, nil
}

// beijingDay returns the start of t's Beijing day.
func beijingDay(t time.Time) time.Time {
	y, m, d := t.In(ledger.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ledger.Beijing)
}

type consumptionItemJSON struct {
	Period  string   `json:"period"`
	Key     string   `json:"key"` // the category, or the app ID ("" for no app)
	Entries int64    `json:"entries"`
	Amount  money.Li `json:"amount"`
}

type consumptionStatsJSON struct {
	Period string                `json:"period"`
	By     string                `json:"by"`
	From   string                `json:"from"`
	To     string                `json:"to"`
	Items  []consumptionItemJSON `json:"items"`
	Total  money.Li              `json:"total"`
}

// consumptionStats sums the account's charges per Beijing day or month, by
// category or by app, from the ledger.
func (s *Server) consumptionStats(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	period, by := q.Get("period"), q.Get("by")
	var v apperr.Validation
	format, span := "YYYY-MM-DD", 29
	switch period {
	case "", "day":
		period = "day"
	case "month":
		format, span = "YYYY-MM", 365
	default:
		v.Add("period", "must be day or month")
	}
	switch by {
	case "":
		by = "category"
	case "category", "app":
	default:
		v.Add("by", "must be category or app")
	}
	if err := v.Err(); err != nil {
		return err
	}
	from, to, err := s.beijingDays(r, span)
	if err != nil {
		return err
	}
	if period == "month" {
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, ledger.Beijing)
	}

	rows, err := s.store.ListConsumptionStats(r.Context(), db.ListConsumptionStatsParams{
		PeriodFormat: format, ByApp: by == "app", AccountSid: caller(r.Context()).SID,
		FromTime: from, ToTime: to.AddDate(0, 0, 1),
	})
	if err != nil {
		return err
	}
	out := consumptionStatsJSON{Period: period, By: by, From: from.Format(dayLayout),
		To: to.Format(dayLayout), Items: make([]consumptionItemJSON, len(rows))}
	for i, row := range rows {
		out.Items[i] = consumptionItemJSON{Period: row.Period, Key: row.GroupKey,
			Entries: row.Entries, Amount: money.Li(row.AmountLi)}
		out.Total += money.Li(row.AmountLi)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type sessionStatsJSON struct {
	AppID           string   `json:"app_id,omitempty"`
	Day             string   `json:"day,omitempty"`
	Calls           int64    `json:"calls"`
	Answered        int64    `json:"answered"`
	AnswerRate      float64  `json:"answer_rate"`
	BilledSeconds   int64    `json:"billed_seconds"`
	BilledMinutes   int64    `json:"billed_minutes"`
	AverageDuration float64  `json:"average_duration_seconds"`
	Amount          money.Li `json:"amount"`
}

// newSessionStats fills in the rates of a set of sums. The answer rate is answered
// over all calls; the average duration is the billed time of an answered call.
func newSessionStats(appID, day string, calls, answered, billedSec, billedMin,
	amount int64) sessionStatsJSON {
	st := sessionStatsJSON{AppID: appID, Day: day, Calls: calls, Answered: answered,
		BilledSeconds: billedSec, BilledMinutes: billedMin, Amount: money.Li(amount)}
	if calls > 0 {
		st.AnswerRate = round4(float64(answered) / float64(calls))
	}
	if answered > 0 {
		st.AverageDuration = math.Round(float64(billedSec)/float64(answered)*10) / 10
	}
	return st
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// sessionStats lists calls per app and Beijing day, from the daily sums kept with
// the records, with the totals of the range.
func (s *Server) sessionStats(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.beijingDays(r, 6)
	if err != nil {
		return err
	}
	p := db.ListCDRDailyStatsParams{AccountSid: caller(r.Context()).SID,
		FromDay: from.Format(dayLayout), ToDay: to.Format(dayLayout)}
	if a := r.URL.Query().Get("app_id"); a != "" {
		if !ids.Valid(a) {
			return apperr.Field("app_id", "is not an app ID")
		}
		p.AppID = &a
	}
	rows, err := s.store.ListCDRDailyStats(r.Context(), p)
	if err != nil {
		return err
	}
	items := make([]sessionStatsJSON, len(rows))
	var calls, answered, sec, mins, amount int64
	for i, row := range rows {
		items[i] = newSessionStats(row.AppID, row.Day, row.Calls, row.Answered,
			row.BilledSeconds, row.BilledMinutes, row.AmountLi)
		calls, answered, sec = calls+row.Calls, answered+row.Answered, sec+row.BilledSeconds
		mins, amount = mins+row.BilledMinutes, amount+row.AmountLi
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"from": from.Format(dayLayout), "to": to.Format(dayLayout), "items": items,
		"total": newSessionStats("", "", calls, answered, sec, mins, amount),
	})
	return nil
}
