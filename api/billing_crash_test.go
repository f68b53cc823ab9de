package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/yiyun-console/console/internal/app"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

// workerProcess is the console's worker running as a process of its own, on env's
// database and task queue.
type workerProcess struct {
	cmd *exec.Cmd
	log *bytes.Buffer
}

// buildConsole builds the console binary once for the test.
func buildConsole(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "console")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/console").CombinedOutput()
	if err != nil {
		t.Fatalf("building the console: %v\n%s", err, out)
	}
	return bin
}

func startWorkerProcess(t *testing.T, bin string, env *testenv.Env) *workerProcess {
	t.Helper()
	cmd := exec.Command(bin, "worker")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+env.Config.DatabaseURL,
		"TEMPORAL_ADDRESS="+env.Config.TemporalAddress,
		"TASK_QUEUE="+env.Config.TaskQueue,
		"ENCRYPTION_KEY="+env.Config.EncryptionKey,
		"PLATFORM_TOKEN="+env.Config.PlatformToken,
		"PAYMENT_SECRET="+env.Config.PaymentSecret,
		"DATA_DIR="+env.Config.DataDir,
		"PUBLIC_URL="+env.URL,
		"LOG_LEVEL=info",
	)
	w := &workerProcess{cmd: cmd, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the worker process: %v", err)
	}
	t.Cleanup(func() { w.kill(t) })
	return w
}

// kill ends the process with SIGKILL, as kill -9 does.
func (w *workerProcess) kill(t *testing.T) {
	t.Helper()
	if w.cmd.ProcessState != nil {
		return
	}
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Logf("killing the worker: %v", err)
	}
	_ = w.cmd.Wait()
}

func TestBillingRunSurvivesWorkerKill(t *testing.T) {
	bin := buildConsole(t)
	env := testenv.New(t, testenv.Options{NoWorker: true})
	ops := env.Staff(t, "operator")
	month := ledger.Month(time.Now())
	apps := seedLiveIVRApps(t, env, 300, 10, 1050*money.Yuan)
	t.Cleanup(func() {
		h := env.App.Temporal.ScheduleClient().GetHandle(context.Background(),
			app.BillingScheduleID(env.Config.TaskQueue))
		_ = h.Delete(context.Background())
	})

	first := startWorkerProcess(t, bin, env)
	env.Must(t, http.StatusAccepted, req{Method: "POST", Path: "/v1/ops/billing-runs",
		Token: ops.Token, Body: map[string]any{"month": month}})
	rent := `SELECT count(*) FROM ledger_entries WHERE category = 'ivr_app_rent'`
	eventually(t, "the run to be under way", func() bool {
		return countRows(t, env, rent) > apps/10
	})

	// kill -9 in the middle of the run, then a new worker process.
	first.kill(t)
	mid := countRows(t, env, rent)
	t.Logf("%d of %d apps charged when the worker was killed", mid, apps)
	if mid >= apps {
		t.Logf("the run had charged every app before the kill; the test proves less")
	}
	second := startWorkerProcess(t, bin, env)
	var run testenv.Response
	deadline := time.Now().Add(90 * time.Second)
	for {
		run = env.Do(t, req{Method: "GET", Path: "/v1/ops/billing-runs/" + month, Token: ops.Token})
		if run.Str("status") == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not complete after the restart: %s\nworker log:\n%s",
				run.Body, second.log)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Every app charged exactly once, and each account's balance went down by 100 once.
	if n := countRows(t, env, rent); n != apps {
		t.Fatalf("%d rent charges for %d apps", n, apps)
	}
	if n := countRows(t, env, `SELECT count(*) FROM (SELECT app_id FROM ledger_entries
		WHERE category = 'ivr_app_rent' GROUP BY app_id HAVING count(*) > 1) d`); n != 0 {
		t.Fatalf("%d apps charged more than once", n)
	}
	if n := countRows(t, env, `SELECT count(*) FROM accounts WHERE email LIKE 'seed%'
		AND balance_li <> 50000`); n != 0 {
		t.Fatalf("%d accounts with a balance other than 50.000", n)
	}
	if run.JSON["apps_charged"] != float64(apps) {
		t.Errorf("run: %s", run.Body)
	}
	ledgerOK(t, env)
}

func TestBillingScheduleStartsTheMonthsRun(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := env.Staff(t, "operator")
	ctx := context.Background()
	for range 2 {
		if err := app.EnsureBillingSchedule(ctx, env.App.Temporal, env.Config.TaskQueue); err != nil {
			t.Fatalf("ensuring schedule: %v", err)
		}
	}
	h := env.App.Temporal.ScheduleClient().GetHandle(ctx, app.BillingScheduleID(env.Config.TaskQueue))
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := desc.Info.NextActionTimes
	if len(next) == 0 {
		t.Fatal("the schedule has no next action")
	}
	first := next[0].In(ledger.Beijing)
	if first.Day() != 1 || first.Hour() != 0 || first.Minute() != 0 || first.Second() != 0 {
		t.Errorf("next action at %s Beijing time, want 00:00 on the 1st", first)
	}

	// Fired now, it starts this month's run.
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	run := runDone(t, env, ops, ledger.Month(time.Now()))
	if run.Str("started_by") != "schedule" {
		t.Errorf("run: %s", run.Body)
	}
	ledgerOK(t, env)
}
