package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// runWithDeps runs a command with Postgres and Temporal servers of its own, which it
// stops afterwards; DATABASE_URL and TEMPORAL_ADDRESS, when set, are used instead.
// The test command uses it: usage is `console with-deps -- go test ./...`.
func runWithDeps(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, fs, err := loadConfig("with-deps", args, stderr)
	if err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return errors.New("usage: console with-deps -- command [args]")
	}
	log := newLogger(stderr, cfg.LogLevel)
	dir, err := os.MkdirTemp("", "console-deps-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	tools, err := filepath.Abs(".tools")
	if err != nil {
		return err
	}
	d, err := startDeps(ctx, &cfg, log, depOptions{dir: dir, toolsDir: tools})
	if err != nil {
		return err
	}
	defer d.stop(log)

	cmd := exec.CommandContext(ctx, rest[0], rest[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+cfg.DatabaseURL,
		"TEMPORAL_ADDRESS="+cfg.TemporalAddress,
	)
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s exited with status %d", rest[0], exit.ExitCode())
	}
	return err
}
