package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yiyun-console/console/db"
)

func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return db.Open(ctx, url, 4)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	n, err := db.Migrate(ctx, pool, log)
	if err == nil {
		log.Info("schema is current", "applied", n)
	}
	return err
}

func queries(pool *pgxpool.Pool) *db.Queries { return db.New(pool) }
