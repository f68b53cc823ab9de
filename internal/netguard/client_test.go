package netguard

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"testing"
)

func TestClientRefusesInternalTargets(t *testing.T) {
	srv := newCountingServer(t, nil)
	port := srv.port()

	tests := []struct {
		url  string
		addr string
		v6   bool
	}{
		{srv.URL, "127.0.0.1", false},
		{fmt.Sprintf("http://127.0.0.2:%d/", port), "127.0.0.2", false},
		{"http://10.0.0.1/", "10.0.0.1", false},
		{"http://10.0.0.1:8080/callback", "10.0.0.1", false},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254", false},
		{"http://192.168.1.1/", "192.168.1.1", false},
		{"http://172.16.0.1/", "172.16.0.1", false},
		{"http://100.64.0.1/", "100.64.0.1", false},
		{"http://100.100.100.200/latest/meta-data/", "100.100.100.200", false},
		{fmt.Sprintf("http://0.0.0.0:%d/", port), "0.0.0.0", false},
		{fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port), "127.0.0.1", false},
		{"http://[::ffff:a9fe:a9fe]/", "169.254.169.254", false},
		{fmt.Sprintf("http://[::1]:%d/", port), "::1", true},
		{"http://[fc00::1]/", "fc00::1", true},
		{"http://[fe80::1]/", "fe80::1", true},
		{"http://[64:ff9b::a00:1]/", "64:ff9b::a00:1", true},
		{"http://[fd00:ec2::254]/", "fd00:ec2::254", true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if tt.v6 {
				requireIPv6(t)
			}
			log := newDialLog(t)
			client := NewClient(Options{observeDial: log.observe})

			resp, err := client.Get(tt.url)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s succeeded", tt.url)
			}
			assertRefused(t, err, netip.MustParseAddr(tt.addr))

			connects, refusals := log.snapshot()
			if len(connects) != 0 || len(refusals) == 0 {
				t.Errorf("connects %v, refusals %v; want no connect and a refusal", connects, refusals)
			}
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}
}

func TestClientRefusesRedirectsToInternalTargets(t *testing.T) {
	first := newCountingServer(t, redirector)
	other := newCountingServer(t, nil)

	tests := []struct {
		target string
		addr   string
		v6     bool
	}{
		{"http://10.0.0.1/", "10.0.0.1", false},
		{"http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254", false},
		{"http://192.168.0.1:8080/", "192.168.0.1", false},
		{other.URL + "/admin", "127.0.0.1", false},
		{fmt.Sprintf("http://[::1]:%d/", other.port()), "::1", true},
		{"http://[::ffff:10.0.0.1]/", "10.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			if tt.v6 {
				requireIPv6(t)
			}
			log := newDialLog(t)
			client := NewClient(Options{
				allowAddrs:  []netip.AddrPort{first.addr()},
				observeDial: log.observe,
			})
			before := first.hits.Load()

			resp, err := client.Get(first.URL + "/redirect?to=" + url.QueryEscape(tt.target))
			if err == nil {
				resp.Body.Close()
				t.Fatalf("the redirect to %s was followed", tt.target)
			}
			assertRefused(t, err, netip.MustParseAddr(tt.addr))

			// The first hop connected, the redirect target was never dialled.
			connects, refusals := log.snapshot()
			if len(connects) != 1 || connects[0] != first.addr() {
				t.Errorf("connects = %v, want only %s", connects, first.addr())
			}
			if len(refusals) == 0 || refusals[0].Addr().Unmap() != netip.MustParseAddr(tt.addr).Unmap() {
				t.Errorf("refusals = %v, want %s", refusals, tt.addr)
			}
			if n := first.hits.Load() - before; n != 1 {
				t.Errorf("the first server got %d requests, want 1", n)
			}
		})
	}
	if n := other.hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}

	// The same guarded client follows a redirect that stays on the allowed
	// address, so the refusals above are the guard's doing.
	client := NewClient(Options{allowAddrs: []netip.AddrPort{first.addr()}})
	resp, err := client.Get(first.URL + "/redirect?to=/done")
	if err != nil {
		t.Fatalf("redirect within the allowed server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/done" {
		t.Errorf("redirect within the allowed server ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
}

func TestClientRefusesNamesResolvingInternally(t *testing.T) {
	srv := newCountingServer(t, redirector)
	dns := newFakeDNS()
	dns.set("rebind.test", "10.0.0.1")
	dns.set("metadata.test", "169.254.169.254")
	dns.set("self.test", "127.0.0.1")
	dns.set("mixed.test", "192.168.0.7", "fd00::7")

	tests := []struct {
		url          string
		allowPrivate bool
		addr         string
	}{
		{"http://rebind.test/", false, "10.0.0.1"},
		{"http://metadata.test/latest/meta-data/", false, "169.254.169.254"},
		{"http://metadata.test/latest/meta-data/", true, "169.254.169.254"},
		{fmt.Sprintf("http://self.test:%d/", srv.port()), false, "127.0.0.1"},
		{"http://mixed.test/", false, "192.168.0.7"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s private=%v", tt.url, tt.allowPrivate), func(t *testing.T) {
			log := newDialLog(t)
			client := NewClient(Options{
				AllowPrivate: tt.allowPrivate,
				observeDial:  log.observe,
				resolver:     dns.resolver(t),
			})
			resp, err := client.Get(tt.url)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s succeeded", tt.url)
			}
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("GET %s: %v, want ErrForbiddenAddress", tt.url, err)
			}
			connects, refusals := log.snapshot()
			if len(connects) != 0 || len(refusals) == 0 {
				t.Errorf("connects %v, refusals %v; want no connect and a refusal", connects, refusals)
			}
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}

	// With private addresses allowed the fake resolver's answer is dialled,
	// which shows the refusals above were made on resolved addresses.
	client := NewClient(Options{AllowPrivate: true, resolver: dns.resolver(t)})
	resp, err := client.Get(fmt.Sprintf("http://self.test:%d/", srv.port()))
	if err != nil {
		t.Fatalf("GET self.test with private addresses allowed: %v", err)
	}
	resp.Body.Close()
	if srv.hits.Load() != 1 {
		t.Errorf("the loopback server got %d requests, want 1", srv.hits.Load())
	}
}

func TestClientRefusesRebinding(t *testing.T) {
	srv := newCountingServer(t, nil)
	dns := newFakeDNS()
	log := newDialLog(t)
	client := NewClient(Options{
		allowAddrs:  []netip.AddrPort{srv.addr()},
		observeDial: log.observe,
		resolver:    dns.resolver(t),
	})
	target := fmt.Sprintf("http://flip.test:%d/", srv.port())

	// The name first resolves to the allowed server...
	dns.set("flip.test", "127.0.0.1")
	resp, err := client.Get(target)
	if err != nil {
		t.Fatalf("first GET: %v", err)
	}
	resp.Body.Close()

	// ...then, with a new connection needed, to an internal address.
	client.CloseIdleConnections()
	dns.set("flip.test", "10.0.0.1")
	resp, err = client.Get(target)
	if err == nil {
		resp.Body.Close()
		t.Fatal("second GET succeeded after the name moved to 10.0.0.1")
	}
	assertRefused(t, err, netip.MustParseAddr("10.0.0.1"))

	connects, refusals := log.snapshot()
	if len(connects) != 1 || len(refusals) != 1 || refusals[0].Addr() != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("connects %v, refusals %v; want one of each, the refusal to 10.0.0.1", connects, refusals)
	}
}
