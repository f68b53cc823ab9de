package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/money"
)

func init() { featureMounts = append(featureMounts, (*Server).mountBills) }

func (s *Server) mountBills(m mounts) {
	m.dev.Get("/bills", s.handle(s.listBills))
	m.dev.Get("/bills/{month}", s.handle(s.getBill))
}

// billJSON is a monthly bill. Consumption maps a category or an app ID to the month's
// charges; closing = opening + recharges + other_credits - consumption.
type billJSON struct {
	Month                 string              `json:"month"`
	OpeningBalance        money.Li            `json:"opening_balance"`
	Recharges             money.Li            `json:"recharges"`
	OtherCredits          money.Li            `json:"other_credits"`
	Consumption           money.Li            `json:"consumption"`
	ConsumptionByCategory map[string]money.Li `json:"consumption_by_category"`
	ConsumptionByApp      map[string]money.Li `json:"consumption_by_app"`
	ClosingBalance        money.Li            `json:"closing_balance"`
	IssuedAt              time.Time           `json:"issued_at"`
}

func toBillJSON(b db.Bill) billJSON {
	out := billJSON{Month: b.Month, OpeningBalance: money.Li(b.OpeningLi),
		Recharges: money.Li(b.RechargesLi), OtherCredits: money.Li(b.OtherCreditsLi),
		Consumption: money.Li(b.ConsumptionLi), ClosingBalance: money.Li(b.ClosingLi),
		IssuedAt: b.IssuedAt}
	out.ConsumptionByCategory = liMap(b.ByCategory)
	out.ConsumptionByApp = liMap(b.ByApp)
	return out
}

// liMap reads a bill's jsonb map of amounts in li.
func liMap(raw []byte) map[string]money.Li {
	var m map[string]int64
	_ = json.Unmarshal(raw, &m)
	out := make(map[string]money.Li, len(m))
	for k, v := range m {
		out[k] = money.Li(v)
	}
	return out
}

func (s *Server) listBills(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListBillsByAccount(r.Context(), db.ListBillsByAccountParams{
		AccountSid: caller(r.Context()).SID, BeforeMonth: page.afterID(),
		MaxRows: page.Limit + 1,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(b db.Bill) (time.Time, string) { return b.IssuedAt, b.Month }, toBillJSON))
	return nil
}

func (s *Server) getBill(w http.ResponseWriter, r *http.Request) error {
	month := chi.URLParam(r, "month")
	if _, err := billing.ParseMonth("month", month); err != nil {
		return err
	}
	bill, err := s.store.GetBill(r.Context(), db.GetBillParams{
		AccountSid: caller(r.Context()).SID, Month: month,
	})
	if err != nil {
		return db.NotFound(err, "bill")
	}
	writeJSON(w, http.StatusOK, toBillJSON(bill))
	return nil
}
