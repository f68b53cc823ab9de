package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
)

func init() { featureMounts = append(featureMounts, (*Server).mountLedgerRecords) }

func (s *Server) mountLedgerRecords(m mounts) {
	m.dev.Get("/recharges", s.handle(s.listRecharges))
	m.dev.Get("/consumption", s.handle(s.listConsumption))
}

// ledgerRecordJSON is a recharge or consumption record: one ledger entry. Amount is
// positive; a charge's sign is in its kind.
type ledgerRecordJSON struct {
	ID           string    `json:"id"`
	Category     string    `json:"category"`
	AppID        string    `json:"app_id,omitempty"`
	Amount       money.Li  `json:"amount"`
	BalanceAfter money.Li  `json:"balance_after"`
	Reference    string    `json:"reference,omitempty"`
	Description  string    `json:"description"`
	CreatedAt    time.Time `json:"created_at"`
}

func toLedgerRecordJSON(e db.LedgerEntry) ledgerRecordJSON {
	amount := money.Li(e.AmountLi)
	if amount < 0 {
		amount = -amount
	}
	return ledgerRecordJSON{ID: strconv.FormatInt(e.ID, 10), Category: e.Category,
		AppID: e.AppID, Amount: amount, BalanceAfter: money.Li(e.BalanceAfterLi),
		Reference: e.Reference, Description: e.Description, CreatedAt: e.CreatedAt}
}

func entryKey(e db.LedgerEntry) (time.Time, string) {
	return e.CreatedAt, strconv.FormatInt(e.ID, 10)
}

// entryCursor reads a ledger page's cursor, whose ID is an entry's number.
func entryCursor(page pageParams) (*time.Time, *int64, error) {
	if page.After == nil {
		return nil, nil, nil
	}
	id, err := strconv.ParseInt(page.After.ID, 10, 64)
	if err != nil {
		return nil, nil, apperr.Field("cursor", "is not a cursor this API returned")
	}
	return &page.After.Time, &id, nil
}

// timeRange reads the optional from and to query parameters (RFC 3339; to is
// exclusive).
func timeRange(r *http.Request) (*time.Time, *time.Time, error) {
	var out [2]*time.Time
	for i, name := range []string{"from", "to"} {
		s := r.URL.Query().Get(name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, nil, apperr.Field(name, "must be a time such as 2026-11-01T00:00:00+08:00")
		}
		out[i] = &t
	}
	if out[0] != nil && out[1] != nil && !out[0].Before(*out[1]) {
		return nil, nil, apperr.Field("to", "must be after from")
	}
	return out[0], out[1], nil
}

func (s *Server) listRecharges(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	from, to, err := timeRange(r)
	if err != nil {
		return err
	}
	beforeTime, beforeID, err := entryCursor(page)
	if err != nil {
		return err
	}
	rows, err := s.store.ListRechargesByAccount(r.Context(), db.ListRechargesByAccountParams{
		AccountSid: caller(r.Context()).SID, FromTime: from, ToTime: to,
		BeforeTime: beforeTime, BeforeID: beforeID, MaxRows: page.Limit + 1,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit, entryKey, toLedgerRecordJSON))
	return nil
}

// consumptionCategories are the categories a consumption filter may name.
var consumptionCategories = []ledger.Category{ledger.CategoryCallUsage,
	ledger.CategoryIVRAppRent, ledger.CategoryIVRNumberRent, ledger.CategoryAdjustment}

func (s *Server) listConsumption(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	from, to, err := timeRange(r)
	if err != nil {
		return err
	}
	beforeTime, beforeID, err := entryCursor(page)
	if err != nil {
		return err
	}
	p := db.ListConsumptionByAccountParams{
		AccountSid: caller(r.Context()).SID, FromTime: from, ToTime: to,
		BeforeTime: beforeTime, BeforeID: beforeID, MaxRows: page.Limit + 1,
	}
	q := r.URL.Query()
	if c := q.Get("category"); c != "" {
		known := false
		for _, k := range consumptionCategories {
			known = known || string(k) == c
		}
		if !known {
			return apperr.Field("category",
				"must be call_usage, ivr_app_rent, ivr_number_rent or adjustment")
		}
		p.Category = &c
	}
	if app := q.Get("app_id"); app != "" {
		if len(app) > 64 {
			return apperr.Field("app_id", "is too long")
		}
		p.AppID = &app
	}
	rows, err := s.store.ListConsumptionByAccount(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit, entryKey, toLedgerRecordJSON))
	return nil
}
