package devenv

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needPostgres skips the test when the PostgreSQL binaries are missing.
func needPostgres(t *testing.T) {
	t.Helper()
	if _, err := findPostgresBinaries(); err != nil {
		t.Skipf("postgres not installed: %v", err)
	}
}

// reachableTempDir returns a temporary directory the postgres OS user can
// enter: t.TempDir and its parent are private (0700), which would make a
// root StartPostgres fall back to a directory of its own.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// psql runs sql against the database at dbURL and returns its unaligned,
// tuples-only output.
func psql(t *testing.T, dbURL, sql string) string {
	t.Helper()
	bins, err := findPostgresBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bins.psql, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", dbURL,
		"-c", sql)
	cmd.Env = cleanEnv([]string{"PG"})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// startPostgres starts a cluster and stops it at the end of the test.
func startPostgres(t *testing.T, opts PostgresOptions) *Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	began := time.Now()
	p, err := StartPostgres(ctx, opts)
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	t.Logf("postgres started in %s on port %d", time.Since(began).Round(time.Millisecond), p.Port)
	t.Cleanup(func() {
		if err := p.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return p
}

// stopPostgres stops p and checks that the postmaster is gone and its port
// closed.
func stopPostgres(t *testing.T, p *Postgres) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := p.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !p.proc.exited() {
		t.Fatal("postmaster still running after Stop")
	}
	if dialable(net.JoinHostPort(loopback, strconv.Itoa(p.Port))) {
		t.Fatalf("port %d still open after Stop", p.Port)
	}
}

// TestPostgresLifecycle takes one cluster through everything that happens to
// it in dev mode: first start, restarts, a killed postmaster, an orphan
// postmaster and a stale pid file. Data written before each must survive.
func TestPostgresLifecycle(t *testing.T) {
	needPostgres(t)
	t.Parallel()
	dir := filepath.Join(reachableTempDir(t), "pg")
	opts := PostgresOptions{Dir: dir, Logger: testLogger(t)}

	// First start: initdb, a free port, the default database.
	p := startPostgres(t, opts)
	if p.Dir != dir {
		t.Errorf("Dir = %q, want %q", p.Dir, dir)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.Scheme != "postgres" || u.Hostname() != "127.0.0.1" || u.Port() != strconv.Itoa(p.Port) ||
		u.Path != "/console" || u.Query().Get("sslmode") != "disable" || pw == "" {
		t.Errorf("URL = %q, not the expected shape", p.URL)
	}
	if got := psql(t, p.URL, "SELECT current_database()"); got != "console" {
		t.Errorf("current_database() = %q", got)
	}
	if got := psql(t, p.URL, "SHOW max_connections"); got != "200" {
		t.Errorf("max_connections = %q", got)
	}
	if got := psql(t, p.URL, "SHOW listen_addresses"); got != "127.0.0.1" {
		t.Errorf("listen_addresses = %q", got)
	}
	out, err := exec.Command("pg_isready", "-h", loopback, "-p", strconv.Itoa(p.Port)).
		CombinedOutput()
	if err != nil {
		t.Errorf("pg_isready: %v: %s", err, out)
	}
	checkFileMode(t, filepath.Join(dir, pgPasswordFile), 0o600)
	psql(t, p.URL, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('first')")

	// A second owner is turned away while the first runs.
	if _, err := StartPostgres(t.Context(), opts); !errors.Is(err, ErrInUse) {
		t.Errorf("second StartPostgres on a running cluster: %v, want ErrInUse", err)
	}

	// The password is required, also on the Unix socket.
	bad := *u
	bad.User = url.UserPassword(u.User.Username(), "wrong")
	cmd := exec.Command("psql", "-X", "-tA", "-d", bad.String(), "-c", "SELECT 1")
	cmd.Env = cleanEnv([]string{"PG"})
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("psql with a wrong password succeeded: %s", out)
	}
	sock := filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(p.Port))
	cmd = exec.Command("psql", "-X", "-tA", "-h", dir, "-p", strconv.Itoa(p.Port),
		"-U", pgSuperuser, "-d", "console", "-w", "-c", "SELECT 1")
	cmd.Env = cleanEnv([]string{"PG"})
	if _, err := os.Stat(sock); err != nil {
		t.Errorf("no unix socket in the cluster directory: %v", err)
	} else if out, err := cmd.CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "password") {
		t.Errorf("psql on the socket without a password: err %v: %s", err, out)
	}

	// A clean restart reuses the port and the password, and keeps the data.
	stopPostgres(t, p)
	p2 := startPostgres(t, opts)
	if p2.URL != p.URL {
		t.Errorf("URL after restart = %q, want %q", p2.URL, p.URL)
	}
	psql(t, p2.URL, "INSERT INTO notes VALUES ('second')")

	// A postmaster killed outright, as when the machine's OOM killer strikes:
	// Stop lets go of the dead cluster, and the next start recovers.
	if err := syscall.Kill(p2.proc.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p2.proc.done
	if err := p2.Stop(t.Context()); err != nil {
		t.Fatalf("Stop after kill -9: %v", err)
	}
	p3 := startPostgres(t, opts)
	if got := psql(t, p3.URL, "SELECT string_agg(body, ',' ORDER BY body) FROM notes"); got !=
		"first,second" {
		t.Errorf("after kill -9: notes = %q, want first,second", got)
	}
	psql(t, p3.URL, "INSERT INTO notes VALUES ('third')")

	// An orphan postmaster, as left by a parent that died without taking it
	// along (no parent-death signal outside Linux): the next start stops it
	// and takes over. Dropping the owner's lock plays the parent's death.
	p3.lock.Close()
	p4 := startPostgres(t, opts)
	select {
	case <-p3.proc.done:
	case <-time.After(10 * time.Second):
		t.Fatal("orphan postmaster still running")
	}
	if got := psql(t, p4.URL, "SELECT count(*) FROM notes"); got != "3" {
		t.Errorf("after orphan: %s notes, want 3", got)
	}

	// A stale pid file whose process ID belongs to an unrelated live process,
	// common after a container restart. Another database gets created too.
	stopPostgres(t, p4)
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()
	stale := strconv.Itoa(sleeper.Process.Pid) + "\n" + p4.dataDir + "\n"
	if err := os.WriteFile(filepath.Join(p4.dataDir, "postmaster.pid"), []byte(stale),
		0o600); err != nil {
		t.Fatal(err)
	}
	other := opts
	other.Database = "other-db"
	p5 := startPostgres(t, other)
	if !strings.HasSuffix(strings.Split(p5.URL, "?")[0], "/other-db") {
		t.Errorf("URL = %q, want database other-db", p5.URL)
	}
	if got := psql(t, p5.URL, "SELECT current_database()"); got != "other-db" {
		t.Errorf("current_database() = %q", got)
	}
	stopPostgres(t, p5)

	// A parent killed outright, as with kill -9 of `console dev`: the
	// postmaster goes down with it, and the next start finds the data.
	killParentOf(t, "postgres", dir, "")
	p6 := startPostgres(t, opts)
	if got := psql(t, p6.URL, "SELECT count(*) FROM notes"); got != "3" {
		t.Errorf("after the parent died: %s notes, want 3", got)
	}
	stopPostgres(t, p6)
}

