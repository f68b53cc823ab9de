package activities_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/testenv"
)

// storeEnv is a console on the real database whose workflows never run: the
// tests call the activities themselves.
func storeEnv(t *testing.T) *testenv.Env {
	return testenv.New(t, testenv.Options{NoWorker: true, API: api.Deps{SkipInlineStart: true}})
}

// importPool adds count landlines to the pool as an operator.
func importPool(t *testing.T, env *testenv.Env, count int) {
	t.Helper()
	op := env.Staff(t, "operator")
	items := make([]map[string]string, count)
	for i := range items {
		items[i] = map[string]string{"number": fmt.Sprintf("021-6666%04d", i)}
	}
	env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/ops/numbers",
		Token: op.Token, Body: map[string]any{"numbers": items}})
}

// TestReserveNumberNeverGivesOneNumberTwice races twice as many reservations as
// the pool has numbers: each number goes to exactly one binding, the others find
// the pool empty, and a binding that asks again gets the number it already holds.
func TestReserveNumberNeverGivesOneNumberTwice(t *testing.T) {
	const pool, bindings = 10, 20
	env := storeEnv(t)
	importPool(t, env, pool)

	got := make([]activities.BoundNumber, bindings)
	errs := make([]error, bindings)
	var wg sync.WaitGroup
	for i := range bindings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = env.Acts.ReserveNumber(context.Background(),
				activities.NumberBinding{BindingID: fmt.Sprintf("binding-%02d", i),
					AppID: fmt.Sprintf("app-%02d", i), AccountSID: "acct"})
		}()
	}
	wg.Wait()

	holder := map[string]int{}
	var empty int
	for i, err := range errs {
		var appErr *temporal.ApplicationError
		switch {
		case err == nil:
			if prev, taken := holder[got[i].NumberID]; taken {
				t.Errorf("number %s reserved by bindings %d and %d", got[i].Number, prev, i)
			}
			holder[got[i].NumberID] = i
		case errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeNoFreeNumber &&
			appErr.NonRetryable():
			empty++
		default:
			t.Errorf("binding %d: %v", i, err)
		}
	}
	if len(holder) != pool || empty != bindings-pool {
		t.Fatalf("%d numbers reserved, %d bindings found the pool empty; want %d and %d",
			len(holder), empty, pool, bindings-pool)
	}

	// The database agrees: every number reserved, each by the binding that got it.
	for id, i := range holder {
		var status, binding string
		err := env.Store().Pool.QueryRow(context.Background(),
			"SELECT status, binding_id FROM inbound_numbers WHERE id = $1", id).
			Scan(&status, &binding)
		if err != nil || status != "reserved" || binding != fmt.Sprintf("binding-%02d", i) {
			t.Errorf("number %s: %s, %s, %v", id, status, binding, err)
		}
	}

	// A retried reservation keeps the binding's number instead of taking another.
	for id, i := range holder {
		again, err := env.Acts.ReserveNumber(context.Background(), activities.NumberBinding{
			BindingID: fmt.Sprintf("binding-%02d", i), AppID: fmt.Sprintf("app-%02d", i),
			AccountSID: "acct"})
		if err != nil || again.NumberID != id {
			t.Errorf("binding %d again: %+v, %v; want number %s", i, again, err, id)
		}
	}
}
