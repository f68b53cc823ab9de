package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/testenv"
)

// goLivePool is the size of the number pool and the number of simultaneous
// approvals of BenchmarkGoLiveApprovals.
const goLivePool = 50

// BenchmarkGoLiveApprovals approves fifty IVR go-live requests at once over a pool of
// exactly fifty numbers, with the default simulated carrier (latency and transient
// failures), and times from the approvals until every app is live. Every app must
// get a distinct number and none may fail. Run it with
//
//	go test ./api -run '^$' -bench BenchmarkGoLiveApprovals -benchtime 1x
func BenchmarkGoLiveApprovals(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := testenv.New(b, testenv.Options{
			Configure: func(c *config.Config) { c.AllowPrivateCallbacks = true },
		})
		cb, _ := callbackServer(b)
		op := env.Staff(b, "operator")
		reviewer := env.Staff(b, "reviewer")
		numbers := make([]string, goLivePool)
		for n := range numbers {
			numbers[n] = fmt.Sprintf("010-8888%04d", n)
		}
		importNumbers(b, env, op, numbers...)

		devs := make([]testenv.User, goLivePool)
		apps := make([]string, goLivePool)
		reqs := make([]string, goLivePool)
		for n := range devs {
			devs[n] = verifiedDeveloper(b, env, 1100)
			apps[n] = createApp(b, env, devs[n], "IVR", "ivr", cb.URL)
			r := env.Must(b, http.StatusAccepted, testenv.Request{Method: "POST",
				Path: "/v1/apps/" + apps[n] + "/go-live", Token: devs[n].Token})
			reqs[n] = r.Str("id")
		}
		for _, id := range reqs {
			waitReviewing(b, env, reviewer, id)
		}

		// The approvals are sent from their own goroutines, which may not stop the
		// benchmark: each reports its answer and the benchmark checks them after.
		b.StartTimer()
		start := time.Now()
		answers := make([]string, goLivePool)
		var wg sync.WaitGroup
		for n, id := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[n] = approve(env, reviewer, id)
			}()
		}
		wg.Wait()
		decided := time.Since(start)
		for n, a := range answers {
			if a != "" {
				b.Fatalf("approval of request %s: %s", reqs[n], a)
			}
		}
		deadline := time.Now().Add(2 * time.Minute)
		for open := -1; open != 0; {
			if time.Now().After(deadline) {
				b.Fatalf("%d requests still open after two minutes", open)
			}
			err := env.Store().Pool.QueryRow(context.Background(), `SELECT count(*)
				FROM go_live_requests WHERE status IN ('checking', 'reviewing', 'approved')`).
				Scan(&open)
			if err != nil {
				b.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		elapsed := time.Since(start)
		b.StopTimer()

		var live, distinct, free int
		env.Store().Pool.QueryRow(context.Background(), `SELECT count(*),
			count(DISTINCT number_id) FROM go_live_requests WHERE status = 'live'`).Scan(&live, &distinct)
		env.Store().Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM inbound_numbers WHERE status <> 'bound'`).Scan(&free)
		if live != goLivePool || distinct != goLivePool || free != 0 {
			b.Fatalf("live %d, distinct numbers %d, unbound numbers %d; want %d, %d, 0",
				live, distinct, free, goLivePool, goLivePool)
		}
		b.ReportMetric(float64(goLivePool)/elapsed.Seconds(), "approvals/s")
		b.ReportMetric(elapsed.Seconds(), "s/50-approvals")
		b.ReportMetric(decided.Seconds(), "s-decisions-answered")
		b.Logf("%d IVR go-live approvals over a pool of %d numbers: decisions answered "+
			"in %s, every app live after %s, %.1f approvals/s", goLivePool, goLivePool,
			decided.Round(time.Millisecond), elapsed.Round(time.Millisecond),
			float64(goLivePool)/elapsed.Seconds())
	}
}

// approve sends the reviewer's approval of a go-live request and returns "" when it
// is accepted, or what went wrong.
func approve(env *testenv.Env, reviewer testenv.User, requestID string) string {
	req, err := http.NewRequest("POST", env.URL+"/v1/review/go-lives/"+requestID+"/decision",
		strings.NewReader(`{"decision":"approve"}`))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+reviewer.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("status %d: %s", resp.StatusCode, body)
	}
	return ""
}
