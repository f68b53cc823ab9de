package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/netguard"
)

// ErrTypeInsufficientBalance is the application error type of a first charge the
// balance could not cover.
const ErrTypeInsufficientBalance = "InsufficientBalance"

// IVRFirstCharges is what an IVR app pays when it goes live: its number's rent and
// the go-live month's rent.
const IVRFirstCharges = ledger.IVRNumberRent + ledger.IVRMonthlyRent

// callbackProbeTimeout bounds the whole probe of a callback URL.
const callbackProbeTimeout = 5 * time.Second

// Check is the outcome of a precondition: OK, or the Reason it failed.
type Check struct {
	OK     bool
	Reason string
}

// GoLivePreconditions returns the first precondition of go-live that the account or
// app fails, if any: an approved verification, a callback URL, and for an IVR app
// the balance for its first charges. It is empty when all hold.
func GoLivePreconditions(acct db.Account, app db.App) string {
	switch {
	case acct.VerificationLevel != "personal" && acct.VerificationLevel != "company":
		return "the account needs an approved real-name verification"
	case app.CallbackUrl == "":
		return "the app needs a callback URL"
	case app.Type == "ivr" && money.Li(acct.BalanceLi) < IVRFirstCharges:
		return fmt.Sprintf("an IVR app needs a balance of %s CNY for its first charges",
			IVRFirstCharges)
	}
	return ""
}

// CheckGoLive checks the preconditions of a go-live request again, as they stand
// now.
func (a *Activities) CheckGoLive(ctx context.Context, requestID string) (Check, error) {
	req, err := a.Store.GetGoLiveRequest(ctx, requestID)
	if err != nil {
		return Check{}, fmt.Errorf("reading go-live request: %w", err)
	}
	app, err := a.Store.GetAppByID(ctx, req.AppID)
	if err != nil {
		return Check{}, fmt.Errorf("reading app: %w", err)
	}
	acct, err := a.Store.GetAccountBySID(ctx, req.AccountSid)
	if err != nil {
		return Check{}, fmt.Errorf("reading account: %w", err)
	}
	if reason := GoLivePreconditions(acct, app); reason != "" {
		return Check{Reason: reason}, nil
	}
	return Check{OK: true}, nil
}

// callbackClient is the guarded client that probes developers' servers.
func (a *Activities) callbackClient() *http.Client {
	if a.Outside.Callbacks != nil {
		return a.Outside.Callbacks
	}
	return netguard.NewClient(netguard.Options{
		AllowPrivate: a.Config.AllowPrivateCallbacks, Timeout: callbackProbeTimeout,
	})
}

// ProbeCallback checks that a callback URL answers: any HTTP answer below 500
// counts. Loopback, private, link-local and metadata addresses are refused before
// any connection, after redirects too, unless the configuration allows private
// ones. A failed probe is a Check with the reason, not an error.
func (a *Activities) ProbeCallback(ctx context.Context, callbackURL string) (Check, error) {
	u, err := netguard.ParseCallbackURL(callbackURL)
	if err != nil {
		return Check{Reason: err.Error()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, callbackProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Check{Reason: "the callback URL cannot be requested"}, nil
	}
	req.Header.Set("User-Agent", "YiyunConsole-CallbackProbe/1.0")
	resp, err := a.callbackClient().Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrForbiddenAddress) {
			return Check{Reason: "the callback URL points to an address the platform " +
				"does not call (loopback, private, link-local or metadata)"}, nil
		}
		return Check{Reason: "the callback URL did not answer: " + probeError(err)}, nil
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 500 {
		return Check{Reason: fmt.Sprintf("the callback URL answered HTTP %d", resp.StatusCode)}, nil
	}
	return Check{OK: true}, nil
}

// probeError says why a request failed without echoing internal detail.
func probeError(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return "connection failed"
}

// MarkGoLiveReviewing puts a checked request in the review queue and tells the
// reviewers.
func (a *Activities) MarkGoLiveReviewing(ctx context.Context, requestID string) error {
	req, err := a.Store.GetGoLiveRequest(ctx, requestID)
	if err != nil {
		return fmt.Errorf("reading go-live request: %w", err)
	}
	if _, err := a.Store.UpdateGoLiveRequestStatus(ctx, db.UpdateGoLiveRequestStatusParams{
		ID: requestID, Status: "reviewing", FromStatuses: []string{"checking"},
	}); err != nil {
		return fmt.Errorf("marking go-live request reviewing: %w", err)
	}
	return messages.PostToStaff(ctx, a.Store.Queries, messages.Message{
		Type: messages.TypeApp, Title: "Go-live request to review",
		Body:      fmt.Sprintf("App %s asks to go live.", req.AppID),
		Reference: requestID, Key: "go-live:" + requestID + ":review",
	}, true)
}

// GoLiveOutcome is how a go-live request ended, for FinishGoLive.
type GoLiveOutcome struct {
	RequestID   string
	Status      string // rejected, withdrawn or failed
	Reason      string
	ReviewerSID string
}

