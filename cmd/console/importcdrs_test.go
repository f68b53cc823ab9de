package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/ledger"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

const masterCSV = "../../internal/cdrcsv/testdata/cdr-asterisk-master.csv" // the shared real file

// setup starts a console with a developer holding 100 CNY and two live voice
// notification apps (0.060 CNY a minute).
func setup(t *testing.T) (*testenv.Env, testenv.User, string, string) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev := env.Developer(t)
	ctx := context.Background()
	var apps []string
	for range 2 {
		id := ids.New()
		_, err := env.Store().Pool.Exec(ctx, `INSERT INTO apps (id, account_sid, name, type,
			status, app_token_hash) VALUES ($1, $2, $3, 'voice_notification', 'live', '\x00')`,
			id, dev.SID, "app "+id[:6])
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, id)
	}
	err := env.Store().InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		_, err := ledger.Post(ctx, q, ledger.Entry{AccountSID: dev.SID, Key: "test-credit",
			Category: ledger.CategoryRecharge, Amount: 100 * money.Yuan}, ledger.RequireFunds)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return env, dev, apps[0], apps[1]
}

// importFile runs the command and returns its stdout and stderr.
func importFile(t *testing.T, env *testenv.Env, file string, flags ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"import-cdrs", "-database-url", env.Config.DatabaseURL}, flags...)
	err := run(context.Background(), append(args, file), &stdout, &stderr)
	if err != nil {
		t.Fatalf("import-cdrs: %v; %s", err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// expected is what the reference file holds, per app and Beijing day, read here
// with encoding/csv and arithmetic of its own.
type expected struct{ calls, answered, minutes int }

func expectFromFile(t *testing.T, appOf func(context string) string) map[string]*expected {
	raw, err := os.ReadFile(masterCSV)
	if err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(bytes.NewReader(raw))
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*expected{}
	for _, r := range rows {
		start, err := time.Parse("2006-01-02 15:04:05", r[9]) // the file is in UTC
		if err != nil {
			t.Fatal(err)
		}
		key := appOf(r[3]) + " " + start.Add(8*time.Hour).Format("2006-01-02")
		e := out[key]
		if e == nil {
			e = &expected{}
			out[key] = e
		}
		e.calls++
		if r[14] == "ANSWERED" {
			billsec, _ := strconv.Atoi(r[13])
			e.answered++
			e.minutes += (billsec + 59) / 60
		}
	}
	return out
}

func TestImportAsteriskFile(t *testing.T) {
	env, dev, pstnApp, delayApp := setup(t)
	want := expectFromFile(t, func(context string) string {
		if context == "TimeDelay" {
			return delayApp
		}
		return pstnApp
	})
	var calls, minutes int
	for _, e := range want {
		calls, minutes = calls+e.calls, minutes+e.minutes
	}
	amount := money.Li(minutes * 60)

	out, errOut := importFile(t, env, masterCSV, "-app", pstnApp, "-map", "TimeDelay="+delayApp)
	wantOut := fmt.Sprintf("read %d lines: %d stored, 0 duplicate, 0 bad; charged %s CNY\n",
		calls, calls, amount)
	if out != wantOut || errOut != "" {
		t.Fatalf("first import said %q (stderr %q), want %q", out, errOut, wantOut)
	}

	// The session statistics show the file per app and Beijing day.
	st := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/stats/sessions?from=2024-01-01&to=2024-02-01", Token: dev.Token})
	got := map[string]*expected{}
	for _, it := range st.JSON["items"].([]any) {
		m := it.(map[string]any)
		got[m["app_id"].(string)+" "+m["day"].(string)] = &expected{
			int(m["calls"].(float64)), int(m["answered"].(float64)),
			int(m["billed_minutes"].(float64))}
	}
	if fmt.Sprint(deref(got)) != fmt.Sprint(deref(want)) {
		t.Errorf("sessions %v, want %v", deref(got), deref(want))
	}
	total := st.JSON["total"].(map[string]any)
	if int(total["calls"].(float64)) != calls || total["amount"] != amount.String() {
		t.Errorf("session totals %v", total)
	}
	balance := func() int64 {
		a, err := env.Store().GetAccountBySID(context.Background(), dev.SID)
		if err != nil {
			t.Fatal(err)
		}
		return a.BalanceLi
	}
	if b := balance(); b != int64(100*money.Yuan-amount) {
		t.Errorf("balance %d after the import of %s", b, amount)
	}

	// The consumption statistics show the charges per app, this month (they were
	// charged now), and the dashboard the balance.
	perApp := map[string]money.Li{}
	for k, e := range want {
		if e.minutes > 0 { // an app without billed minutes was charged nothing
			perApp[strings.Fields(k)[0]] += money.Li(e.minutes * 60)
		}
	}
	cons := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/stats/consumption?period=month&by=app", Token: dev.Token})
	gotApp := map[string]money.Li{}
	for _, it := range cons.JSON["items"].([]any) {
		m := it.(map[string]any)
		a, err := money.Parse(m["amount"].(string), 3)
		if err != nil {
			t.Fatal(err)
		}
		gotApp[m["key"].(string)] += a
	}
	if fmt.Sprint(gotApp) != fmt.Sprint(perApp) || cons.JSON["total"] != amount.String() {
		t.Errorf("consumption by app %v total %v, want %v total %s", gotApp,
			cons.JSON["total"], perApp, amount)
	}
	dash := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/dashboard",
		Token: dev.Token})
	acct := dash.JSON["account"].(map[string]any)
	if b := acct["balance"]; b != (100*money.Yuan - amount).String() {
		t.Errorf("dashboard balance %v", b)
	}

	// The same file again stores and charges nothing.
	out, _ = importFile(t, env, masterCSV, "-app", pstnApp, "-map", "TimeDelay="+delayApp)
	if out != fmt.Sprintf("read %d lines: 0 stored, %d duplicate, 0 bad; charged 0.000 CNY\n",
		calls, calls) {
		t.Errorf("second import said %q", out)
	}
	if b := balance(); b != int64(100*money.Yuan-amount) {
		t.Errorf("balance %d after the second import", b)
	}

	// The call records list shows every leg; the non-UTF-8 caller names were
	// replaced, not refused.
	list := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/cdrs?limit=100&app_id=" + delayApp, Token: dev.Token})
	if n := len(list.JSON["items"].([]any)); n != want[delayApp+" 2024-01-28"].calls+
		countOf(want, delayApp+" 2024-01-27") {
		t.Errorf("%d records of the TimeDelay app", n)
	}
	_, bad, err := ledger.Check(context.Background(), env.Store().Queries)
	if err != nil || len(bad) > 0 {
		t.Errorf("ledger check: %v %v", err, bad)
	}
}

