package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

// badStep is a review or operations call that must be refused with the envelope.
type badStep struct {
	name   string
	user   testenv.User
	path   string
	body   any
	ctype  string
	status int
	field  string // the field the envelope names, if any
}

func checkBadSteps(t *testing.T, env *testenv.Env, cases []badStep) {
	t.Helper()
	for _, c := range cases {
		r := env.Do(t, req{Method: "POST", Path: c.path, Token: c.user.Token, Body: c.body,
			Content: c.ctype})
		if r.Status != c.status || r.ErrorCode() == "" {
			t.Errorf("%s: %d %s, want %d with the error envelope", c.name, r.Status, r.Body,
				c.status)
			continue
		}
		if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s: the error does not name %s: %s", c.name, c.field, r.Body)
		}
	}
}

func TestReviewAndOperationsStepsRefuseBadInput(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	operator := env.Staff(t, "operator")

	// A submission under review: bad decisions leave it pending and unmessaged.
	vid := submit(t, env, dev, personalBody(t, env, dev))
	vpath := "/v1/review/verifications/" + vid + "/decision"
	checkBadSteps(t, env, []badStep{
		{"unknown decision", reviewer, vpath, map[string]any{"decision": "maybe"}, "",
			http.StatusBadRequest, "decision"},
		{"no decision", reviewer, vpath, map[string]any{}, "", http.StatusBadRequest, "decision"},
		{"decision of the wrong type", reviewer, vpath, map[string]any{"decision": true}, "",
			http.StatusBadRequest, "decision"},
		{"unknown field", reviewer, vpath, map[string]any{"decision": "approve", "level": 9},
			"", http.StatusBadRequest, "level"},
		{"broken JSON", reviewer, vpath, `{"decision":`, "", http.StatusBadRequest, ""},
		{"two JSON values", reviewer, vpath, `{"decision":"approve"} {}`, "",
			http.StatusBadRequest, ""},
		{"a form body", reviewer, vpath, []byte("decision=approve"),
			"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, ""},
		{"reason too long", reviewer, vpath, map[string]any{"decision": "reject",
			"reason": strings.Repeat("r", 501)}, "", http.StatusBadRequest, "reason"},
		{"unknown submission", reviewer, "/v1/review/verifications/" + strings.Repeat("0", 32) +
			"/decision", map[string]any{"decision": "approve"}, "", http.StatusNotFound, ""},
	})
	v := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/verifications/" + vid,
		Token: dev.Token})
	if v.Str("status") != "pending" || level(t, env, dev) != "none" {
		t.Errorf("after bad decisions: %s", v.Body)
	}
	if titles := messageTitles(t, env, dev, ""); len(titles) != 0 {
		t.Errorf("messages after bad decisions: %v", titles)
	}
	decide(t, env, reviewer, vid, http.StatusOK, "approve", "")

	// An application: bad review, issue and mail calls leave it where it is.
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "personal"}})
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})
	topUp(t, env, dev.SID, 100, "bad-steps")
	inv := apply(t, env, dev, "80", "bad-steps-1").Str("id")
	base := "/v1/review/invoices/" + inv + "/decision"
	issue := "/v1/ops/invoices/" + inv + "/issue"
	mail := "/v1/ops/invoices/" + inv + "/mail"
	goodMail := map[string]any{"courier": "SF Express", "tracking_number": "SF1234567890"}
	checkBadSteps(t, env, []badStep{
		{"unknown invoice decision", reviewer, base, map[string]any{"decision": "ok"}, "",
			http.StatusBadRequest, "decision"},
		{"rejection without a reason", reviewer, base, map[string]any{"decision": "reject"},
			"", http.StatusBadRequest, "reason"},
		{"issued before approval", operator, issue,
			map[string]any{"invoice_number": "044001900111"}, "", http.StatusConflict, ""},
		{"short invoice number", operator, issue, map[string]any{"invoice_number": "12"}, "",
			http.StatusBadRequest, "invoice_number"},
		{"invoice number with spaces", operator, issue,
			map[string]any{"invoice_number": "0440 0190 0111"}, "", http.StatusBadRequest,
			"invoice_number"},
		{"mailed before issue", operator, mail, goodMail, "", http.StatusConflict, ""},
		{"no courier", operator, mail, map[string]any{"courier": " ",
			"tracking_number": "SF1234567890"}, "", http.StatusBadRequest, "courier"},
		{"tracking number with symbols", operator, mail, map[string]any{"courier": "SF",
			"tracking_number": "SF-123'4567"}, "", http.StatusBadRequest, "tracking_number"},
		{"a developer issuing", dev, issue, map[string]any{"invoice_number": "044001900111"},
			"", http.StatusForbidden, ""},
		{"unknown invoice", operator, "/v1/ops/invoices/" + strings.Repeat("0", 32) + "/issue",
			map[string]any{"invoice_number": "044001900111"}, "", http.StatusNotFound, ""},
	})
	got := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/invoices/" + inv,
		Token: dev.Token})
	if got.Str("status") != "pending" || got.Str("invoice_number") != "" ||
		invoiceable(t, env, dev) != "20.000" {
		t.Errorf("after bad steps: %s", got.Body)
	}
	if titles := messageTitles(t, env, dev, "?type=invoice"); len(titles) != 0 {
		t.Errorf("invoice messages after bad steps: %v", titles)
	}

	// The same calls done right still go through, so each refusal above had one cause.
	step(t, env, reviewer, base, http.StatusOK, map[string]any{"decision": "approve"})
	step(t, env, operator, issue, http.StatusOK, map[string]any{"invoice_number": "044001900111"})
	step(t, env, operator, mail, http.StatusOK, goodMail)
}
