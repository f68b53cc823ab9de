// Package ledger posts every change of an account's balance as an append-only entry
// with a unique idempotency key, in the same transaction as the balance it changes.
// A repeated post with the same key changes nothing and returns the first entry.
package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/money"
)

// Category says what an entry is for; consumption records and bills group by it.
type Category string

// The ledger categories.
const (
	CategoryRecharge      Category = "recharge"
	CategoryCallUsage     Category = "call_usage"
	CategoryIVRAppRent    Category = "ivr_app_rent"
	CategoryIVRNumberRent Category = "ivr_number_rent"
	CategoryAdjustment    Category = "adjustment"
)

// Entry is a change of balance to post. Amount is positive for a credit and
// negative for a charge.
type Entry struct {
	AccountSID  string
	Key         string
	Category    Category
	AppID       string
	Amount      money.Li
	Reference   string
	Description string
	At          time.Time // when it happened; zero means now
}

// Funds says whether a charge may take the balance below zero.
type Funds int

const (
	// RequireFunds refuses a charge the balance cannot cover (discretionary charges
	// such as rents).
	RequireFunds Funds = iota
	// AllowArrears posts the charge whatever the balance (call usage, which has
	// already happened).
	AllowArrears
)

// Result is what Post did.
type Result struct {
	Entry     db.LedgerEntry
	Duplicate bool // the key was posted before; nothing changed
}

// Post writes e and changes the account's balance, inside the caller's transaction
// (q must be bound to it). It locks the account row first, so that concurrent posts
// for one account serialise and a key is only ever posted once. It returns an
// apperr.InsufficientBalance error when funds is RequireFunds and the balance does
// not cover the charge. Crossing below the low-balance threshold or below zero posts
// a message to the account.
func Post(ctx context.Context, q *db.Queries, e Entry, funds Funds) (Result, error) {
	if e.Amount == 0 || e.Key == "" || e.AccountSID == "" {
		return Result{}, fmt.Errorf("posting ledger entry %q: incomplete entry", e.Key)
	}
	acct, err := q.GetAccountBySIDForUpdate(ctx, e.AccountSID)
	if err != nil {
		return Result{}, db.NotFound(err, "account")
	}
	prior, err := q.GetLedgerEntryByKey(ctx, e.Key)
	if err == nil {
		return Result{Entry: prior, Duplicate: true}, nil
	}
	if !db.IsNoRows(err) {
		return Result{}, fmt.Errorf("reading ledger entry: %w", err)
	}

	before := money.Li(acct.BalanceLi)
	after := before + e.Amount
	if e.Amount < 0 && funds == RequireFunds && after < 0 {
		return Result{}, apperr.New(apperr.InsufficientBalance,
			"the balance %s does not cover %s", before, -e.Amount)
	}
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	kind := "credit"
	if e.Amount < 0 {
		kind = "charge"
	}

	bal, err := q.AddAccountBalance(ctx, db.AddAccountBalanceParams{
		Sid: e.AccountSID, DeltaLi: int64(e.Amount),
	})
	if err != nil {
		return Result{}, fmt.Errorf("changing balance: %w", err)
	}
	entry, err := q.CreateLedgerEntry(ctx, db.CreateLedgerEntryParams{
		AccountSid:     e.AccountSID,
		IdempotencyKey: e.Key,
		Kind:           kind,
		Category:       string(e.Category),
		AppID:          e.AppID,
		AmountLi:       int64(e.Amount),
		BalanceAfterLi: bal.BalanceLi,
		Reference:      e.Reference,
		Description:    e.Description,
		CreatedAt:      at,
	})
	if err != nil {
		return Result{}, fmt.Errorf("writing ledger entry: %w", err)
	}

	err = notifyThresholds(ctx, q, e, before, money.Li(bal.BalanceLi),
		money.Li(bal.LowBalanceThresholdLi), bal.LowBalanceNotified)
	if err != nil {
		return Result{}, err
	}
	return Result{Entry: entry}, nil
}

// notifyThresholds messages the account when the balance crosses below its
// low-balance threshold (once per crossing) or below zero.
func notifyThresholds(ctx context.Context, q *db.Queries, e Entry, before, after,
	threshold money.Li, notified bool) error {
	if threshold > 0 && after < threshold && !notified {
		if err := q.UpdateAccountLowBalanceNotified(ctx, db.UpdateAccountLowBalanceNotifiedParams{
			Sid: e.AccountSID, LowBalanceNotified: true,
		}); err != nil {
			return fmt.Errorf("marking low balance: %w", err)
		}
		_, err := messages.Post(ctx, q, messages.Message{
			AccountSID: e.AccountSID,
			Type:       messages.TypeBilling,
			Title:      "Low balance",
			Body: fmt.Sprintf("Your balance is %s CNY, below your threshold of %s CNY.",
				after, threshold),
			Key: "low-balance:" + e.Key,
		})
		if err != nil {
			return err
		}
	}
	if notified && after >= threshold {
		if err := q.UpdateAccountLowBalanceNotified(ctx, db.UpdateAccountLowBalanceNotifiedParams{
			Sid: e.AccountSID, LowBalanceNotified: false,
		}); err != nil {
			return fmt.Errorf("clearing low balance: %w", err)
		}
	}
	if before >= 0 && after < 0 {
		_, err := messages.Post(ctx, q, messages.Message{
			AccountSID: e.AccountSID,
			Type:       messages.TypeBilling,
			Title:      "Account in arrears",
			Body: fmt.Sprintf("Your balance is %s CNY. Top up to keep your apps running.",
				after),
			Key: "arrears:" + e.Key,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Mismatch is an account whose balance differs from the sum of its entries.
type Mismatch struct {
	AccountSID string
	Balance    money.Li
	LedgerSum  money.Li
}

// Check compares every account's balance with the sum of its ledger entries and
// returns the accounts checked and those that differ.
func Check(ctx context.Context, q *db.Queries) (int64, []Mismatch, error) {
	n, err := q.CountAccountsChecked(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("counting accounts: %w", err)
	}
	rows, err := q.ListLedgerMismatches(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("checking ledger: %w", err)
	}
	out := make([]Mismatch, len(rows))
	for i, r := range rows {
		out[i] = Mismatch{AccountSID: r.Sid, Balance: money.Li(r.BalanceLi),
			LedgerSum: money.Li(r.LedgerSumLi)}
	}
	return n, out, nil
}
