package devenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// loopback is the only address the servers listen on and are reached at.
const loopback = "127.0.0.1"

// child is a server process started by this package. A goroutine waits on it
// from the moment it starts, so it is reaped as soon as it exits.
type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // the result of cmd.Wait, set before done is closed
}

// startChild starts cmd with the parent-death signal deathSig (on Linux) and
// its own process group, so that a Ctrl-C in the terminal reaches this process
// only and the servers are stopped in order by their Stop methods.
func startChild(cmd *exec.Cmd, deathSig syscall.Signal) (*child, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setDeathSignal(cmd.SysProcAttr, deathSig)

	c := &child{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The kernel sends the parent-death signal when the thread that forked
		// the child exits, not when the process does. Lock this goroutine to
		// its thread until the child is gone, so the Go runtime cannot retire
		// the thread under a running server. The thread exits with the
		// goroutine, which is harmless then.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// pid returns the child's process ID.
func (c *child) pid() int {
	return c.cmd.Process.Pid
}

// exited reports whether the child has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends sig to the child and waits for it to exit. When ctx ends first,
// it kills the child and still waits, for a few seconds at most, for it to go.
func (c *child) stop(ctx context.Context, sig syscall.Signal) error {
	if c.exited() {
		return nil
	}
	if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signalling pid %d: %w", c.pid(), err)
	}
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	}

	_ = c.cmd.Process.Kill()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
	}
	return fmt.Errorf("waiting for pid %d to exit, killed it: %w", c.pid(), ctx.Err())
}

// stopPID stops a process this process did not start (an orphan of an earlier
// run): it sends sig, waits up to grace for running to turn false, then sends
// SIGKILL and waits a few seconds more.
func stopPID(ctx context.Context, pid int, sig syscall.Signal, grace time.Duration,
	running func() bool) error {
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signalling pid %d: %w", pid, err)
	}
	if waitUntil(ctx, grace, func() bool { return !running() }) {
		return nil
	}

	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing pid %d: %w", pid, err)
	}
	if waitUntil(context.WithoutCancel(ctx), 5*time.Second, func() bool { return !running() }) {
		return nil
	}
	return fmt.Errorf("pid %d still running after SIGKILL", pid)
}

// ErrInUse is returned, wrapped, by StartPostgres and StartTemporal when
// another live process runs the cluster or the server on the same files.
var ErrInUse = errors.New("in use by another running process")

// lockOwner opens path and takes an exclusive flock(2) on it, for the process
// that runs a server to hold for as long as it runs it. The kernel drops the
// lock when the process dies, however it dies, so a server found running while
// nobody holds its lock is an orphan, and one found with the lock held belongs
// to a live process (ErrInUse). Files opened by Go are closed on exec, so the
// server itself never holds the lock.
//
// The file is never removed: a process that opened it just before the removal
// would lock a file no one else can see.
func lockOwner(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return f, nil
}

// cleanupContext returns a context for stopping a server after a failed
// start: it outlives ctx's cancellation, but not by more than a few seconds.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// waitUntil polls cond until it holds (true), or timeout passes or ctx ends
// (false).
func waitUntil(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pidExists reports whether a process with this ID exists, zombie or not.
func pidExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// readPIDFile returns the process ID on the first line of path, or 0 when the
// file is missing or holds no valid ID.
func readPIDFile(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// freePorts returns n distinct TCP ports that are free on the loopback address
// right now. All listeners stay open until the end, so the ports differ.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("picking a free port: %w", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// portFree reports whether port can be listened on at the loopback address.
func portFree(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// dialable reports whether something accepts TCP connections on addr.
func dialable(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// cleanEnv returns this process's environment without the variables whose
// names start with one of prefixes, so that an operator's PGHOST or
// TEMPORAL_ADDRESS cannot point a child somewhere else, plus extra.
func cleanEnv(prefixes []string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				keep = false
				break
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// tailBuffer keeps the last bytes written to it, for error messages.
type tailBuffer struct {
	mu   sync.Mutex
	max  int
	data []byte
}

// newTailBuffer returns a tailBuffer that keeps the last max bytes.
func newTailBuffer(max int) *tailBuffer {
	return &tailBuffer{max: max}
}

// Write implements io.Writer.
func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data = append(b.data, p...)
	if over := len(b.data) - b.max; over > 0 {
		b.data = append(b.data[:0], b.data[over:]...)
	}
	return len(p), nil
}

// String returns the kept bytes, trimmed, starting at a line boundary.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return lastLines(b.data, len(b.data))
}

// lastLines returns the end of data, at most max bytes and cut at a line
// start, trimmed of surrounding space.
func lastLines(data []byte, max int) string {
	if len(data) > max {
		data = data[len(data)-max:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	return strings.TrimSpace(string(data))
}

// withOutput appends the server output out to err's message, when there is
// any, so that a failed start says why without a trip to the log file.
func withOutput(err error, out string) error {
	if out == "" {
		return err
	}
	return fmt.Errorf("%w\n--- server output ---\n%s", err, out)
}

// orDiscard returns log, or a logger that drops everything when log is nil.
func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
