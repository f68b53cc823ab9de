// Package testenv runs the console for integration tests on the real Postgres and
// the real Temporal server: each Env has a database of its own, freshly migrated, a
// worker on a task queue of its own, and the HTTP API on a loopback port. The
// servers come from DATABASE_URL and TEMPORAL_ADDRESS (the test command starts
// them); without those, Main starts private ones for the test binary.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/app"
	"github.com/yiyun-console/console/internal/config"
	"go.temporal.io/sdk/worker"
)

// Options adjust an Env.
type Options struct {
	// API are the API's dependencies, such as SkipInlineStart.
	API api.Deps
	// NoWorker leaves the worker and the relay stopped; StartWorker starts them.
	NoWorker bool
	// Configure changes the configuration before anything starts.
	Configure func(*config.Config)
	// Activities changes the activities, such as their outside world, before the
	// worker starts.
	Activities func(*activities.Activities)
	// Log receives the console's logs; nil discards them unless TEST_LOG is set.
	Log io.Writer
}

// Env is one running console.
type Env struct {
	Config config.Config
	App    *app.App
	API    *api.Server
	Server *httptest.Server
	URL    string
	Acts   *activities.Activities

	opts      Options
	worker    worker.Worker
	stopRelay context.CancelFunc
	relayDone chan struct{}
	mu        sync.Mutex
}

// New starts a console for t and stops it when t ends.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	e, err := start(opts)
	if err != nil {
		t.Fatalf("starting test console: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

func start(opts Options) (*Env, error) {
	ctx := context.Background()
	if err := ensureServers(); err != nil {
		return nil, err
	}
	dbURL, err := createDatabase(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return nil, err
	}

	cfg := config.Default()
	cfg.DatabaseURL = dbURL
	cfg.TemporalAddress = os.Getenv("TEMPORAL_ADDRESS")
	cfg.TaskQueue = "test-" + randomHex(8)
	cfg.EncryptionKey = base64.StdEncoding.EncodeToString(randomBytes(32))
	cfg.PlatformToken = randomHex(16)
	cfg.PaymentSecret = randomHex(16)
	cfg.DataDir, err = os.MkdirTemp("", "console-test-data-")
	if err != nil {
		return nil, err
	}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}

	var w io.Writer = io.Discard
	if opts.Log != nil {
		w = opts.Log
	} else if os.Getenv("TEST_LOG") != "" {
		w = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))

	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	cfg.PublicURL = srv.URL
	cfg.HTTPAddr = strings.TrimPrefix(srv.URL, "http://")

	a, err := app.Connect(ctx, cfg, log)
	if err != nil {
		srv.Close()
		return nil, err
	}
	if err := a.Migrate(ctx); err != nil {
		srv.Close()
		a.Close()
		return nil, err
	}
	e := &Env{Config: cfg, App: a, Server: srv, URL: srv.URL, opts: opts}
	e.API = a.API(opts.API)
	srv.Config.Handler = e.API.Handler()
	e.Acts = a.Activities()
	if opts.Activities != nil {
		opts.Activities(e.Acts)
	}
	if !opts.NoWorker {
		if err := e.StartWorker(); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// StartWorker starts the worker and the workflow-start relay.
func (e *Env) StartWorker() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.worker != nil {
		return nil
	}
	w := e.App.Worker(e.Acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	relay := e.App.Relay()
	relay.Interval = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = relay.Run(ctx)
	}()
	e.worker, e.stopRelay, e.relayDone = w, cancel, done
	return nil
}

// StopWorker stops the worker and the relay, as a crash of the worker process would.
func (e *Env) StopWorker() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.worker == nil {
		return
	}
	e.stopRelay()
	<-e.relayDone
	e.worker.Stop()
	e.worker = nil
}

// Close stops everything.
func (e *Env) Close() {
	e.StopWorker()
	e.Server.Close()
	e.App.Close()
	os.RemoveAll(e.Config.DataDir)
}

// Store is the Env's database.
func (e *Env) Store() *db.Store { return e.App.Store }

// createDatabase creates a fresh database on the server of base and returns its URL.
func createDatabase(ctx context.Context, base string) (string, error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connecting to %s: %w", redact(base), err)
	}
	defer conn.Close(ctx)
	name := "test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("creating database: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }
