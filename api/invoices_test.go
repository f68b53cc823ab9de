package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// verified takes dev through an approved verification of kind.
func verified(t testing.TB, env *testenv.Env, dev, reviewer testenv.User, kind string) {
	t.Helper()
	body := personalBody(t, env, dev)
	if kind == "company" {
		body = companyBody(t, env, dev)
	}
	id := submit(t, env, dev, body)
	decide(t, env, reviewer, id, http.StatusOK, "approve", "")
}

// topUp credits a recharge of yuan to the account, as a paid recharge order does.
func topUp(t testing.TB, env *testenv.Env, sid string, yuan int64, key string) {
	t.Helper()
	err := env.Store().InTx(context.Background(), func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.Post(context.Background(), q, ledger.Entry{AccountSID: sid,
			Key: "test-recharge:" + key, Category: ledger.CategoryRecharge,
			Amount: money.Li(yuan) * money.Yuan}, ledger.RequireFunds)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func invoiceable(t testing.TB, env *testenv.Env, dev testenv.User) string {
	t.Helper()
	return env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/invoices/invoiceable",
		Token: dev.Token}).Str("invoiceable")
}

var testMailing = map[string]any{"recipient": "王五", "mobile": "13900139000",
	"province": "北京市", "city": "北京市", "district": "朝阳区",
	"street": "建国路 88 号 SOHO 现代城 1 号楼 101", "postcode": "100022"}

func apply(t testing.TB, env *testenv.Env, dev testenv.User, amount, key string) testenv.Response {
	t.Helper()
	return env.Do(t, req{Method: "POST", Path: "/v1/invoices", Token: dev.Token,
		Body: map[string]any{"amount": amount}, Header: map[string]string{"Idempotency-Key": key}})
}

func step(t testing.TB, env *testenv.Env, u testenv.User, path string, want int,
	body any) testenv.Response {
	t.Helper()
	return env.Must(t, want, req{Method: "POST", Path: path, Token: u.Token, Body: body})
}

