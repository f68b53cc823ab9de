package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/devenv"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/wfstart"
)

// consoleBin is the console binary built once for the package.
var consoleBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "console-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	consoleBin = filepath.Join(dir, "console")
	build := exec.Command("go", "build", "-o", consoleBin, "../cmd/console")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building console:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cluster is a console running as separate processes: its own Postgres and
// Temporal, one API process and one worker process.
type cluster struct {
	t        testing.TB
	dir      string
	env      []string
	URL      string
	DBURL    string
	pg       *devenv.Postgres
	pgOpts   devenv.PostgresOptions
	tp       *devenv.Temporal
	mu       sync.Mutex
	api      *exec.Cmd
	worker   *exec.Cmd
	Platform string
}

// startCluster starts Postgres, Temporal, the API and the worker.
func startCluster(t testing.TB) *cluster {
	t.Helper()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "console-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: dir}
	t.Cleanup(c.stop)

	c.pgOpts = devenv.PostgresOptions{Dir: filepath.Join(dir, "postgres"), Fast: true}
	if c.pg, err = devenv.StartPostgres(ctx, c.pgOpts); err != nil {
		t.Fatal(err)
	}
	c.pgOpts.Port = c.pg.Port // a restart must come back on the same port
	bin, err := devenv.FindTemporalCLI(ctx, toolsDir(), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.tp, err = devenv.StartTemporal(ctx, devenv.TemporalOptions{
		Binary: bin, Headless: true, SearchAttributes: wfstart.SearchAttributes,
	})
	if err != nil {
		t.Fatal(err)
	}

	port := freePort(t)
	c.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	c.DBURL = c.pg.URL
	c.Platform = ids.New()
	key := make([]byte, 32)
	copy(key, ids.New())
	c.env = append(os.Environ(),
		"DATABASE_URL="+c.pg.URL,
		"TEMPORAL_ADDRESS="+c.tp.Address,
		"TASK_QUEUE=e2e",
		fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port),
		"PUBLIC_URL="+c.URL,
		"DATA_DIR="+filepath.Join(dir, "data"),
		"ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(key),
		"PLATFORM_TOKEN="+c.Platform,
		"PAYMENT_SECRET="+ids.New(),
		"ALLOW_PRIVATE_CALLBACKS=true",
		"LOG_LEVEL=warn",
	)
	if out, err := c.command("migrate").CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	c.api = c.spawn("serve")
	c.StartWorker()
	c.waitReady()
	return c
}

func (c *cluster) command(args ...string) *exec.Cmd {
	cmd := exec.Command(consoleBin, args...)
	cmd.Env = c.env
	return cmd
}

// spawn starts a long-running console command, its output in a log file.
func (c *cluster) spawn(args ...string) *exec.Cmd {
	cmd := c.command(args...)
	log, err := os.OpenFile(filepath.Join(c.dir, args[0]+".log"),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); log.Close() }()
	return cmd
}

// StartWorker starts a worker process.
func (c *cluster) StartWorker() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.worker = c.spawn("worker")
}

// KillWorker kills the worker process with SIGKILL, as a crash would.
func (c *cluster) KillWorker() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.worker != nil && c.worker.Process != nil {
		_ = c.worker.Process.Signal(syscall.SIGKILL)
		c.worker = nil
	}
}

// RestartPostgres stops Postgres and starts it again on the same data and port.
func (c *cluster) RestartPostgres() {
	ctx := context.Background()
	if err := c.pg.Stop(ctx); err != nil {
		c.t.Errorf("stopping postgres: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	pg, err := devenv.StartPostgres(ctx, c.pgOpts)
	if err != nil {
		c.t.Fatalf("restarting postgres: %v", err)
	}
	c.pg = pg
}

func (c *cluster) waitReady() {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(c.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.t.Fatalf("the console at %s did not become ready; see %s", c.URL, c.dir)
}

// CreateStaff creates a staff account with the command line, as an operator would.
func (c *cluster) CreateStaff(role string) (email, password string) {
	email, password = role+"-"+ids.New()[:8]+"@example.com", "staff password "+ids.New()[:6]
	cmd := c.command("staff", "create", "-email", email, "-role", role)
	cmd.Env = append(cmd.Env, "STAFF_PASSWORD="+password)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("staff create: %v\n%s", err, out)
	}
	return email, password
}

func (c *cluster) stop() {
	for _, p := range []*exec.Cmd{c.api, c.worker} {
		if p != nil && p.Process != nil {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
	}
	time.Sleep(300 * time.Millisecond)
	ctx := context.Background()
	if c.tp != nil {
		_ = c.tp.Stop(ctx)
	}
	if c.pg != nil {
		_ = c.pg.Stop(ctx)
	}
	if !c.t.Failed() {
		os.RemoveAll(c.dir)
	} else {
		c.t.Logf("logs kept in %s", c.dir)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func toolsDir() string {
	abs, _ := filepath.Abs("../.tools")
	return abs
}
