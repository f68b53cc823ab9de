package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/app"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/devenv"
	"github.com/yiyun-console/console/internal/wfstart"
)

// runDev runs the whole console on this machine. Whatever the environment does not
// name (DATABASE_URL, TEMPORAL_ADDRESS, secrets) it makes under DATA_DIR, where it
// persists across restarts, including a restart after kill -9.
func runDev(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, _, err := loadConfig("dev", args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	if cfg.DataDir, err = filepath.Abs(cfg.DataDir); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("creating data folder: %w", err)
	}
	if os.Getenv("ALLOW_PRIVATE_CALLBACKS") == "" {
		// On one machine the developer's callback server is usually local.
		cfg.AllowPrivateCallbacks = true
	}
	if err := devSecrets(&cfg); err != nil {
		return err
	}

	deps, err := startDeps(ctx, &cfg, log, depOptions{
		dir: cfg.DataDir, persist: true, toolsDir: filepath.Join(cfg.DataDir, "bin"),
	})
	if err != nil {
		return err
	}
	defer deps.stop(log)

	a, err := app.Connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return err
	}

	log.Info("console is up",
		"api", cfg.PublicURL,
		"docs", cfg.PublicURL+"/docs",
		"temporal_ui", cfg.TemporalUIURL,
		"data_dir", cfg.DataDir,
		"platform_token_file", filepath.Join(cfg.DataDir, "secrets", "platform.token"))
	log.Info("create staff with: STAFF_PASSWORD=... go run ./cmd/console staff create " +
		"-email ops@example.com -role operator (with DATABASE_URL from " +
		filepath.Join(cfg.DataDir, "env") + ")")

	g, gctx := errgroup.WithContext(ctx)
	go deps.supervise(gctx, log)
	g.Go(func() error { return a.Serve(gctx, a.API(api.Deps{}).Handler()) })
	g.Go(func() error { return a.RunWorker(gctx, a.Activities()) })
	err = g.Wait()
	log.Info("console stopping")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// devSecrets fills the secrets the configuration lacks from files under DATA_DIR,
// creating them on the first run.
func devSecrets(cfg *config.Config) error {
	dir := filepath.Join(cfg.DataDir, "secrets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating secrets folder: %w", err)
	}
	fill := func(p *string, name string, gen func() string) error {
		if *p != "" {
			return nil
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			*p = strings.TrimSpace(string(b))
			return nil
		}
		*p = gen()
		return os.WriteFile(path, []byte(*p+"\n"), 0o600)
	}
	random := func(n int) []byte {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	if err := fill(&cfg.EncryptionKey, "encryption.key", func() string {
		return base64.StdEncoding.EncodeToString(random(32))
	}); err != nil {
		return err
	}
	if err := fill(&cfg.PlatformToken, "platform.token", func() string {
		return hex.EncodeToString(random(24))
	}); err != nil {
		return err
	}
	return fill(&cfg.PaymentSecret, "payment.secret", func() string {
		return hex.EncodeToString(random(24))
	})
}

// depOptions says where and how startDeps starts the services.
type depOptions struct {
	dir      string // their data lives here
	persist  bool   // keep Temporal's state in a file and Postgres durable
	toolsDir string // where the temporal CLI is installed when missing
}

// deps are the services startDeps started, to stop on the way out.
type deps struct {
	mu     sync.Mutex // guards pg, which supervise replaces
	pg     *devenv.Postgres
	pgOpts devenv.PostgresOptions
	tp     *devenv.Temporal
}

// startDeps starts Postgres unless cfg names one, and Temporal unless cfg names one,
// and fills cfg with their addresses. It also writes them to <dir>/env, so that
// other commands can be pointed at them.
func startDeps(ctx context.Context, cfg *config.Config, log *slog.Logger,
	o depOptions) (*deps, error) {
	d := &deps{}
	if cfg.DatabaseURL == "" {
		log.Info("starting private postgres", "dir", filepath.Join(o.dir, "postgres"))
		d.pgOpts = devenv.PostgresOptions{
			Dir: filepath.Join(o.dir, "postgres"), Fast: !o.persist, Logger: log,
		}
		pg, err := devenv.StartPostgres(ctx, d.pgOpts)
		if err != nil {
			return nil, fmt.Errorf("starting postgres: %w", err)
		}
		d.pg = pg
		d.pgOpts.Port = pg.Port // a restart comes back where the console looks
		cfg.DatabaseURL = pg.URL
	}
	if cfg.TemporalAddress == "" {
		bin, err := devenv.FindTemporalCLI(ctx, o.toolsDir, true, log)
		if err != nil {
			d.stop(log)
			return nil, err
		}
		opts := devenv.TemporalOptions{
			Binary:           bin,
			SearchAttributes: wfstart.SearchAttributes,
			Namespace:        cfg.TemporalNamespace,
			Logger:           log,
			LogFile:          filepath.Join(o.dir, "temporal.log"),
		}
		if o.persist {
			opts.DBFile = filepath.Join(o.dir, "temporal", "temporal.db")
			opts.Port, opts.UIPort = 7233, 8233
		} else {
			opts.Headless = true
		}
		log.Info("starting temporal dev server")
		tp, err := devenv.StartTemporal(ctx, opts)
		if err != nil {
			d.stop(log)
			return nil, fmt.Errorf("starting temporal: %w", err)
		}
		d.tp = tp
		cfg.TemporalAddress = tp.Address
		if cfg.TemporalUIURL == "" {
			cfg.TemporalUIURL = tp.UIURL
		}
	}
	env := fmt.Sprintf("DATABASE_URL=%s\nTEMPORAL_ADDRESS=%s\n", cfg.DatabaseURL,
		cfg.TemporalAddress)
	if err := os.WriteFile(filepath.Join(o.dir, "env"), []byte(env), 0o600); err != nil {
		log.Warn("could not write env file", "err", err)
	}
	return d, nil
}

// supervise starts the private Postgres again, on the same data and port, whenever
// it exits while ctx lasts, as a service manager would; the API answers 503 and
// the workers retry meanwhile.
func (d *deps) supervise(ctx context.Context, log *slog.Logger) {
	for {
		d.mu.Lock()
		pg := d.pg
		d.mu.Unlock()
		if pg == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-pg.Exited():
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("the private postgres exited; starting it again", "dir", pg.Dir)
		_ = pg.Stop(ctx) // releases its lock on the data folder
		for ctx.Err() == nil {
			next, err := devenv.StartPostgres(ctx, d.pgOpts)
			if err == nil {
				d.mu.Lock()
				d.pg = next
				d.mu.Unlock()
				log.Info("the private postgres is back", "port", next.Port)
				break
			}
			log.Warn("starting postgres again failed; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
	}
}

func (d *deps) stop(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tp != nil {
		if err := d.tp.Stop(ctx); err != nil {
			log.Warn("stopping temporal", "err", err)
		}
	}
	if d.pg != nil {
		if err := d.pg.Stop(ctx); err != nil {
			log.Warn("stopping postgres", "err", err)
		}
	}
}
