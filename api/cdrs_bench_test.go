package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/internal/testenv"
)

// BenchmarkCDRIntake posts batches of 1,000 call records from 4 concurrent clients
// through the HTTP route, with rating, statistics and charging, and then copies the
// same rows into a table of the same shape with COPY, for comparison. Each
// iteration is one batch.
//
//	go test ./api -run '^$' -bench CDRIntake -benchtime 100x
func BenchmarkCDRIntake(b *testing.B) {
	env := testenv.New(b, testenv.Options{NoWorker: true})
	ctx := context.Background()
	var apps, accounts []string
	for range 50 {
		dev := env.Developer(b)
		for range 2 {
			apps = append(apps, insertApp(b, env, dev.SID, "voice_notification", "live"))
			accounts = append(accounts, dev.SID)
		}
	}

	// The batches are built before the clock starts.
	// Thirty days ago: the intake refuses records over a year old or in the future.
	start := time.Now().UTC().AddDate(0, 0, -30).Truncate(24 * time.Hour)
	bodies := make([][]byte, b.N)
	var rows [][]any
	for n := range b.N {
		recs := make([]map[string]any, 1000)
		for i := range recs {
			k := (n*1000 + i) % len(apps)
			outcome, billed := "answered", (n+i)%300
			if i%5 == 4 {
				outcome, billed = "no_answer", 0
			}
			at := start.Add(time.Duration(n*1000+i) * time.Second)
			recs[i] = call(fmt.Sprintf("bench-%d-%d", n, i), apps[k], at, billed, outcome)
			rows = append(rows, []any{"copy", fmt.Sprintf("bench-%d-%d", n, i), accounts[k],
				apps[k], "voice_notification", "13800000001", "13900000002", at,
				at.Add(10 * time.Second), at.Add(time.Duration(billed+10) * time.Second),
				int32(billed + 10), int32(billed), int32((billed + 59) / 60), outcome, "",
				int64(60), int64((billed + 59) / 60 * 60)})
		}
		bodies[n], _ = json.Marshal(map[string]any{"records": recs})
	}

	work := make(chan []byte, len(bodies))
	for _, body := range bodies {
		work <- body
	}
	close(work)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				hr, _ := http.NewRequest("POST", env.URL+"/v1/platform/cdrs",
					bytes.NewReader(body))
				hr.Header.Set("Authorization", "Bearer "+env.Config.PlatformToken)
				hr.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(hr)
				if err != nil {
					b.Error(err)
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"accepted":1000`)) {
					b.Errorf("status %d: %.300s", resp.StatusCode, raw)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(b.N*1000)/elapsed.Seconds(), "cdrs/s")

	// The baseline: the same rows into an unindexed copy of the table by COPY.
	pool := env.Store().Pool
	if _, err := pool.Exec(ctx,
		`CREATE TABLE cdrs_copy (LIKE cdrs INCLUDING DEFAULTS INCLUDING IDENTITY)`); err != nil {
		b.Fatal(err)
	}
	cols := []string{"source", "call_id", "account_sid", "app_id", "call_type", "caller",
		"callee", "started_at", "answered_at", "ended_at", "duration_seconds",
		"billed_seconds", "billed_minutes", "outcome", "hangup_cause", "price_per_minute_li",
		"amount_li"}
	began = time.Now()
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"cdrs_copy"}, cols, pgx.CopyFromRows(rows))
	if err != nil || n != int64(len(rows)) {
		b.Fatalf("copy: %d rows, %v", n, err)
	}
	b.ReportMetric(float64(n)/time.Since(began).Seconds(), "copy_cdrs/s")
}