func TestInvoiceWholePath(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	other := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	operator := env.Staff(t, "operator")
	verified(t, env, dev, reviewer, "company")
	topUp(t, env, dev.SID, 500, dev.SID)
	if got := invoiceable(t, env, dev); got != "500.000" {
		t.Fatalf("invoiceable %s after a 500 CNY top-up", got)
	}

	// Invoice and mailing information come first; the title is the verified name.
	if r := apply(t, env, dev, "300", "k0"); r.Status != http.StatusConflict {
		t.Errorf("applying without information: %d %s", r.Status, r.Body)
	}
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/invoice-profile", Token: dev.Token})
	if r := env.Do(t, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "company",
			"title": "Anything I like"}}); r.Status != http.StatusBadRequest {
		t.Errorf("typed title: %d %s", r.Status, r.Body)
	}
	p := env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "company", "address": "北京市朝阳区建国路 88 号",
			"phone": "010-88889999", "bank_name": "招商银行北京分行",
			"bank_account": "6225 8801 2345 6789"}})
	if p.Str("title") != "云帆科技有限公司" || p.Str("taxpayer_id") != testCreditMasked ||
		p.Str("bank_account") != "6225880123456789" {
		t.Errorf("profile: %s", p.Body)
	}
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})
	if g := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/mailing-address",
		Token: dev.Token}); g.Str("postcode") != "100022" || g.Str("mobile") != "13900139000" {
		t.Errorf("mailing: %s", g.Body)
	}

	// Apply for 300 under an Idempotency-Key; the same request answers the same.
	a := apply(t, env, dev, "300.00", "k1")
	id := a.Str("id")
	if a.Status != http.StatusCreated || a.Str("status") != "pending" || a.Str("amount") != "300.000" ||
		a.Str("taxpayer_id") != testCreditMasked || a.Str("title") != "云帆科技有限公司" ||
		a.JSON["mailing"].(map[string]any)["recipient"] != "王五" {
		t.Fatalf("application: %d %s", a.Status, a.Body)
	}
	again := apply(t, env, dev, "300.00", "k1")
	if again.Str("id") != id || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %s", again.Body)
	}
	if r := apply(t, env, dev, "100.00", "k1"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("key reused with another body: %d", r.Status)
	}
	if got := invoiceable(t, env, dev); got != "200.000" {
		t.Errorf("invoiceable %s while pending", got)
	}

	// The application keeps the information as it was when applying.
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "personal"}})
	moved := map[string]any{}
	for k, v := range testMailing {
		moved[k] = v
	}
	moved["recipient"], moved["postcode"] = "赵六", "200000"
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: moved})
	snap := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/invoices/" + id,
		Token: dev.Token})
	if m := snap.JSON["mailing"].(map[string]any); snap.Str("invoice_type") != "company" ||
		snap.Str("taxpayer_id") != testCreditMasked || snap.Str("bank_account") != "6225880123456789" ||
		m["recipient"] != "王五" || m["postcode"] != "100022" {
		t.Errorf("snapshot after later edits: %s", snap.Body)
	}

	// Another account sees nothing of it; the reviewer sees the taxpayer ID in full.
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/invoices/" + id, Token: other.Token})
	step(t, env, other, "/v1/invoices/"+id+"/cancel", http.StatusNotFound, nil)
	q := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/invoices", Token: reviewer.Token})
	if !strings.Contains(string(q.Body), testCreditCode) || !strings.Contains(string(q.Body), id) {
		t.Errorf("review queue: %s", q.Body)
	}

	// Review, issue, mail, deliver; the developer may no longer cancel once approved.
	step(t, env, dev, "/v1/review/invoices/"+id+"/decision", http.StatusForbidden,
		map[string]any{"decision": "approve"})
	r := step(t, env, reviewer, "/v1/review/invoices/"+id+"/decision", http.StatusOK,
		map[string]any{"decision": "approve"})
	if r.Str("status") != "approved" {
		t.Errorf("approved: %s", r.Body)
	}
	step(t, env, dev, "/v1/invoices/"+id+"/cancel", http.StatusConflict, nil)
	step(t, env, dev, "/v1/invoices/"+id+"/confirm-delivery", http.StatusConflict, nil)
	step(t, env, reviewer, "/v1/ops/invoices/"+id+"/issue", http.StatusForbidden,
		map[string]any{"invoice_number": "044001900111"})
	step(t, env, operator, "/v1/ops/invoices/"+id+"/mail", http.StatusConflict,
		map[string]any{"courier": "SF Express", "tracking_number": "SF1234567890"})
	if got := invoiceable(t, env, dev); got != "200.000" {
		t.Errorf("invoiceable %s once approved", got)
	}
	todo := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/ops/invoices",
		Token: operator.Token})
	if items := todo.JSON["items"].([]any); len(items) != 1 ||
		items[0].(map[string]any)["id"] != id {
		t.Errorf("operator's invoices to issue: %s", todo.Body)
	}
	env.Must(t, http.StatusBadRequest, req{Method: "GET", Path: "/v1/ops/invoices?status=lost",
		Token: operator.Token})
	r = step(t, env, operator, "/v1/ops/invoices/"+id+"/issue", http.StatusOK,
		map[string]any{"invoice_number": "044001900111"})
	if r.Str("status") != "issued" || r.Str("invoice_number") != "044001900111" {
		t.Errorf("issued: %s", r.Body)
	}
	if got := invoiceable(t, env, dev); got != "200.000" {
		t.Errorf("invoiceable %s once issued", got)
	}
	r = step(t, env, operator, "/v1/ops/invoices/"+id+"/mail", http.StatusOK,
		map[string]any{"courier": "SF Express", "tracking_number": "SF1234567890"})
	if r.Str("status") != "mailed" || r.Str("tracking_number") != "SF1234567890" {
		t.Errorf("mailed: %s", r.Body)
	}
	if got := invoiceable(t, env, dev); got != "200.000" {
		t.Errorf("invoiceable %s once mailed", got)
	}
	r = step(t, env, dev, "/v1/invoices/"+id+"/confirm-delivery", http.StatusOK, nil)
	if r.Str("status") != "delivered" || r.Str("delivered_by") != "developer" ||
		r.Str("taxpayer_id") != testCreditMasked {
		t.Errorf("delivered: %s", r.Body)
	}
	if got := invoiceable(t, env, dev); got != "200.000" {
		t.Errorf("invoiceable %s once delivered, want 200.000", got)
	}
	titles := messageTitles(t, env, dev, "?type=invoice")
	if strings.Join(titles, "|") != "Invoice delivered|Invoice mailed|Invoice issued|"+
		"Invoice application approved" {
		t.Errorf("invoice messages %v", titles)
	}
	bizStatus(t, env, dev.SID, "invoice/"+id, "delivered")
	saveHistory(t, env, "invoice/"+id, "invoice_delivered.json")
}

