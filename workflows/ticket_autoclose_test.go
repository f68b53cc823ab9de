package workflows_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/workflows"
)

// answeredTicket opens a ticket through the API and answers it as an operator; it
// returns the ticket and the time of the staff reply.
func answeredTicket(t *testing.T, env *testenv.Env) (db.Ticket, testenv.User) {
	t.Helper()
	dev, op := env.Developer(t), env.Staff(t, "operator")
	r := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/tickets",
		Token: dev.Token, Body: map[string]any{"category": "technical",
			"title": "Calls drop", "content": "After 30 seconds."}})
	id := r.Str("id")
	env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/ops/tickets/" + id + "/replies", Token: op.Token,
		Body: map[string]any{"body": "Please send a call ID."}})
	tk, err := env.Store().GetTicket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != "answered" {
		t.Fatalf("ticket is %s after the staff reply", tk.Status)
	}
	return tk, dev
}

// setActivity records a reply at the workflow's time, as the API would have at that
// moment.
func setActivity(t *testing.T, env *testenv.Env, id, status string, at time.Time) {
	_, err := env.Store().Pool.Exec(context.Background(),
		`UPDATE tickets SET status = $2, last_activity_at = $3 WHERE id = $1`, id, status, at)
	if err != nil {
		t.Error(err)
	}
}

// TestTicketAutoClose runs the auto-close process in the SDK's test environment,
// with time skipping, against the real activities and database: a developer reply
// on day 3 and a staff reply on day 4 move the deadline, and the ticket closes 7
// days after the last staff reply, not before.
func TestTicketAutoClose(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true,
		API: api.Deps{SkipInlineStart: true}})
	tk, dev := answeredTicket(t, env)
	start := tk.LastActivityAt

	var suite testsuite.WorkflowTestSuite
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.SetStartTime(start)
	wenv.RegisterWorkflow(workflows.TicketAutoClose)
	wenv.RegisterActivity(env.Acts)
	var closedEarly bool
	check := func(day int, status string) {
		wenv.RegisterDelayedCallback(func() {
			got, err := env.Store().GetTicket(context.Background(), tk.ID)
			if err != nil || got.Status == "closed" {
				closedEarly = true
			}
			if status != "" {
				setActivity(t, env, tk.ID, status, wenv.Now())
			}
		}, time.Duration(day)*24*time.Hour)
	}
	check(3, "open")     // the developer answers
	check(4, "answered") // and staff again
	check(10, "")        // 7 days after the first staff reply: still open
	wenv.ExecuteWorkflow(workflows.TicketAutoClose,
		workflows.TicketAutoCloseInput{TicketID: tk.ID})

	if !wenv.IsWorkflowCompleted() || wenv.GetWorkflowError() != nil {
		t.Fatalf("workflow completed %v, error %v", wenv.IsWorkflowCompleted(),
			wenv.GetWorkflowError())
	}
	var res workflows.TicketAutoCloseResult
	if err := wenv.GetWorkflowResult(&res); err != nil || res.Status != "closed" {
		t.Errorf("result %+v, %v", res, err)
	}
	if closedEarly {
		t.Error("the ticket closed before 7 days had passed since the last staff reply")
	}
	got, err := env.Store().GetTicket(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantClose := start.Add(11 * 24 * time.Hour)
	if got.Status != "closed" || got.ClosedBy != "auto" || got.ClosedAt == nil ||
		got.ClosedAt.Before(wantClose) || got.ClosedAt.After(wantClose.Add(time.Minute)) {
		t.Errorf("ticket %s by %q at %v, want closed by auto at %v", got.Status,
			got.ClosedBy, got.ClosedAt, wantClose)
	}

	// The developer was told once, and may still rate the ticket.
	msgs := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/messages?type=ticket", Token: dev.Token})
	if l, _ := msgs.JSON["items"].([]any); len(l) != 2 {
		t.Errorf("ticket messages (a reply and the closing): %s", msgs.Body)
	}
	r := env.Must(t, http.StatusOK, testenv.Request{Method: "POST",
		Path: "/v1/tickets/" + tk.ID + "/close", Token: dev.Token,
		Body: map[string]any{"rating": 2}})
	if r.JSON["rating"] != 2.0 || r.Str("closed_by") != "auto" {
		t.Errorf("rating an auto-closed ticket: %s", r.Body)
	}
}

// TestCheckTicketIdleIsIdempotent calls the activity twice past the deadline, as a
// retry would: the ticket closes once and the developer is told once.
func TestCheckTicketIdleIsIdempotent(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true,
		API: api.Deps{SkipInlineStart: true}})
	tk, _ := answeredTicket(t, env)
	ctx := context.Background()

	early, err := env.Acts.CheckTicketIdle(ctx, tk.ID, tk.LastActivityAt.Add(
		activities.TicketIdleLimit-time.Second))
	if err != nil || early.Closed || early.CloseAt == nil ||
		!early.CloseAt.Equal(tk.LastActivityAt.Add(activities.TicketIdleLimit)) {
		t.Fatalf("a second early: %+v, %v", early, err)
	}
	due := tk.LastActivityAt.Add(activities.TicketIdleLimit)
	for range 2 {
		st, err := env.Acts.CheckTicketIdle(ctx, tk.ID, due)
		if err != nil || !st.Closed || st.Status != "closed" {
			t.Fatalf("at the deadline: %+v, %v", st, err)
		}
	}
	var n int
	err = env.Store().Pool.QueryRow(ctx, `SELECT count(*) FROM messages
		WHERE reference = $1 AND title = 'Ticket closed'`, tk.ID).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("%d closing messages, %v", n, err)
	}
}
