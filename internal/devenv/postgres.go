package devenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
	log     *slog.Logger
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
	// full_page_writes off), for tests. A crash of the machine, not of
	// PostgreSQL, may then corrupt the cluster.
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
// A postmaster left running on the cluster by an earlier process that died is
// stopped (fast shutdown) rather than reused: this process could not wait for
// it, nor make it die along with it, and its settings may be stale. A stale
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
	dataDir := filepath.Join(dir, pgDataSubdir)

	password, err := clusterPassword(dir, runAs)
	if err != nil {
		return nil, err
	}
	if err := clearOrphanPostgres(ctx, dataDir, log); err != nil {
		return nil, err
	}

	// A data directory without the marker is what is left of an initdb that
	// was interrupted: start over.
	if _, err := os.Stat(filepath.Join(dir, pgReadyFile)); err != nil {
		if err := initCluster(ctx, bins, dir, runAs, opts.Fast, log); err != nil {
			return nil, err
		}
	}

	port, err := clusterPort(dir, opts.Port, log)
	if err != nil {
		return nil, err
	}
	if err := writeClusterSettings(dir, port, opts.Fast, runAs, log); err != nil {
		return nil, err
	}

	p := &Postgres{Dir: dir, Port: port, dataDir: dataDir, log: log}
	if err := p.start(ctx, bins, runAs); err != nil {
		return nil, err
	}
	if err := ensureDatabase(ctx, bins, port, password, opts.Database); err != nil {
		_ = p.Stop(context.WithoutCancel(ctx))
		return nil, err
	}

	p.URL = (&url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(pgSuperuser, password),
		Host:     net.JoinHostPort(loopback, strconv.Itoa(port)),
		Path:     "/" + opts.Database,
		RawQuery: "sslmode=disable",
	}).String()
	log.Info("postgres started", "dir", dir, "port", port, "database", opts.Database,
		"pid", p.proc.pid(), "fast", opts.Fast, "duration_ms", time.Since(began).Milliseconds())
	return p, nil
}

// Stop shuts the cluster down (fast shutdown: sessions are ended, work is
// checkpointed) and waits for the postmaster to exit. When ctx ends first, it
// kills the postmaster (PostgreSQL then recovers on the next start) and
// returns ctx's error. Stop on a stopped cluster does nothing.
func (p *Postgres) Stop(ctx context.Context) error {
	if p == nil || p.proc == nil || p.stopped {
		return nil
	}
	if p.proc.exited() {
		p.stopped = true
		p.log.Warn("postgres had exited before stop", "dir", p.Dir, "exit", p.proc.err)
		return nil
	}
	if err := p.proc.stop(ctx, syscall.SIGINT); err != nil {
		return fmt.Errorf("stopping postgres: %w", err)
	}
	p.stopped = true
	p.log.Info("postgres stopped", "dir", p.Dir)
	return nil
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
		_ = proc.stop(context.WithoutCancel(ctx), syscall.SIGQUIT)
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

// pgBinaries are the paths of the PostgreSQL programs used here.
type pgBinaries struct {
	initdb   string
	postgres string
	psql     string
}

// findPostgresBinaries finds initdb and postgres side by side, on PATH first,
// then in /usr/lib/postgresql/<version>/bin (Debian's layout, newest version
// first), and psql beside them or else on PATH.
func findPostgresBinaries() (pgBinaries, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(binDir string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
		return v
	}
	// Newest version first.
	for i := range debian {
		for j := i + 1; j < len(debian); j++ {
			if version(debian[j]) > version(debian[i]) {
				debian[i], debian[j] = debian[j], debian[i]
			}
		}
	}
	dirs = append(dirs, debian...)

	for _, dir := range dirs {
		bins := pgBinaries{
			initdb:   filepath.Join(dir, "initdb"),
			postgres: filepath.Join(dir, "postgres"),
			psql:     filepath.Join(dir, "psql"),
		}
		if !isExecutable(bins.initdb) || !isExecutable(bins.postgres) {
			continue
		}
		if !isExecutable(bins.psql) {
			psql, err := exec.LookPath("psql")
			if err != nil {
				return pgBinaries{}, errors.New("finding psql: not beside initdb nor on PATH")
			}
			bins.psql = psql
		}
		return bins, nil
	}
	return pgBinaries{}, errors.New(
		"finding postgres: initdb and postgres are neither on PATH nor in /usr/lib/postgresql/*/bin")
}

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// clusterDir creates and returns the directory the cluster lives in: dir, or,
// when the postgres OS user cannot reach dir (say it is under /root), a
// directory under os.TempDir() named after a hash of dir's absolute path.
func clusterDir(dir string, runAs *osUser, log *slog.Logger) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolving cluster directory: %w", err)
	}

	// Directories created on the way get mode 0755 so that the postgres user
	// may pass through them; only the cluster directory itself is private.
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", fmt.Errorf("creating cluster directory: %w", err)
	}
	blocked, err := runAs.blockedAt(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	if blocked != "" {
		sum := sha256.Sum256([]byte(abs))
		fallback := filepath.Join(os.TempDir(), "yiyun-devenv-pg-"+hex.EncodeToString(sum[:8]))
		log.Warn("postgres cluster lives elsewhere: the postgres OS user cannot enter "+
			blocked, "requested_dir", abs, "cluster_dir", fallback)
		abs = fallback
	}

	if err := os.Mkdir(abs, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("creating cluster directory: %w", err)
	}
	if err := checkOwnDir(abs, runAs); err != nil {
		return "", err
	}
	if err := runAs.chown(abs); err != nil {
		return "", err
	}
	if err := os.Chmod(abs, 0o700); err != nil {
		return "", fmt.Errorf("restricting cluster directory: %w", err)
	}
	return abs, nil
}

