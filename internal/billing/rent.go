package billing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/wfstart"
)

// ArrearsWorkflowType is the registered name of the workflow that follows an IVR app
// whose account could not pay a month's rent.
const ArrearsWorkflowType = "IVRRentArrears"

// ArrearsWorkflowID is the workflow ID of an app's rent arrears for a month.
func ArrearsWorkflowID(appID, month string) string {
	return "ivr-rent-arrears/" + appID + "/" + month
}

// ArrearsInput is the input of the arrears workflow.
type ArrearsInput struct {
	AppID      string
	AccountSID string
	Month      string
	Since      time.Time // when the rent first failed; zero means the workflow's start
}

// AppRef names a live IVR app and its account.
type AppRef struct {
	AppID      string
	AccountSID string
}

// RentTally counts what a charging pass did.
type RentTally struct {
	Charged int // charged now
	Already int // charged before, at go-live or by an earlier attempt
	Unpaid  int // the account could not pay: an arrears workflow follows the app
	Skipped int // no longer live when its turn came
}

// Add adds o to t.
func (t *RentTally) Add(o RentTally) {
	t.Charged += o.Charged
	t.Already += o.Already
	t.Unpaid += o.Unpaid
	t.Skipped += o.Skipped
}

// RentCharger charges live IVR apps their rent for a month.
type RentCharger struct {
	Store     *db.Store
	TaskQueue string // where arrears workflows run
	Workers   int    // accounts charged at once; 4 when zero
}

// ChargeApps charges every app in apps its rent for month, once. Apps are grouped by
// account; each account's apps are charged in one transaction that first locks the
// apps still live, so an app taken offline meanwhile is not charged. An app whose
// account cannot pay gets an arrears row, a message and an arrears workflow (enqueued
// in the same transaction). It returns the arrears workflow IDs to start.
func (c RentCharger) ChargeApps(ctx context.Context, month string, apps []AppRef) (
	RentTally, []string, error) {
	byAccount := map[string][]string{}
	for _, a := range apps {
		byAccount[a.AccountSID] = append(byAccount[a.AccountSID], a.AppID)
	}
	accounts := make([]string, 0, len(byAccount))
	for sid := range byAccount {
		accounts = append(accounts, sid)
	}
	sort.Strings(accounts)

	workers := c.Workers
	if workers <= 0 {
		workers = 4
	}
	var (
		mu       sync.Mutex
		total    RentTally
		started  []string
		firstErr error
		next     = make(chan string)
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sid := range next {
				t, wfs, err := c.chargeAccount(ctx, month, sid, byAccount[sid])
				mu.Lock()
				total.Add(t)
				started = append(started, wfs...)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, sid := range accounts {
		next <- sid
	}
	close(next)
	wg.Wait()
	return total, started, firstErr
}

func (c RentCharger) chargeAccount(ctx context.Context, month, accountSID string,
	appIDs []string) (RentTally, []string, error) {
	var t RentTally
	var arrears []string
	err := c.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		t, arrears = RentTally{}, nil
		live, err := q.LockLiveIVRApps(ctx, db.LockLiveIVRAppsParams{
			AccountSid: accountSID, Ids: appIDs,
		})
		if err != nil {
			return fmt.Errorf("locking apps: %w", err)
		}
		t.Skipped = len(appIDs) - len(live)
		for _, appID := range live {
			res, err := ledger.ChargeIVRAppRent(ctx, q, accountSID, appID, month)
			switch {
			case apperr.CodeOf(err) == apperr.InsufficientBalance:
				if err := c.openArrears(ctx, q, appID, accountSID, month); err != nil {
					return err
				}
				t.Unpaid++
				arrears = append(arrears, ArrearsWorkflowID(appID, month))
			case err != nil:
				return fmt.Errorf("charging app %s: %w", appID, err)
			case res.Duplicate:
				t.Already++
			default:
				t.Charged++
			}
		}
		return nil
	})
	if err != nil {
		return RentTally{}, nil, fmt.Errorf("charging account %s: %w", accountSID, err)
	}
	return t, arrears, nil
}

