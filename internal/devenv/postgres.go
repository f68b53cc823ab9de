package devenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Files and names in a cluster directory. The data directory proper is a
// subdirectory, so that initdb gets the empty directory it wants and the
// files around it survive a re-initialisation.
const (
	pgDataSubdir     = "data"
	pgPasswordFile   = "password"
	pgPortFile       = "port"
	pgLogFile        = "postgres.log"
	pgLockFile       = "owner.lock"
	pgReadyFile      = "initialized"         // written once initdb has succeeded
	pgSettingsFile   = "console_devenv.conf" // in the data dir, rewritten on start
	pgSuperuser      = "console"
	pgDefaultDB      = "console"
	pgMaxConnections = 200
	pgReadyTimeout   = 2 * time.Minute // crash recovery can take a while
)

// Postgres is a private cluster started from the installed PostgreSQL
// binaries.
type Postgres struct {
	// URL connects to the database as the cluster's superuser, like
	// postgres://console:secret@127.0.0.1:5432/console?sslmode=disable.
	URL string

	// Dir is where the cluster really lives: PostgresOptions.Dir, or a
	// directory under os.TempDir() when the postgres OS user cannot reach it.
	Dir string

	// Port is the TCP port on 127.0.0.1 the cluster listens on.
	Port int

	proc    *child
	dataDir string
	lock    *os.File // see lockOwner
	log     *slog.Logger

	mu      sync.Mutex // guards stopped
	stopped bool
}

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// Dir is the directory the cluster lives in. It is created with initdb on
	// the first run and reused afterwards.
	Dir string

	// Port is the TCP port to listen on. With 0, a free port is picked on the
	// first run, remembered in Dir and reused afterwards while it stays free.
	Port int

	// Database is the database URL points at, created when missing. The
	// default is "console".
	Database string

	// Fast trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off), for tests: a crash of PostgreSQL may then lose
	// the last commits, and a crash of the machine corrupt the cluster.
	Fast bool

	// Logger receives progress and warnings; nil discards them.
	Logger *slog.Logger
}

// StartPostgres starts the cluster in opts.Dir, initialising it first when
// needed, and returns once it accepts connections and the database exists.
//
// The cluster listens on 127.0.0.1 only, with its Unix socket in the cluster
// directory, and asks for a password (SCRAM) on every connection; the password
// is generated on the first run and kept in the file "password" there.
//
// The process that starts the cluster holds a lock on the file "owner.lock"
// in the cluster directory until Stop, and the kernel releases it if the
// process dies. StartPostgres fails while another live process holds it. A
// postmaster found running without it, left behind by a process that died, is
// stopped (fast shutdown) rather than reused: this process could not wait for
// it nor make it die along with it, and its settings may be stale. A stale
// postmaster.pid does not block the start.
//
// The cluster's server log goes to postgres.log in the cluster directory.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	log := orDiscard(opts.Logger)
	if opts.Dir == "" {
		return nil, errors.New("starting postgres: no cluster directory given")
	}
	if opts.Database == "" {
		opts.Database = pgDefaultDB
	}
	if len(opts.Database) > 63 || strings.ContainsRune(opts.Database, 0) {
		return nil, fmt.Errorf("starting postgres: invalid database name %q", opts.Database)
	}
	began := time.Now()

	bins, err := findPostgresBinaries()
	if err != nil {
		return nil, err
	}
	runAs, err := postgresRunAs()
	if err != nil {
		return nil, err
	}
	dir, err := clusterDir(opts.Dir, runAs, log)
	if err != nil {
		return nil, err
	}
	lock, err := lockOwner(filepath.Join(dir, pgLockFile))
	if err != nil {
		return nil, fmt.Errorf("starting postgres in %s: %w", dir, err)
	}

	p := &Postgres{Dir: dir, dataDir: filepath.Join(dir, pgDataSubdir), lock: lock, log: log}
	password, err := p.prepare(ctx, bins, runAs, opts)
	if err == nil {
		err = p.start(ctx, bins, runAs)
	}
	if err == nil {
		err = ensureDatabase(ctx, bins, p.Port, password, opts.Database)
	}
	if err != nil {
		cleanupCtx, cancel := cleanupContext(ctx)
		defer cancel()
		_ = p.Stop(cleanupCtx)
		lock.Close()
		return nil, err
	}

	p.URL = (&url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(pgSuperuser, password),
		Host:     net.JoinHostPort(loopback, strconv.Itoa(p.Port)),
		Path:     "/" + opts.Database,
		RawQuery: "sslmode=disable",
	}).String()
	log.Info("postgres started", "dir", dir, "port", p.Port, "database", opts.Database,
		"pid", p.proc.pid(), "fast", opts.Fast, "duration_ms", time.Since(began).Milliseconds())
	return p, nil
}

