package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
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
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req invoiceRequest
	if err := decodeBytes(body, &req); err != nil {
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
	var convErr error
	out := pageOf(rows, limit, func(i db.Invoice) (time.Time, string) {
		return i.CreatedAt, i.ID
	}, func(i db.Invoice) invoiceJSON {
		j, err := s.toInvoiceJSON(i, reveal)
		convErr = errors.Join(convErr, err)
		return j
	})
	if convErr != nil {
		return convErr
	}
	writeJSON(w, http.StatusOK, out)
	return nil
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

func (s *Server) invoiceReviewQueue(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListPendingInvoices(r.Context(), db.ListPendingInvoicesParams{
		MaxRows: page.Limit + 1, AfterTime: page.afterTime(), AfterID: page.afterID(),
	})
	if err != nil {
		return err
	}
	return s.writeInvoicePage(w, rows, page.Limit, true)
}

// opsInvoices lists the invoices in the state given by the status parameter (approved
// by default: those to issue), oldest first.
func (s *Server) opsInvoices(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "":
		status = activities.InvoiceApproved
	case activities.InvoicePending, activities.InvoiceApproved, activities.InvoiceRejected,
		activities.InvoiceCancelled, activities.InvoiceIssued, activities.InvoiceMailed,
		activities.InvoiceDelivered:
	default:
		return apperr.Field("status", "must be pending, approved, rejected, cancelled, "+
			"issued, mailed or delivered")
	}
	rows, err := s.store.ListInvoicesByStatus(r.Context(), db.ListInvoicesByStatusParams{
		Status: status, MaxRows: page.Limit + 1, AfterTime: page.afterTime(),
		AfterID: page.afterID(),
	})
	if err != nil {
		return err
	}
	return s.writeInvoicePage(w, rows, page.Limit, true)
}

// invoiceStep sends one step to an invoice's workflow and answers the invoice as it
// is afterwards. done reports whether the invoice already shows this very step, sent
// again after a timeout; then it is answered as it is.
func (s *Server) invoiceStep(w http.ResponseWriter, r *http.Request, inv db.Invoice,
	update, to string, done func(db.Invoice) bool, reveal bool, args ...any) error {
	if inv.Status == to && done(inv) {
		return s.writeInvoice(w, http.StatusOK, inv, reveal)
	}
	var res workflows.InvoiceResult
	err := s.runWorkflowUpdate(r.Context(), workflows.InvoiceWorkflowID(inv.ID), update,
		&res, args...)
	if err != nil {
		return err
	}
	after, err := s.store.GetInvoiceByID(r.Context(), inv.ID)
	if err != nil {
		return err
	}
	if after.Status != to || !done(after) {
		return apperr.New(apperr.Conflict, "the invoice is %s", after.Status)
	}
	logger(r.Context(), s.log).Info("invoice step", "invoice_id", inv.ID, "status", to)
	return s.writeInvoice(w, http.StatusOK, after, reveal)
}

func always(db.Invoice) bool { return true }

func (s *Server) cancelInvoice(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.ownInvoice(r)
	if err != nil {
		return err
	}
	if inv.Status != activities.InvoicePending && inv.Status != activities.InvoiceCancelled {
		return apperr.New(apperr.Conflict,
			"the invoice is %s; only an application not yet reviewed may be cancelled", inv.Status)
	}
	return s.invoiceStep(w, r, inv, workflows.InvoiceCancelUpdate, activities.InvoiceCancelled,
		always, false)
}

func (s *Server) confirmInvoiceDelivery(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.ownInvoice(r)
	if err != nil {
		return err
	}
	if inv.Status != activities.InvoiceMailed && inv.Status != activities.InvoiceDelivered {
		return apperr.New(apperr.Conflict,
			"the invoice is %s; delivery is confirmed once it is mailed", inv.Status)
	}
	return s.invoiceStep(w, r, inv, workflows.InvoiceConfirmDeliveryUpdate,
		activities.InvoiceDelivered, always, false)
}

func (s *Server) decideInvoice(w http.ResponseWriter, r *http.Request) error {
	var req decisionRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	d := workflows.InvoiceDecision{ReviewerSID: caller(r.Context()).SID}
	to := activities.InvoiceApproved
	switch req.Decision {
	case "approve":
		d.Approve = true
	case "reject":
		d.Reason = checkText(&v, "reason", req.Reason, 500)
		to = activities.InvoiceRejected
	default:
		v.Add("decision", "must be approve or reject")
	}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := s.anyInvoice(r)
	if err != nil {
		return err
	}
	sameDecision := func(i db.Invoice) bool { return i.ReviewerSid == d.ReviewerSID }
	if inv.Status != activities.InvoicePending && !(inv.Status == to && sameDecision(inv)) {
		return apperr.New(apperr.Conflict, "the invoice is already %s", inv.Status)
	}
	return s.invoiceStep(w, r, inv, workflows.InvoiceReviewUpdate, to, sameDecision, true, d)
}

var (
	invoiceNumberPattern  = regexp.MustCompile(`^[0-9A-Za-z-]{8,30}$`)
	trackingNumberPattern = regexp.MustCompile(`^[0-9A-Za-z]{6,30}$`)
)

type issueRequest struct {
	InvoiceNumber string `json:"invoice_number"`
}

func (s *Server) issueInvoice(w http.ResponseWriter, r *http.Request) error {
	var req issueRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	number := strings.TrimSpace(req.InvoiceNumber)
	if !invoiceNumberPattern.MatchString(number) {
		return apperr.Field("invoice_number", "must be 8 to 30 letters, digits or dashes")
	}
	inv, err := s.anyInvoice(r)
	if err != nil {
		return err
	}
	same := func(i db.Invoice) bool { return i.InvoiceNumber == number }
	if inv.Status != activities.InvoiceApproved &&
		!(inv.Status == activities.InvoiceIssued && same(inv)) {
		return apperr.New(apperr.Conflict, "the invoice is %s; it is issued once approved",
			inv.Status)
	}
	return s.invoiceStep(w, r, inv, workflows.InvoiceIssueUpdate, activities.InvoiceIssued,
		same, true, workflows.InvoiceIssue{InvoiceNumber: number})
}

type mailRequest struct {
	Courier        string `json:"courier"`
	TrackingNumber string `json:"tracking_number"`
}

func (s *Server) mailInvoice(w http.ResponseWriter, r *http.Request) error {
	var req mailRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	courier := checkText(&v, "courier", req.Courier, 50)
	tracking := strings.TrimSpace(req.TrackingNumber)
	if !trackingNumberPattern.MatchString(tracking) {
		v.Add("tracking_number", "must be 6 to 30 letters or digits")
	}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := s.anyInvoice(r)
	if err != nil {
		return err
	}
	same := func(i db.Invoice) bool { return i.TrackingNumber == tracking }
	if inv.Status != activities.InvoiceIssued &&
		!(inv.Status == activities.InvoiceMailed && same(inv)) {
		return apperr.New(apperr.Conflict, "the invoice is %s; it is mailed once issued",
			inv.Status)
	}
	return s.invoiceStep(w, r, inv, workflows.InvoiceMailUpdate, activities.InvoiceMailed, same,
		true, workflows.InvoiceMail{Courier: courier, TrackingNumber: tracking})
}
