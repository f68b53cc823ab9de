package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// post writes one ledger entry at a given time.
func post(t *testing.T, env *testenv.Env, e ledger.Entry) {
	t.Helper()
	e.Key = "test:" + ids.New()
	err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.Post(context.Background(), q, e, ledger.AllowArrears)
		return err
	})
	if err != nil {
		t.Fatalf("posting %+v: %v", e, err)
	}
}

func TestMonthlyBillsMatchTheLedger(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	quiet := env.Developer(t)
	prev, err := billing.PreviousMonth(ledger.Month(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	start, end, _ := billing.MonthBounds(prev)
	appX, appY := ids.New(), ids.New()

	// Before the month, during it (on its first and last instants) and after it.
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryAdjustment,
		Amount: 1000 * money.Yuan, At: start.Add(-time.Hour)})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryRecharge,
		Amount: 200 * money.Yuan, At: start})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryAdjustment,
		Amount: 500 * money.Yuan, At: start.Add(24 * time.Hour)})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryIVRAppRent,
		AppID: appX, Amount: -100 * money.Yuan, At: start.Add(48 * time.Hour)})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryCallUsage,
		AppID: appY, Amount: -50500, At: end.Add(-time.Millisecond)})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryCallUsage,
		AppID: appY, Amount: -7 * money.Yuan, At: end})
	post(t, env, ledger.Entry{AccountSID: quiet.SID, Category: ledger.CategoryAdjustment,
		Amount: 5 * money.Yuan, At: end.Add(time.Hour)})

	n, err := env.Acts.IssueBills(context.Background(), prev)
	if err != nil || n != 1 {
		t.Fatalf("issued %d bills, err %v; want 1 (the quiet account had no activity)", n, err)
	}
	bill := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/bills/" + prev, Token: dev.Token})
	want := map[string]string{"opening_balance": "1000.000", "recharges": "200.000",
		"other_credits": "500.000", "consumption": "150.500", "closing_balance": "1549.500",
		"month": prev}
	for k, v := range want {
		if bill.Str(k) != v {
			t.Errorf("bill %s = %q, want %q", k, bill.Str(k), v)
		}
	}
	byCat := bill.JSON["consumption_by_category"].(map[string]any)
	byApp := bill.JSON["consumption_by_app"].(map[string]any)
	if len(byCat) != 2 || byCat["ivr_app_rent"] != "100.000" || byCat["call_usage"] != "50.500" ||
		len(byApp) != 2 || byApp[appX] != "100.000" || byApp[appY] != "50.500" {
		t.Errorf("bill breakdown: %s", bill.Body)
	}

	// The closing balance is the ledger's sum up to the month's end.
	var ledgerClosing int64
	err = env.Store().Pool.QueryRow(context.Background(), `SELECT sum(amount_li) FROM
		ledger_entries WHERE account_sid = $1 AND created_at < $2`, dev.SID, end).Scan(&ledgerClosing)
	if err != nil || money.Li(ledgerClosing).String() != bill.Str("closing_balance") {
		t.Errorf("ledger closing %d, bill %s, err %v", ledgerClosing, bill.Str("closing_balance"), err)
	}

	// Issued once, never changed.
	if n, err := env.Acts.IssueBills(context.Background(), prev); err != nil || n != 0 {
		t.Errorf("second issue: %d %v", n, err)
	}
	if _, err := env.Store().Pool.Exec(context.Background(),
		`UPDATE bills SET closing_li = 0 WHERE account_sid = $1`, dev.SID); err == nil {
		t.Error("a bill was changed")
	}
	if _, err := env.Acts.IssueBills(context.Background(), ledger.Month(time.Now())); err == nil {
		t.Error("the current month was billed before it closed")
	}

	list := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/bills", Token: dev.Token})
	if items := list.JSON["items"].([]any); len(items) != 1 {
		t.Errorf("bills: %s", list.Body)
	}
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/bills/" + prev, Token: quiet.Token})
	env.Must(t, http.StatusBadRequest, req{Method: "GET", Path: "/v1/bills/2026-1", Token: dev.Token})

	// Consumption records filter by category, app and time, newest first, paginated.
	cons := env.Must(t, http.StatusOK, req{Method: "GET", Token: dev.Token,
		Path: "/v1/consumption?category=call_usage&limit=1"})
	items := cons.JSON["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["amount"] != "7.000" || cons.Str("next_cursor") == "" {
		t.Fatalf("consumption page 1: %s", cons.Body)
	}
	next := env.Must(t, http.StatusOK, req{Method: "GET", Token: dev.Token,
		Path: "/v1/consumption?category=call_usage&limit=1&cursor=" + cons.Str("next_cursor")})
	items = next.JSON["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["amount"] != "50.500" || next.Str("next_cursor") != "" {
		t.Fatalf("consumption page 2: %s", next.Body)
	}
	byAppX := env.Must(t, http.StatusOK, req{Method: "GET", Token: dev.Token,
		Path: "/v1/consumption?app_id=" + appX + "&to=" + url.QueryEscape(end.Format(time.RFC3339))})
	if items := byAppX.JSON["items"].([]any); len(items) != 1 ||
		items[0].(map[string]any)["category"] != "ivr_app_rent" {
		t.Errorf("consumption of app X: %s", byAppX.Body)
	}
	env.Must(t, http.StatusBadRequest, req{Method: "GET", Token: dev.Token,
		Path: "/v1/consumption?category=food"})
	env.Must(t, http.StatusBadRequest, req{Method: "GET", Token: dev.Token,
		Path: "/v1/consumption?from=yesterday"})
	recs := env.Must(t, http.StatusOK, req{Method: "GET", Token: dev.Token, Path: "/v1/recharges"})
	if items := recs.JSON["items"].([]any); len(items) != 1 {
		t.Errorf("recharges: %s", recs.Body)
	}
	ledgerOK(t, env)
}

