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

// RetentionScheduleID is the ID of the Temporal Schedule that purges old
// Idempotency-Keys each day on a task queue.
func RetentionScheduleID(taskQueue string) string { return "idempotency-retention/" + taskQueue }

// EnsureBillingSchedule creates, once, the Temporal Schedule that starts the IVR fee
// run of each Beijing month at 00:00 Beijing time on the 1st. A schedule that exists
// already is kept.
func EnsureBillingSchedule(ctx context.Context, tc client.Client, taskQueue string) error {
	return ensureSchedule(ctx, tc, client.ScheduleOptions{
		ID: BillingScheduleID(taskQueue),
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
}

// EnsureRetentionSchedule creates, once, the Temporal Schedule that deletes the
// Idempotency-Keys older than their retention at 04:00 Beijing time each day.
func EnsureRetentionSchedule(ctx context.Context, tc client.Client, taskQueue string) error {
	return ensureSchedule(ctx, tc, client.ScheduleOptions{
		ID: RetentionScheduleID(taskQueue),
		Spec: client.ScheduleSpec{
			Calendars: []client.ScheduleCalendarSpec{{
				Second:     []client.ScheduleRange{{Start: 0}},
				Minute:     []client.ScheduleRange{{Start: 0}},
				Hour:       []client.ScheduleRange{{Start: 4}},
				DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}},
				Month:      []client.ScheduleRange{{Start: 1, End: 12}},
				DayOfWeek:  []client.ScheduleRange{{Start: 0, End: 6}},
				Comment:    "04:00 Beijing time every day",
			}},
			TimeZoneName: "Asia/Shanghai",
		},
		Action: &client.ScheduleWorkflowAction{
			ID:        "idempotency-key-purge",
			Workflow:  workflows.IdempotencyKeyPurge,
			TaskQueue: taskQueue,
			TypedSearchAttributes: temporal.NewSearchAttributes(
				wfstart.BizStatusKey.ValueSet("scheduled")),
		},
		CatchupWindow: 24 * time.Hour,
	})
}

// ensureSchedule creates a schedule unless one with its ID exists.
func ensureSchedule(ctx context.Context, tc client.Client, opts client.ScheduleOptions) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := tc.ScheduleClient().Create(ctx, opts)
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating schedule %s: %w", opts.ID, err)
	}
	return nil
}
