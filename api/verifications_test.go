package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/testenv"
)

// Valid numbers: the GB 11643 and GB 32100 examples.
const (
	testIDNumber     = "11010519491231002X"
	testIDMasked     = "1101**********002X"
	testCreditCode   = "91350100M000100Y43"
	testCreditMasked = "9135**********0Y43"
)

func personalBody(t testing.TB, env *testenv.Env, dev testenv.User) map[string]any {
	return map[string]any{"kind": "personal", "real_name": "张三", "id_number": testIDNumber,
		"id_front_file": uploadID(t, env, dev.Token), "id_back_file": uploadID2(t, env, dev.Token)}
}

func companyBody(t testing.TB, env *testenv.Env, dev testenv.User) map[string]any {
	return map[string]any{"kind": "company", "company_name": "云帆科技有限公司",
		"credit_code": strings.ToLower(testCreditCode), "legal_representative": "李四",
		"licence_file": uploadID(t, env, dev.Token), "contact_phone": "010-88889999"}
}

// uploadID2 uploads a PNG, another image than uploadID's.
func uploadID2(t testing.TB, env *testenv.Env, token string) string {
	t.Helper()
	r := upload(t, env, token, "back.png", pngBytes(t))
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return r.Str("id")
}

func submit(t testing.TB, env *testenv.Env, dev testenv.User, body map[string]any) string {
	t.Helper()
	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/verifications",
		Token: dev.Token, Body: body})
	if r.Str("status") != "pending" {
		t.Fatalf("submitted: %s", r.Body)
	}
	return r.Str("id")
}

func decide(t testing.TB, env *testenv.Env, reviewer testenv.User, id string, want int,
	decision, reason string) testenv.Response {
	t.Helper()
	return env.Must(t, want, req{Method: "POST", Path: "/v1/review/verifications/" + id +
		"/decision", Token: reviewer.Token,
		Body: map[string]any{"decision": decision, "reason": reason}})
}

func level(t testing.TB, env *testenv.Env, dev testenv.User) string {
	t.Helper()
	return env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/account",
		Token: dev.Token}).Str("verification_level")
}

// messageTitles lists the titles of an account's messages, newest first.
func messageTitles(t testing.TB, env *testenv.Env, u testenv.User, query string) []string {
	t.Helper()
	r := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages" + query,
		Token: u.Token})
	var out []string
	for _, it := range r.JSON["items"].([]any) {
		out = append(out, it.(map[string]any)["title"].(string))
	}
	return out
}

