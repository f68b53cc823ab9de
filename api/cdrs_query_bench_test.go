package api_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/testenv"
)

// BenchmarkCDRQueries loads call records spread over 1,000 accounts straight into
// Postgres (10 million by default; CDR_BENCH_ROWS changes it), every tenth record
// the measured developer's, over one Beijing month. It then measures,
// through the HTTP routes: the first page of 50 of one day of that account, one
// month of its session statistics, and the export of all its records (a million at
// the default size), printing the export's peak RSS beside the RSS before it.
//
//	go test ./api -run '^$' -bench CDRQueries -benchtime 200x -timeout 60m
func BenchmarkCDRQueries(b *testing.B) {
	total := 10_000_000
	if s := os.Getenv("CDR_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("CDR_BENCH_ROWS=%q: want a number of at least 1000", s)
		}
		total = n
	}
	env := testenv.New(b, testenv.Options{NoWorker: true})
	dev := env.Developer(b)
	app := insertApp(b, env, dev.SID, "voice_notification", "live")
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	loadBenchCDRs(b, env, dev.SID, app, month, total)
	mine := total / 10

	client := &http.Client{}
	get := func(path string) (*http.Response, error) {
		hr, _ := http.NewRequest("GET", env.URL+path, nil)
		hr.Header.Set("Authorization", "Bearer "+dev.Token)
		return client.Do(hr)
	}
	getJSON := func(b *testing.B, path string) []byte {
		resp, err := get(path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, body)
		}
		return body
	}

	b.Run("first_page_one_day", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := range b.N {
			day := month.AddDate(0, 0, i%30)
			path := "/v1/cdrs?" + url.Values{"limit": {"50"},
				"from": {day.Format(time.RFC3339)},
				"to":   {day.AddDate(0, 0, 1).Format(time.RFC3339)}}.Encode()
			began := time.Now()
			body := getJSON(b, path)
			lat = append(lat, time.Since(began))
			if n := bytes.Count(body, []byte(`"call_id"`)); n != 50 {
				b.Fatalf("%d records on the first page of %s", n, day.Format("Jan 2"))
			}
		}
		reportLatency(b, lat)
	})

	b.Run("sessions_one_month", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		want := fmt.Sprintf(`"calls":%d,`, mine)
		for range b.N {
			began := time.Now()
			body := getJSON(b, "/v1/stats/sessions?from=2026-11-01&to=2026-11-30")
			lat = append(lat, time.Since(began))
			if !bytes.Contains(body, []byte(want)) {
				b.Fatalf("the month's totals are not %s: %.300s", want, body[max(0, len(body)-300):])
			}
		}
		reportLatency(b, lat)
	})

	// The export runs once, whatever -benchtime says: a million records take
	// seconds. Its figures are printed on their own line.
	before := peakRSS(b)
	resetPeakRSS(b)
	began := time.Now()
	resp, err := get("/v1/cdrs/export")
	if err != nil {
		b.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		lines++
	}
	resp.Body.Close()
	if err := sc.Err(); err != nil || lines != mine+1 {
		b.Fatalf("export: %d lines, want %d; %v", lines, mine+1, err)
	}
	elapsed := time.Since(began)
	fmt.Printf("BenchmarkCDRQueries/export_all: %d records in %s, %.0f records/s, "+
		"peak RSS %.1f MiB (%.1f MiB before the export)\n", mine,
		elapsed.Round(time.Millisecond), float64(mine)/elapsed.Seconds(),
		float64(peakRSS(b))/(1<<20), float64(before)/(1<<20))
}

// loadBenchCDRs generates total records in SQL, as the intake would have stored
// them, with the daily statistics to match, and analyses the table.
func loadBenchCDRs(b *testing.B, env *testenv.Env, sid, app string, month time.Time, total int) {
	ctx := context.Background()
	pool := env.Store().Pool
	began := time.Now()
	const chunk = 1_000_000
	for lo := 1; lo <= total; lo += chunk {
		hi := min(lo+chunk-1, total)
		// Row g starts at a point of the month proportional to g, so that the
		// table grows in time order as it does in production; every tenth row is the
		// measured account's and the others go round 999 more accounts.
		_, err := pool.Exec(ctx, `
			INSERT INTO cdrs (source, call_id, account_sid, app_id, call_type, caller, callee,
			    started_at, answered_at, ended_at, duration_seconds, billed_seconds,
			    billed_minutes, outcome, hangup_cause, price_per_minute_li, amount_li)
			SELECT 'platform', 'bench-' || g, r.account_sid, r.app_id, 'voice_notification',
			    '1380' || lpad((g % 10000000)::text, 7, '0'),
			    '1390' || lpad(((g * 7) % 10000000)::text, 7, '0'),
			    r.started_at, CASE WHEN r.billed > 0 THEN r.started_at + interval '5 s' END,
			    r.started_at + make_interval(secs => r.billed + 5), r.billed + 5, r.billed,
			    (r.billed + 59) / 60,
			    CASE WHEN r.billed > 0 THEN 'answered' ELSE 'no_answer' END,
			    CASE WHEN r.billed > 0 THEN '' ELSE 'NO_USER_RESPONSE' END,
			    60, (r.billed + 59) / 60 * 60
			FROM generate_series($1::bigint, $2::bigint) g,
			LATERAL (SELECT
			    CASE WHEN g % 10 = 0 THEN $3::text ELSE 'bench-account-' || (g % 999) END AS account_sid,
			    CASE WHEN g % 10 = 0 THEN $4::text ELSE 'bench-app-' || (g % 999) END AS app_id,
			    $5::timestamptz + (g - 1) * (interval '30 days' / $6::bigint) AS started_at,
			    CASE WHEN g % 5 = 3 THEN 0 ELSE (g % 300)::int END AS billed) r`,
			lo, hi, sid, app, month, total)
		if err != nil {
			b.Fatalf("loading call records: %v", err)
		}
	}
	_, err := pool.Exec(ctx, `
		INSERT INTO cdr_daily_stats (app_id, day, account_sid, calls, answered,
		    billed_seconds, billed_minutes, amount_li)
		SELECT app_id, (started_at AT TIME ZONE 'Asia/Shanghai')::date, account_sid, count(*),
		    count(*) FILTER (WHERE outcome = 'answered'), sum(billed_seconds),
		    sum(billed_minutes), sum(amount_li)
		FROM cdrs GROUP BY 1, 2, 3`)
	if err != nil {
		b.Fatalf("summing session statistics: %v", err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE cdrs`); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE cdr_daily_stats`); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("BenchmarkCDRQueries: loaded %d call records over 1,000 accounts in %s\n",
		total, time.Since(began).Round(time.Second))
}

// reportLatency prints the 50th and 99th percentiles of lat.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50_ms")
	b.ReportMetric(at(0.99), "p99_ms")
}

// peakRSS reads this process's peak resident set size (VmHWM) in bytes.
func peakRSS(b *testing.B) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Skip("no VmHWM in /proc/self/status")
	return 0
}

// resetPeakRSS starts VmHWM again from the current RSS (Linux 4.0 and later).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		fmt.Printf("cannot reset the peak RSS, it includes earlier work: %v\n", err)
	}
}