func TestInvoiceRefusalsAndReturns(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	reviewer := env.Staff(t, "reviewer")
	unverified := env.Developer(t)
	dev := env.Developer(t)
	verified(t, env, dev, reviewer, "personal")

	// The type must match the verification.
	if r := env.Do(t, req{Method: "PUT", Path: "/v1/invoice-profile", Token: unverified.Token,
		Body: map[string]any{"invoice_type": "personal"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unverified personal invoice: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "company"}}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), `"field":"invoice_type"`) {
		t.Errorf("company invoice for a personal verification: %d %s", r.Status, r.Body)
	}
	p := env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "personal"}})
	if p.Str("title") != "张三" || p.Str("taxpayer_id") != "" {
		t.Errorf("personal profile: %s", p.Body)
	}

	// Mailing information is validated.
	bad := map[string]any{}
	for k, v := range testMailing {
		bad[k] = v
	}
	bad["postcode"], bad["mobile"], bad["street"] = "1000", "12345", ""
	r := env.Do(t, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token, Body: bad})
	for _, f := range []string{"postcode", "mobile", "street"} {
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"field":"`+f+`"`) {
			t.Errorf("bad mailing, %s: %d %s", f, r.Status, r.Body)
		}
	}
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})

	// Amounts: two decimals at most, positive, not above the invoiceable amount.
	topUp(t, env, dev.SID, 100, "a")
	for _, amount := range []string{"10.005", "100.01", "0", "-5", "abc", ""} {
		if r := apply(t, env, dev, amount, "bad-"+amount); r.Status != http.StatusBadRequest {
			t.Errorf("amount %q: %d %s", amount, r.Status, r.Body)
		}
	}

	// A rejection and a cancellation return the amount.
	id := apply(t, env, dev, "40.50", "r1").Str("id")
	if got := invoiceable(t, env, dev); got != "59.500" {
		t.Errorf("invoiceable %s while pending", got)
	}
	step(t, env, reviewer, "/v1/review/invoices/"+id+"/decision", http.StatusBadRequest,
		map[string]any{"decision": "reject"})
	step(t, env, reviewer, "/v1/review/invoices/"+id+"/decision", http.StatusOK,
		map[string]any{"decision": "reject", "reason": "the amount is wrong"})
	if got := invoiceable(t, env, dev); got != "100.000" {
		t.Errorf("invoiceable %s after the rejection", got)
	}
	id2 := apply(t, env, dev, "30", "c1").Str("id")
	c := step(t, env, dev, "/v1/invoices/"+id2+"/cancel", http.StatusOK, nil)
	if c.Str("status") != "cancelled" || invoiceable(t, env, dev) != "100.000" {
		t.Errorf("cancelled: %s", c.Body)
	}
	step(t, env, reviewer, "/v1/review/invoices/"+id2+"/decision", http.StatusConflict,
		map[string]any{"decision": "approve"})
	list := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/invoices", Token: dev.Token})
	if items := list.JSON["items"].([]any); len(items) != 2 ||
		items[0].(map[string]any)["status"] != "cancelled" ||
		items[1].(map[string]any)["status"] != "rejected" {
		t.Errorf("list: %s", list.Body)
	}
	titles := messageTitles(t, env, dev, "?type=invoice")
	if strings.Join(titles, "|") != "Invoice application cancelled|Invoice application rejected" {
		t.Errorf("messages %v", titles)
	}
}

func TestInvoiceConcurrentApplications(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	reviewer := env.Staff(t, "reviewer")
	dev := env.Developer(t)
	verified(t, env, dev, reviewer, "personal")
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "personal"}})
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})
	topUp(t, env, dev.SID, 500, "x")

	// Ten applications of 60 CNY at once: 600 asked of 500, so exactly 8 pass.
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = apply(t, env, dev, "60.00", fmt.Sprintf("race-%d", i)).Status
		}()
	}
	wg.Wait()
	accepted := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			accepted++
		case http.StatusBadRequest:
		default:
			t.Errorf("status %d", s)
		}
	}
	var sum int64
	env.Store().Pool.QueryRow(t.Context(),
		"SELECT coalesce(sum(amount_li), 0) FROM invoices WHERE account_sid = $1", dev.SID).Scan(&sum)
	if accepted != 8 || sum != 480_000 || invoiceable(t, env, dev) != "20.000" {
		t.Errorf("accepted %d (statuses %v), invoiced %d li; want 8 and 480000", accepted,
			statuses, sum)
	}
}

// An invoice number is issued once: a second invoice is refused it and stays
// approved, ready for its own number.
func TestInvoiceNumberIssuedOnce(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	operator := env.Staff(t, "operator")
	verified(t, env, dev, reviewer, "personal")
	topUp(t, env, dev.SID, 500, dev.SID)
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "personal"}})
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})
	var invoices []string
	for _, key := range []string{"n1", "n2"} {
		a := apply(t, env, dev, "100.00", key)
		if a.Status != http.StatusCreated {
			t.Fatalf("application %s: %d %s", key, a.Status, a.Body)
		}
		step(t, env, reviewer, "/v1/review/invoices/"+a.Str("id")+"/decision", http.StatusOK,
			map[string]any{"decision": "approve"})
		invoices = append(invoices, a.Str("id"))
	}
	step(t, env, operator, "/v1/ops/invoices/"+invoices[0]+"/issue", http.StatusOK,
		map[string]any{"invoice_number": "044001900222"})
	// The same number again for the same invoice is the same step.
	step(t, env, operator, "/v1/ops/invoices/"+invoices[0]+"/issue", http.StatusOK,
		map[string]any{"invoice_number": "044001900222"})
	r := step(t, env, operator, "/v1/ops/invoices/"+invoices[1]+"/issue", http.StatusConflict,
		map[string]any{"invoice_number": "044001900222"})
	if r.ErrorCode() != "conflict" || !strings.Contains(string(r.Body), "already used") {
		t.Errorf("second invoice with the same number: %s", r.Body)
	}
	second := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/invoices/" + invoices[1],
		Token: dev.Token})
	if second.Str("status") != "approved" || second.Str("invoice_number") != "" {
		t.Errorf("second invoice after the refusal: %s", second.Body)
	}
	if n := countRows(t, env, `SELECT count(*) FROM invoices WHERE invoice_number = $1`,
		"044001900222"); n != 1 {
		t.Errorf("%d invoices carry the number, want 1", n)
	}

	// Were the check passed by a race, the index refuses the step without retrying.
	err := env.Acts.AdvanceInvoice(context.Background(), activities.InvoiceStep{
		InvoiceID: invoices[1], AccountSID: dev.SID, From: activities.InvoiceApproved,
		To: activities.InvoiceIssued, InvoiceNumber: "044001900222"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != "InvoiceNumberTaken" {
		t.Errorf("advancing with a taken number: %v", err)
	}

	r = step(t, env, operator, "/v1/ops/invoices/"+invoices[1]+"/issue", http.StatusOK,
		map[string]any{"invoice_number": "044001900223"})
	if r.Str("status") != "issued" || r.Str("invoice_number") != "044001900223" {
		t.Errorf("second invoice with its own number: %s", r.Body)
	}
}
