// Package messages posts what the platform reports to an account into its message
// center. A message is posted once per idempotency key, so a retried activity or a
// repeated request never posts twice.
package messages

import (
	"context"
	"fmt"

	"github.com/yiyun-console/console/db"
)

// Type classifies a message; the message center filters by it.
type Type string

// The message types.
const (
	TypeVerification Type = "verification"
	TypeApp          Type = "app"
	TypeBilling      Type = "billing"
	TypeInvoice      Type = "invoice"
	TypeNumber       Type = "number"
	TypeTicket       Type = "ticket"
	TypeAnnouncement Type = "announcement"
	TypeOperations   Type = "operations"
)

// Types lists every type, for validating filters.
var Types = []Type{TypeVerification, TypeApp, TypeBilling, TypeInvoice, TypeNumber,
	TypeTicket, TypeAnnouncement, TypeOperations}

// Message is one message to post.
type Message struct {
	AccountSID string
	Type       Type
	Title      string
	Body       string
	Reference  string // the object it is about, such as an app or invoice ID
	Key        string // idempotency key: the same key posts once
}

// Post stores m unless a message with its key exists. It reports whether it posted.
func Post(ctx context.Context, q *db.Queries, m Message) (bool, error) {
	if m.Key == "" {
		return false, fmt.Errorf("posting message %q: no idempotency key", m.Title)
	}
	_, err := q.CreateMessage(ctx, db.CreateMessageParams{
		AccountSid:     m.AccountSID,
		Type:           string(m.Type),
		Title:          m.Title,
		Body:           m.Body,
		Reference:      m.Reference,
		IdempotencyKey: m.Key,
	})
	if err != nil {
		if db.IsNoRows(err) {
			return false, nil
		}
		return false, fmt.Errorf("posting message: %w", err)
	}
	return true, nil
}

// PostToStaff posts m to every operator (and reviewer, when reviewers is set), each
// under its own key derived from m.Key.
func PostToStaff(ctx context.Context, q *db.Queries, m Message, reviewers bool) error {
	staff, err := q.ListStaff(ctx)
	if err != nil {
		return fmt.Errorf("listing staff: %w", err)
	}
	for _, s := range staff {
		if s.Role == "reviewer" && !reviewers {
			continue
		}
		sm := m
		sm.AccountSID = s.Sid
		sm.Key = m.Key + ":" + s.Sid
		if _, err := Post(ctx, q, sm); err != nil {
			return err
		}
	}
	return nil
}
