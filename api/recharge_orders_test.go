package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/netguard"
	"github.com/yiyun-console/console/internal/testenv"
)

func TestSandboxTopUp(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	other := env.Developer(t)

	// Amounts and channels are checked before anything is stored.
	for _, bad := range []map[string]any{
		{"amount": "0.99"}, {"amount": "1000000.01"}, {"amount": "1.001"}, {"amount": 5},
		{"amount": "abc"}, {"amount": "10", "channel": "alipay"},
	} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/recharge-orders", Token: dev.Token, Body: bad})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}

	// The same Idempotency-Key answers the same order.
	create := req{Method: "POST", Path: "/v1/recharge-orders", Token: dev.Token,
		Header: map[string]string{"Idempotency-Key": "topup-1"},
		Body:   map[string]any{"amount": "100.50", "channel": "sandbox"}}
	first := env.Must(t, http.StatusCreated, create)
	again := env.Must(t, http.StatusCreated, create)
	id := first.Str("id")
	if again.Str("id") != id || again.Header.Get("Idempotent-Replayed") != "true" ||
		first.Str("status") != "pending" || first.Str("amount") != "100.500" {
		t.Fatalf("idempotent create: %s then %s", first.Body, again.Body)
	}
	if n := countRows(t, env, "SELECT count(*) FROM recharge_orders"); n != 1 {
		t.Fatalf("%d orders after a repeated create", n)
	}

	// Another account neither sees nor pays it.
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: "/v1/recharge-orders/" + id,
		Token: other.Token})
	env.Must(t, http.StatusNotFound, req{Method: "POST", Path: "/v1/sandbox/pay/" + id, Token: other.Token})

	// The sandbox pays through the real notice route; paying again credits nothing.
	paid := env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/sandbox/pay/" + id, Token: dev.Token})
	if paid.Str("status") != "paid" || paid.JSON["credited"] != true {
		t.Fatalf("sandbox pay: %s", paid.Body)
	}
	dup := env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/sandbox/pay/" + id, Token: dev.Token})
	if dup.JSON["credited"] != false {
		t.Fatalf("second sandbox pay: %s", dup.Body)
	}
	if b := balance(t, env, dev); b != "100.500" {
		t.Fatalf("balance %s, want 100.500", b)
	}
	got := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/recharge-orders/" + id, Token: dev.Token})
	if got.Str("status") != "paid" || got.Str("paid_at") == "" {
		t.Errorf("order after payment: %s", got.Body)
	}

	// The recharge record, the filtered order list and the message are there.
	recs := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/recharges", Token: dev.Token})
	items := recs.JSON["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["amount"] != "100.500" ||
		items[0].(map[string]any)["reference"] != id {
		t.Errorf("recharges: %s", recs.Body)
	}
	list := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/recharge-orders?status=paid",
		Token: dev.Token})
	if n := len(list.JSON["items"].([]any)); n != 1 {
		t.Errorf("paid orders: %s", list.Body)
	}
	none := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/recharge-orders?status=pending",
		Token: dev.Token})
	if n := len(none.JSON["items"].([]any)); n != 0 {
		t.Errorf("pending orders: %s", none.Body)
	}
	msgs := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages?type=billing",
		Token: dev.Token})
	topUps := 0
	for _, m := range msgs.JSON["items"].([]any) {
		if m := m.(map[string]any); m["title"] == "Top-up received" && m["read"] == false {
			topUps++
		}
	}
	if topUps != 1 {
		t.Errorf("%d top-up messages, want 1: %s", topUps, msgs.Body)
	}

	// The order's workflow ends paid without waiting for its deadline.
	run := env.App.Temporal.GetWorkflow(context.Background(), "recharge-order/"+id, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var result struct{ Status string }
	if err := run.Get(ctx, &result); err != nil || result.Status != "paid" {
		t.Errorf("workflow: %+v, %v", result, err)
	}
	ledgerOK(t, env)
}

