package activities_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/yiyun-console/console/internal/app"
	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/workflows"
)

// TestIdempotencyKeyPurge runs the retention workflow on the real stack: keys older
// than the retention go, in batches, and younger ones stay; the daily schedule that
// starts it is created once.
func TestIdempotencyKeyPurge(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	ctx := context.Background()
	old := time.Now().Add(-workflows.IdempotencyKeyRetention - time.Hour)
	young := time.Now().Add(-workflows.IdempotencyKeyRetention + time.Hour)
	// More old keys than one batch deletes, so the activity has to loop.
	_, err := env.Store().Pool.Exec(ctx, `
		INSERT INTO idempotency_keys (account_sid, key, route, request_hash, status_code,
		    response_body, created_at)
		SELECT $1, 'old-' || g, 'POST /v1/tickets', '\x00'::bytea, 201, '{}'::bytea, $2::timestamptz
		FROM generate_series(1, 5003) g
		UNION ALL
		SELECT $1, 'young-' || g, 'POST /v1/tickets', '\x00'::bytea, 201, '{}'::bytea, $3::timestamptz
		FROM generate_series(1, 7) g`, dev.SID, old, young)
	if err != nil {
		t.Fatal(err)
	}

	run, err := env.App.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "idempotency-key-purge-test", TaskQueue: env.Config.TaskQueue,
	}, workflows.IdempotencyKeyPurge)
	if err != nil {
		t.Fatal(err)
	}
	var deleted int64
	if err := run.Get(ctx, &deleted); err != nil {
		t.Fatal(err)
	}
	var left, leftOld int
	if err := env.Store().Pool.QueryRow(ctx, `SELECT count(*),
		count(*) FILTER (WHERE key LIKE 'old-%') FROM idempotency_keys`).Scan(&left,
		&leftOld); err != nil {
		t.Fatal(err)
	}
	if deleted != 5003 || left != 7 || leftOld != 0 {
		t.Errorf("deleted %d, left %d (%d old); want 5003 deleted and the 7 young kept",
			deleted, left, leftOld)
	}

	for range 2 { // the second call finds the schedule and keeps it
		if err := app.EnsureRetentionSchedule(ctx, env.App.Temporal, env.Config.TaskQueue); err != nil {
			t.Fatal(err)
		}
	}
	h := env.App.Temporal.ScheduleClient().GetHandle(ctx, app.RetentionScheduleID(env.Config.TaskQueue))
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.TaskQueue != env.Config.TaskQueue {
		t.Errorf("schedule action: %+v", desc.Schedule.Action)
	}
	_ = h.Delete(ctx)
}
