package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/money"
)

// PostCharges posts many charges that may take balances below zero (call usage),
// of one or several accounts, inside the caller's transaction, with the effect of
// calling Post with AllowArrears for each in order: every entry carries the
// balance after it, a key posted before is skipped, and crossing the low-balance
// threshold or zero posts the same messages. It takes a fixed number of statements
// however many entries there are, where Post takes four each: the accounts are
// locked at once, in sid order, and the entries and balances written at once. It
// returns the total amount posted (positive).
//
// NOTE: it repeats Post's rules in batch form; a change to Post (its columns, its
// messages) must be made here too.
func PostCharges(ctx context.Context, q *db.Queries, entries []Entry) (money.Li, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	sids := make([]string, 0, len(entries))
	keys := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Amount >= 0 || e.Key == "" || e.AccountSID == "" {
			return 0, fmt.Errorf("posting charge %q: not a complete charge", e.Key)
		}
		if !slices.Contains(sids, e.AccountSID) {
			sids = append(sids, e.AccountSID)
		}
		keys = append(keys, e.Key)
	}
	slices.Sort(sids)
	accts, err := q.LockAccountsForLedger(ctx, sids)
	if err != nil {
		return 0, fmt.Errorf("locking accounts: %w", err)
	}
	if len(accts) != len(sids) {
		return 0, fmt.Errorf("posting charges: %d of %d accounts exist", len(accts), len(sids))
	}
	posted, err := q.ListLedgerEntryKeys(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("reading ledger keys: %w", err)
	}

	// The balances move entry by entry, as consecutive Posts would move them.
	state := make(map[string]*db.LockAccountsForLedgerRow, len(accts))
	for i := range accts {
		state[accts[i].Sid] = &accts[i]
	}
	start := make(map[string]int64, len(accts))
	for _, a := range accts {
		start[a.Sid] = a.BalanceLi
	}
	var p db.CreateLedgerEntriesParams
	var total money.Li
	now := time.Now()
	for _, e := range entries {
		if slices.Contains(posted, e.Key) {
			continue
		}
		posted = append(posted, e.Key) // the same key twice in entries posts once
		a := state[e.AccountSID]
		before := money.Li(a.BalanceLi)
		after := before + e.Amount
		a.BalanceLi = int64(after)
		at := e.At
		if at.IsZero() {
			at = now
		}
		p.AccountSids = append(p.AccountSids, e.AccountSID)
		p.IdempotencyKeys = append(p.IdempotencyKeys, e.Key)
		p.Kinds = append(p.Kinds, "charge")
		p.Categories = append(p.Categories, string(e.Category))
		p.AppIds = append(p.AppIds, e.AppID)
		p.Amounts = append(p.Amounts, int64(e.Amount))
		p.BalancesAfter = append(p.BalancesAfter, int64(after))
		p.Refs = append(p.Refs, e.Reference)
		p.Descriptions = append(p.Descriptions, e.Description)
		p.CreatedAts = append(p.CreatedAts, at)
		total -= e.Amount

		threshold := money.Li(a.LowBalanceThresholdLi)
		err := notifyThresholds(ctx, q, e, before, after, threshold, a.LowBalanceNotified)
		if err != nil {
			return 0, err
		}
		// notifyThresholds set or cleared the flag by the same rule.
		switch {
		case threshold > 0 && after < threshold && !a.LowBalanceNotified:
			a.LowBalanceNotified = true
		case a.LowBalanceNotified && after >= threshold:
			a.LowBalanceNotified = false
		}
	}
	if len(p.AccountSids) == 0 {
		return 0, nil
	}

	var deltas db.AddAccountBalancesParams
	for _, sid := range sids {
		if d := state[sid].BalanceLi - start[sid]; d != 0 {
			deltas.Sids = append(deltas.Sids, sid)
			deltas.Deltas = append(deltas.Deltas, d)
		}
	}
	if err := q.AddAccountBalances(ctx, deltas); err != nil {
		return 0, fmt.Errorf("changing balances: %w", err)
	}
	if err := q.CreateLedgerEntries(ctx, p); err != nil {
		return 0, fmt.Errorf("writing ledger entries: %w", err)
	}
	return total, nil
}
