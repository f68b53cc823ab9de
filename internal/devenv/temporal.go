package devenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	temporalDefaultNamespace = "default"
	temporalReadyTimeout     = time.Minute
	temporalProbeTimeout     = 5 * time.Second
)

// Temporal is a Temporal dev server (`temporal server start-dev`).
type Temporal struct {
	// Address is the server's gRPC endpoint, like 127.0.0.1:7233.
	Address string

	// UIURL is the web UI's base URL, like http://127.0.0.1:8233; it is empty
	// when the server runs headless.
	UIURL string

	// Namespace is the namespace the server was started for.
	Namespace string

	proc    *child
	output  *tailBuffer // the end of the server's output, for errors
	pidFile *os.File    // locked, see lockOwner; nil when the state is in memory
	logFile *os.File
	log     *slog.Logger

	mu      sync.Mutex // guards stopped
	stopped bool
}

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	// Binary is the path of the temporal CLI. When empty, FindTemporalCLI
	// looks for it, with ToolsDir, but does not install it.
	Binary string

	// ToolsDir is where FindTemporalCLI looks last when Binary is empty.
	ToolsDir string

	// DBFile is the SQLite file the server keeps its state in, so that
	// workflows survive a restart; its directory is created when missing.
	// When empty, the state lives in memory and dies with the server (tests).
	DBFile string

	// Port is the gRPC port and UIPort the web UI's; 0 picks a free port.
	// Dev mode passes 7233 and 8233.
	Port   int
	UIPort int

	// Headless turns the web UI off.
	Headless bool

	// SearchAttributes maps the name of each custom search attribute to its
	// type (Text, Keyword, Int, Double, Bool, Datetime or KeywordList), like
	// "AccountId": "Keyword". They are registered in Namespace on every start,
	// so one added since the DBFile was created is registered too.
	SearchAttributes map[string]string

	// Namespace is created at launch when missing. The default is "default",
	// which always exists.
	Namespace string

	// LogLevel is the server's log level: debug, info, warn (the default),
	// error or never.
	LogLevel string

	// Logger receives progress and warnings; nil discards them.
	Logger *slog.Logger

	// LogFile receives the server's output, appended; "" discards it.
	LogFile string
}

// StartTemporal starts a Temporal dev server on 127.0.0.1 and returns once it
// answers gRPC requests for the namespace and its search attributes are
// registered.
//
// With a DBFile, the process that starts the server holds a lock on
// DBFile+".pid", which also records the server's process ID, until Stop; the
// kernel releases it if the process dies. StartTemporal fails while another
// live process holds it. A server found running on the DBFile without it,
// left behind by a process that died, is stopped first, so that it no longer
// holds the ports nor the database.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	log := orDiscard(opts.Logger)
	if opts.Namespace == "" {
		opts.Namespace = temporalDefaultNamespace
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "warn"
	}
	began := time.Now()

	binary := opts.Binary
	if binary == "" {
		var err error
		if binary, err = FindTemporalCLI(ctx, opts.ToolsDir, false, log); err != nil {
			return nil, err
		}
	}

	t := &Temporal{Namespace: opts.Namespace, log: log}
	var dbFile string
	if opts.DBFile != "" {
		var err error
		if dbFile, err = filepath.Abs(opts.DBFile); err != nil {
			return nil, fmt.Errorf("resolving temporal database file: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
			return nil, fmt.Errorf("creating temporal database directory: %w", err)
		}
		if t.pidFile, err = lockOwner(dbFile + ".pid"); err != nil {
			return nil, fmt.Errorf("starting temporal on %s: %w", dbFile, err)
		}
	}

	if err := t.run(ctx, binary, dbFile, opts); err != nil {
		cleanupCtx, cancel := cleanupContext(ctx)
		defer cancel()
		_ = t.Stop(cleanupCtx)
		t.release()
		return nil, err
	}
	log.Info("temporal started", "address", t.Address, "ui_url", t.UIURL,
		"namespace", opts.Namespace, "db_file", dbFile, "pid", t.proc.pid(),
		"duration_ms", time.Since(began).Milliseconds())
	return t, nil
}

// Stop asks the server to shut down (SIGTERM) and waits for it to exit. When
// ctx ends first, it kills the server and returns ctx's error. Stop on a
// stopped server does nothing; Stop is safe for concurrent use.
func (t *Temporal) Stop(ctx context.Context) error {
	if t == nil || t.proc == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil
	}
	t.stopped = true
	defer t.release()

	if t.proc.exited() {
		t.log.Warn("temporal had exited before stop", "address", t.Address, "exit", t.proc.err)
		return nil
	}
	if err := t.proc.stop(ctx, syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping temporal: %w", err)
	}
	t.log.Info("temporal stopped", "address", t.Address)
	return nil
}

