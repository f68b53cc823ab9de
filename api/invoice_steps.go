package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/workflows"
)

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
	// The unique index refuses a number taken meanwhile; this answers the usual case
	// before the workflow is asked. When two invoices race for one number, the
	// loser's issue Update fails; its Update ID carries the number, so the operator
	// issues it again with another.
	taken, err := s.store.InvoiceNumberTaken(r.Context(), db.InvoiceNumberTakenParams{
		InvoiceNumber: number, ID: inv.ID,
	})
	if err != nil {
		return err
	}
	if taken {
		return apperr.New(apperr.Conflict, "the invoice number %s is already used by another "+
			"invoice", number)
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