// openArrears records that an app's rent is unpaid, tells the developer and enqueues
// the workflow that retries it.
func (c RentCharger) openArrears(ctx context.Context, q *db.Queries, appID, accountSID,
	month string) error {
	err := q.CreateIVRRentArrears(ctx, db.CreateIVRRentArrearsParams{
		AppID: appID, Month: month, AccountSid: accountSID,
	})
	if err != nil {
		return fmt.Errorf("recording arrears: %w", err)
	}
	_, err = messages.Post(ctx, q, messages.Message{
		AccountSID: accountSID, Type: messages.TypeBilling, Title: "IVR rent unpaid",
		Body: fmt.Sprintf("The balance does not cover the %s CNY rent of app %s for %s. "+
			"Top up within 7 days or the app is suspended.", ledger.IVRMonthlyRent, appID, month),
		Reference: appID, Key: "ivr-rent-unpaid:" + appID + ":" + month,
	})
	if err != nil {
		return err
	}
	return wfstart.Enqueue(ctx, q, wfstart.Request{
		WorkflowID:   ArrearsWorkflowID(appID, month),
		WorkflowType: ArrearsWorkflowType,
		TaskQueue:    c.TaskQueue,
		Input:        ArrearsInput{AppID: appID, AccountSID: accountSID, Month: month},
		AccountSID:   accountSID,
		AppID:        appID,
		BizStatus:    "unpaid",
		Summary:      "IVR rent arrears " + month,
	})
}

// Arrears outcomes of RetryArrears.
const (
	ArrearsPaid   = "paid"   // charged; a suspended app is live again
	ArrearsUnpaid = "unpaid" // the balance still does not cover it
	ArrearsGone   = "gone"   // the app is no longer live or suspended: nothing to charge
)

var errStillUnpaid = errors.New("still unpaid")

// RetryArrears tries again to charge an app's rent for month, and for every later
// month up to now if the app was suspended meanwhile, all or nothing. When paid, a
// suspended app is made live again and the arrears are closed.
func RetryArrears(ctx context.Context, store *db.Store, appID, month string, now time.Time) (
	string, error) {
	outcome := ArrearsPaid
	err := store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		app, err := q.LockChargeableIVRApp(ctx, appID)
		if db.IsNoRows(err) {
			outcome = ArrearsGone
			return q.ResolveIVRRentArrears(ctx, db.ResolveIVRRentArrearsParams{
				AppID: appID, Month: month, Status: "closed",
			})
		}
		if err != nil {
			return fmt.Errorf("locking app: %w", err)
		}
		for m := month; m <= ledger.Month(now); {
			_, err := ledger.ChargeIVRAppRent(ctx, q, app.AccountSid, appID, m)
			if apperr.CodeOf(err) == apperr.InsufficientBalance {
				return errStillUnpaid
			}
			if err != nil {
				return err
			}
			if app.Status != "suspended" {
				break // the monthly runs charge a live app's later months
			}
			_, end, err := MonthBounds(m)
			if err != nil {
				return err
			}
			m = ledger.Month(end)
		}
		if _, err := q.ResumeAppAfterRent(ctx, appID); err != nil {
			return fmt.Errorf("resuming app: %w", err)
		}
		if err := q.ResolveIVRRentArrears(ctx, db.ResolveIVRRentArrearsParams{
			AppID: appID, Month: month, Status: "paid",
		}); err != nil {
			return err
		}
		if app.Status == "suspended" {
			_, err = messages.Post(ctx, q, messages.Message{
				AccountSID: app.AccountSid, Type: messages.TypeBilling, Title: "IVR app live again",
				Body:      fmt.Sprintf("The rent of app %s is paid; the app is live again.", appID),
				Reference: appID, Key: "ivr-rent-resumed:" + appID + ":" + month,
			})
		}
		return err
	})
	if errors.Is(err, errStillUnpaid) {
		return ArrearsUnpaid, nil
	}
	return outcome, err
}

// SuspendForArrears suspends a live app whose rent stays unpaid and tells the
// developer. It reports whether the app was suspended now.
func SuspendForArrears(ctx context.Context, store *db.Store, appID, accountSID,
	month string) (bool, error) {
	suspended := false
	err := store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		n, err := q.SuspendAppForRent(ctx, db.SuspendAppForRentParams{
			ID: appID, StatusReason: "IVR rent for " + month + " unpaid",
		})
		if err != nil || n == 0 {
			return err
		}
		suspended = true
		_, err = messages.Post(ctx, q, messages.Message{
			AccountSID: accountSID, Type: messages.TypeBilling, Title: "IVR app suspended",
			Body: fmt.Sprintf("App %s is suspended: its rent for %s is unpaid. Top up and it "+
				"is charged and live again.", appID, month),
			Reference: appID, Key: "ivr-rent-suspended:" + appID + ":" + month,
		})
		return err
	})
	return suspended, err
}
