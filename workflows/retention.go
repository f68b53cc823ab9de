package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/yiyun-console/console/activities"
)

func init() { all = append(all, IdempotencyKeyPurge) }

// IdempotencyKeyRetention is how long an Idempotency-Key answers its first request
// again; after it, the key may be used for another request.
const IdempotencyKeyRetention = 30 * 24 * time.Hour

// IdempotencyKeyPurge deletes the Idempotency-Keys older than the retention. A daily
// Temporal Schedule starts it.
func IdempotencyKeyPurge(ctx workflow.Context) (int64, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	var deleted int64
	before := workflow.Now(ctx).Add(-IdempotencyKeyRetention)
	err := workflow.ExecuteActivity(ctx, a.PurgeIdempotencyKeys, before).Get(ctx, &deleted)
	return deleted, err
}
