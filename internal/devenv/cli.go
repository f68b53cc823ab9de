package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The temporal CLI FindTemporalCLI installs.
const (
	temporalCLIPackage = "github.com/temporalio/cli/cmd/temporal"
	temporalCLIVersion = "v1.5.1"
)

// FindTemporalCLI returns the path of a usable temporal CLI: $TEMPORAL_CLI
// when set, else `temporal` on PATH, else toolsDir/temporal. When there is
// none and install is true, it installs the CLI into toolsDir with `go install`,
// which takes about 3 minutes the first time.
//
// It returns an error when $TEMPORAL_CLI names no executable file, when no CLI
// is found and install is false or toolsDir is empty, or when the install
// fails.
func FindTemporalCLI(ctx context.Context, toolsDir string, install bool,
	log *slog.Logger) (string, error) {
	log = orDiscard(log)

	if path := os.Getenv("TEMPORAL_CLI"); path != "" {
		if !isExecutable(path) {
			return "", fmt.Errorf("finding temporal cli: TEMPORAL_CLI=%s is not an executable file",
				path)
		}
		return path, nil
	}
	if path, err := exec.LookPath("temporal"); err == nil {
		return path, nil
	}
	var inTools string
	if toolsDir != "" {
		inTools = filepath.Join(toolsDir, "temporal")
		if isExecutable(inTools) {
			return inTools, nil
		}
	}
	if !install || toolsDir == "" {
		return "", errors.New("finding temporal cli: set TEMPORAL_CLI, put temporal on PATH, " +
			"or install it: go install " + temporalCLIPackage + "@" + temporalCLIVersion)
	}

	return installTemporalCLI(ctx, toolsDir, log)
}

// installTemporalCLI builds the temporal CLI into toolsDir.
func installTemporalCLI(ctx context.Context, toolsDir string, log *slog.Logger) (string, error) {
	dir, err := filepath.Abs(toolsDir)
	if err != nil {
		return "", fmt.Errorf("resolving tools directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating tools directory: %w", err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("installing temporal cli: the go command is needed: %w", err)
	}

	log.Info("installing the temporal cli, this takes about 3 minutes the first time",
		"version", temporalCLIVersion, "dir", dir)
	began := time.Now()
	out := newTailBuffer(4000)
	cmd := exec.CommandContext(ctx, goTool, "install", temporalCLIPackage+"@"+temporalCLIVersion)
	cmd.Dir = dir // outside any module, whose go.mod would not matter anyway
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return "", withOutput(fmt.Errorf("installing temporal cli: %w", err), out.String())
	}

	path := filepath.Join(dir, "temporal")
	if !isExecutable(path) {
		return "", fmt.Errorf("installing temporal cli: %s missing after go install", path)
	}
	log.Info("temporal cli installed", "path", path,
		"duration_ms", time.Since(began).Milliseconds())
	return path, nil
}
