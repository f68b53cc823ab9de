package db

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PlannedPerCall returns the queries over db with every statement planned for the
// values of its own call.
//
// Queries with optional filters ("coalesce(@from, '-infinity')") and a LIMIT are
// prepared statements by default, and after five runs Postgres may settle on one
// generic plan for all values. It cannot estimate a range whose ends it does not
// know, so such a plan for the call record list reads and sorts every record of the
// account instead of walking the index to the first page. A statement executed
// unnamed, with its description cached, costs the same round trip and is planned
// with the call's values each time.
func PlannedPerCall(db DBTX) *Queries {
	return New(perCallPlans{db})
}

type perCallPlans struct{ db DBTX }

// withMode puts pgx's execution mode in front of the arguments, where pgx looks for
// it.
func withMode(args []any) []any {
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

func (p perCallPlans) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag,
	error) {
	return p.db.Exec(ctx, sql, withMode(args)...)
}

func (p perCallPlans) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.db.Query(ctx, sql, withMode(args)...)
}

func (p perCallPlans) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.db.QueryRow(ctx, sql, withMode(args)...)
}
