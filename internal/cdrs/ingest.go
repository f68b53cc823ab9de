package cdrs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
)

// Result is what a batch did.
type Result struct {
	Accepted  int           `json:"accepted"`  // stored now
	Duplicate int           `json:"duplicate"` // stored before, or twice in the batch
	Rejected  int           `json:"rejected"`
	Charged   money.Li      `json:"charged"` // the sum of the ledger entries posted
	Errors    []RecordError `json:"errors"`
}

// Ingest stores, rates, counts and charges a batch of at most MaxBatch records from
// source, in one transaction. Bad records are reported in Result.Errors by their
// index and the others are kept. It returns an error only when the batch as a whole
// could not be stored, in which case nothing was.
//
// A record starting more than FutureSlack after now is refused, and so is a record
// from SourcePlatform starting more than MaxAge before now.
func Ingest(ctx context.Context, store *db.Store, source string, recs []Record) (Result, error) {
	if len(recs) > MaxBatch {
		return Result{}, fmt.Errorf("a batch holds at most %d records, not %d", MaxBatch,
			len(recs))
	}
	now := time.Now()
	w := window{latest: now.Add(FutureSlack)}
	if source == SourcePlatform {
		w.oldest = now.Add(-MaxAge)
	}
	var res Result
	var errs []RecordError
	seen := make(map[string]bool, len(recs))
	good := make([]int, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		if field, reason := r.check(w); field != "" {
			errs = append(errs, RecordError{Index: i, CallID: r.CallID, Field: field,
				Reason: reason})
			continue
		}
		if seen[r.CallID] {
			res.Duplicate++
			continue
		}
		seen[r.CallID] = true
		good = append(good, i)
	}

	// A deadlock between concurrent batches rolls one of them back whole; it is
	// simply tried again.
	for attempt := 1; ; attempt++ {
		b := batch{source: source, recs: recs, good: good}
		err := store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error { return b.store(ctx, q) })
		if err != nil && retryable(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return Result{}, err
		}
		res.Accepted = b.stored
		res.Duplicate += len(good) - b.stored - len(b.errs)
		res.Charged = b.charged
		errs = append(errs, b.errs...)
		break
	}
	slices.SortFunc(errs, func(a, b RecordError) int { return cmp.Compare(a.Index, b.Index) })
	res.Errors = errs
	if res.Errors == nil {
		res.Errors = []RecordError{}
	}
	res.Rejected = len(res.Errors)
	return res, nil
}

// retryable reports whether err is a deadlock or serialisation failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// batch is one attempt at storing the checked records of a batch.
type batch struct {
	source string
	recs   []Record
	good   []int // indexes of the records that passed check, without repeats

	rated   []ratedRecord
	errs    []RecordError
	stored  int
	charged money.Li
}

// ratedRecord is a record with its account, call type and price.
type ratedRecord struct {
	index      int
	accountSID string
	callType   string
	price      int64 // li per minute
	minutes    int
	amount     int64
}

// store runs the attempt inside a transaction.
func (b *batch) store(ctx context.Context, q *db.Queries) error {
	if len(b.good) == 0 {
		return nil
	}
	if err := b.rate(ctx, q); err != nil {
		return err
	}
	if len(b.rated) == 0 {
		return nil
	}
	stored, err := b.insert(ctx, q)
	if err != nil {
		return err
	}
	b.stored = len(stored)
	if len(stored) == 0 {
		return nil
	}
	if err := b.addStats(ctx, q, stored); err != nil {
		return err
	}
	return b.charge(ctx, q, stored)
}

