package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// clearOrphanPostgres stops what an earlier process left running on the
// cluster: its postmaster (fast shutdown), then any of the postmaster's
// children that outlived it, which would keep a new postmaster from starting.
// It removes a postmaster.pid whose process ID now belongs to another process
// or to a zombie, which PostgreSQL would take for a live postmaster.
func clearOrphanPostgres(ctx context.Context, dataDir string, log *slog.Logger) error {
	realData, err := filepath.EvalSymlinks(dataDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resolving data directory: %w", err)
	}
	pidFile := filepath.Join(realData, "postmaster.pid")

	pid := readPIDFile(pidFile)
	if pid != 0 && isClusterProcess(pid, realData) {
		log.Warn("stopping orphan postmaster left by an earlier run", "pid", pid,
			"data_dir", realData)
		running := func() bool { return isClusterProcess(pid, realData) }
		if err := stopPID(ctx, pid, syscall.SIGINT, time.Minute, running); err != nil {
			return fmt.Errorf("stopping orphan postmaster: %w", err)
		}
	}

	// Without a postmaster, its children notice and exit within a second or
	// so; give them a little longer, then kill them.
	leftovers := func() []int {
		pids, _ := processesIn(realData)
		var ours []int
		for _, p := range pids {
			if isClusterProcess(p, realData) {
				ours = append(ours, p)
			}
		}
		return ours
	}
	if pids := leftovers(); len(pids) > 0 {
		log.Warn("waiting for orphan postgres processes to exit", "pids", pids)
		if !waitUntil(ctx, 5*time.Second, func() bool { return len(leftovers()) == 0 }) {
			for _, p := range leftovers() {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			waitUntil(context.WithoutCancel(ctx), 5*time.Second,
				func() bool { return len(leftovers()) == 0 })
		}
	}

	if pid != 0 && pidExists(pid) && !isClusterProcess(pid, realData) {
		log.Info("removing stale postmaster.pid", "pid", pid)
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing stale postmaster.pid: %w", err)
		}
	}
	return nil
}

// isClusterProcess reports whether pid is a running PostgreSQL process of the
// cluster in dataDir (a path free of symbolic links). Without /proc it cannot
// check the directory and settles for the program's name.
func isClusterProcess(pid int, dataDir string) bool {
	if !processRunning(pid) {
		return false
	}
	args, err := processArgs(pid)
	if err != nil || len(args) == 0 {
		return false
	}
	// A postmaster's children rewrite their command line to "postgres: ...".
	name := filepath.Base(args[0])
	if !strings.HasPrefix(name, "postgres") && !strings.HasPrefix(name, "postmaster") {
		return false
	}
	cwd, err := processDir(pid)
	if errors.Is(err, errors.ErrUnsupported) {
		return true
	}
	return err == nil && filepath.Clean(cwd) == dataDir
}
