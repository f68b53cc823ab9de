package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/db"
)

// ErrTypeNoFreeNumber is the application error type of a reservation that found
// the pool empty.
const ErrTypeNoFreeNumber = "NoFreeNumber"

// NumberBinding names one binding of an inbound number to an app. BindingID is
// the go-live request that asked for it.
type NumberBinding struct {
	BindingID  string
	AppID      string
	AccountSID string
}

// BoundNumber is the number a binding holds.
type BoundNumber struct {
	NumberID string
	Number   string
}

// ReserveNumber takes a free number from the pool for b, or returns the one b
// already holds. Concurrent reservations never take the same number. An empty pool
// is a non-retryable error of type ErrTypeNoFreeNumber.
func (a *Activities) ReserveNumber(ctx context.Context, b NumberBinding) (BoundNumber, error) {
	n, err := a.Store.GetInboundNumberByBinding(ctx, b.BindingID)
	if db.IsNoRows(err) {
		n, err = a.Store.ReserveInboundNumber(ctx, db.ReserveInboundNumberParams{
			BindingID: b.BindingID, AppID: b.AppID, AccountSid: b.AccountSID,
		})
		if db.IsNoRows(err) {
			return BoundNumber{}, temporal.NewNonRetryableApplicationError(
				"the inbound number pool has no free number", ErrTypeNoFreeNumber, nil)
		}
	}
	if err != nil {
		return BoundNumber{}, fmt.Errorf("reserving a number: %w", err)
	}
	return BoundNumber{NumberID: n.ID, Number: n.Number}, nil
}

// ProvisionNumber asks the carrier to route the reserved number to the platform.
// The carrier's transient failures are returned for the retry policy.
func (a *Activities) ProvisionNumber(ctx context.Context, b NumberBinding, n BoundNumber) error {
	if err := a.Outside.Carrier.Provision(ctx, b.BindingID, n.Number); err != nil {
		return fmt.Errorf("provisioning number %s: %w", n.NumberID, err)
	}
	return nil
}

// BindNumber marks the reserved number bound to the app.
func (a *Activities) BindNumber(ctx context.Context, b NumberBinding) error {
	rows, err := a.Store.BindInboundNumber(ctx, b.BindingID)
	if err != nil {
		return fmt.Errorf("binding number: %w", err)
	}
	if rows == 0 {
		return temporal.NewNonRetryableApplicationError("the binding holds no number",
			"BindingLost", nil)
	}
	return nil
}

// ReturnNumber gives back the number of a binding that never went live: the
// carrier stops routing it and it is free again at once, without cooling.
func (a *Activities) ReturnNumber(ctx context.Context, b NumberBinding, n BoundNumber) error {
	if err := a.Outside.Carrier.Release(ctx, b.BindingID, n.Number); err != nil {
		return fmt.Errorf("releasing number %s: %w", n.NumberID, err)
	}
	if _, err := a.Store.ReturnInboundNumber(ctx, b.BindingID); err != nil {
		return fmt.Errorf("returning number %s: %w", n.NumberID, err)
	}
	return nil
}

// NumberRelease is the release of a bound number.
type NumberRelease struct {
	BindingID    string
	AppID        string
	NumberID     string
	Number       string
	CoolingUntil time.Time
}

// ReleaseNumber stops the carrier routing the number and lets it cool until
// r.CoolingUntil. Releasing a released number changes nothing.
func (a *Activities) ReleaseNumber(ctx context.Context, r NumberRelease) error {
	if err := a.Outside.Carrier.Release(ctx, r.BindingID, r.Number); err != nil {
		return fmt.Errorf("releasing number %s: %w", r.NumberID, err)
	}
	_, err := a.Store.CoolInboundNumber(ctx, db.CoolInboundNumberParams{
		ID: r.NumberID, BindingID: r.BindingID, CoolingUntil: &r.CoolingUntil,
	})
	if err != nil {
		return fmt.Errorf("cooling number %s: %w", r.NumberID, err)
	}
	a.Log.Info("number released", "number_id", r.NumberID, "app_id", r.AppID)
	return nil
}

// FreeCooledNumber offers a number whose cooling ended by at to bindings again.
func (a *Activities) FreeCooledNumber(ctx context.Context, numberID string, at time.Time) error {
	_, err := a.Store.FreeCooledInboundNumber(ctx, db.FreeCooledInboundNumberParams{
		ID: numberID, Now: &at,
	})
	if err != nil {
		return fmt.Errorf("freeing number %s: %w", numberID, err)
	}
	return nil
}
