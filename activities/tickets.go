package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/messages"
)

// TicketIdleLimit is how long a ticket may wait after a staff reply before it
// closes by itself.
const TicketIdleLimit = 7 * 24 * time.Hour

// TicketIdleState is what CheckTicketIdle found.
type TicketIdleState struct {
	Status  string     // the ticket's status after the check
	Closed  bool       // closed now or before; the auto-close process is over
	CloseAt *time.Time // when it closes unless there is more activity; nil if open
}

// CheckTicketIdle closes a ticket that has waited TicketIdleLimit since a staff reply
// with no activity, as of now (the workflow's clock), and tells the developer. It
// is idempotent: a ticket is closed once, and the message is keyed by the ticket.
func (a *Activities) CheckTicketIdle(ctx context.Context, ticketID string, now time.Time) (
	TicketIdleState, error) {
	var st TicketIdleState
	err := a.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		t, err := q.AutoCloseTicket(ctx, db.AutoCloseTicketParams{ID: ticketID, Now: now,
			IdleBefore: now.Add(-TicketIdleLimit)})
		if err == nil {
			st = TicketIdleState{Status: t.Status, Closed: true}
			_, err = messages.Post(ctx, q, messages.Message{
				AccountSID: t.AccountSid, Type: messages.TypeTicket, Reference: t.ID,
				Title: "Ticket closed",
				Body: "Your ticket was closed after 7 days without a reply. You may " +
					"still rate it.",
				Key: "ticket-auto-closed:" + t.ID,
			})
			return err
		}
		if !db.IsNoRows(err) {
			return fmt.Errorf("closing idle ticket: %w", err)
		}
		t, err = q.GetTicket(ctx, ticketID)
		if err != nil {
			return fmt.Errorf("reading ticket: %w", err)
		}
		st = TicketIdleState{Status: t.Status, Closed: t.Status == "closed"}
		if t.Status == "answered" {
			at := t.LastActivityAt.Add(TicketIdleLimit)
			st.CloseAt = &at
		}
		return nil
	})
	return st, err
}
