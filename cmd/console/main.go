// Command console runs the Yiyun Console: the whole of it on one machine (dev), or
// its parts in production (serve, worker, migrate), and its operator tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: console <command> [flags]

commands:
  dev            run everything on this machine: Postgres and Temporal (unless
                 DATABASE_URL / TEMPORAL_ADDRESS are set), migrations, API and worker
  serve          run the HTTP API
  worker         run the Temporal worker and the workflow-start relay
  migrate        apply the schema migrations
  staff create   create a reviewer or operator account
  import-cdrs    import an Asterisk or FreeSWITCH CDR file: store, rate and charge
                 each call once
  demo           walk the guided journey against a running console (after dev)
  ledger-check   prove that every balance equals the sum of its ledger entries
  with-deps      run a command with private Postgres and Temporal servers started for
                 it (unless DATABASE_URL / TEMPORAL_ADDRESS are set), their addresses
                 in its environment; the test command uses it

Run "console <command> -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}

// run is the whole command, so that tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dev":
		return runDev(ctx, rest, stderr)
	case "serve":
		return runServe(ctx, rest, stderr)
	case "worker":
		return runWorker(ctx, rest, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stderr)
	case "staff":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New(`usage: console staff create -email E -role reviewer|operator`)
		}
		return runStaffCreate(ctx, rest[1:], stdout, stderr)
	case "import-cdrs":
		return runImportCDRs(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "ledger-check":
		return runLedgerCheck(ctx, rest, stdout, stderr)
	case "with-deps":
		return runWithDeps(ctx, rest, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// newLogger returns the process's logger, text to stderr.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
