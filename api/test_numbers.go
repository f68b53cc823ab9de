package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/phone"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountTestNumbers)
}

func (s *Server) mountTestNumbers(m mounts) {
	m.dev.Post("/test-numbers", s.handle(s.addTestNumber))
	m.dev.Get("/test-numbers", s.handle(s.listTestNumbers))
	m.dev.Delete("/test-numbers/{id}", s.handle(s.deleteTestNumber))
	m.dev.Post("/test-numbers/{id}/verify", s.handle(s.verifyTestNumber))
	m.ops.Get("/sms-outbox", s.handle(s.listSMSOutbox))
}

// maxTestNumbers is how many test numbers (pending or verified) an account may hold.
const maxTestNumbers = 5

type testNumberJSON struct {
	ID         string     `json:"id"`
	Mobile     string     `json:"mobile"`
	Status     string     `json:"status"`
	ExpiresAt  *time.Time `json:"code_expires_at,omitempty"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

func toTestNumberJSON(n db.TestNumber) testNumberJSON {
	j := testNumberJSON{ID: n.ID, Mobile: n.Mobile, Status: n.Status,
		VerifiedAt: n.VerifiedAt, CreatedAt: n.CreatedAt}
	if n.Status == "pending" {
		j.ExpiresAt = n.ExpiresAt
	}
	return j
}

// The resend limits of verification codes, counted in Postgres so they hold across
// API processes: per account and mobile testCodesShort in testCodeShortWindow and
// testCodesLong in testCodeLongWindow, per account testCodesPerAccount in
// testCodeLongWindow across mobiles, and per mobile across accounts (below). A code
// texted again by a retry of the send (after the SMS gateway failed) is
// recorded by the activity and counts too.
const (
	testCodesShort      = 3
	testCodeShortWindow = 10 * time.Minute
	testCodesLong       = 10
	testCodeLongWindow  = 24 * time.Hour
	testCodesPerAccount = 20
	// Whatever the accounts, one mobile gets at most testCodesPerMobile codes in
	// testCodeMobileWindow and testCodesLong a day, so that new accounts cannot
	// flood a stranger's phone.
	testCodesPerMobile   = 5
	testCodeMobileWindow = time.Hour
)

// testCodeRetryAt returns when another code may be texted for the account and
// mobile, or the zero time when one may be now. q runs in the transaction holding
// the account's row lock, so concurrent additions are counted one after another.
func testCodeRetryAt(ctx context.Context, q *db.Queries, sid, mobile string,
	now time.Time) (time.Time, error) {
	limits := []struct {
		account, mobile *string
		max             int32
		window          time.Duration
	}{
		{&sid, &mobile, testCodesShort, testCodeShortWindow},
		{&sid, &mobile, testCodesLong, testCodeLongWindow},
		{&sid, nil, testCodesPerAccount, testCodeLongWindow},
		{nil, &mobile, testCodesPerMobile, testCodeMobileWindow},
		{nil, &mobile, testCodesLong, testCodeLongWindow},
	}
	var retry time.Time
	for _, l := range limits {
		// With max codes since now-window, the max-th newest must leave the window.
		at, err := q.NthRecentTestNumberCode(ctx, db.NthRecentTestNumberCodeParams{
			AccountSid: l.account, Mobile: l.mobile, Since: now.Add(-l.window), Nth: l.max - 1,
		})
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return time.Time{}, err
		}
		if end := at.Add(l.window); end.After(retry) {
			retry = end
		}
	}
	return retry, nil
}

// secondsUntil is the whole seconds from now until t, at least 1.
func secondsUntil(now, t time.Time) int {
	if s := int(math.Ceil(t.Sub(now).Seconds())); s > 1 {
		return s
	}
	return 1
}

type addTestNumberRequest struct {
	Mobile string `json:"mobile"`
}

// addTestNumber records a mobile and starts its verification, which texts a code.
func (s *Server) addTestNumber(w http.ResponseWriter, r *http.Request) error {
	var req addTestNumberRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	mobile, err := phone.ParseMobile(req.Mobile)
	if err != nil {
		return apperr.Field("mobile", "must be a Chinese mobile number of 11 digits")
	}
	ctx := r.Context()
	sid := caller(ctx).SID
	var tn db.TestNumber
	var retryAt time.Time
	ran, err := s.idempotent(w, r, body, func(q *db.Queries, _ pgxTx) (int, any, error) {
		// The account row serialises concurrent additions, so the limit holds.
		if _, err := q.GetAccountBySIDForUpdate(ctx, sid); err != nil {
			return 0, nil, err
		}
		n, err := q.CountLiveTestNumbers(ctx, sid)
		if err != nil {
			return 0, nil, err
		}
		if n >= maxTestNumbers {
			return 0, nil, apperr.New(apperr.Conflict,
				"an account may have at most %d test numbers; delete one first", maxTestNumbers)
		}
		// So does the mobile's lock, across accounts, for the per-mobile limits.
		if err := q.LockTestNumberMobile(ctx, mobile); err != nil {
			return 0, nil, err
		}
		if retry, err := testCodeRetryAt(ctx, q, sid, mobile, s.now()); err != nil {
			return 0, nil, err
		} else if !retry.IsZero() {
			retryAt = retry
			return 0, nil, apperr.New(apperr.RateLimited,
				"too many verification codes were sent; try again after %s (in %d seconds)",
				retry.UTC().Format(time.RFC3339), secondsUntil(s.now(), retry))
		}
		expires := s.now().Add(workflows.TestCodeValidity)
		tn, err = q.CreateTestNumber(ctx, db.CreateTestNumberParams{
			ID: ids.New(), AccountSid: sid, Mobile: mobile, ExpiresAt: &expires,
		})
		if _, dup := db.IsUniqueViolation(err); dup {
			return 0, nil, apperr.New(apperr.Conflict, "this mobile is already a test number")
		}
		if err != nil {
			return 0, nil, err
		}
		if err := q.RecordTestNumberCode(ctx, db.RecordTestNumberCodeParams{
			AccountSid: sid, Mobile: mobile, CreatedAt: s.now(),
		}); err != nil {
			return 0, nil, err
		}
		if err := q.PurgeTestNumberCodes(ctx, db.PurgeTestNumberCodesParams{
			AccountSid: sid, Before: s.now().Add(-testCodeLongWindow),
		}); err != nil {
			return 0, nil, err
		}
		err = wfstart.Enqueue(ctx, q, wfstart.Request{
			WorkflowID: workflows.TestNumberID(tn.ID), WorkflowType: "TestNumberWorkflow",
			TaskQueue: s.cfg.TaskQueue, AccountSID: sid, BizStatus: "sending",
			Summary: "test number verification",
			Input:   workflows.TestNumberInput{TestNumberID: tn.ID},
		})
		return http.StatusCreated, toTestNumberJSON(tn), err
	})
	if err != nil {
		if !retryAt.IsZero() {
			w.Header().Set("Retry-After", strconv.Itoa(secondsUntil(s.now(), retryAt)))
		}
		return err
	}
	if ran {
		s.kick(ctx, workflows.TestNumberID(tn.ID))
	}
	return nil
}

func (s *Server) listTestNumbers(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListTestNumbers(r.Context(), db.ListTestNumbersParams{
		AccountSid: caller(r.Context()).SID, MaxRows: page.Limit + 1,
		AfterTime: page.afterTime(), AfterID: page.afterID(),
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(n db.TestNumber) (time.Time, string) { return n.CreatedAt, n.ID }, toTestNumberJSON))
	return nil
}

func (s *Server) deleteTestNumber(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "test number not found")
	}
	n, err := s.store.DeleteTestNumber(r.Context(), db.DeleteTestNumberParams{
		ID: id, AccountSid: caller(r.Context()).SID,
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "test number not found")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type verifyRequest struct {
	Code string `json:"code"`
}

// verifyTestNumber hands the HMAC of a code to the number's workflow, which compares
// it with the one of the code sent and counts the tries.
func (s *Server) verifyTestNumber(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "test number not found")
	}
	var req verifyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if !isSixDigits(req.Code) {
		return apperr.Field("code", "must be the 6 digits of the text message")
	}
	tn, err := s.store.GetTestNumber(r.Context(), db.GetTestNumberParams{
		ID: id, AccountSid: caller(r.Context()).SID,
	})
	if err != nil {
		return db.NotFound(err, "test number")
	}
	if tn.Status != "pending" {
		return apperr.New(apperr.Conflict, "the test number is %s", tn.Status)
	}
	if len(tn.CodeSalt) == 0 {
		return apperr.New(apperr.Conflict, "the code is still being sent")
	}
	// The workflow gets the code's HMAC keyed with the stored salt, never the code.
	proof := activities.TestCodeHMAC(tn.CodeSalt, tn.ID, req.Code)
	var res workflows.TestNumberResult
	if err := s.askWorkflow(r.Context(), workflows.TestNumberID(id),
		workflows.TestNumberVerifyUpdate, ids.New(), &res, proof); err != nil {
		return err
	}
	switch res.Status {
	case "pending":
		return apperr.Field("code", "is wrong; "+triesLeft(res.TriesLeft))
	case "expired":
		return apperr.New(apperr.Conflict,
			"the code is wrong and no tries are left; add the number again for a new code")
	}
	tn, err = s.store.GetTestNumber(r.Context(), db.GetTestNumberParams{
		ID: id, AccountSid: tn.AccountSid,
	})
	if err != nil {
		return db.NotFound(err, "test number")
	}
	writeJSON(w, http.StatusOK, toTestNumberJSON(tn))
	return nil
}

func triesLeft(n int) string {
	if n == 1 {
		return "1 try left"
	}
	return fmt.Sprintf("%d tries left", n)
}

func isSixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type smsJSON struct {
	ID        string    `json:"id"`
	Mobile    string    `json:"mobile"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// listSMSOutbox shows what the local SMS sender kept, newest first.
func (s *Server) listSMSOutbox(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	p := db.ListSMSParams{MaxRows: page.Limit + 1, BeforeTime: page.afterTime(),
		BeforeID: page.afterID()}
	if m := r.URL.Query().Get("mobile"); m != "" {
		mobile, err := phone.ParseMobile(m)
		if err != nil {
			return apperr.Field("mobile", "must be a Chinese mobile number of 11 digits")
		}
		p.Mobile = &mobile
	}
	rows, err := s.store.ListSMS(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(m db.SmsOutbox) (time.Time, string) { return m.CreatedAt, m.ID },
		func(m db.SmsOutbox) smsJSON {
			return smsJSON{ID: m.ID, Mobile: m.Mobile, Body: m.Body, CreatedAt: m.CreatedAt}
		}))
	return nil
}