// bizStatus waits until the workflow shows status in the visibility store under the
// account, as an operator's query in the Temporal UI would find it.
func bizStatus(t testing.TB, env *testenv.Env, account, workflowID, want string) {
	t.Helper()
	q := fmt.Sprintf("AccountId = '%s' AND WorkflowId = '%s'", account, workflowID)
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		resp, err := env.App.Temporal.ListWorkflow(context.Background(),
			&workflowservice.ListWorkflowExecutionsRequest{Namespace: env.Config.TemporalNamespace, Query: q})
		if err == nil && len(resp.Executions) == 1 {
			sa := resp.Executions[0].SearchAttributes
			if p, ok := sa.GetIndexedFields()["BizStatus"]; ok {
				got = strings.Trim(string(p.GetData()), `"`)
				if got == want {
					return
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("workflow %s of %s shows BizStatus %q, want %q", workflowID, account, got, want)
}

func TestVerificationPersonalThenCompany(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	other := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")

	// Submit: the answer masks the ID number; the database holds it only encrypted.
	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/verifications",
		Token: dev.Token, Body: personalBody(t, env, dev)})
	id := r.Str("id")
	if r.Str("id_number") != testIDMasked || r.Str("real_name") != "张三" ||
		r.Str("workflow_id") != "verification-review/"+id {
		t.Fatalf("submitted: %s", r.Body)
	}
	var cipher []byte
	env.Store().Pool.QueryRow(t.Context(),
		"SELECT id_number_cipher FROM verifications WHERE id = $1", id).Scan(&cipher)
	if len(cipher) < 18 || bytes.Contains(cipher, []byte("19491231")) {
		t.Errorf("stored ID number: %q", cipher)
	}
	bizStatus(t, env, dev.SID, "verification-review/"+id, "pending_review")

	// Every developer view is masked; another account sees nothing.
	for _, path := range []string{"/v1/verifications/" + id, "/v1/verifications"} {
		g := env.Must(t, http.StatusOK, req{Method: "GET", Path: path, Token: dev.Token})
		if !strings.Contains(string(g.Body), testIDMasked) ||
			strings.Contains(string(g.Body), testIDNumber) {
			t.Errorf("GET %s: %s", path, g.Body)
		}
	}
	for _, rq := range []req{
		{Method: "GET", Path: "/v1/verifications/" + id, Token: other.Token},
		{Method: "POST", Path: "/v1/verifications/" + id + "/withdraw", Token: other.Token},
	} {
		if g := env.Do(t, rq); g.Status != http.StatusNotFound {
			t.Errorf("%s %s by another account: %d", rq.Method, rq.Path, g.Status)
		}
	}
	if l := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/verifications",
		Token: other.Token}); len(l.JSON["items"].([]any)) != 0 {
		t.Errorf("another account's list: %s", l.Body)
	}

	// One open submission per account; developers do not decide.
	if d := env.Do(t, req{Method: "POST", Path: "/v1/verifications", Token: dev.Token,
		Body: personalBody(t, env, dev)}); d.Status != http.StatusConflict {
		t.Errorf("second open submission: %d %s", d.Status, d.Body)
	}
	if d := env.Do(t, req{Method: "POST", Path: "/v1/review/verifications/" + id + "/decision",
		Token: dev.Token, Body: map[string]any{"decision": "approve"}}); d.Status != http.StatusForbidden {
		t.Errorf("developer deciding: %d", d.Status)
	}

	// The reviewer's queue is masked; the reviewer's view of the submission is not.
	q := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/verifications",
		Token: reviewer.Token})
	if !strings.Contains(string(q.Body), testIDMasked) || !strings.Contains(string(q.Body), id) {
		t.Errorf("queue: %s", q.Body)
	}
	full := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/verifications/" + id,
		Token: reviewer.Token})
	if full.Str("id_number") != testIDNumber || full.Str("account_sid") != dev.SID {
		t.Errorf("reviewer's view: %s", full.Body)
	}

	// Approve: the account is verified and the developer told.
	a := decide(t, env, reviewer, id, http.StatusOK, "approve", "")
	if a.Str("status") != "approved" || a.Str("id_number") != testIDMasked {
		t.Errorf("approved: %s", a.Body)
	}
	if got := level(t, env, dev); got != "personal" {
		t.Errorf("level %q after approval", got)
	}
	if titles := messageTitles(t, env, dev, "?type=verification"); len(titles) != 1 ||
		titles[0] != "Real-name verification approved" {
		t.Errorf("messages: %v", titles)
	}
	bizStatus(t, env, dev.SID, "verification-review/"+id, "approved")
	decide(t, env, reviewer, id, http.StatusConflict, "reject", "changed my mind")
	if v := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/verifications/" + id,
		Token: reviewer.Token}); v.Str("id_number") != testIDMasked {
		t.Errorf("decided submission shown in full: %s", v.Body)
	}
	saveHistory(t, env, "verification-review/"+id, "verification_review_approved.json")

	// Nothing changes an approved personal verification but a company one.
	if d := env.Do(t, req{Method: "POST", Path: "/v1/verifications", Token: dev.Token,
		Body: personalBody(t, env, dev)}); d.Status != http.StatusConflict {
		t.Errorf("second personal verification: %d %s", d.Status, d.Body)
	}

	// Upgrade: rejected first (a reason is needed), the personal one stays in force.
	c1 := submit(t, env, dev, companyBody(t, env, dev))
	decide(t, env, reviewer, c1, http.StatusBadRequest, "reject", " ")
	rj := decide(t, env, reviewer, c1, http.StatusOK, "reject", "the licence is expired")
	if rj.Str("status") != "rejected" || rj.Str("reject_reason") != "the licence is expired" ||
		rj.Str("credit_code") != testCreditMasked || rj.Str("contact_phone") != "010-88889999" {
		t.Errorf("rejected: %s", rj.Body)
	}
	if got := level(t, env, dev); got != "personal" {
		t.Errorf("level %q after the company rejection", got)
	}
	bizStatus(t, env, dev.SID, "verification-review/"+c1, "rejected")
	c2 := submit(t, env, dev, companyBody(t, env, dev))
	if got := level(t, env, dev); got != "personal" {
		t.Errorf("level %q while the company one is reviewed", got)
	}
	decide(t, env, reviewer, c2, http.StatusOK, "approve", "")
	if got := level(t, env, dev); got != "company" {
		t.Errorf("level %q after the company approval", got)
	}
	bizStatus(t, env, dev.SID, "verification-review/"+c2, "approved")
	if titles := messageTitles(t, env, dev, "?type=verification"); len(titles) != 3 ||
		titles[0] != "Real-name verification approved" ||
		titles[1] != "Real-name verification rejected" {
		t.Errorf("messages: %v", titles)
	}
	for _, body := range []map[string]any{personalBody(t, env, dev), companyBody(t, env, dev)} {
		if d := env.Do(t, req{Method: "POST", Path: "/v1/verifications", Token: dev.Token,
			Body: body}); d.Status != http.StatusConflict {
			t.Errorf("after company approval, %s: %d %s", body["kind"], d.Status, d.Body)
		}
	}
	list := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/verifications?limit=2",
		Token: dev.Token})
	items := list.JSON["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != c2 || list.Str("next_cursor") == "" {
		t.Errorf("list page: %s", list.Body)
	}
}