// rate looks up the records' apps and prices. A record of an unknown app is refused.
func (b *batch) rate(ctx context.Context, q *db.Queries) error {
	appIDs := make([]string, 0, 16)
	for _, i := range b.good {
		if !slices.Contains(appIDs, b.recs[i].AppID) {
			appIDs = append(appIDs, b.recs[i].AppID)
		}
	}
	apps, err := q.ListAppsForCDRs(ctx, appIDs)
	if err != nil {
		return fmt.Errorf("reading apps of call records: %w", err)
	}
	byID := make(map[string]db.ListAppsForCDRsRow, len(apps))
	accounts := make([]string, 0, len(apps))
	for _, a := range apps {
		byID[a.ID] = a
		if !slices.Contains(accounts, a.AccountSid) {
			accounts = append(accounts, a.AccountSid)
		}
	}
	prices, err := loadPrices(ctx, q, accounts)
	if err != nil {
		return err
	}

	b.rated = make([]ratedRecord, 0, len(b.good))
	for _, i := range b.good {
		r := b.recs[i]
		app, ok := byID[r.AppID]
		if !ok {
			b.errs = append(b.errs, RecordError{Index: i, CallID: r.CallID, Field: "app_id",
				Reason: "no such app"})
			continue
		}
		callType := r.CallType
		if callType == "" {
			callType = app.Type
		}
		price := prices.of(app.AccountSid, callType)
		minutes := BilledMinutes(r.BilledSec)
		b.rated = append(b.rated, ratedRecord{index: i, accountSID: app.AccountSid,
			callType: callType, price: price, minutes: minutes, amount: int64(minutes) * price})
	}
	return nil
}

// insert stores the rated records, skipping those already stored, and returns the
// stored ones with their new IDs.
func (b *batch) insert(ctx context.Context, q *db.Queries) ([]storedRecord, error) {
	n := len(b.rated)
	p := db.CreateCDRsParams{Source: b.source,
		CallIds: make([]string, n), AccountSids: make([]string, n), AppIds: make([]string, n),
		CallTypes: make([]string, n), Callers: make([]string, n), Callees: make([]string, n),
		StartedAts: make([]time.Time, n), Answered: make([]bool, n),
		AnsweredAts: make([]time.Time, n), EndedAts: make([]time.Time, n),
		DurationSeconds: make([]int32, n), BilledSeconds: make([]int32, n),
		BilledMinutes: make([]int32, n), Outcomes: make([]string, n),
		HangupCauses: make([]string, n), Prices: make([]int64, n), Amounts: make([]int64, n),
	}
	byCallID := make(map[string]ratedRecord, n)
	for k, rr := range b.rated {
		r := b.recs[rr.index]
		byCallID[r.CallID] = rr
		p.CallIds[k], p.AccountSids[k], p.AppIds[k] = r.CallID, rr.accountSID, r.AppID
		p.CallTypes[k], p.Callers[k], p.Callees[k] = rr.callType, r.Caller, r.Callee
		p.StartedAts[k], p.EndedAts[k] = r.Start, r.End
		p.AnsweredAts[k] = r.Start
		if r.Answer != nil {
			p.Answered[k], p.AnsweredAts[k] = true, *r.Answer
		}
		// check bounds a call to 48 hours, so these fit; were one not to, the batch
		// fails rather than storing a truncated value.
		for _, c := range []struct {
			dst *int32
			v   int
		}{{&p.DurationSeconds[k], r.Duration}, {&p.BilledSeconds[k], r.BilledSec},
			{&p.BilledMinutes[k], rr.minutes}} {
			if c.v < 0 || c.v > math.MaxInt32 {
				return nil, fmt.Errorf("call record %q: %d seconds do not fit", r.CallID, c.v)
			}
			*c.dst = int32(c.v)
		}
		p.Outcomes[k], p.HangupCauses[k] = r.Outcome, r.HangupCause
		p.Prices[k], p.Amounts[k] = rr.price, rr.amount
	}
	rows, err := q.CreateCDRs(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("storing call records: %w", err)
	}
	out := make([]storedRecord, len(rows))
	for k, row := range rows {
		out[k] = storedRecord{id: row.ID, ratedRecord: byCallID[row.CallID]}
	}
	return out, nil
}

// storedRecord is a record stored by this batch.
type storedRecord struct {
	id int64
	ratedRecord
}

