package api

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/workflows"
)

// reviewQueue lists the submissions under review, oldest first.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListPendingVerifications(r.Context(), db.ListPendingVerificationsParams{
		MaxRows: page.Limit + 1, AfterTime: page.afterTime(), AfterID: page.afterID(),
	})
	if err != nil {
		return err
	}
	return s.writeVerificationPage(w, rows, page.Limit)
}

// reviewVerification shows one submission to a reviewer, with its numbers in full
// while it is under review.
func (s *Server) reviewVerification(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "verification not found")
	}
	v, err := s.store.GetVerificationByID(r.Context(), id)
	if err != nil {
		return db.NotFound(err, "verification")
	}
	if v.Status == verificationPending {
		logger(r.Context(), s.log).Info("verification viewed in full", "verification_id", v.ID)
	}
	return s.writeVerification(w, v, v.Status == verificationPending)
}

type decisionRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// decideVerification delivers a reviewer's decision to the submission's workflow,
// which writes the outcome before answering.
func (s *Server) decideVerification(w http.ResponseWriter, r *http.Request) error {
	var req decisionRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var val apperr.Validation
	d := workflows.VerificationDecision{ReviewerSID: caller(r.Context()).SID}
	switch req.Decision {
	case "approve":
		d.Approve = true
	case "reject":
		d.Reason = checkText(&val, "reason", req.Reason, 500)
	default:
		val.Add("decision", "must be approve or reject")
	}
	if err := val.Err(); err != nil {
		return err
	}

	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "verification not found")
	}
	v, err := s.store.GetVerificationByID(r.Context(), id)
	if err != nil {
		return db.NotFound(err, "verification")
	}
	want := activities.VerificationRejected
	if d.Approve {
		want = activities.VerificationApproved
	}
	if v.Status == want && v.ReviewerSid == d.ReviewerSID {
		// The same decision sent again, say after a timeout: it was applied once.
		return s.writeVerification(w, v, false)
	}
	if v.Status != verificationPending {
		return apperr.New(apperr.Conflict, "this submission is already %s", v.Status)
	}
	res, err := s.reviewUpdate(r.Context(), v.ID, workflows.VerificationDecisionUpdate, d)
	if err != nil {
		return err
	}
	if res.Status != want || res.ReviewerSID != d.ReviewerSID {
		return apperr.New(apperr.Conflict, "this submission was already %s", res.Status)
	}
	logger(r.Context(), s.log).Info("verification decided", "verification_id", v.ID,
		"status", res.Status)
	return s.rereadVerification(w, r, v.ID)
}

// reviewUpdate sends the Update name to the review workflow of a submission and waits
// until the workflow has written its outcome.
func (s *Server) reviewUpdate(ctx context.Context, verificationID, name string,
	args ...any) (workflows.VerificationReviewResult, error) {
	var res workflows.VerificationReviewResult
	err := s.runWorkflowUpdate(ctx, workflows.VerificationReviewID(verificationID), name,
		&res, args...)
	return res, err
}
