package api_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// The ledger-check command proves every balance equals the sum of its entries, and
// names the account whose balance was changed outside the ledger.
func TestLedgerCheckCommand(t *testing.T) {
	bin := buildConsole(t)
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	other := env.Developer(t)
	fund(t, env, dev.SID, 120*money.Yuan, time.Time{})
	fund(t, env, other.SID, 30*money.Yuan, time.Time{})

	check := func() (string, int) {
		t.Helper()
		cmd := exec.Command(bin, "ledger-check")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+env.Config.DatabaseURL)
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("ledger-check: %v", err)
		}
		return string(out), 0
	}

	out, code := check()
	if code != 0 || !strings.Contains(out, "2 accounts checked, 0 mismatched") {
		t.Fatalf("ledger-check on a sound ledger: exit %d, %q", code, out)
	}

	// A balance changed without an entry is found.
	_, err := env.Store().Pool.Exec(context.Background(),
		`UPDATE accounts SET balance_li = balance_li + 1 WHERE sid = $1`, other.SID)
	if err != nil {
		t.Fatal(err)
	}
	out, code = check()
	want := fmt.Sprintf("MISMATCH account %s: balance 30.001, ledger sum 30.000", other.SID)
	if code != 2 || !strings.Contains(out, want) ||
		!strings.Contains(out, "2 accounts checked, 1 mismatched") {
		t.Fatalf("ledger-check after a change outside the ledger: exit %d, %q", code, out)
	}
}