// run clears away an orphan server, starts the server and waits until it is
// ready.
func (t *Temporal) run(ctx context.Context, binary, dbFile string, opts TemporalOptions) error {
	args := []string{"server", "start-dev", "--ip", loopback, "--log-level", opts.LogLevel}
	if dbFile != "" {
		if err := clearOrphanTemporal(ctx, t.pidFile, dbFile, t.log); err != nil {
			return err
		}
		args = append(args, "--db-filename", dbFile,
			"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
	}
	if opts.Namespace != temporalDefaultNamespace {
		args = append(args, "--namespace", opts.Namespace)
	}
	for _, name := range slices.Sorted(maps.Keys(opts.SearchAttributes)) {
		args = append(args, "--search-attribute", name+"="+opts.SearchAttributes[name])
	}

	port, uiPort, err := temporalPorts(opts.Port, opts.UIPort, opts.Headless)
	if err != nil {
		return err
	}
	t.Address = net.JoinHostPort(loopback, strconv.Itoa(port))
	args = append(args, "--port", strconv.Itoa(port))
	if opts.Headless {
		args = append(args, "--headless")
	} else {
		t.UIURL = "http://" + net.JoinHostPort(loopback, strconv.Itoa(uiPort))
		args = append(args, "--ui-port", strconv.Itoa(uiPort))
	}

	if err := t.start(binary, args, opts.LogFile); err != nil {
		return err
	}
	if err := t.waitReady(ctx, binary); err != nil {
		return err
	}
	return registerSearchAttributes(ctx, binary, t.Address, opts.Namespace,
		opts.SearchAttributes)
}

// release empties the pid file, when it names this server, and lets go of
// it and of the log file.
func (t *Temporal) release() {
	if t.pidFile != nil {
		if t.proc != nil && readPIDFile(t.pidFile.Name()) == t.proc.pid() {
			_ = t.pidFile.Truncate(0)
		}
		t.pidFile.Close()
		t.pidFile = nil
	}
	if t.logFile != nil {
		t.logFile.Close()
		t.logFile = nil
	}
}

// temporalPorts returns the gRPC and UI ports: the ones asked for, which must
// be free, or free ones in their place.
func temporalPorts(port, uiPort int, headless bool) (int, int, error) {
	picked, err := freePorts(2)
	if err != nil {
		return 0, 0, err
	}
	if port == 0 {
		port = picked[0]
	} else if !portFree(port) {
		return 0, 0, fmt.Errorf("starting temporal: port %d on %s is in use", port, loopback)
	}
	if headless {
		return port, 0, nil
	}
	if uiPort == 0 {
		uiPort = picked[1]
		if uiPort == port {
			uiPort = picked[0]
		}
	} else if !portFree(uiPort) {
		return 0, 0, fmt.Errorf("starting temporal: ui port %d on %s is in use", uiPort, loopback)
	}
	return port, uiPort, nil
}

// start runs the server and records its process ID.
func (t *Temporal) start(binary string, args []string, logPath string) error {
	t.output = newTailBuffer(8000)
	var out io.Writer = t.output
	if logPath != "" {
		if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
			return fmt.Errorf("creating temporal log directory: %w", err)
		}
		f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("opening temporal log: %w", err)
		}
		t.logFile = f
		out = io.MultiWriter(f, t.output)
	}

	cmd := exec.Command(binary, args...)
	cmd.Env = cleanEnv([]string{"TEMPORAL_"})
	cmd.Stdout = out
	cmd.Stderr = out
	proc, err := startChild(cmd, syscall.SIGTERM)
	if err != nil {
		return fmt.Errorf("starting temporal: %w", err)
	}
	t.proc = proc

	if t.pidFile != nil {
		if _, err := t.pidFile.WriteAt([]byte(strconv.Itoa(proc.pid())+"\n"), 0); err != nil {
			return fmt.Errorf("writing temporal pid file: %w", err)
		}
	}
	return nil
}

