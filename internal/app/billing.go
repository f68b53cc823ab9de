package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

// BillingScheduleID is the ID of the Temporal Schedule that starts each month's IVR
// fee run on a task queue.
func BillingScheduleID(taskQueue string) string { return "billing-monthly/" + taskQueue }

// EnsureBillingSchedule creates, once, the Temporal Schedule that starts the IVR fee
// run of each Beijing month at 00:00 Beijing time on the 1st. A schedule that exists
// already is kept.
func EnsureBillingSchedule(ctx context.Context, tc client.Client, taskQueue string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	id := BillingScheduleID(taskQueue)
	_, err := tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: id,
		Spec: client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{
				Second:     []client.ScheduleRange{{Start: 0}},
				Minute:     []client.ScheduleRange{{Start: 0}},
				Hour:       []client.ScheduleRange{{Start: 0}},
				DayOfMonth: []client.ScheduleRange{{Start: 1}},
				Month:      []client.ScheduleRange{{Start: 1, End: 12}},
				DayOfWeek:  []client.ScheduleRange{{Start: 0, End: 6}},
				Comment:    "00:00 Beijing time on the 1st",
			}},
			TimeZoneName: "Asia/Shanghai",
		},
		Action: &client.ScheduleWorkflowAction{
			ID:        "billing-schedule",
			Workflow:  workflows.BillingSchedule,
			TaskQueue: taskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				wfstart.BizStatusKey.ValueSet("scheduled")),
		},
		CatchupWindow: 7 * 24 * time.Hour,
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating schedule %s: %w", id, err)
	}
	return nil
}
