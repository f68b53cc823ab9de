package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/app"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/ledger"
)

// loadConfig parses a command's flags over the environment.
func loadConfig(name string, args []string, stderr io.Writer) (config.Config, *flag.FlagSet, error) {
	cfg := config.Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, nil)
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.HTTPAddr
	}
	return cfg, fs, nil
}

func connect(ctx context.Context, name string, args []string, stderr io.Writer) (*app.App, error) {
	cfg, _, err := loadConfig(name, args, stderr)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := newLogger(stderr, cfg.LogLevel)
	log.Info("configuration", "config", cfg)
	return app.Connect(ctx, cfg, log)
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	a, err := connect(ctx, "serve", args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, a.API(api.Deps{}).Handler())
}

func runWorker(ctx context.Context, args []string, stderr io.Writer) error {
	a, err := connect(ctx, "worker", args, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.RunWorker(ctx, a.Activities())
}

func runMigrate(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, _, err := loadConfig("migrate", args, stderr)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("DATABASE_URL is not set")
	}
	log := newLogger(stderr, cfg.LogLevel)
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool, log)
}

func runLedgerCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("ledger-check", args, stderr)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	n, bad, err := ledger.Check(ctx, queries(pool))
	if err != nil {
		return err
	}
	for _, m := range bad {
		fmt.Fprintf(stdout, "MISMATCH account %s: balance %s, ledger sum %s\n",
			m.AccountSID, m.Balance, m.LedgerSum)
	}
	fmt.Fprintf(stdout, "%d accounts checked, %d mismatched\n", n, len(bad))
	if len(bad) > 0 {
		os.Exit(2)
	}
	return nil
}
