package api_test

import (
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/testenv"
)

// BenchmarkReads measures authenticated GET /v1/account and GET /healthz at 32
// concurrent connections over loopback HTTP, reporting requests per second and the
// p50 and p99 latencies. Run it with a fixed count, for example
//
//	go test ./api -run '^$' -bench BenchmarkReads -benchtime 20000x
func BenchmarkReads(b *testing.B) {
	env := testenv.New(b, testenv.Options{})
	dev := env.Developer(b)
	for _, c := range []struct{ name, path, token string }{
		{"account", "/v1/account", dev.Token},
		{"healthz", "/healthz", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			load(b, env.URL+c.path, c.token, 32)
		})
	}
}

// load sends b.N GET requests to url from conc goroutines, each on its own kept-alive
// connection, and reports the throughput and latency percentiles.
func load(b *testing.B, url, token string, conc int) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var next atomic.Int64
	lat := make([][]time.Duration, conc)
	var failures atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest("GET", url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}
