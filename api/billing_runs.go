package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() { featureMounts = append(featureMounts, (*Server).mountBillingRuns) }

func (s *Server) mountBillingRuns(m mounts) {
	m.ops.Post("/billing-runs", s.handle(s.startBillingRun))
	m.ops.Get("/billing-runs/{month}", s.handle(s.getBillingRun))
}

// billingRunJSON is a month's IVR fee run. AppsCharged counts the month's rent
// charges in the ledger, go-live charges included; AppsUnpaid the apps still in
// arrears for it.
type billingRunJSON struct {
	Month       string     `json:"month"`
	Status      string     `json:"status"`
	WorkflowID  string     `json:"workflow_id"`
	StartedBy   string     `json:"started_by"`
	AppsCharged int64      `json:"apps_charged"`
	AppsUnpaid  int64      `json:"apps_unpaid"`
	BillsIssued int32      `json:"bills_issued"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// maxBillingRunMonthsBack is how far back a run may be started: older months were
// charged long ago or predate the console.
const maxBillingRunMonthsBack = 12

type startBillingRunRequest struct {
	Month string `json:"month"`
}

func (s *Server) startBillingRun(w http.ResponseWriter, r *http.Request) error {
	var req startBillingRunRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	start, err := billing.ParseMonth("month", req.Month)
	if err != nil {
		return err
	}
	current := ledger.Month(s.now())
	if req.Month > current {
		return apperr.Field("month", "must not be after the current Beijing month")
	}
	if first, _ := billing.ParseMonth("month", current); start.Before(
		first.AddDate(0, -maxBillingRunMonthsBack, 0)) {
		return apperr.Field("month", fmt.Sprintf(
			"must be at most %d months before the current Beijing month", maxBillingRunMonthsBack))
	}

	workflowID := workflows.BillingRunWorkflowID(s.cfg.TaskQueue, req.Month)
	operator := caller(r.Context()).SID
	err = s.store.InTx(r.Context(), func(q *db.Queries, _ pgxTx) error {
		if err := q.CreateBillingRun(r.Context(), db.CreateBillingRunParams{
			Month: req.Month, StartedBy: operator,
		}); err != nil {
			return err
		}
		return wfstart.Enqueue(r.Context(), q, wfstart.Request{
			WorkflowID:   workflowID,
			WorkflowType: workflows.BillingRunType,
			TaskQueue:    s.cfg.TaskQueue,
			Input:        workflows.BillingRunInput{Month: req.Month, StartedBy: operator},
			BizStatus:    "running",
			Summary:      "IVR fee run " + req.Month,
		})
	})
	if err != nil {
		return err
	}
	logger(r.Context(), s.log).Info("billing run requested", "month", req.Month)
	s.kick(r.Context(), workflowID)
	run, err := s.billingRun(r, req.Month)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, run)
	return nil
}

func (s *Server) getBillingRun(w http.ResponseWriter, r *http.Request) error {
	month := chi.URLParam(r, "month")
	if _, err := billing.ParseMonth("month", month); err != nil {
		return err
	}
	run, err := s.billingRun(r, month)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}

func (s *Server) billingRun(r *http.Request, month string) (billingRunJSON, error) {
	row, err := s.store.GetBillingRun(r.Context(), month)
	if err != nil {
		return billingRunJSON{}, db.NotFound(err, "billing run")
	}
	charged, err := s.store.CountIVRAppRentCharges(r.Context(), month)
	if err != nil {
		return billingRunJSON{}, err
	}
	unpaid, err := s.store.CountOpenIVRRentArrears(r.Context(), month)
	if err != nil {
		return billingRunJSON{}, err
	}
	return billingRunJSON{Month: row.Month, Status: row.Status,
		WorkflowID: workflows.BillingRunWorkflowID(s.cfg.TaskQueue, month), StartedBy: row.StartedBy,
		AppsCharged: charged, AppsUnpaid: unpaid, BillsIssued: row.BillsIssued,
		CreatedAt: row.CreatedAt, CompletedAt: row.CompletedAt}, nil
}
