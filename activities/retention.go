package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/yiyun-console/console/db"
)

// purgeBatch bounds one delete of the retention job, so that no statement holds
// locks for long.
const purgeBatch = 5000

// PurgeIdempotencyKeys deletes the Idempotency-Keys created before before, batch by
// batch, and returns how many it deleted. Run again, it deletes what is left.
func (a *Activities) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		n, err := a.Store.PurgeIdempotencyKeys(ctx, db.PurgeIdempotencyKeysParams{
			Before: before, MaxRows: purgeBatch,
		})
		if err != nil {
			return total, fmt.Errorf("purging idempotency keys: %w", err)
		}
		total += n
		if n < purgeBatch {
			a.Log.Info("idempotency keys purged", "before", before, "deleted", total)
			return total, nil
		}
		activity.RecordHeartbeat(ctx, total)
	}
}
