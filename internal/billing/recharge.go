package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/money"
)

// Recharge channels.
const (
	ChannelSandbox      = "sandbox"
	ChannelBankTransfer = "bank_transfer"
)

// Recharge order statuses.
const (
	OrderPending         = "pending"
	OrderPaid            = "paid"
	OrderExpired         = "expired"
	OrderPaidAfterExpiry = "paid_after_expiry"
)

// OrderTTL is how long an order waits for its payment.
const OrderTTL = 30 * time.Minute

// RechargeKey is the ledger key of an order's credit.
func RechargeKey(orderID string) string { return "recharge:" + orderID }

// Payment is a channel's word that an order was paid.
type Payment struct {
	OrderID     string
	Amount      money.Li // what the channel says it collected
	ChannelTxn  string   // the channel's transaction reference
	ConfirmedBy string   // the operator who confirmed a bank transfer, if any
	PaidAt      time.Time
}

// Settlement is what CreditOrder did.
type Settlement struct {
	Order     db.RechargeOrder
	Credited  bool // false when the order had been settled before (a duplicate)
	LateOrder bool // the order had expired; it was credited and flagged for operators
}

// CreditOrder settles a paid order inside the caller's transaction (q bound to it):
// it locks the order, refuses a wrong amount, marks it paid (or paid_after_expiry when
// it had expired) and credits the balance with the order's ledger key. A second
// payment of a settled order changes nothing. Errors: apperr.NotFound for an unknown
// order, apperr.Invalid for a wrong amount, apperr.Conflict for an operator's
// confirmation of a settled order with another reference than the one recorded.
//
// An order paid after it expired is credited all the same (the money was collected)
// and operators are messaged to look at it.
func CreditOrder(ctx context.Context, q *db.Queries, p Payment) (Settlement, error) {
	order, err := q.GetRechargeOrderForUpdate(ctx, p.OrderID)
	if err != nil {
		return Settlement{}, db.NotFound(err, "recharge order")
	}
	if money.Li(order.AmountLi) != p.Amount {
		return Settlement{}, apperr.New(apperr.Invalid,
			"the amount %s does not match the order's %s", p.Amount, money.Li(order.AmountLi))
	}
	if order.Status == OrderPaid || order.Status == OrderPaidAfterExpiry {
		if p.ConfirmedBy != "" && order.ChannelTxn != p.ChannelTxn {
			return Settlement{}, apperr.New(apperr.Conflict,
				"the order was already confirmed with another reference")
		}
		return Settlement{Order: order}, nil
	}

	late := order.Status == OrderExpired
	order, err = q.MarkRechargeOrderPaid(ctx, db.MarkRechargeOrderPaidParams{
		ID: order.ID, ChannelTxn: p.ChannelTxn, ConfirmedBy: p.ConfirmedBy, PaidAt: &p.PaidAt,
	})
	if err != nil {
		return Settlement{}, fmt.Errorf("marking order paid: %w", err)
	}
	_, err = ledger.Post(ctx, q, ledger.Entry{
		AccountSID:  order.AccountSid,
		Key:         RechargeKey(order.ID),
		Category:    ledger.CategoryRecharge,
		Amount:      money.Li(order.AmountLi),
		Reference:   order.ID,
		Description: "Top-up via " + order.Channel,
	}, ledger.AllowArrears)
	if err != nil {
		return Settlement{}, err
	}

	_, err = messages.Post(ctx, q, messages.Message{
		AccountSID: order.AccountSid, Type: messages.TypeBilling, Title: "Top-up received",
		Body:      fmt.Sprintf("%s CNY were added to your balance.", money.Li(order.AmountLi)),
		Reference: order.ID, Key: "recharge-credited:" + order.ID,
	})
	if err != nil {
		return Settlement{}, err
	}
	if late {
		err = messages.PostToStaff(ctx, q, messages.Message{
			Type: messages.TypeOperations, Title: "Payment after expiry",
			Body: fmt.Sprintf("Recharge order %s was paid after it expired; it was credited.",
				order.ID),
			Reference: order.ID, Key: "recharge-after-expiry:" + order.ID,
		}, false)
		if err != nil {
			return Settlement{}, err
		}
	}
	return Settlement{Order: order, Credited: true, LateOrder: late}, nil
}
