package activities

import (
	"context"
	"fmt"

	"github.com/yiyun-console/console/internal/billing"
)

// ExpireRechargeOrder expires an order still unpaid at its deadline and returns the
// order's status afterwards: expired, or paid when the payment won the race.
func (a *Activities) ExpireRechargeOrder(ctx context.Context, orderID string) (string, error) {
	if _, err := a.Store.ExpireRechargeOrder(ctx, orderID); err != nil {
		return "", fmt.Errorf("expiring order %s: %w", orderID, err)
	}
	order, err := a.Store.GetRechargeOrderByID(ctx, orderID)
	if err != nil {
		return "", fmt.Errorf("reading order %s: %w", orderID, err)
	}
	if order.Status == billing.OrderExpired {
		a.Log.Info("recharge order expired", "order_id", orderID)
	}
	return order.Status, nil
}
