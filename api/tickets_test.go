package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/workflows"
)

func countTickets(t *testing.T, env *testenv.Env) int {
	t.Helper()
	var n int
	err := env.Store().Pool.QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_replies)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTicketLifecycle takes a ticket from open through a staff reply, a developer
// reply and back, to closed and rated, and checks who may see and touch it.
func TestTicketLifecycle(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev, other := env.Developer(t), env.Developer(t)
	operator, reviewer := env.Staff(t, "operator"), env.Staff(t, "reviewer")

	// Bad tickets are refused by field and store nothing.
	for _, body := range []map[string]any{
		{"category": "complaint", "title": "x", "content": "y"},
		{"category": "billing", "title": "  ", "content": "y"},
		{"category": "billing", "title": "x", "content": "y", "contact": strings.Repeat("x", 101)},
		{"category": "billing", "title": "x"},
		{"category": 7, "title": "x", "content": "y"},
	} {
		r := env.Do(t, req{Method: "POST", Path: "/v1/tickets", Token: dev.Token, Body: body})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
			t.Errorf("ticket %v: status %d %s", body, r.Status, r.Body)
		}
	}
	if n := countTickets(t, env); n != 0 {
		t.Fatalf("refused tickets stored %d rows", n)
	}
	env.Must(t, http.StatusForbidden, req{Method: "POST", Path: "/v1/tickets",
		Token: operator.Token, Body: map[string]any{"category": "billing", "title": "x",
			"content": "y"}})

	// The developer opens a ticket; its auto-close process starts with it.
	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/tickets",
		Token: dev.Token, Body: map[string]any{"category": "billing",
			"title": " Recharge not credited ", "content": "I paid 100 CNY an hour ago.",
			"contact": "13800138000"}})
	id := r.Str("id")
	if r.Str("status") != "open" || r.Str("title") != "Recharge not credited" ||
		r.Str("contact") != "13800138000" || r.Str("account_sid") != dev.SID {
		t.Errorf("new ticket: %s", r.Body)
	}
	wf, err := env.App.Temporal.DescribeWorkflowExecution(context.Background(),
		workflows.TicketAutoCloseID(id), "")
	if err != nil {
		t.Fatalf("the auto-close process did not start: %v", err)
	}
	if s := wf.WorkflowExecutionInfo.Status.String(); s != "Running" {
		t.Errorf("auto-close process is %s", s)
	}

	// Another developer sees nothing of it and cannot touch it; staff routes are
	// for operators only.
	path := "/v1/tickets/" + id
	env.Must(t, http.StatusNotFound, req{Method: "GET", Path: path, Token: other.Token})
	env.Must(t, http.StatusNotFound, req{Method: "POST", Path: path + "/replies",
		Token: other.Token, Body: map[string]any{"body": "me too"}})
	env.Must(t, http.StatusNotFound, req{Method: "POST", Path: path + "/close",
		Token: other.Token, Body: map[string]any{"rating": 1}})
	if l := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/tickets",
		Token: other.Token}); len(items(l)) != 0 {
		t.Errorf("another developer lists %s", l.Body)
	}
	for _, tok := range []string{dev.Token, reviewer.Token} {
		env.Must(t, http.StatusForbidden, req{Method: "GET", Path: "/v1/ops/tickets", Token: tok})
		env.Must(t, http.StatusForbidden, req{Method: "POST", Path: "/v1/ops/tickets/" + id +
			"/replies", Token: tok, Body: map[string]any{"body": "answer"}})
	}
	env.Must(t, http.StatusNotFound, req{Method: "POST", Path: "/v1/ops/tickets/" +
		"0123456789abcdef0123456789abcdef/replies", Token: operator.Token,
		Body: map[string]any{"body": "answer"}})

	// Customer service finds it among the open tickets and answers; the developer
	// is told.
	open := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/ops/tickets?status=open",
		Token: operator.Token})
	if l := items(open); len(l) != 1 || l[0]["id"] != id {
		t.Errorf("open tickets: %s", open.Body)
	}
	env.Must(t, http.StatusBadRequest, req{Method: "GET", Path: "/v1/ops/tickets?status=new",
		Token: operator.Token})
	env.Must(t, http.StatusBadRequest, req{Method: "POST", Path: "/v1/ops/tickets/" + id +
		"/replies", Token: operator.Token, Body: map[string]any{"body": ""}})
	env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/ops/tickets/" + id +
		"/replies", Token: operator.Token,
		Body: map[string]any{"body": "It is credited now; the channel was late."}})
	if s := env.Must(t, http.StatusOK, req{Method: "GET", Path: path,
		Token: dev.Token}).Str("status"); s != "answered" {
		t.Errorf("after the staff reply the ticket is %s", s)
	}
	msgs := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages?type=ticket",
		Token: dev.Token})
	if l := items(msgs); len(l) != 1 || l[0]["reference"] != id || l[0]["read"] != false {
		t.Errorf("the developer's ticket messages: %s", msgs.Body)
	}

	// The developer answers back: the ticket waits for customer service again.
	env.Must(t, http.StatusCreated, req{Method: "POST", Path: path + "/replies",
		Token: dev.Token, Body: map[string]any{"body": "Thank you, I see it."}})
	th := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/ops/tickets/" + id,
		Token: operator.Token})
	replies, _ := th.JSON["replies"].([]any)
	if th.Str("status") != "open" || len(replies) != 2 ||
		replies[0].(map[string]any)["from_staff"] != true ||
		replies[1].(map[string]any)["from_staff"] != false ||
		replies[1].(map[string]any)["body"] != "Thank you, I see it." {
		t.Errorf("the thread: %s", th.Body)
	}

	// Closing takes a rating from 1 to 5, once; a closed ticket takes no replies.
	for _, bad := range []any{0, 6, "4", 2.5, nil} {
		env.Must(t, http.StatusBadRequest, req{Method: "POST", Path: path + "/close",
			Token: dev.Token, Body: map[string]any{"rating": bad}})
	}
	c := env.Must(t, http.StatusOK, req{Method: "POST", Path: path + "/close",
		Token: dev.Token, Body: map[string]any{"rating": 4}})
	if c.Str("status") != "closed" || c.JSON["rating"] != 4.0 ||
		c.Str("closed_by") != "developer" || c.Str("closed_at") == "" {
		t.Errorf("closed ticket: %s", c.Body)
	}
	before := countTickets(t, env)
	env.Must(t, http.StatusConflict, req{Method: "POST", Path: path + "/close",
		Token: dev.Token, Body: map[string]any{"rating": 5}})
	env.Must(t, http.StatusConflict, req{Method: "POST", Path: path + "/replies",
		Token: dev.Token, Body: map[string]any{"body": "one more thing"}})
	env.Must(t, http.StatusConflict, req{Method: "POST", Path: "/v1/ops/tickets/" + id +
		"/replies", Token: operator.Token, Body: map[string]any{"body": "anything else?"}})
	if n := countTickets(t, env); n != before {
		t.Errorf("refused replies changed the rows: %d, then %d", before, n)
	}
	if got := env.Must(t, http.StatusOK, req{Method: "GET", Path: path,
		Token: dev.Token}); got.JSON["rating"] != 4.0 {
		t.Errorf("the second close changed the rating: %s", got.Body)
	}
}

// TestTicketPages pages through a developer's tickets, newest first.
func TestTicketPages(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true,
		API: api.Deps{SkipInlineStart: true}})
	dev := env.Developer(t)
	var made []string
	for _, title := range []string{"first", "second", "third"} {
		r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/tickets",
			Token: dev.Token, Body: map[string]any{"category": "technical", "title": title,
				"content": "details"}})
		made = append(made, r.Str("id"))
	}
	p1 := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/tickets?limit=2",
		Token: dev.Token})
	next := p1.Str("next_cursor")
	p2 := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/tickets?limit=2&cursor=" +
		next, Token: dev.Token})
	a, b := items(p1), items(p2)
	if len(a) != 2 || len(b) != 1 || next == "" || p2.Str("next_cursor") != "" ||
		a[0]["id"] != made[2] || a[1]["id"] != made[1] || b[0]["id"] != made[0] {
		t.Errorf("pages %s and %s", p1.Body, p2.Body)
	}
}