// waitReady waits until the server answers a gRPC request for its namespace
// and, unless headless, the UI accepts connections.
func (t *Temporal) waitReady(ctx context.Context, binary string) error {
	var probeOut string
	ready := waitUntil(ctx, temporalReadyTimeout, func() bool {
		if t.proc.exited() {
			return true
		}
		if !dialable(t.Address) {
			return false
		}
		var err error
		if probeOut, err = temporalCLI(ctx, binary, t.Address, t.Namespace,
			"operator", "namespace", "describe"); err != nil {
			return false
		}
		return t.UIURL == "" || dialable(strings.TrimPrefix(t.UIURL, "http://"))
	})

	switch {
	case t.proc.exited():
		return withOutput(fmt.Errorf("starting temporal: server exited: %v", t.proc.err),
			t.output.String())
	case !ready:
		err := ctx.Err()
		if err == nil {
			err = fmt.Errorf("not ready after %s", temporalReadyTimeout)
		}
		if probeOut != "" {
			err = fmt.Errorf("%w (last probe: %s)", err, probeOut)
		}
		return withOutput(fmt.Errorf("waiting for temporal at %s: %w", t.Address, err),
			t.output.String())
	}
	return nil
}

// registerSearchAttributes registers the custom search attributes missing
// from namespace. The server registers the ones passed at launch only when it
// creates the namespace, which for a DBFile happens once.
func registerSearchAttributes(ctx context.Context, binary, address, namespace string,
	attrs map[string]string) error {
	if len(attrs) == 0 {
		return nil
	}
	out, err := temporalCLI(ctx, binary, address, namespace,
		"operator", "search-attribute", "list", "--output", "json")
	if err != nil {
		return withOutput(fmt.Errorf("listing search attributes: %w", err), out)
	}
	var existing struct {
		CustomAttributes map[string]string `json:"customAttributes"`
	}
	if err := json.Unmarshal([]byte(out), &existing); err != nil {
		return fmt.Errorf("reading search attributes: %w", err)
	}

	// One attribute per call: the CLI pairs each --name with a --type of its
	// own and ignores names beyond the number of types.
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		typ := attrs[name]
		if have, ok := existing.CustomAttributes[name]; ok {
			// "INDEXED_VALUE_TYPE_KEYWORD_LIST" is a "KeywordList".
			short := strings.ReplaceAll(strings.TrimPrefix(have, "INDEXED_VALUE_TYPE_"), "_", "")
			if !strings.EqualFold(short, typ) {
				return fmt.Errorf("search attribute %s is a %s in the database, not a %s",
					name, have, typ)
			}
			continue
		}
		out, err := temporalCLI(ctx, binary, address, namespace,
			"operator", "search-attribute", "create", "--name", name, "--type", typ)
		if err != nil {
			return withOutput(fmt.Errorf("registering search attribute %s: %w", name, err), out)
		}
	}
	return nil
}

// temporalCLI runs a client command of the temporal CLI against the server at
// address, ignoring the operator's own CLI configuration, and returns its
// output.
func temporalCLI(ctx context.Context, binary, address, namespace string,
	args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, temporalProbeTimeout)
	defer cancel()

	args = append(args, "--address", address, "--namespace", namespace, "--tls=false",
		"--disable-config-file", "--disable-config-env",
		"--command-timeout", temporalProbeTimeout.String(), "--color", "never")
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = cleanEnv([]string{"TEMPORAL_"})
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// clearOrphanTemporal stops the server recorded in pidFile when it is still
// running on dbFile: it was left behind by a process that died. It empties
// pidFile.
func clearOrphanTemporal(ctx context.Context, pidFile *os.File, dbFile string,
	log *slog.Logger) error {
	pid := readPIDFile(pidFile.Name())
	running := func() bool { return isTemporalServer(pid, dbFile) }
	if pid != 0 && running() {
		log.Warn("stopping orphan temporal server left by an earlier run", "pid", pid,
			"db_file", dbFile)
		if err := stopPID(ctx, pid, syscall.SIGTERM, 15*time.Second, running); err != nil {
			return fmt.Errorf("stopping orphan temporal server: %w", err)
		}
	}
	if err := pidFile.Truncate(0); err != nil {
		return fmt.Errorf("emptying temporal pid file: %w", err)
	}
	return nil
}

// isTemporalServer reports whether pid is a running `temporal server
// start-dev` on dbFile, and not some process that got the ID since.
func isTemporalServer(pid int, dbFile string) bool {
	if !processRunning(pid) {
		return false
	}
	args, err := processArgs(pid)
	if err != nil {
		return false
	}
	line := strings.Join(args, " ")
	return strings.Contains(line, "start-dev") && strings.Contains(line, dbFile)
}
