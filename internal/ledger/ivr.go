package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/money"
)

// The fees of a custom IVR app (DOMAIN.md 3.1).
const (
	// IVRMonthlyRent is charged for every Beijing calendar month from the go-live
	// month on.
	IVRMonthlyRent = 100 * money.Yuan
	// IVRNumberRent is charged once for each inbound number bound to an IVR app.
	IVRNumberRent = 1000 * money.Yuan
)

// Beijing is the business time zone: days and months start at 00:00 there.
var Beijing = time.FixedZone("Asia/Shanghai", 8*60*60)

// Month returns the Beijing month of t as "2026-11".
func Month(t time.Time) string { return t.In(Beijing).Format("2006-01") }

// IVRAppRentKey is the ledger key of an app's rent for a Beijing month ("2026-11").
// The go-live charge and the monthly run use the same key, so a month is never
// charged twice whichever posts first.
func IVRAppRentKey(appID, month string) string {
	return fmt.Sprintf("ivr-app-rent:%s:%s", appID, month)
}

// IVRNumberRentKey is the ledger key of the rent of one number binding.
func IVRNumberRentKey(appID, bindingID string) string {
	return fmt.Sprintf("ivr-number-rent:%s:%s", appID, bindingID)
}

// ChargeIVRAppRent charges an IVR app's rent for a Beijing month, once. It needs
// enough balance and returns apperr.InsufficientBalance otherwise.
func ChargeIVRAppRent(ctx context.Context, q *db.Queries, accountSID, appID, month string) (
	Result, error) {
	return Post(ctx, q, Entry{
		AccountSID:  accountSID,
		Key:         IVRAppRentKey(appID, month),
		Category:    CategoryIVRAppRent,
		AppID:       appID,
		Amount:      -IVRMonthlyRent,
		Reference:   month,
		Description: "IVR app rent for " + month,
	}, RequireFunds)
}

// ChargeIVRNumberRent charges the rent of a number bound to an IVR app, once per
// binding. It needs enough balance.
func ChargeIVRNumberRent(ctx context.Context, q *db.Queries, accountSID, appID,
	bindingID, number string) (Result, error) {
	return Post(ctx, q, Entry{
		AccountSID:  accountSID,
		Key:         IVRNumberRentKey(appID, bindingID),
		Category:    CategoryIVRNumberRent,
		AppID:       appID,
		Amount:      -IVRNumberRent,
		Reference:   bindingID,
		Description: "IVR number rent for " + number,
	}, RequireFunds)
}
