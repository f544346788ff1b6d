package db

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

func openPostgres(dsn string, opt Options) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(opt.MaxConns)
	p.SetMaxIdleConns(opt.MaxConns)
	return &DB{dialect: Postgres, write: p, read: p}, nil
}

// postgresRetryable reports errors after which the whole transaction may simply run again:
// serialization failures and deadlocks.
func postgresRetryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
}

func postgresUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