// addStats adds the stored records to their apps' daily statistics.
func (b *batch) addStats(ctx context.Context, q *db.Queries, stored []storedRecord) error {
	type key struct{ app, day string }
	sums := map[key]*db.AddCDRDailyStatsParams{}
	var keys []key
	for _, s := range stored {
		r := b.recs[s.index]
		k := key{r.AppID, r.Start.In(ledger.Beijing).Format("2006-01-02")}
		if sums[k] == nil {
			sums[k] = &db.AddCDRDailyStatsParams{AccountSids: []string{s.accountSID},
				Calls: []int64{0}, Answered: []int64{0}, BilledSeconds: []int64{0},
				BilledMinutes: []int64{0}, Amounts: []int64{0}}
			keys = append(keys, k)
		}
		a := sums[k]
		a.Calls[0]++
		if r.Outcome == OutcomeAnswered {
			a.Answered[0]++
		}
		a.BilledSeconds[0] += int64(r.BilledSec)
		a.BilledMinutes[0] += int64(s.minutes)
		a.Amounts[0] += s.amount
	}

	// Rows are updated in key order, so that concurrent batches lock them alike.
	slices.SortFunc(keys, func(x, y key) int {
		return cmp.Or(cmp.Compare(x.app, y.app), cmp.Compare(x.day, y.day))
	})
	var p db.AddCDRDailyStatsParams
	for _, k := range keys {
		a := sums[k]
		p.AppIds = append(p.AppIds, k.app)
		p.Days = append(p.Days, k.day)
		p.AccountSids = append(p.AccountSids, a.AccountSids[0])
		p.Calls = append(p.Calls, a.Calls[0])
		p.Answered = append(p.Answered, a.Answered[0])
		p.BilledSeconds = append(p.BilledSeconds, a.BilledSeconds[0])
		p.BilledMinutes = append(p.BilledMinutes, a.BilledMinutes[0])
		p.Amounts = append(p.Amounts, a.Amounts[0])
	}
	if err := q.AddCDRDailyStats(ctx, p); err != nil {
		return fmt.Errorf("adding session statistics: %w", err)
	}
	return nil
}

// charge posts one ledger entry per account and app for the stored records.
func (b *batch) charge(ctx context.Context, q *db.Queries, stored []storedRecord) error {
	type usage struct {
		account, app   string
		firstID        int64
		calls, minutes int
		amount         int64
	}
	byApp := map[string]*usage{}
	for _, s := range stored {
		app := b.recs[s.index].AppID
		u := byApp[app]
		if u == nil {
			u = &usage{account: s.accountSID, app: app, firstID: s.id}
			byApp[app] = u
		}
		u.firstID = min(u.firstID, s.id)
		u.calls++
		u.minutes += s.minutes
		u.amount += s.amount
	}
	list := make([]*usage, 0, len(byApp))
	for _, u := range byApp {
		list = append(list, u)
	}
	// Accounts are locked in order, so that concurrent batches cannot deadlock.
	slices.SortFunc(list, func(x, y *usage) int {
		return cmp.Or(cmp.Compare(x.account, y.account), cmp.Compare(x.app, y.app))
	})

	// One entry per app, posted together: the accounts are locked once, in order,
	// so concurrent batches of the same accounts wait for each other only as long
	// as a few statements take.
	entries := make([]ledger.Entry, 0, len(list))
	for _, u := range list {
		if u.amount == 0 {
			continue
		}
		entries = append(entries, ledger.Entry{
			AccountSID: u.account,
			Key:        "call-usage:" + u.app + ":" + strconv.FormatInt(u.firstID, 10),
			Category:   ledger.CategoryCallUsage,
			AppID:      u.app,
			Amount:     -money.Li(u.amount),
			Reference:  "cdr:" + strconv.FormatInt(u.firstID, 10),
			Description: fmt.Sprintf("Call usage: %d calls, %d billed minutes", u.calls,
				u.minutes),
		})
	}
	charged, err := ledger.PostCharges(ctx, q, entries)
	if err != nil {
		return fmt.Errorf("charging call usage: %w", err)
	}
	b.charged += charged
	return nil
}

// priceList holds the default prices and the accounts' overrides.
type priceList map[[2]string]int64

// loadPrices reads the price list for accounts.
func loadPrices(ctx context.Context, q *db.Queries, accounts []string) (priceList, error) {
	rows, err := q.ListCallPricesForAccounts(ctx, accounts)
	if err != nil {
		return nil, fmt.Errorf("reading call prices: %w", err)
	}
	out := make(priceList, len(rows))
	for _, r := range rows {
		out[[2]string{r.AccountSid, r.CallType}] = r.PricePerMinuteLi
	}
	return out, nil
}

// of returns an account's price per minute for a call type.
func (p priceList) of(account, callType string) int64 {
	if v, ok := p[[2]string{account, callType}]; ok {
		return v
	}
	return p[[2]string{"", callType}]
}
