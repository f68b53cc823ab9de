package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/wfstart"
)

func init() {
	all = append(all, TicketAutoClose)
}

// TicketAutoCloseID is the workflow ID of a ticket's auto-close process.
func TicketAutoCloseID(ticketID string) string { return "ticket-auto-close/" + ticketID }

// TicketAutoCloseInput names the ticket.
type TicketAutoCloseInput struct {
	TicketID string
}

// TicketAutoCloseResult is how the process ended.
type TicketAutoCloseResult struct {
	Status string
}

// ticketRecheck is how often the process looks at a ticket that is not due to close.
const ticketRecheck = 24 * time.Hour

// ticketChecksPerRun bounds one run's history; the process then continues as new.
const ticketChecksPerRun = 100

// TicketAutoClose closes a ticket that has had no activity for 7 days after a staff
// reply. It is started with the ticket and ends when the ticket is closed.
//
// Why a timer per ticket rather than a sweep or signals: every open ticket is then
// visible, with its next check, in the Temporal UI, and nothing has to tell the
// process about replies, so no lost signal can keep a ticket open. It reads the
// ticket itself once a day; when staff replied last and the 7 days end within the
// day, it sleeps exactly until then and closes the ticket unless something happened
// meanwhile (the activity compares the time of the last activity, so a later reply
// simply moves the deadline).
func TicketAutoClose(ctx workflow.Context, in TicketAutoCloseInput) (TicketAutoCloseResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	for range ticketChecksPerRun {
		var st activities.TicketIdleState
		err := workflow.ExecuteActivity(ctx, a.CheckTicketIdle, in.TicketID,
			workflow.Now(ctx)).Get(ctx, &st)
		if err != nil {
			return TicketAutoCloseResult{}, err
		}
		_ = workflow.UpsertTypedSearchAttributes(ctx, wfstart.BizStatusKey.ValueSet(st.Status))
		if st.Closed {
			return TicketAutoCloseResult{Status: st.Status}, nil
		}
		wait := ticketRecheck
		if st.CloseAt != nil {
			wait = max(min(st.CloseAt.Sub(workflow.Now(ctx)), wait), time.Second)
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			return TicketAutoCloseResult{}, err
		}
	}
	return TicketAutoCloseResult{}, workflow.NewContinueAsNewError(ctx, TicketAutoClose, in)
}