// FinishGoLive ends a request that did not make its app live: the app returns to
// test (rejected, with the reason, after a rejection) and the developer is told.
func (a *Activities) FinishGoLive(ctx context.Context, o GoLiveOutcome) error {
	return a.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		req, err := q.GetGoLiveRequest(ctx, o.RequestID)
		if err != nil {
			return fmt.Errorf("reading go-live request: %w", err)
		}
		if _, err := q.UpdateGoLiveRequestStatus(ctx, db.UpdateGoLiveRequestStatusParams{
			ID: o.RequestID, Status: o.Status, Reason: o.Reason, ReviewerSid: o.ReviewerSID,
			Decided:      o.Status == "rejected",
			FromStatuses: []string{"checking", "reviewing", "approved"},
		}); err != nil {
			return fmt.Errorf("ending go-live request: %w", err)
		}
		appStatus := "test"
		if o.Status == "rejected" {
			appStatus = "rejected"
		}
		if _, err := q.UpdateAppStatus(ctx, db.UpdateAppStatusParams{
			ID: req.AppID, Status: appStatus, StatusReason: o.Reason,
			FromStatuses: []string{"reviewing"},
		}); err != nil {
			return fmt.Errorf("returning app to test: %w", err)
		}
		title, body := goLiveMessage(o)
		_, err = messages.Post(ctx, q, messages.Message{
			AccountSID: req.AccountSid, Type: messages.TypeApp, Title: title,
			Body: fmt.Sprintf(body, req.AppID), Reference: req.AppID,
			Key: "go-live:" + o.RequestID + ":" + o.Status,
		})
		return err
	})
}

func goLiveMessage(o GoLiveOutcome) (title, body string) {
	switch o.Status {
	case "rejected":
		return "Go-live rejected", "The go-live request of app %s was rejected: " + o.Reason
	case "withdrawn":
		return "Go-live withdrawn", "The go-live request of app %s was withdrawn."
	}
	return "Go-live failed", "App %s could not go live: " + o.Reason
}

// RecordGoLiveApproval records the reviewer's approval.
func (a *Activities) RecordGoLiveApproval(ctx context.Context, requestID,
	reviewerSID string) error {
	_, err := a.Store.UpdateGoLiveRequestStatus(ctx, db.UpdateGoLiveRequestStatusParams{
		ID: requestID, Status: "approved", ReviewerSid: reviewerSID, Decided: true,
		FromStatuses: []string{"reviewing"},
	})
	return err
}

// Activation makes an approved app live. Number is set for an IVR app; Month is
// the Beijing month of go-live, whose rent is charged with the number's.
type Activation struct {
	RequestID string
	Number    BoundNumber
	Month     string
}

// ActivateApp posts an IVR app's first charges (its number's rent and the go-live
// month's rent, under the ledger's keys, so that the monthly run never charges the
// month again), makes the app live and tells the developer, in one transaction. A
// balance that no longer covers the charges is a non-retryable error of type
// ErrTypeInsufficientBalance.
func (a *Activities) ActivateApp(ctx context.Context, act Activation) error {
	err := a.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		req, err := q.GetGoLiveRequest(ctx, act.RequestID)
		if err != nil {
			return fmt.Errorf("reading go-live request: %w", err)
		}
		body := fmt.Sprintf("App %s is live.", req.AppID)
		if req.AppType == "ivr" {
			monthStart, _, err := billing.MonthBounds(act.Month)
			if err != nil {
				return err
			}
			if _, err := billing.ChargeGoLive(ctx, q, req.AccountSid, req.AppID,
				[]billing.NumberBinding{{ID: req.ID, Number: act.Number.Number}},
				monthStart); err != nil {
				return err
			}
			if err := q.SetGoLiveRequestNumber(ctx, db.SetGoLiveRequestNumberParams{
				ID: req.ID, NumberID: act.Number.NumberID,
			}); err != nil {
				return err
			}
			body = fmt.Sprintf("App %s is live with inbound number %s. Charged %s CNY "+
				"number rent and %s CNY rent for %s.", req.AppID, act.Number.Number,
				ledger.IVRNumberRent, ledger.IVRMonthlyRent, act.Month)
		}
		if _, err := q.UpdateGoLiveRequestStatus(ctx, db.UpdateGoLiveRequestStatusParams{
			ID: req.ID, Status: "live", FromStatuses: []string{"approved"},
		}); err != nil {
			return err
		}
		if _, err := q.UpdateAppStatus(ctx, db.UpdateAppStatusParams{
			ID: req.AppID, Status: "live", FromStatuses: []string{"reviewing"},
		}); err != nil {
			return err
		}
		_, err = messages.Post(ctx, q, messages.Message{
			AccountSID: req.AccountSid, Type: messages.TypeApp, Title: "Go-live approved",
			Body: body, Reference: req.AppID, Key: "go-live:" + req.ID + ":live",
		})
		return err
	})
	if apperr.CodeOf(err) == apperr.InsufficientBalance {
		return temporal.NewNonRetryableApplicationError(err.Error(),
			ErrTypeInsufficientBalance, nil)
	}
	return err
}
