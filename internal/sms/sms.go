// Package sms sends text messages, such as the codes that prove a test number.
// The console sends through the Sender interface; the default, Outbox, keeps the
// messages in a table that operators and the local developer read through
// GET /v1/ops/sms-outbox instead of sending them.
package sms

import (
	"context"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
)

// Message is one text message. Key makes sending idempotent: a message with a
// key already sent is not sent again.
type Message struct {
	Mobile string
	Body   string
	Key    string
}

// Sender sends text messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outbox is a Sender that keeps messages in the sms_outbox table.
type Outbox struct {
	Store *db.Store
}

// Send stores m once per key.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	return o.Store.CreateSMS(ctx, db.CreateSMSParams{
		ID: ids.New(), Mobile: m.Mobile, Body: m.Body, IdempotencyKey: m.Key,
	})
}