// TestPostgresFast checks the settings tests run with, and that a cluster
// started fast then starts durable again.
func TestPostgresFast(t *testing.T) {
	needPostgres(t)
	t.Parallel()
	dir := filepath.Join(reachableTempDir(t), "pg")

	p := startPostgres(t, PostgresOptions{Dir: dir, Fast: true, Logger: testLogger(t)})
	for _, name := range []string{"fsync", "synchronous_commit", "full_page_writes"} {
		if got := psql(t, p.URL, "SHOW "+name); got != "off" {
			t.Errorf("fast: %s = %q, want off", name, got)
		}
	}
	stopPostgres(t, p)

	p = startPostgres(t, PostgresOptions{Dir: dir, Logger: testLogger(t)})
	if got := psql(t, p.URL, "SHOW fsync"); got != "on" {
		t.Errorf("durable: fsync = %q, want on", got)
	}
	stopPostgres(t, p)
}

// TestPostgresFallbackDir checks that, as root, a cluster directory the
// postgres OS user cannot reach is replaced by one under os.TempDir().
func TestPostgresFallbackDir(t *testing.T) {
	needPostgres(t)
	if os.Geteuid() != 0 {
		t.Skip("only root runs postgres as another user")
	}
	t.Parallel()
	private := filepath.Join(reachableTempDir(t), "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(private, "pg")

	p := startPostgres(t, PostgresOptions{Dir: dir, Fast: true, Logger: testLogger(t)})
	// Cleanups run last first: this one after p2's Stop, below.
	t.Cleanup(func() { os.RemoveAll(p.Dir) })
	if p.Dir == dir || !strings.HasPrefix(p.Dir, os.TempDir()) {
		t.Errorf("Dir = %q, want a directory under %s", p.Dir, os.TempDir())
	}
	if got := psql(t, p.URL, "SELECT 1"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
	stopPostgres(t, p)

	// The same requested directory maps to the same cluster.
	p2 := startPostgres(t, PostgresOptions{Dir: dir, Fast: true, Logger: testLogger(t)})
	if p2.Dir != p.Dir || p2.URL != p.URL {
		t.Errorf("second start: Dir %q URL %q, want %q %q", p2.Dir, p2.URL, p.Dir, p.URL)
	}
}

// checkFileMode fails the test unless path has exactly mode perm.
func checkFileMode(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != perm {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), perm)
	}
}
