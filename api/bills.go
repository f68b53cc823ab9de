package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/money"
)

func init() { featureMounts = append(featureMounts, (*Server).mountBills) }

func (s *Server) mountBills(m mounts) {
	m.dev.Get("/bills", s.handle(s.listBills))
	m.dev.Get("/bills/{month}", s.handle(s.getBill))
}

// billJSON is a monthly bill. Consumption maps a category or an app ID to the month's
// charges; closing = opening + recharges + other_credits - consumption. A bill is
// final once the month's fee run has issued it; before that, the month's statement
// so far is answered with final false and no issued_at.
type billJSON struct {
	Month                 string              `json:"month"`
	OpeningBalance        money.Li            `json:"opening_balance"`
	Recharges             money.Li            `json:"recharges"`
	OtherCredits          money.Li            `json:"other_credits"`
	Consumption           money.Li            `json:"consumption"`
	ConsumptionByCategory map[string]money.Li `json:"consumption_by_category"`
	ConsumptionByApp      map[string]money.Li `json:"consumption_by_app"`
	ClosingBalance        money.Li            `json:"closing_balance"`
	Final                 bool                `json:"final"`
	IssuedAt              *time.Time          `json:"issued_at,omitempty"`
}

func toBillJSON(b db.Bill) billJSON {
	out := billJSON{Month: b.Month, OpeningBalance: money.Li(b.OpeningLi),
		Recharges: money.Li(b.RechargesLi), OtherCredits: money.Li(b.OtherCreditsLi),
		Consumption: money.Li(b.ConsumptionLi), ClosingBalance: money.Li(b.ClosingLi),
		Final: true, IssuedAt: &b.IssuedAt}
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
	who := caller(r.Context())
	bill, err := s.store.GetBill(r.Context(), db.GetBillParams{
		AccountSid: who.SID, Month: month,
	})
	if err == nil {
		writeJSON(w, http.StatusOK, toBillJSON(bill))
		return nil
	}
	if !db.IsNoRows(err) {
		return err
	}
	// Not issued yet: the statement so far, for a month of the account's life up to
	// now.
	start, end, err := billing.MonthBounds(month)
	if err != nil {
		return err
	}
	now := s.now()
	if !start.Before(now) || !end.After(who.account.CreatedAt) {
		return apperr.New(apperr.NotFound, "bill not found")
	}
	until := end
	if now.Before(end) {
		until = now
	}
	st, err := s.store.BillStatement(r.Context(), db.BillStatementParams{
		AccountSid: who.SID, MonthStart: start, Until: until,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, billJSON{Month: month, OpeningBalance: money.Li(st.Opening),
		Recharges: money.Li(st.Recharges), OtherCredits: money.Li(st.OtherCredits),
		Consumption:           money.Li(st.Consumption),
		ConsumptionByCategory: liMap(st.ByCategory), ConsumptionByApp: liMap(st.ByApp),
		ClosingBalance: money.Li(st.Opening + st.Recharges + st.OtherCredits -
			st.Consumption)})
	return nil
}
