package devenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

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
	slices.SortFunc(debian, func(a, b string) int { return version(b) - version(a) })
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
	return pgBinaries{}, errors.New("finding postgres: initdb and postgres are neither on " +
		"PATH nor in /usr/lib/postgresql/*/bin")
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
		log.Warn("postgres cluster lives elsewhere: the postgres os user cannot reach the "+
			"requested dir", "requested_dir", abs, "blocked_at", blocked, "cluster_dir", fallback)
		abs = fallback
	}

	if err := os.Mkdir(abs, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("creating cluster directory: %w", err)
	}
	// A symbolic link is fine where the operator put it, not in a shared /tmp.
	if blocked == "" {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return "", fmt.Errorf("resolving cluster directory: %w", err)
		}
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
// directory and generated before the cluster is initialised.
func clusterPassword(dir string, runAs *osUser, initialized bool) (string, error) {
	path := filepath.Join(dir, pgPasswordFile)
	if data, err := os.ReadFile(path); err == nil {
		if pw := strings.TrimSpace(string(data)); pw != "" {
			return pw, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading postgres password: %w", err)
	}
	if initialized {
		return "", fmt.Errorf("reading postgres password: %s is missing or empty; remove %s "+
			"to start over with an empty cluster", path, dir)
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
	confPath := filepath.Join(dataDir, "postgresql.conf")
	conf, err := os.OpenFile(confPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("opening postgresql.conf: %w", err)
	}
	_, err = fmt.Fprintf(conf, "\n# Added by the console's devenv package.\n"+
		"include_if_exists = '%s'\n", pgSettingsFile)
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
