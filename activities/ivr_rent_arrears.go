package activities

import (
	"context"
	"time"

	"github.com/yiyun-console/console/internal/billing"
)

// RetryIVRRent tries again to charge an app's unpaid rent and returns
// billing.ArrearsPaid, ArrearsUnpaid or ArrearsGone.
func (a *Activities) RetryIVRRent(ctx context.Context, appID, month string) (string, error) {
	return billing.RetryArrears(ctx, a.Store, appID, month, time.Now())
}

// SuspendIVRApp suspends an app whose rent stayed unpaid, and tells the developer.
func (a *Activities) SuspendIVRApp(ctx context.Context, in billing.ArrearsInput) error {
	suspended, err := billing.SuspendForArrears(ctx, a.Store, in.AppID, in.AccountSID, in.Month)
	if suspended {
		a.Log.Info("ivr app suspended for unpaid rent", "app_id", in.AppID, "month", in.Month)
	}
	return err
}
