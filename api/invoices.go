package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/idcard"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountInvoices)
}

func (s *Server) mountInvoices(m mounts) {
	m.dev.Get("/invoices/invoiceable", s.handle(s.getInvoiceable))
	m.dev.Post("/invoices", s.handle(s.applyForInvoice))
	m.dev.Get("/invoices", s.handle(s.listInvoices))
	m.dev.Get("/invoices/{id}", s.handle(s.getInvoice))
	m.dev.Post("/invoices/{id}/cancel", s.handle(s.cancelInvoice))
	m.dev.Post("/invoices/{id}/confirm-delivery", s.handle(s.confirmInvoiceDelivery))
	m.review.Get("/invoices", s.handle(s.invoiceReviewQueue))
	m.review.Post("/invoices/{id}/decision", s.handle(s.decideInvoice))
	m.ops.Get("/invoices", s.handle(s.opsInvoices))
	m.ops.Post("/invoices/{id}/issue", s.handle(s.issueInvoice))
	m.ops.Post("/invoices/{id}/mail", s.handle(s.mailInvoice))
}

// invoiceJSON is an application with the snapshot of its invoice and mailing
// information. The taxpayer ID is masked for the developer.
type invoiceJSON struct {
	ID             string      `json:"id"`
	AccountSID     string      `json:"account_sid"`
	Status         string      `json:"status"`
	Amount         money.Li    `json:"amount"`
	InvoiceType    string      `json:"invoice_type"`
	Title          string      `json:"title"`
	TaxpayerID     string      `json:"taxpayer_id,omitempty"`
	Address        string      `json:"address,omitempty"`
	Phone          string      `json:"phone,omitempty"`
	BankName       string      `json:"bank_name,omitempty"`
	BankAccount    string      `json:"bank_account,omitempty"`
	Mailing        mailingJSON `json:"mailing"`
	RejectReason   string      `json:"reject_reason,omitempty"`
	InvoiceNumber  string      `json:"invoice_number,omitempty"`
	Courier        string      `json:"courier,omitempty"`
	TrackingNumber string      `json:"tracking_number,omitempty"`
	DeliveredBy    string      `json:"delivered_by,omitempty"`
	WorkflowID     string      `json:"workflow_id"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

func (s *Server) toInvoiceJSON(inv db.Invoice, reveal bool) (invoiceJSON, error) {
	out := invoiceJSON{
		ID: inv.ID, AccountSID: inv.AccountSid, Status: inv.Status, Amount: money.Li(inv.AmountLi),
		InvoiceType: inv.InvoiceType, Title: inv.Title, Address: inv.Address, Phone: inv.Phone,
		BankName: inv.BankName, BankAccount: inv.BankAccount,
		Mailing: mailingJSON{Recipient: inv.Recipient, Mobile: inv.Mobile,
			Province: inv.Province, City: inv.City, District: inv.District, Street: inv.Street,
			Postcode: inv.Postcode},
		RejectReason: inv.RejectReason, InvoiceNumber: inv.InvoiceNumber, Courier: inv.Courier,
		TrackingNumber: inv.TrackingNumber, DeliveredBy: inv.DeliveredBy,
		WorkflowID: workflows.InvoiceWorkflowID(inv.ID), CreatedAt: inv.CreatedAt,
		UpdatedAt: inv.UpdatedAt,
	}
	if inv.TaxpayerIDCipher == nil {
		return out, nil
	}
	box, err := s.secretBox()
	if err != nil {
		return out, err
	}
	code, err := box.Open(inv.TaxpayerIDCipher, inv.ID)
	if err != nil {
		return out, err
	}
	out.TaxpayerID = code
	if !reveal {
		out.TaxpayerID = idcard.Mask(code)
	}
	return out, nil
}

func (s *Server) writeInvoice(w http.ResponseWriter, status int, inv db.Invoice,
	reveal bool) error {
	out, err := s.toInvoiceJSON(inv, reveal)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

func (s *Server) getInvoiceable(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.GetInvoiceableAmount(r.Context(), caller(r.Context()).SID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]money.Li{"invoiceable": money.Li(n)})
	return nil
}

type invoiceRequest struct {
	Amount string `json:"amount"`
}

// applyForInvoice creates an application under the caller's Idempotency-Key. The
// account row is locked (FOR NO KEY UPDATE) while the invoiceable amount is checked,
// so that concurrent applications cannot together exceed it.
func (s *Server) applyForInvoice(w http.ResponseWriter, r *http.Request) error {
	var req invoiceRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	amount, err := money.Parse(strings.TrimSpace(req.Amount), 2)
	switch {
	case errors.Is(err, money.ErrPrecision):
		return apperr.Field("amount", "must have at most two decimals")
	case err != nil || amount <= 0:
		return apperr.Field("amount", "must be a positive amount in yuan such as \"300.00\"")
	}

	ctx := r.Context()
	sid := caller(ctx).SID
	var wfID string
	ran, err := s.idempotent(w, r, body, func(q *db.Queries, _ pgx.Tx) (int, any, error) {
		inv, err := s.createInvoice(ctx, q, sid, amount)
		if err != nil {
			return 0, nil, err
		}
		wfID = workflows.InvoiceWorkflowID(inv.ID)
		out, err := s.toInvoiceJSON(inv, false)
		return http.StatusCreated, out, err
	})
	if err != nil {
		return err
	}
	if ran {
		s.kick(ctx, wfID)
	}
	return nil
}

// createInvoice checks and writes an application in q's transaction.
func (s *Server) createInvoice(ctx context.Context, q *db.Queries, sid string,
	amount money.Li) (db.Invoice, error) {
	if _, err := q.LockAccountForInvoicing(ctx, sid); err != nil {
		return db.Invoice{}, db.NotFound(err, "account")
	}
	profile, err := q.GetInvoiceProfile(ctx, sid)
	if isNoRows(err) {
		return db.Invoice{}, apperr.New(apperr.Conflict,
			"fill in the invoice information first (PUT /v1/invoice-profile)")
	}
	if err != nil {
		return db.Invoice{}, err
	}
	mail, err := q.GetMailingAddress(ctx, sid)
	if isNoRows(err) {
		return db.Invoice{}, apperr.New(apperr.Conflict,
			"fill in the mailing information first (PUT /v1/mailing-address)")
	}
	if err != nil {
		return db.Invoice{}, err
	}
	title, err := s.titleFor(ctx, q, sid, profile.InvoiceType)
	if err != nil {
		return db.Invoice{}, err
	}
	invoiceable, err := q.GetInvoiceableAmount(ctx, sid)
	if err != nil {
		return db.Invoice{}, err
	}
	if int64(amount) > invoiceable {
		return db.Invoice{}, apperr.Field("amount", "must not exceed the invoiceable amount "+
			money.Li(invoiceable).String())
	}

	p := db.CreateInvoiceParams{
		ID: ids.New(), AccountSid: sid, AmountLi: int64(amount),
		InvoiceType: profile.InvoiceType, Title: title.Title, Address: profile.Address,
		Phone: profile.Phone, BankName: profile.BankName, BankAccount: profile.BankAccount,
		Recipient: mail.Recipient, Mobile: mail.Mobile, Province: mail.Province,
		City: mail.City, District: mail.District, Street: mail.Street, Postcode: mail.Postcode,
	}
	if title.TaxpayerID != "" {
		box, err := s.secretBox()
		if err != nil {
			return db.Invoice{}, err
		}
		p.TaxpayerIDCipher = box.Seal(title.TaxpayerID, p.ID)
	}
	inv, err := q.CreateInvoice(ctx, p)
	if err != nil {
		return db.Invoice{}, err
	}
	err = wfstart.Enqueue(ctx, q, wfstart.Request{
		WorkflowID:   workflows.InvoiceWorkflowID(inv.ID),
		WorkflowType: "InvoiceFulfilment",
		TaskQueue:    s.cfg.TaskQueue,
		Input:        workflows.InvoiceInput{InvoiceID: inv.ID, AccountSID: sid},
		AccountSID:   sid,
		BizStatus:    activities.InvoicePending,
		Summary:      "invoice of " + amount.String() + " CNY",
	})
	if err != nil {
		return db.Invoice{}, err
	}
	logger(ctx, s.log).Info("invoice applied for", "invoice_id", inv.ID, "amount_li", inv.AmountLi)
	return inv, nil
}

func (s *Server) listInvoices(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListInvoicesByAccount(r.Context(), db.ListInvoicesByAccountParams{
		AccountSid: caller(r.Context()).SID, MaxRows: page.Limit + 1,
		BeforeTime: page.afterTime(), BeforeID: page.afterID(),
	})
	if err != nil {
		return err
	}
	return s.writeInvoicePage(w, rows, page.Limit, false)
}

func (s *Server) writeInvoicePage(w http.ResponseWriter, rows []db.Invoice, limit int32,
	reveal bool) error {
	return writePageOf(w, rows, limit, func(i db.Invoice) (time.Time, string) {
		return i.CreatedAt, i.ID
	}, func(i db.Invoice) (invoiceJSON, error) { return s.toInvoiceJSON(i, reveal) })
}

// ownInvoice reads the caller's invoice named in the path.
func (s *Server) ownInvoice(r *http.Request) (db.Invoice, error) {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return db.Invoice{}, apperr.New(apperr.NotFound, "invoice not found")
	}
	inv, err := s.store.GetInvoiceByAccount(r.Context(), db.GetInvoiceByAccountParams{
		ID: id, AccountSid: caller(r.Context()).SID,
	})
	return inv, db.NotFound(err, "invoice")
}

// anyInvoice reads the invoice named in the path, for staff.
func (s *Server) anyInvoice(r *http.Request) (db.Invoice, error) {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return db.Invoice{}, apperr.New(apperr.NotFound, "invoice not found")
	}
	inv, err := s.store.GetInvoiceByID(r.Context(), id)
	return inv, db.NotFound(err, "invoice")
}

func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.ownInvoice(r)
	if err != nil {
		return err
	}
	return s.writeInvoice(w, http.StatusOK, inv, false)
}
