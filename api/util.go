package api

import (
	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
)

func isNoRows(err error) bool { return db.IsNoRows(err) }

type pgxTx = pgx.Tx
