package devenv

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Environment variables that turn the test binary into a helper parent: it
// starts one server, prints the server's process ID and waits to be killed.
const (
	helperEnv       = "DEVENV_TEST_HELPER" // "postgres" or "temporal"
	helperDirEnv    = "DEVENV_TEST_DIR"    // the cluster directory or DB file
	helperBinaryEnv = "DEVENV_TEST_BINARY" // the temporal CLI
)

// TestMain runs the tests, or plays the helper parent.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "" {
		os.Exit(m.Run())
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var pid int
	switch os.Getenv(helperEnv) {
	case "postgres":
		p, err := StartPostgres(ctx, PostgresOptions{Dir: os.Getenv(helperDirEnv)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pid = p.proc.pid()
	case "temporal":
		tp, err := StartTemporal(ctx, TemporalOptions{
			Binary:   os.Getenv(helperBinaryEnv),
			DBFile:   os.Getenv(helperDirEnv),
			Headless: true,
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pid = tp.proc.pid()
	}
	fmt.Println(pid)
	time.Sleep(time.Hour)
}

// killParentOf runs the helper parent for server (see TestMain), kills it
// with SIGKILL once the server is up, and checks that the server, which gets
// a parent-death signal, exits on its own.
func killParentOf(t *testing.T, server, dir, binary string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+server, helperDirEnv+"="+dir,
		helperBinaryEnv+"="+binary)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper parent for %s: %v", server, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || !processRunning(pid) {
		t.Fatalf("helper parent for %s printed %q", server, line)
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	gone := waitUntil(t.Context(), 20*time.Second, func() bool { return !processRunning(pid) })
	if !gone {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("%s (pid %d) still running 20s after its parent was killed", server, pid)
	}
}