func TestPaymentNoticeRefusals(t *testing.T) {
	logs := &syncBuffer{}
	env := testenv.New(t, testenv.Options{Log: logs})
	dev := env.Developer(t)
	id := order(t, env, dev, "50", "sandbox")
	secret := env.Config.PaymentSecret
	good := api.PaymentNotice{OrderID: id, Amount: 50 * money.Yuan, ChannelTxn: "t1",
		PaidAt: time.Now()}

	cases := []struct {
		name   string
		secret string
		at     time.Time
		n      api.PaymentNotice
		status int
		reason string
		field  string // the field the error names, if any
	}{
		{"forged", "not-the-secret-at-all", time.Now(), good, http.StatusUnauthorized,
			"bad_signature", ""},
		{"stale", secret, time.Now().Add(-6 * time.Minute), good, http.StatusUnauthorized,
			"stale_timestamp", ""},
		{"future", secret, time.Now().Add(6 * time.Minute), good, http.StatusUnauthorized,
			"stale_timestamp", ""},
		{"wrong amount", secret, time.Now(),
			api.PaymentNotice{OrderID: id, Amount: 500 * money.Yuan, ChannelTxn: "t1",
				PaidAt: time.Now()}, http.StatusBadRequest, "invalid_request", ""},
		{"unknown order", secret, time.Now(),
			api.PaymentNotice{OrderID: "0123456789abcdef0123456789abcdef", Amount: 50 * money.Yuan,
				ChannelTxn: "t1", PaidAt: time.Now()},
			http.StatusNotFound, "not_found", ""},
		{"no channel_txn", secret, time.Now(),
			api.PaymentNotice{OrderID: id, Amount: 50 * money.Yuan, PaidAt: time.Now()},
			http.StatusBadRequest, "bad_channel_txn", "channel_txn"},
		{"blank channel_txn", secret, time.Now(),
			api.PaymentNotice{OrderID: id, Amount: 50 * money.Yuan, ChannelTxn: " \t",
				PaidAt: time.Now()}, http.StatusBadRequest, "bad_channel_txn", "channel_txn"},
		{"zero paid_at", secret, time.Now(),
			api.PaymentNotice{OrderID: id, Amount: 50 * money.Yuan, ChannelTxn: "t1"},
			http.StatusBadRequest, "invalid_request", "paid_at"},
		{"paid_at before the order", secret, time.Now(),
			api.PaymentNotice{OrderID: id, Amount: 50 * money.Yuan, ChannelTxn: "t1",
				PaidAt: time.Now().Add(-time.Hour)}, http.StatusBadRequest, "invalid_request",
			"paid_at"},
		{"paid_at in the future", secret, time.Now(),
			api.PaymentNotice{OrderID: id, Amount: 50 * money.Yuan, ChannelTxn: "t1",
				PaidAt: time.Now().Add(time.Hour)}, http.StatusBadRequest, "invalid_request",
			"paid_at"},
	}
	for _, c := range cases {
		before := logs.count("payment notice refused", "reason="+c.reason)
		r := notice(t, env, c.secret, c.at, c.n)
		if r.Status != c.status || r.ErrorCode() == "" {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
		// A refused field is named.
		if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s: the error does not name %s: %s", c.name, c.field, r.Body)
		}
		if logs.count("payment notice refused", "reason="+c.reason) != before+1 {
			t.Errorf("%s: not logged with reason %s", c.name, c.reason)
		}
	}

	// A tampered body fails the signature of the original.
	signed, _ := json.Marshal(good)
	tampered, _ := json.Marshal(api.PaymentNotice{OrderID: id, Amount: 5000 * money.Yuan,
		ChannelTxn: "t1", PaidAt: good.PaidAt})
	now := time.Now().Unix()
	r := env.Do(t, req{Method: "POST", Path: "/v1/payments/sandbox/notify", Body: tampered,
		Content: "application/json", Header: map[string]string{
			netguard.TimestampHeader: strconv.FormatInt(now, 10),
			netguard.SignatureHeader: netguard.Sign([]byte(secret), now, signed),
		}})
	if r.Status != http.StatusUnauthorized {
		t.Errorf("tampered notice: %d %s", r.Status, r.Body)
	}
	if b := balance(t, env, dev); b != "0.000" {
		t.Fatalf("balance %s after refused notices", b)
	}
	if n := countRows(t, env, `SELECT count(*) FROM recharge_orders WHERE status <> 'pending'`); n != 0 {
		t.Fatalf("%d orders changed by refused notices", n)
	}

	// The genuine notice is credited.
	r = notice(t, env, secret, time.Now(), good)
	if r.Status != http.StatusOK || r.JSON["credited"] != true {
		t.Fatalf("good notice: %d %s", r.Status, r.Body)
	}
	ledgerOK(t, env)
}

