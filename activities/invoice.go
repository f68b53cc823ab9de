package activities

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/money"
)

// The states of an invoice application.
const (
	InvoicePending   = "pending"
	InvoiceApproved  = "approved"
	InvoiceRejected  = "rejected"
	InvoiceCancelled = "cancelled"
	InvoiceIssued    = "issued"
	InvoiceMailed    = "mailed"
	InvoiceDelivered = "delivered"
)

// InvoiceStep moves an invoice from one state to the next with what the step records.
type InvoiceStep struct {
	InvoiceID      string
	AccountSID     string
	From, To       string
	Reason         string // rejection
	ReviewerSID    string // review
	InvoiceNumber  string // issue
	Courier        string // mail
	TrackingNumber string // mail
	DeliveredBy    string // delivery: developer or automatic
}

// AdvanceInvoice records one step of an invoice's fulfilment and messages the
// developer about it, in one transaction. Running it again for the same step changes
// nothing; a step from a state the invoice is no longer in fails without retrying.
func (a *Activities) AdvanceInvoice(ctx context.Context, s InvoiceStep) error {
	return a.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		n, err := q.AdvanceInvoice(ctx, db.AdvanceInvoiceParams{
			ID: s.InvoiceID, FromStatus: s.From, ToStatus: s.To,
			RejectReason: nonEmpty(s.Reason), ReviewerSid: nonEmpty(s.ReviewerSID),
			InvoiceNumber: nonEmpty(s.InvoiceNumber), Courier: nonEmpty(s.Courier),
			TrackingNumber: nonEmpty(s.TrackingNumber), DeliveredBy: nonEmpty(s.DeliveredBy),
		})
		if c, dup := db.IsUniqueViolation(err); dup && c == "invoices_invoice_number" {
			return temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("the invoice number %s is already used by another invoice",
					s.InvoiceNumber), "InvoiceNumberTaken", nil)
		}
		if err != nil {
			return fmt.Errorf("advancing invoice: %w", err)
		}
		inv, err := q.GetInvoiceByID(ctx, s.InvoiceID)
		if err != nil {
			return fmt.Errorf("reading invoice: %w", err)
		}
		if n == 0 {
			if inv.Status == s.To {
				return nil // recorded by an earlier attempt
			}
			return temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("invoice %s is %s, not %s", inv.ID, inv.Status, s.From),
				"InvoiceStateChanged", nil)
		}
		_, err = messages.Post(ctx, q, invoiceMessage(inv))
		return err
	})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// invoiceMessage tells the developer where an invoice stands.
func invoiceMessage(inv db.Invoice) messages.Message {
	amount := money.Li(inv.AmountLi)
	m := messages.Message{AccountSID: inv.AccountSid, Type: messages.TypeInvoice,
		Reference: inv.ID, Key: "invoice:" + inv.ID + ":" + inv.Status}
	switch inv.Status {
	case InvoiceApproved:
		m.Title = "Invoice application approved"
		m.Body = fmt.Sprintf("Your application for an invoice of %s CNY was approved; "+
			"it will be issued shortly.", amount)
	case InvoiceRejected:
		m.Title = "Invoice application rejected"
		m.Body = fmt.Sprintf("Your application for an invoice of %s CNY was rejected: %s\n"+
			"The amount may be invoiced again.", amount, inv.RejectReason)
	case InvoiceCancelled:
		m.Title = "Invoice application cancelled"
		m.Body = fmt.Sprintf("Your application for an invoice of %s CNY was cancelled; "+
			"the amount may be invoiced again.", amount)
	case InvoiceIssued:
		m.Title = "Invoice issued"
		m.Body = fmt.Sprintf("Your invoice of %s CNY was issued with number %s.", amount,
			inv.InvoiceNumber)
	case InvoiceMailed:
		m.Title = "Invoice mailed"
		m.Body = fmt.Sprintf("Your invoice %s was sent by %s, tracking number %s.",
			inv.InvoiceNumber, inv.Courier, inv.TrackingNumber)
	case InvoiceDelivered:
		m.Title = "Invoice delivered"
		m.Body = fmt.Sprintf("Your invoice %s is recorded as delivered.", inv.InvoiceNumber)
	}
	return m
}
