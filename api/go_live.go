package api

import (
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountGoLive)
}

func (s *Server) mountGoLive(m mounts) {
	m.dev.Post("/apps/{app_id}/go-live", s.handle(s.requestGoLive))
	m.dev.Post("/apps/{app_id}/go-live/withdraw", s.handle(s.withdrawGoLive))
	m.dev.Post("/apps/{app_id}/offline", s.handle(s.takeAppOffline))
	m.review.Get("/go-lives", s.handle(s.listGoLives))
	m.review.Post("/go-lives/{id}/decision", s.handle(s.decideGoLive))
}

// goLiveJSON is a go-live request.
type goLiveJSON struct {
	ID         string     `json:"id"`
	AppID      string     `json:"app_id"`
	AccountSID string     `json:"account_sid"`
	AppType    string     `json:"app_type"`
	AppName    string     `json:"app_name,omitempty"`
	Callback   string     `json:"callback_url,omitempty"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason,omitempty"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

func toGoLiveJSON(r db.GoLiveRequest) goLiveJSON {
	return goLiveJSON{ID: r.ID, AppID: r.AppID, AccountSID: r.AccountSid, AppType: r.AppType,
		Status: r.Status, Reason: r.Reason, DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt}
}

// requestGoLive opens a go-live request and starts its workflow. Preconditions that
// fail now are refused at once; the workflow checks them again and probes the
// callback URL.
func (s *Server) requestGoLive(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	// The request has no body; whatever is sent is bound to an Idempotency-Key.
	body, err := readRawBody(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var req db.GoLiveRequest
	ran, err := s.idempotent(w, r, body, func(q *db.Queries, _ pgxTx) (int, any, error) {
		app, err := q.GetAppForAccountForUpdate(ctx, db.GetAppForAccountForUpdateParams{
			ID: app.ID, AccountSid: app.AccountSid,
		})
		if err != nil {
			return 0, nil, db.NotFound(err, "app")
		}
		switch app.Status {
		case appTest, appRejected, appOffline:
		case appReviewing:
			return 0, nil, apperr.New(apperr.Conflict, "the app already has a go-live request")
		default:
			return 0, nil, apperr.New(apperr.Conflict, "the app is %s", app.Status)
		}
		acct, err := q.GetAccountBySID(ctx, app.AccountSid)
		if err != nil {
			return 0, nil, err
		}
		if reason := activities.GoLivePreconditions(acct, app); reason != "" {
			code := apperr.Conflict
			if strings.Contains(reason, "balance") {
				code = apperr.InsufficientBalance
			}
			return 0, nil, apperr.New(code, "%s", reason)
		}

		req, err = q.CreateGoLiveRequest(ctx, db.CreateGoLiveRequestParams{
			ID: ids.New(), AppID: app.ID, AccountSid: app.AccountSid, AppType: app.Type,
		})
		if err != nil {
			return 0, nil, err
		}
		if _, err := q.UpdateAppStatus(ctx, db.UpdateAppStatusParams{ID: app.ID,
			Status: appReviewing, FromStatuses: []string{app.Status}}); err != nil {
			return 0, nil, err
		}
		err = wfstart.Enqueue(ctx, q, wfstart.Request{
			WorkflowID: workflows.GoLiveID(req.ID), WorkflowType: "GoLiveWorkflow",
			TaskQueue: s.cfg.TaskQueue, AccountSID: app.AccountSid, AppID: app.ID,
			BizStatus: "checking", Summary: "go-live of a " + app.Type + " app",
			Input: workflows.GoLiveInput{RequestID: req.ID, AppID: app.ID,
				AccountSID: app.AccountSid, AppType: app.Type, CallbackURL: app.CallbackUrl},
		})
		return http.StatusAccepted, toGoLiveJSON(req), err
	})
	if err != nil {
		return err
	}
	if ran {
		s.kick(ctx, workflows.GoLiveID(req.ID))
		logger(ctx, s.log).Info("go-live requested", "app_id", app.ID, "go_live_id", req.ID)
	}
	return nil
}

func (s *Server) withdrawGoLive(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	req, err := s.store.GetOpenGoLiveRequestForApp(r.Context(), app.ID)
	if isNoRows(err) {
		return apperr.New(apperr.Conflict, "the app has no go-live request to withdraw")
	}
	if err != nil {
		return err
	}
	var outcome string
	if err := s.askWorkflow(r.Context(), workflows.GoLiveID(req.ID),
		workflows.GoLiveWithdrawUpdate, "withdraw", &outcome); err != nil {
		return err
	}
	req, err = s.store.GetGoLiveRequest(r.Context(), req.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toGoLiveJSON(req))
	return nil
}

// takeAppOffline takes a live app down; an IVR app's number is released and cools
// down before it is offered again.
func (s *Server) takeAppOffline(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var releaseID string
	err = s.store.InTx(ctx, func(q *db.Queries, _ pgxTx) error {
		n, err := q.UpdateAppStatus(ctx, db.UpdateAppStatusParams{ID: app.ID,
			Status: appOffline, FromStatuses: []string{appLive, "suspended"}})
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "only a live or suspended app can go offline")
		}
		if _, err := messages.Post(ctx, q, messages.Message{
			AccountSID: app.AccountSid, Type: messages.TypeApp, Title: "App offline",
			Body: "App " + app.ID + " is offline.", Reference: app.ID,
			Key: "app-offline:" + app.ID + ":" + ids.New(),
		}); err != nil {
			return err
		}
		num, err := q.GetBoundNumberForApp(ctx, app.ID)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		releaseID = workflows.NumberReleaseID(app.ID, num.BindingID)
		return wfstart.Enqueue(ctx, q, wfstart.Request{
			WorkflowID: releaseID, WorkflowType: "NumberReleaseWorkflow",
			TaskQueue: s.cfg.TaskQueue, AccountSID: app.AccountSid, AppID: app.ID,
			BizStatus: "releasing", Summary: "release of an inbound number",
			Input: activities.NumberRelease{BindingID: num.BindingID, AppID: app.ID,
				NumberID: num.ID, Number: num.Number},
		})
	})
	if err != nil {
		return err
	}
	if releaseID != "" {
		s.kick(ctx, releaseID)
	}
	app, err = s.callerApp(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAppJSON(app))
	return nil
}

// goLiveStatuses are the states of a go-live request, for filters.
var goLiveStatuses = []string{"checking", "reviewing", "approved", "live", "rejected",
	"withdrawn", "failed"}

// listGoLives is the review queue, oldest first; by default the requests waiting
// for a decision.
func (s *Server) listGoLives(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "reviewing"
	}
	p := db.ListGoLiveRequestsForReviewParams{MaxRows: page.Limit + 1,
		AfterTime: page.afterTime(), AfterID: page.afterID()}
	switch {
	case status == "all":
	case slices.Contains(goLiveStatuses, status):
		p.Status = &status
	default:
		return apperr.Field("status", "must be all or one of "+strings.Join(goLiveStatuses, ", "))
	}
	rows, err := s.store.ListGoLiveRequestsForReview(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(g db.ListGoLiveRequestsForReviewRow) (time.Time, string) { return g.CreatedAt, g.ID },
		func(g db.ListGoLiveRequestsForReviewRow) goLiveJSON {
			j := toGoLiveJSON(db.GoLiveRequest{ID: g.ID, AppID: g.AppID, AccountSid: g.AccountSid,
				AppType: g.AppType, Status: g.Status, Reason: g.Reason, DecidedAt: g.DecidedAt,
				CreatedAt: g.CreatedAt})
			j.AppName, j.Callback = g.AppName, g.CallbackUrl
			return j
		}))
	return nil
}

// maxReasonLen bounds a rejection's reason, in characters.
const maxReasonLen = 500

func (s *Server) decideGoLive(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "go-live request not found")
	}
	var body decisionRequest
	if err := decode(r, &body); err != nil {
		return err
	}
	var v apperr.Validation
	reason := strings.TrimSpace(body.Reason)
	switch body.Decision {
	case "approve":
	case "reject":
		if reason == "" {
			v.Add("reason", "is required to reject")
		}
	default:
		v.Add("decision", "must be approve or reject")
	}
	if n := utf8.RuneCountInString(reason); n > maxReasonLen {
		v.Addf("reason", "must be at most %d characters", maxReasonLen)
	} else if strings.ContainsFunc(reason, isControl) {
		v.Add("reason", "must not contain control or invisible formatting characters")
	}
	if err := v.Err(); err != nil {
		return err
	}

	req, err := s.store.GetGoLiveRequest(r.Context(), id)
	if err != nil {
		return db.NotFound(err, "go-live request")
	}
	if req.Status != "reviewing" {
		return apperr.New(apperr.Conflict, "the request is %s, not waiting for a decision",
			req.Status)
	}
	d := workflows.GoLiveDecision{Approve: body.Decision == "approve", Reason: reason,
		ReviewerSID: caller(r.Context()).SID}
	var outcome string
	if err := s.askWorkflow(r.Context(), workflows.GoLiveID(id),
		workflows.GoLiveDecisionUpdate, "decision", &outcome, d); err != nil {
		return err
	}
	// The Update ID is the same for every decision, so a second decision gets the
	// first one's outcome: tell the second reviewer.
	if want := map[bool]string{true: "approved", false: "rejected"}[d.Approve]; outcome != want {
		return apperr.New(apperr.Conflict, "the request was already %s", outcome)
	}
	req, err = s.store.GetGoLiveRequest(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toGoLiveJSON(req))
	return nil
}