// TestBillOfTheMonthSoFar: before the fee run issues a month's bill, the month's
// statement so far is answered from the ledger, marked not final.
func TestBillOfTheMonthSoFar(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	month := ledger.Month(time.Now())
	start, _, _ := billing.MonthBounds(month)
	app := ids.New()
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryAdjustment,
		Amount: 40 * money.Yuan, At: start.Add(-time.Hour)})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryRecharge,
		Amount: 300 * money.Yuan, At: time.Now().Add(-time.Minute)})
	post(t, env, ledger.Entry{AccountSID: dev.SID, Category: ledger.CategoryCallUsage,
		AppID: app, Amount: -1250, At: time.Now().Add(-time.Second)})

	bill := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/bills/" + month, Token: dev.Token})
	want := map[string]string{"month": month, "opening_balance": "40.000",
		"recharges": "300.000", "other_credits": "0.000", "consumption": "1.250",
		"closing_balance": "338.750"}
	for k, v := range want {
		if bill.Str(k) != v {
			t.Errorf("statement %s = %q, want %q", k, bill.Str(k), v)
		}
	}
	if bill.JSON["final"] != false || bill.JSON["issued_at"] != nil {
		t.Errorf("the month so far is not final and not issued: %s", bill.Body)
	}
	if byApp := bill.JSON["consumption_by_app"].(map[string]any); byApp[app] != "1.250" {
		t.Errorf("statement by app: %s", bill.Body)
	}
	if got := balance(t, env, dev); got != bill.Str("closing_balance") {
		t.Errorf("balance %s, statement closing %s", got, bill.Str("closing_balance"))
	}

	// Months before the account existed and after the current one have no bill.
	next := start.AddDate(0, 1, 0).Format("2006-01")
	prevYear := start.AddDate(-1, 0, 0).Format("2006-01")
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/bills/" + next, Token: dev.Token})
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/bills/" + prevYear, Token: dev.Token})
}