func countOf(m map[string]*expected, k string) int {
	if e := m[k]; e != nil {
		return e.calls
	}
	return 0
}

func deref(m map[string]*expected) map[string]expected {
	out := map[string]expected{}
	for k, v := range m {
		out[k] = *v
	}
	return out
}

func TestImportSkipsBrokenLine(t *testing.T) {
	env, _, app, _ := setup(t)
	raw, err := os.ReadFile(masterCSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")[:10]
	broken := append(append(append([]string{}, lines[:5]...),
		`"","1380","1390","from-pstn","x","SIP/1","","Hangup","","yesterday"`+"\n"),
		lines[5:]...)
	file := filepath.Join(t.TempDir(), "broken.csv")
	if err := os.WriteFile(file, []byte(strings.Join(broken, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut := importFile(t, env, file, "-app", app)
	if !strings.HasPrefix(out, "read 11 lines: 10 stored, 0 duplicate, 1 bad;") {
		t.Errorf("import said %q", out)
	}
	if !strings.HasPrefix(errOut, file+":6: skipped: ") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr %q does not report line 6 alone", errOut)
	}

	// A line of a context that nothing maps is reported too.
	out, errOut = importFile(t, env, masterCSV, "-map", "from-pstn="+app)
	if !strings.Contains(out, " 11 bad;") || !strings.Contains(errOut, `context "TimeDelay"`) {
		t.Errorf("unmapped lines: %q %q", out, errOut)
	}
}

// TestImportFreeSwitchFile imports a mod_cdr_csv file in the default template, with
// a record that spans two physical lines, one that ends before it starts and one
// with a billsec that is not a number. The expectations are read from the file
// here with encoding/csv.
func TestImportFreeSwitchFile(t *testing.T) {
	env, dev, app, publicApp := setup(t)
	const file = "../../internal/cdrcsv/testdata/freeswitch-example.csv"
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var good, bad, answered, minutes int
	for _, r := range rows {
		start, _ := time.Parse(time.DateTime, r[4])
		end, _ := time.Parse(time.DateTime, r[6])
		billsec, err := strconv.Atoi(r[8])
		if err != nil || end.Before(start) {
			bad++
			continue
		}
		good++
		if r[5] != "" {
			answered++
			minutes += (billsec + 59) / 60
		}
	}
	amount := money.Li(minutes * 60)

	out, errOut := importFile(t, env, file, "-format", "freeswitch", "-tz", "Asia/Shanghai",
		"-map", "acct-demo="+app, "-map", "public="+publicApp)
	want := fmt.Sprintf("read %d lines: %d stored, 0 duplicate, %d bad; charged %s CNY\n",
		len(rows), good, bad, amount)
	if out != want || strings.Count(errOut, "skipped") != bad {
		t.Errorf("import said %q, stderr %q; want %q", out, errOut, want)
	}
	st := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/stats/sessions?from=2024-03-01&to=2024-03-01", Token: dev.Token})
	total := st.JSON["total"].(map[string]any)
	if total["calls"] != float64(good) || total["answered"] != float64(answered) ||
		total["billed_minutes"] != float64(minutes) || total["amount"] != amount.String() {
		t.Errorf("session totals %v; want %d calls, %d answered, %d minutes", total, good,
			answered, minutes)
	}
}

// TestImportRefusesImplausibleSeconds imports a FreeSWITCH file whose legs claim far
// more seconds than their own times hold, one of them beyond what a duration can
// count: each is skipped with its line number and the good legs are stored and
// charged alone.
func TestImportRefusesImplausibleSeconds(t *testing.T) {
	env, _, app, _ := setup(t)
	leg := func(n int, duration, billsec string) string {
		return fmt.Sprintf(`"","1380000000%d","1390000000%d","default","2024-03-02 09:00:00",`+
			`"2024-03-02 09:00:05","2024-03-02 09:01:05","%s","%s","NORMAL_CLEARING",`+
			`"b7e2c0de-000%d-4b6e-9a51-0c1d2e3f4a01","","acct-demo","PCMA","PCMA"`+"\n",
			n, n, duration, billsec, n)
	}
	lines := leg(1, "65", "60") +
		leg(2, "9300000065", "9300000000") + // beyond 48 hours
		leg(3, "9999", "60") + // the times hold 65 seconds
		leg(4, "65", "65") + // answered for 60 seconds
		leg(5, "65", "61") // the switch's second of slack
	file := filepath.Join(t.TempDir(), "huge.csv")
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut := importFile(t, env, file, "-format", "freeswitch", "-app", app)
	if want := "read 5 lines: 2 stored, 0 duplicate, 3 bad; charged 0.180 CNY\n"; out != want {
		t.Errorf("import said %q, want %q; stderr %q", out, want, errOut)
	}
	for _, l := range []string{":2: skipped: duration 9300000065 is more than 48 hours",
		":3: skipped: duration", ":4: skipped: billed_seconds"} {
		if !strings.Contains(errOut, file+l) {
			t.Errorf("stderr %q does not report %q", errOut, l)
		}
	}
	var sec int64
	err := env.Store().Pool.QueryRow(context.Background(),
		`SELECT coalesce(sum(billed_seconds), 0) FROM cdrs`).Scan(&sec)
	if err != nil || sec != 121 {
		t.Errorf("stored %d billed seconds (%v), want 121", sec, err)
	}
}
