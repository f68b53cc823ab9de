package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
)

// NumberBinding is an inbound number bound to an IVR app.
type NumberBinding struct {
	ID     string // the binding's ID: its rent is charged once per binding
	Number string
}

// ChargeGoLive charges an IVR app's go-live fees inside the caller's transaction (q
// must be bound to it): the rent of each bound number, once per binding, and the
// rent of the Beijing month of at. It posts with the same ledger keys as the monthly
// run, so the run of the go-live month charges the app nothing, and a retried
// go-live charges nothing twice. It returns what it charged now. When the balance
// does not cover a fee it returns an apperr.InsufficientBalance error; the caller
// must then roll back, so that go-live charges all or nothing. The go-live
// workflow's activation calls it.
func ChargeGoLive(ctx context.Context, q *db.Queries, accountSID, appID string,
	numbers []NumberBinding, at time.Time) (money.Li, error) {
	var charged money.Li
	for _, n := range numbers {
		res, err := ledger.ChargeIVRNumberRent(ctx, q, accountSID, appID, n.ID, n.Number)
		if err != nil {
			return 0, fmt.Errorf("charging the rent of number %s: %w", n.Number, err)
		}
		if !res.Duplicate {
			charged += ledger.IVRNumberRent
		}
	}

	res, err := ledger.ChargeIVRAppRent(ctx, q, accountSID, appID, ledger.Month(at))
	if err != nil {
		return 0, fmt.Errorf("charging the go-live month: %w", err)
	}
	if !res.Duplicate {
		charged += ledger.IVRMonthlyRent
	}
	return charged, nil
}
