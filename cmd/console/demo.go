package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/journey"
)

// runDemo walks the guided journey against a running console. Pointed at a
// `console dev` with the same DATA_DIR it needs nothing else: it reads the servers'
// addresses from DATA_DIR/env and the platform token from DATA_DIR/secrets, and
// creates a reviewer and an operator on the command line, as an operator would.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("demo", args, stderr)
	if err != nil {
		return err
	}
	env, err := readEnvFile(filepath.Join(cfg.DataDir, "env"))
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = env["DATABASE_URL"]
	}
	if cfg.PlatformToken == "" {
		b, err := os.ReadFile(filepath.Join(cfg.DataDir, "secrets", "platform.token"))
		if err != nil {
			return fmt.Errorf("no PLATFORM_TOKEN and no token file of `console dev`: %w", err)
		}
		cfg.PlatformToken = strings.TrimSpace(string(b))
	}
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("no DATABASE_URL and no %s: start `console dev` first",
			filepath.Join(cfg.DataDir, "env"))
	}
	ui := cfg.TemporalUIURL
	if ui == "" && cfg.TemporalAddress == "" {
		ui = "http://127.0.0.1:8233" // where `console dev` serves it
	}

	tag := ids.New()[:8]
	staff := map[string]journey.Staff{}
	for _, role := range []string{"reviewer", "operator"} {
		s := journey.Staff{Email: role + "-" + tag + "@example.com",
			Password: "demo " + role + " " + ids.New()[:12]}
		if _, err := createStaff(ctx, cfg.DatabaseURL, s.Email, role, "", s.Password); err != nil {
			return fmt.Errorf("creating the demo %s: %w", role, err)
		}
		staff[role] = s
	}
	fmt.Fprintf(stdout, "Yiyun Console guided journey against %s\n", cfg.PublicURL)
	fmt.Fprintf(stdout, "staff created on the command line: reviewer %s, operator %s\n",
		staff["reviewer"].Email, staff["operator"].Email)
	started := time.Now()
	res, err := journey.Run(ctx, journey.Config{
		BaseURL: cfg.PublicURL, PlatformToken: cfg.PlatformToken,
		Reviewer: staff["reviewer"], Operator: staff["operator"],
		TemporalUI: ui, Namespace: cfg.TemporalNamespace, Out: stdout,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nAll %d steps done in %s. Account %s, app %s on %s, balance %s CNY.\n",
		res.Steps, time.Since(started).Round(time.Second), res.AccountSID, res.AppID,
		res.Number, res.Balance)
	fmt.Fprintf(stdout, "Log in to look around (POST %s/v1/sessions):\n", cfg.PublicURL)
	fmt.Fprintf(stdout, "  developer %s  password %q\n", res.Email, res.Password)
	for _, role := range []string{"reviewer", "operator"} {
		fmt.Fprintf(stdout, "  %-9s %s  password %q\n", role, staff[role].Email,
			staff[role].Password)
	}
	if ui != "" {
		q := url.Values{"query": {fmt.Sprintf("AccountId=%q", res.AccountSID)}}
		fmt.Fprintf(stdout, "Every process of this account in the Temporal UI: "+
			"%s/namespaces/%s/workflows?%s\n", ui, cfg.TemporalNamespace, q.Encode())
	}
	return nil
}

// readEnvFile reads KEY=VALUE lines.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}