func TestVerificationBadInput(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	other := env.Developer(t)
	good := personalBody(t, env, dev)
	with := func(base map[string]any, k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range base {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	company := companyBody(t, env, dev)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"wrong check digit", with(good, "id_number", "110105194912310021"), "id_number"},
		{"impossible birth date", with(good, "id_number", "110105194902300020"), "id_number"},
		{"short ID number", with(good, "id_number", "1101051949"), "id_number"},
		{"no real name", with(good, "real_name", " "), "real_name"},
		{"another account's file", with(good, "id_front_file", uploadID(t, env, other.Token)),
			"id_front_file"},
		{"unknown file", with(good, "id_back_file", strings.Repeat("a", 32)), "id_back_file"},
		{"same image twice", with(good, "id_back_file", good["id_front_file"]), "id_back_file"},
		{"company field in personal", with(good, "credit_code", testCreditCode), "credit_code"},
		{"wrong credit code", with(company, "credit_code", "91350100M000100Y44"), "credit_code"},
		{"bad contact phone", with(company, "contact_phone", "12345"), "contact_phone"},
		{"no licence", with(company, "licence_file", ""), "licence_file"},
		{"unknown kind", with(good, "kind", "government"), "kind"},
	}
	for _, c := range cases {
		r := env.Do(t, req{Method: "POST", Path: "/v1/verifications", Token: dev.Token,
			Body: c.body})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body),
			`"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "1949") {
			t.Errorf("%s: the error repeats the number: %s", c.name, r.Body)
		}
	}
	var n int
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM verifications").Scan(&n)
	if n != 0 {
		t.Errorf("%d verifications stored after bad input", n)
	}
	// The valid body is accepted, so the cases above failed for their one fault.
	submit(t, env, dev, good)
}

func TestVerificationWithdrawAndResubmit(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	id := submit(t, env, dev, personalBody(t, env, dev))

	w := env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/verifications/" + id +
		"/withdraw", Token: dev.Token})
	if w.Str("status") != "withdrawn" || w.Str("id_number") != testIDMasked {
		t.Errorf("withdrawn: %s", w.Body)
	}
	env.Must(t, http.StatusConflict, req{Method: "POST", Path: "/v1/verifications/" + id +
		"/withdraw", Token: dev.Token})
	decide(t, env, reviewer, id, http.StatusConflict, "approve", "")
	bizStatus(t, env, dev.SID, "verification-review/"+id, "withdrawn")
	q := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/verifications",
		Token: reviewer.Token})
	if len(q.JSON["items"].([]any)) != 0 {
		t.Errorf("queue after withdrawal: %s", q.Body)
	}

	// A new submission may follow; rejected, it may be corrected and sent again.
	id2 := submit(t, env, dev, personalBody(t, env, dev))
	decide(t, env, reviewer, id2, http.StatusOK, "reject", "the photo is blurred")
	if got := level(t, env, dev); got != "none" {
		t.Errorf("level %q after rejection", got)
	}
	id3 := submit(t, env, dev, personalBody(t, env, dev))
	decide(t, env, reviewer, id3, http.StatusOK, "approve", "")
	if got := level(t, env, dev); got != "personal" {
		t.Errorf("level %q", got)
	}
}

func TestVerificationQueueOldestFirst(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	reviewer := env.Staff(t, "reviewer")
	var want []string
	for i := 0; i < 3; i++ {
		dev := env.Developer(t)
		want = append(want, submit(t, env, dev, personalBody(t, env, dev)))
	}
	var got []string
	path := "/v1/review/verifications?limit=2"
	for path != "" {
		r := env.Must(t, http.StatusOK, req{Method: "GET", Path: path, Token: reviewer.Token})
		for _, it := range r.JSON["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		path = ""
		if c := r.Str("next_cursor"); c != "" {
			path = "/v1/review/verifications?limit=2&cursor=" + c
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("queue %v, want %v", got, want)
	}
}

func TestVerificationEscalation(t *testing.T) {
	env := testenv.New(t, testenv.Options{Configure: func(c *config.Config) {
		c.ReviewDeadline = 2 * time.Second
	}})
	operator := env.Staff(t, "operator")
	reviewer := env.Staff(t, "reviewer")
	dev := env.Developer(t)
	id := submit(t, env, dev, personalBody(t, env, dev))

	bizStatus(t, env, dev.SID, "verification-review/"+id, "overdue")
	if titles := messageTitles(t, env, operator, "?type=operations"); len(titles) != 1 ||
		titles[0] != "Verification review overdue" {
		t.Errorf("operator's messages: %v", titles)
	}
	if titles := messageTitles(t, env, reviewer, ""); len(titles) != 0 {
		t.Errorf("reviewer's messages: %v", titles)
	}
	v := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/review/verifications/" + id,
		Token: reviewer.Token})
	if v.JSON["overdue"] != true || v.Str("status") != "pending" {
		t.Errorf("overdue submission: %s", v.Body)
	}

	// It keeps waiting for the decision.
	decide(t, env, reviewer, id, http.StatusOK, "approve", "")
	if got := level(t, env, dev); got != "personal" {
		t.Errorf("level %q", got)
	}
	bizStatus(t, env, dev.SID, "verification-review/"+id, "approved")
	saveHistory(t, env, "verification-review/"+id, "verification_review_escalated.json")
}

func TestVerificationDecisionWithoutWorker(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	id := submit(t, env, dev, personalBody(t, env, dev))
	bizStatus(t, env, dev.SID, "verification-review/"+id, "pending_review")

	env.StopWorker()
	start := time.Now()
	r := decide(t, env, reviewer, id, http.StatusServiceUnavailable, "approve", "")
	if took := time.Since(start); took > 8*time.Second || r.ErrorCode() != "unavailable" {
		t.Errorf("without a worker: %s after %v", r.Body, took)
	}
	if got := level(t, env, dev); got != "none" {
		t.Errorf("level %q without a worker", got)
	}

	if err := env.StartWorker(); err != nil {
		t.Fatal(err)
	}
	// The reviewer resends the decision as the 503 asks. The first resends may still
	// time out while Temporal moves the task left with the stopped worker to the new
	// one (its workflow task timeout, longer on a loaded machine); each is the same
	// Update and is applied once.
	var a testenv.Response
	for deadline := time.Now().Add(90 * time.Second); ; {
		a = env.Do(t, req{Method: "POST", Path: "/v1/review/verifications/" + id + "/decision",
			Token: reviewer.Token, Body: map[string]any{"decision": "approve"}})
		if a.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			break
		}
	}
	if a.Status != http.StatusOK || a.Str("status") != "approved" ||
		level(t, env, dev) != "personal" {
		t.Errorf("resent: %d %s", a.Status, a.Body)
	}
	decide(t, env, reviewer, id, http.StatusOK, "approve", "")
	var n int
	env.Store().Pool.QueryRow(t.Context(),
		"SELECT count(*) FROM messages WHERE reference = $1", id).Scan(&n)
	if n != 1 {
		t.Errorf("%d messages about the decision, want 1", n)
	}
	var events int
	iter := env.App.Temporal.GetWorkflowHistory(context.Background(),
		"verification-review/"+id, "", false, 0)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() ==
			"FinishVerification" {
			events++
		}
	}
	if events != 1 {
		t.Errorf("the outcome was written by %d activities, want 1", events)
	}
}

// TestVerificationOutcomeActivityIdempotent runs the outcome activity as a retry
// would, with no worker to race it: the outcome and its message are written once.
func TestVerificationOutcomeActivityIdempotent(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	id := submit(t, env, dev, personalBody(t, env, dev))
	o := activities.VerificationOutcome{VerificationID: id, AccountSID: dev.SID,
		Kind: "personal", Status: activities.VerificationApproved, ReviewerSID: "r"}
	for range 2 {
		if err := env.Acts.FinishVerification(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	if got := level(t, env, dev); got != "personal" {
		t.Errorf("level %q", got)
	}
	if titles := messageTitles(t, env, dev, ""); len(titles) != 1 {
		t.Errorf("messages %v, want one", titles)
	}
	o.Status = activities.VerificationRejected
	if err := env.Acts.FinishVerification(context.Background(), o); err == nil {
		t.Error("a contradicting outcome was accepted")
	}
	v := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/verifications/" + id,
		Token: dev.Token})
	if v.Str("status") != "approved" {
		t.Errorf("after a contradicting outcome: %s", v.Body)
	}
}