// Stop shuts the cluster down (fast shutdown: sessions are ended, work is
// checkpointed) and waits for the postmaster to exit. When ctx ends first, it
// kills the postmaster (PostgreSQL then recovers on the next start) and
// returns ctx's error. Stop on a stopped cluster does nothing; Stop is safe for
// concurrent use.
func (p *Postgres) Stop(ctx context.Context) error {
	if p == nil || p.proc == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	defer p.lock.Close()
	p.stopped = true

	if p.proc.exited() {
		p.log.Warn("postgres had exited before stop", "dir", p.Dir, "exit", p.proc.err)
		return nil
	}
	if err := p.proc.stop(ctx, syscall.SIGINT); err != nil {
		return fmt.Errorf("stopping postgres: %w", err)
	}
	p.log.Info("postgres stopped", "dir", p.Dir)
	return nil
}

// Exited is closed when the postmaster has exited, whether Stop stopped it or it
// died.
func (p *Postgres) Exited() <-chan struct{} { return p.proc.done }

// prepare gets the cluster ready to start: it clears orphans, runs initdb when
// needed, picks the port and writes the settings. It returns the superuser's
// password.
func (p *Postgres) prepare(ctx context.Context, bins pgBinaries, runAs *osUser,
	opts PostgresOptions) (string, error) {
	_, err := os.Stat(filepath.Join(p.Dir, pgReadyFile))
	initialized := err == nil
	password, err := clusterPassword(p.Dir, runAs, initialized)
	if err != nil {
		return "", err
	}
	if err := clearOrphanPostgres(ctx, p.dataDir, p.log); err != nil {
		return "", err
	}

	// A data directory without the marker is what is left of an initdb that
	// was interrupted: start over.
	if !initialized {
		if err := initCluster(ctx, bins, p.Dir, runAs, opts.Fast, p.log); err != nil {
			return "", err
		}
	}

	if p.Port, err = clusterPort(p.Dir, opts.Port, p.log); err != nil {
		return "", err
	}
	if err := writeClusterSettings(p.Dir, p.Port, opts.Fast, runAs, p.log); err != nil {
		return "", err
	}
	return password, nil
}

// start runs the postmaster and waits until it accepts connections.
func (p *Postgres) start(ctx context.Context, bins pgBinaries, runAs *osUser) error {
	logPath := filepath.Join(p.Dir, pgLogFile)
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening postgres log: %w", err)
	}
	defer logFile.Close() // the child has its own copy
	logStart, _ := logFile.Seek(0, io.SeekEnd)

	cmd := exec.Command(bins.postgres, "-D", p.dataDir)
	cmd.Dir = p.dataDir
	cmd.Env = cleanEnv([]string{"PG"})
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: runAs.credential()}

	// SIGINT, not SIGTERM: to the postmaster SIGTERM means a smart shutdown,
	// which waits for every client to leave.
	proc, err := startChild(cmd, syscall.SIGINT)
	if err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	p.proc = proc

	serverLog := func() string {
		data, _ := os.ReadFile(logPath)
		if int64(len(data)) >= logStart {
			data = data[logStart:]
		}
		return lastLines(data, 4000)
	}
	addr := net.JoinHostPort(loopback, strconv.Itoa(p.Port))
	ready := waitUntil(ctx, pgReadyTimeout, func() bool {
		return proc.exited() || (postmasterReady(p.dataDir, proc.pid()) && dialable(addr))
	})
	switch {
	case proc.exited():
		return withOutput(fmt.Errorf("starting postgres: postmaster exited: %v", proc.err),
			serverLog())
	case !ready:
		cleanupCtx, cancel := cleanupContext(ctx)
		defer cancel()
		_ = proc.stop(cleanupCtx, syscall.SIGQUIT)
		err := ctx.Err()
		if err == nil {
			err = fmt.Errorf("not ready after %s", pgReadyTimeout)
		}
		return withOutput(fmt.Errorf("waiting for postgres to accept connections: %w", err),
			serverLog())
	}
	return nil
}

// postmasterReady reports whether the postmaster pid says, in its pid file,
// that it accepts connections.
func postmasterReady(dataDir string, pid int) bool {
	data, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(data), "\n")
	return len(lines) >= 8 && strings.TrimSpace(lines[0]) == strconv.Itoa(pid) &&
		strings.TrimSpace(lines[7]) == "ready"
}

// ensureDatabase creates the database name unless it exists.
func ensureDatabase(ctx context.Context, bins pgBinaries, port int, password, name string) error {
	// psql quotes :'db' as a literal, and format's %I as an identifier.
	const script = `SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec
`
	conninfo := fmt.Sprintf("host=%s port=%d user=%s dbname=postgres sslmode=disable "+
		"connect_timeout=10", loopback, port, pgSuperuser)
	out := newTailBuffer(4000)
	cmd := exec.CommandContext(ctx, bins.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-v", "db="+name, "-d", conninfo, "-f", "-")
	cmd.Env = cleanEnv([]string{"PG"}, "PGPASSWORD="+password)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return withOutput(fmt.Errorf("creating database %q: %w", name, err), out.String())
	}
	return nil
}
