package netguard

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClientAllowPrivate(t *testing.T) {
	srv := newCountingServer(t, nil)
	log := newDialLog(t)
	client := NewClient(Options{AllowPrivate: true, observeDial: log.observe})

	resp, err := client.Get(srv.URL + "/callback")
	if err != nil {
		t.Fatalf("GET loopback with private addresses allowed: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("GET = %d %q, want 200 ok", resp.StatusCode, body)
	}

	// Unspecified and metadata addresses stay refused.
	for _, target := range []string{
		fmt.Sprintf("http://0.0.0.0:%d/", srv.port()),
		"http://169.254.169.254/latest/meta-data/",
		"http://100.100.100.200/latest/meta-data/",
	} {
		resp, err := client.Get(target)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s succeeded", target)
		} else if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("GET %s: %v, want ErrForbiddenAddress", target, err)
		}
	}

	connects, _ := log.snapshot()
	if len(connects) != 1 || connects[0] != srv.addr() || srv.hits.Load() != 1 {
		t.Errorf("connects = %v, hits = %d; want only the test server, once", connects, srv.hits.Load())
	}
}

func TestClientRedirectLimit(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	})
	tests := []struct {
		maxRedirects int
		requests     int64
		err          string
	}{
		{0, DefaultMaxRedirects + 1, "stopped after 3 redirects"},
		{1, 2, "stopped after 1 redirects"},
		{5, 6, "stopped after 5 redirects"},
		{-1, 1, ""},
	}
	for _, tt := range tests {
		before := srv.hits.Load()
		client := NewClient(Options{AllowPrivate: true, MaxRedirects: tt.maxRedirects})
		resp, err := client.Get(srv.URL)
		if tt.err == "" {
			if err != nil || resp.StatusCode != http.StatusFound {
				t.Errorf("MaxRedirects %d: %v, want the 302 itself", tt.maxRedirects, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("MaxRedirects %d: %v, want %q", tt.maxRedirects, err, tt.err)
		}
		if resp != nil {
			resp.Body.Close()
		}
		if n := srv.hits.Load() - before; n != tt.requests {
			t.Errorf("MaxRedirects %d: %d requests, want %d", tt.maxRedirects, n, tt.requests)
		}
	}
}

func TestClientTimeout(t *testing.T) {
	if got := NewClient(Options{}).Timeout; got != DefaultTimeout {
		t.Errorf("default Timeout = %v, want %v", got, DefaultTimeout)
	}

	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	client := NewClient(Options{AllowPrivate: true, Timeout: 100 * time.Millisecond})
	start := time.Now()
	resp, err := client.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a hanging server did not time out")
	}
	var nerr net.Error
	if !errors.As(err, &nerr) || !nerr.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("timed out after %v", elapsed)
	}
}

func TestClientUsesNoProxy(t *testing.T) {
	transport, ok := NewClient(Options{}).Transport.(*http.Transport)
	if !ok || transport.Proxy != nil || transport.DialContext == nil {
		t.Errorf("transport = %#v, want a guarded dialer and no proxy", transport)
	}
}

func TestGuardRefusesOtherNetworks(t *testing.T) {
	g := &guard{allowPrivate: true}
	for _, tc := range []struct{ network, address string }{
		{"udp4", "127.0.0.1:53"},
		{"unix", "/var/run/docker.sock"},
		{"tcp4", "not an address"},
	} {
		if err := g.control(tc.network, tc.address, nil); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("control(%s, %s) = %v, want ErrForbiddenAddress", tc.network, tc.address, err)
		}
	}
	if err := g.control("tcp6", "[::1]:443", nil); err != nil {
		t.Errorf("control(tcp6, [::1]:443) with private allowed = %v", err)
	}
}
