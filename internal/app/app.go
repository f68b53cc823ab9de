// Package app wires the console together from its configuration: the Postgres pool,
// the Temporal client, the HTTP API and the worker with every workflow, activity and
// the workflow-start relay. The commands and the tests build the console through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/carrier"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/sms"
	"github.com/yiyun-console/console/internal/storage"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

// poolSize is the default number of Postgres connections of a process; the URL's
// pool_max_conns parameter overrides it.
const poolSize = 32

// App is a connected console.
type App struct {
	Config   config.Config
	Store    *db.Store
	Temporal client.Client
	Log      *slog.Logger
}

// Connect opens the pool and the Temporal client.
func Connect(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	pool, err := db.Open(ctx, cfg.DatabaseURL, poolSize)
	if err != nil {
		return nil, err
	}
	tc, err := DialTemporal(ctx, cfg, log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &App{Config: cfg, Store: db.NewStore(pool), Temporal: tc, Log: log}, nil
}

// DialTemporal connects a Temporal client, retrying for up to 30 seconds while the
// server starts.
func DialTemporal(ctx context.Context, cfg config.Config, log *slog.Logger) (client.Client, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		tc, err := client.DialContext(ctx, client.Options{
			HostPort:  cfg.TemporalAddress,
			Namespace: cfg.TemporalNamespace,
			Logger:    tlog.NewStructuredLogger(log.With("component", "temporal")),
		})
		if err == nil {
			return tc, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connecting to temporal at %s: %w", cfg.TemporalAddress, err)
		}
		time.Sleep(time.Second)
	}
}

// Close releases the pool and the client.
func (a *App) Close() {
	a.Temporal.Close()
	a.Store.Pool.Close()
}

// Migrate applies the schema migrations.
func (a *App) Migrate(ctx context.Context) error {
	n, err := db.Migrate(ctx, a.Store.Pool, a.Log)
	if err != nil {
		return err
	}
	a.Log.Info("schema is current", "applied", n)
	return nil
}

// API returns the HTTP API.
func (a *App) API(deps api.Deps) *api.Server {
	if deps.Storage == nil {
		deps.Storage = &storage.Local{Dir: filepath.Join(a.Config.DataDir, "files")}
	}
	return api.New(a.Config, a.Store, a.Temporal, a.Log, deps)
}

// Activities returns the activities with their default outside-world implementations.
func (a *App) Activities() *activities.Activities {
	return &activities.Activities{
		Store: a.Store, Temporal: a.Temporal, Config: a.Config, Log: a.Log,
		Outside: activities.Outside{
			Carrier: carrier.Default(),
			SMS:     &sms.Outbox{Store: a.Store},
		},
	}
}

// Worker returns a worker on the configured task queue with every workflow and
// activity registered.
func (a *App) Worker(acts *activities.Activities) worker.Worker {
	w := worker.New(a.Temporal, a.Config.TaskQueue, worker.Options{})
	workflows.Register(w)
	activities.Register(w, acts)
	return w
}

// Relay returns the workflow-start relay for the configured task queue.
func (a *App) Relay() *wfstart.Relay {
	return &wfstart.Relay{
		Starter:   wfstart.Starter{Store: a.Store, Temporal: a.Temporal, Log: a.Log},
		TaskQueue: a.Config.TaskQueue,
	}
}

// RunWorker runs the worker and the relay until ctx ends.
func (a *App) RunWorker(ctx context.Context, acts *activities.Activities) error {
	if err := EnsureSearchAttributes(ctx, a.Temporal, a.Config.TemporalNamespace); err != nil {
		a.Log.Warn("search attributes not registered; register them on the cluster",
			"err", err)
	}
	if err := EnsureBillingSchedule(ctx, a.Temporal, a.Config.TaskQueue); err != nil {
		a.Log.Warn("billing schedule not created", "err", err)
	}
	if err := EnsureRetentionSchedule(ctx, a.Temporal, a.Config.TaskQueue); err != nil {
		a.Log.Warn("idempotency key retention schedule not created", "err", err)
	}
	w := a.Worker(acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	defer w.Stop()
	a.Log.Info("worker started", "task_queue", a.Config.TaskQueue)
	return a.Relay().Run(ctx)
}

// Serve runs the HTTP API on the configured address until ctx ends.
func (a *App) Serve(ctx context.Context, h http.Handler) error {
	srv := &http.Server{
		Addr:              a.Config.HTTPAddr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.Log.Info("api listening", "addr", a.Config.HTTPAddr)
	select {
	case err := <-errc:
		return fmt.Errorf("serving http: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// EnsureSearchAttributes registers the console's search attributes on the namespace
// where they are missing.
func EnsureSearchAttributes(ctx context.Context, tc client.Client, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ops := tc.OperatorService()
	have, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{
		Namespace: namespace,
	})
	if err != nil {
		return fmt.Errorf("listing search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name := range wfstart.SearchAttributes {
		if _, ok := have.CustomAttributes[name]; !ok {
			missing[name] = enums.INDEXED_VALUE_TYPE_KEYWORD
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("adding search attributes: %w", err)
	}
	return nil
}
