package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/yiyun-console/console/internal/devenv"
	"github.com/yiyun-console/console/internal/wfstart"
)

var (
	serversOnce sync.Once
	serversErr  error
	stopServers = func() {}
)

// ensureServers starts private Postgres and Temporal servers for this test binary
// when DATABASE_URL or TEMPORAL_ADDRESS is not set.
func ensureServers() error {
	serversOnce.Do(func() { serversErr = startServers() })
	return serversErr
}

func startServers() error {
	if os.Getenv("DATABASE_URL") != "" && os.Getenv("TEMPORAL_ADDRESS") != "" {
		return nil
	}
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	dir, err := os.MkdirTemp("", "console-testenv-")
	if err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	var stops []func()
	stopServers = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		os.RemoveAll(dir)
	}
	if os.Getenv("DATABASE_URL") == "" {
		pg, err := devenv.StartPostgres(ctx, devenv.PostgresOptions{
			Dir: filepath.Join(dir, "postgres"), Fast: true, Logger: log,
		})
		if err != nil {
			return fmt.Errorf("starting postgres for tests: %w", err)
		}
		stops = append(stops, func() { _ = pg.Stop(context.Background()) })
		os.Setenv("DATABASE_URL", pg.URL)
	}
	if os.Getenv("TEMPORAL_ADDRESS") == "" {
		bin, err := devenv.FindTemporalCLI(ctx, toolsDir(), true, log)
		if err != nil {
			return err
		}
		tp, err := devenv.StartTemporal(ctx, devenv.TemporalOptions{
			Binary: bin, Headless: true, SearchAttributes: wfstart.SearchAttributes,
			Logger: log,
		})
		if err != nil {
			return fmt.Errorf("starting temporal for tests: %w", err)
		}
		stops = append(stops, func() { _ = tp.Stop(context.Background()) })
		os.Setenv("TEMPORAL_ADDRESS", tp.Address)
	}
	return nil
}

// toolsDir is the repository's .tools folder, found from the working directory.
func toolsDir() string {
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".tools")
		}
	}
	return filepath.Join(dir, ".tools")
}

// Main runs a test binary's tests and stops the servers it started, if any. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	stopServers()
	os.Exit(code)
}
