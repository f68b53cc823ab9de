package devenv

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testLogger returns a logger that writes to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// needTemporal returns the temporal CLI, or skips the test when there is none.
func needTemporal(t *testing.T) string {
	t.Helper()
	binary, err := FindTemporalCLI(t.Context(), "", false, nil)
	if err != nil {
		t.Skipf("no temporal cli (set TEMPORAL_CLI to run this test): %v", err)
	}
	return binary
}

// startTemporal starts a server and stops it at the end of the test.
func startTemporal(t *testing.T, opts TemporalOptions) *Temporal {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	began := time.Now()
	tp, err := StartTemporal(ctx, opts)
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	t.Logf("temporal started in %s at %s", time.Since(began).Round(time.Millisecond), tp.Address)
	t.Cleanup(func() {
		if err := tp.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return tp
}

// cli runs a temporal client command against tp and returns its output.
func cli(t *testing.T, binary string, tp *Temporal, args ...string) string {
	t.Helper()
	out, err := temporalCLI(t.Context(), binary, tp.Address, tp.Namespace, args...)
	if err != nil {
		t.Fatalf("temporal %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestTemporalInMemory starts a server the way the test runner does.
func TestTemporalInMemory(t *testing.T) {
	binary := needTemporal(t)
	t.Parallel()
	logFile := filepath.Join(t.TempDir(), "logs", "temporal.log")

	tp := startTemporal(t, TemporalOptions{
		Binary:           binary,
		Namespace:        "console",
		SearchAttributes: map[string]string{"AccountId": "Keyword", "Attempt": "Int"},
		Logger:           testLogger(t),
		LogFile:          logFile,
	})
	if !strings.HasPrefix(tp.Address, "127.0.0.1:") || !strings.HasPrefix(tp.UIURL,
		"http://127.0.0.1:") {
		t.Errorf("Address %q UIURL %q, want loopback", tp.Address, tp.UIURL)
	}
	attrs := cli(t, binary, tp, "operator", "search-attribute", "list")
	for _, want := range []string{"AccountId", "Attempt"} {
		if !strings.Contains(attrs, want) {
			t.Errorf("search attribute %s missing:\n%s", want, attrs)
		}
	}

	resp, err := http.Get(tp.UIURL)
	if err != nil {
		t.Fatalf("UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("UI answered %s", resp.Status)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := tp.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if dialable(tp.Address) {
		t.Errorf("%s still open after Stop", tp.Address)
	}
	if fi, err := os.Stat(logFile); err != nil || fi.Size() == 0 {
		t.Errorf("log file empty or missing: %v", err)
	}
}

// TestTemporalPersistsAndReplacesOrphan starts a server on a database file,
// starts a workflow, then starts a second server on the same file and ports
// without stopping the first, as a restarted dev mode would after a crash.
func TestTemporalPersistsAndReplacesOrphan(t *testing.T) {
	binary := needTemporal(t)
	t.Parallel()
	dbFile := filepath.Join(t.TempDir(), "state", "temporal.db")
	opts := TemporalOptions{
		Binary:           binary,
		DBFile:           dbFile,
		Headless:         true,
		SearchAttributes: map[string]string{"AccountId": "Keyword"},
		Logger:           testLogger(t),
	}

	first := startTemporal(t, opts)
	if pid := readPIDFile(dbFile + ".pid"); pid != first.proc.pid() {
		t.Errorf("pid file holds %d, want %d", pid, first.proc.pid())
	}
	if first.UIURL != "" {
		t.Errorf("headless server has UIURL %q", first.UIURL)
	}
	cli(t, binary, first, "workflow", "start", "--type", "Nothing", "--task-queue", "nobody",
		"--workflow-id", "survivor", "--search-attribute", `AccountId="acct-1"`)

	// A second owner is turned away while the first runs.
	if _, err := StartTemporal(t.Context(), opts); !errors.Is(err, ErrInUse) {
		t.Errorf("second StartTemporal on a running database: %v, want ErrInUse", err)
	}

	// Same ports, same file, one more search attribute; the first server is
	// still running but its owner's lock is gone, as if the owner had died
	// (and no parent-death signal had come, as outside Linux).
	first.pidFile.Close()
	first.pidFile = nil
	_, port, _ := strings.Cut(first.Address, ":")
	opts.Port, _ = strconv.Atoi(port)
	opts.SearchAttributes = map[string]string{"AccountId": "Keyword", "AppId": "Keyword"}
	second := startTemporal(t, opts)
	select {
	case <-first.proc.done:
	default:
		t.Fatal("orphan server still running")
	}
	if second.Address != first.Address {
		t.Errorf("Address = %q, want %q", second.Address, first.Address)
	}

	desc := cli(t, binary, second, "workflow", "describe", "--workflow-id", "survivor",
		"--output", "json")
	if !strings.Contains(desc, "WORKFLOW_EXECUTION_STATUS_RUNNING") {
		t.Errorf("workflow not found running after restart:\n%s", desc)
	}
	if attrs := cli(t, binary, second, "operator", "search-attribute", "list"); !strings.Contains(
		attrs, "AppId") {
		t.Errorf("search attribute added on restart missing:\n%s", attrs)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := second.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if pid := readPIDFile(dbFile + ".pid"); pid != 0 {
		t.Errorf("pid file holds %d after Stop, want it empty", pid)
	}

	// A parent killed outright: the server goes down with it, leaving its pid
	// file behind, and the next start finds the workflow.
	killParentOf(t, "temporal", dbFile, binary)
	third := startTemporal(t, opts)
	desc = cli(t, binary, third, "workflow", "describe", "--workflow-id", "survivor",
		"--output", "json")
	if !strings.Contains(desc, "WORKFLOW_EXECUTION_STATUS_RUNNING") {
		t.Errorf("workflow not found running after the parent died:\n%s", desc)
	}
}

// TestFindTemporalCLI checks the order FindTemporalCLI looks in, without
// installing anything.
func TestFindTemporalCLI(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-temporal")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tools := filepath.Join(dir, "tools")
	if err := os.Mkdir(tools, 0o755); err != nil {
		t.Fatal(err)
	}

	t.Setenv("TEMPORAL_CLI", fake)
	if got, err := FindTemporalCLI(ctx, tools, false, nil); err != nil || got != fake {
		t.Errorf("with TEMPORAL_CLI: %q, %v; want %q", got, err, fake)
	}
	t.Setenv("TEMPORAL_CLI", notExec)
	if _, err := FindTemporalCLI(ctx, tools, false, nil); err == nil {
		t.Error("TEMPORAL_CLI naming a non-executable file: no error")
	}

	// Nothing on PATH, nothing in tools, no install: an error.
	t.Setenv("TEMPORAL_CLI", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := FindTemporalCLI(ctx, tools, false, nil); err == nil {
		t.Error("no cli anywhere: no error")
	}
	if _, err := FindTemporalCLI(ctx, "", true, nil); err == nil {
		t.Error("install without a tools directory: no error")
	}

	inTools := filepath.Join(tools, "temporal")
	if err := os.WriteFile(inTools, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindTemporalCLI(ctx, tools, false, nil); err != nil || got != inTools {
		t.Errorf("in tools: %q, %v; want %q", got, err, inTools)
	}

	onPath := filepath.Join(t.TempDir(), "temporal")
	if err := os.WriteFile(onPath, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Dir(onPath))
	if got, err := FindTemporalCLI(ctx, tools, false, nil); err != nil || got != onPath {
		t.Errorf("on PATH: %q, %v; want %q", got, err, onPath)
	}
}