// checkOwnDir makes sure dir is a real directory owned by this process's user
// or by runAs, not something planted by another user in a shared /tmp.
func checkOwnDir(dir string, runAs *osUser) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("checking cluster directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cluster directory %s is not a directory", dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	owner := int(st.Uid)
	if owner != os.Geteuid() && (runAs == nil || owner != runAs.uid) {
		return fmt.Errorf("cluster directory %s belongs to uid %d, not to us", dir, owner)
	}
	return nil
}

// clusterPassword returns the superuser's password, kept in the cluster
// directory and generated on the first run.
func clusterPassword(dir string, runAs *osUser) (string, error) {
	path := filepath.Join(dir, pgPasswordFile)
	if data, err := os.ReadFile(path); err == nil {
		if pw := strings.TrimSpace(string(data)); pw != "" {
			return pw, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading postgres password: %w", err)
	}

	// rand.Text's base32 alphabet needs no escaping in a URL.
	password := rand.Text()
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing postgres password: %w", err)
	}
	// initdb, running as runAs, reads the password from this file.
	if err := runAs.chown(path); err != nil {
		return "", err
	}
	return password, nil
}

// clusterPort returns the port to listen on: want when set, else the port
// remembered in the cluster directory while it is free, else a free one. The
// choice is remembered for the next run.
func clusterPort(dir string, want int, log *slog.Logger) (int, error) {
	path := filepath.Join(dir, pgPortFile)
	port := want
	if port == 0 {
		data, err := os.ReadFile(path)
		if err == nil {
			port, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
		if port != 0 && !portFree(port) {
			log.Warn("remembered postgres port is taken, picking another", "port", port)
			port = 0
		}
	}
	if port == 0 {
		ports, err := freePorts(1)
		if err != nil {
			return 0, err
		}
		port = ports[0]
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(port)+"\n"), 0o600); err != nil {
		return 0, fmt.Errorf("remembering postgres port: %w", err)
	}
	return port, nil
}

// initCluster creates the data directory with initdb.
func initCluster(ctx context.Context, bins pgBinaries, dir string, runAs *osUser, fast bool,
	log *slog.Logger) error {
	dataDir := filepath.Join(dir, pgDataSubdir)
	if err := os.RemoveAll(dataDir); err != nil {
		return fmt.Errorf("clearing unfinished data directory: %w", err)
	}
	began := time.Now()

	// The C locale sorts text byte by byte, the same on every machine.
	args := []string{
		"-D", dataDir,
		"--username=" + pgSuperuser,
		"--pwfile=" + filepath.Join(dir, pgPasswordFile),
		"--auth=scram-sha-256",
		"--encoding=UTF8",
		"--locale=C",
		"--no-instructions",
	}
	if fast {
		args = append(args, "--no-sync")
	}
	out := newTailBuffer(4000)
	cmd := exec.CommandContext(ctx, bins.initdb, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv([]string{"PG"})
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: runAs.credential()}
	if err := cmd.Run(); err != nil {
		return withOutput(fmt.Errorf("running initdb: %w", err), out.String())
	}

	// The settings that change between runs (port, durability) live in a file
	// of their own, rewritten on every start.
	conf, err := os.OpenFile(filepath.Join(dataDir, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("opening postgresql.conf: %w", err)
	}
	_, err = fmt.Fprintf(conf, "\n# Added by the console's devenv package.\ninclude_if_exists = '%s'\n",
		pgSettingsFile)
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing postgresql.conf: %w", err)
	}

	if err := os.WriteFile(filepath.Join(dir, pgReadyFile), nil, 0o600); err != nil {
		return fmt.Errorf("marking cluster initialised: %w", err)
	}
	log.Info("postgres cluster initialised", "dir", dir,
		"duration_ms", time.Since(began).Milliseconds())
	return nil
}

// writeClusterSettings writes the settings file included by postgresql.conf
// and the client authentication rules.
func writeClusterSettings(dir string, port int, fast bool, runAs *osUser, log *slog.Logger) error {
	dataDir := filepath.Join(dir, pgDataSubdir)

	// A Unix socket path is limited to about 100 bytes; a cluster too deep in
	// the file system makes do with TCP.
	sockets := dir
	if len(dir)+len("/.s.PGSQL.65535") >= 100 {
		log.Info("postgres cluster path too long for a unix socket, using tcp only", "dir", dir)
		sockets = ""
	}
	durable := "on"
	if fast {
		durable = "off"
	}
	settings := fmt.Sprintf(`# Written by the console's devenv package on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = %s
max_connections = %d
password_encryption = 'scram-sha-256'
fsync = %s
synchronous_commit = %s
full_page_writes = %s
`, port, confString(sockets), pgMaxConnections, durable, durable, durable)

	hba := `# Written by the console's devenv package on every start; edits are lost.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
`
	files := map[string]string{pgSettingsFile: settings, "pg_hba.conf": hba}
	for name, content := range files {
		path := filepath.Join(dataDir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		if err := runAs.chown(path); err != nil {
			return err
		}
	}
	return nil
}

// confString quotes s as a string in postgresql.conf.
func confString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
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