func TestConcurrentAndLateNotices(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	ops := env.Staff(t, "operator")
	secret := env.Config.PaymentSecret

	// Twenty copies of one notice at once credit the order once.
	id := order(t, env, dev, "20.00", "sandbox")
	n := api.PaymentNotice{OrderID: id, Amount: 20 * money.Yuan, ChannelTxn: "x", PaidAt: time.Now()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	credited := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := notice(t, env, secret, time.Now(), n)
			mu.Lock()
			defer mu.Unlock()
			if r.Status != http.StatusOK {
				t.Errorf("concurrent notice: %d %s", r.Status, r.Body)
			}
			if r.JSON["credited"] == true {
				credited++
			}
		}()
	}
	wg.Wait()
	if credited != 1 || balance(t, env, dev) != "20.000" {
		t.Fatalf("%d credits, balance %s", credited, balance(t, env, dev))
	}

	// A notice for an order that expired is credited once and kept for operators.
	late := order(t, env, dev, "30.00", "sandbox")
	status, err := env.Acts.ExpireRechargeOrder(context.Background(), late)
	if err != nil || status != "expired" {
		t.Fatalf("expiring: %q %v", status, err)
	}
	ln := api.PaymentNotice{OrderID: late, Amount: 30 * money.Yuan, ChannelTxn: "late-1",
		PaidAt: time.Now()}
	for range 2 {
		if r := notice(t, env, secret, time.Now(), ln); r.Status != http.StatusOK {
			t.Fatalf("late notice: %d %s", r.Status, r.Body)
		}
	}
	got := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/recharge-orders/" + late,
		Token: dev.Token})
	if got.Str("status") != "paid_after_expiry" || balance(t, env, dev) != "50.000" {
		t.Fatalf("late order %s, balance %s", got.Body, balance(t, env, dev))
	}
	if n := countRows(t, env, `SELECT count(*) FROM messages WHERE account_sid = $1
		AND title = 'Payment after expiry'`, ops.SID); n != 1 {
		t.Errorf("%d operator messages about the late payment, want 1", n)
	}
	// Expiring a paid order changes nothing (the timer lost the race).
	if status, _ := env.Acts.ExpireRechargeOrder(context.Background(), id); status != "paid" {
		t.Errorf("expiring a paid order: %q", status)
	}
	ledgerOK(t, env)
}

func TestBankTransferConfirm(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	ops := env.Staff(t, "operator")
	id := order(t, env, dev, "1000000.00", "bank_transfer")

	r := env.Do(t, req{Method: "POST", Path: "/v1/sandbox/pay/" + id, Token: dev.Token})
	if r.Status != http.StatusConflict {
		t.Errorf("sandbox pay of a bank transfer: %d %s", r.Status, r.Body)
	}
	path := "/v1/ops/recharge-orders/" + id + "/confirm"
	env.Must(t, http.StatusForbidden, req{Method: "POST", Path: path, Token: dev.Token,
		Body: map[string]any{"reference": "BANK-1"}})
	env.Must(t, http.StatusBadRequest, req{Method: "POST", Path: path, Token: ops.Token,
		Body: map[string]any{"reference": ""}})
	first := env.Must(t, http.StatusOK, req{Method: "POST", Path: path, Token: ops.Token,
		Body: map[string]any{"reference": "BANK-1"}})
	second := env.Must(t, http.StatusOK, req{Method: "POST", Path: path, Token: ops.Token,
		Body: map[string]any{"reference": "BANK-1"}})
	if first.JSON["credited"] != true || second.JSON["credited"] != false ||
		balance(t, env, dev) != "1000000.000" {
		t.Fatalf("confirm: %s then %s", first.Body, second.Body)
	}
	// Another reference for the confirmed order is refused and changes nothing.
	other := env.Do(t, req{Method: "POST", Path: path, Token: ops.Token,
		Body: map[string]any{"reference": "BANK-2"}})
	if other.Status != http.StatusConflict || other.ErrorCode() != "conflict" {
		t.Errorf("confirm with another reference: %d %s", other.Status, other.Body)
	}
	if n := countRows(t, env, `SELECT count(*) FROM recharge_orders WHERE id = $1
		AND channel_txn = 'BANK-1'`, id); n != 1 || balance(t, env, dev) != "1000000.000" {
		t.Errorf("after another reference: %d orders with BANK-1, balance %s", n,
			balance(t, env, dev))
	}
	ledgerOK(t, env)
}

// syncBuffer collects logs written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// count returns the number of lines holding every one of parts.
func (b *syncBuffer) count(parts ...string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, line := range strings.Split(b.buf.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}
