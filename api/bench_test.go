package api_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
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
// connection, and reports the throughput and latency percentiles. The load
// generator writes prepared request bytes and reads just the status line, headers
// and Content-Length body, as wrk does, so that the benchmark measures the server
// rather than an HTTP client sharing its two cores.
func load(b *testing.B, rawURL, token string, conc int) {
	u, err := url.Parse(rawURL)
	if err != nil {
		b.Fatal(err)
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n"
	if token != "" {
		req += "Authorization: Bearer " + token + "\r\n"
	}
	reqBytes := []byte(req + "\r\n")

	var next atomic.Int64
	lat := make([][]time.Duration, conc)
	errs := make([]error, conc)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				errs[w] = err
				return
			}
			defer conn.Close()
			rd := bufio.NewReaderSize(conn, 16<<10)
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if _, err := conn.Write(reqBytes); err != nil {
					errs[w] = err
					return
				}
				status, err := readResponse(rd)
				if err != nil {
					errs[w] = err
					return
				}
				if status != http.StatusOK {
					errs[w] = fmt.Errorf("status %d", status)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) != b.N {
		b.Fatalf("%d of %d requests answered", len(all), b.N)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}

// readResponse reads one HTTP/1.1 response with a Content-Length body and returns
// its status code.
func readResponse(rd *bufio.Reader) (int, error) {
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, err
	}
	length := -1
	for {
		h, err := rd.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(h, []byte(":")); ok &&
			bytes.EqualFold(k, []byte("Content-Length")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil {
				return 0, err
			}
		}
	}
	if length < 0 {
		return 0, errors.New("no Content-Length")
	}
	_, err = rd.Discard(length)
	return status, err
}
