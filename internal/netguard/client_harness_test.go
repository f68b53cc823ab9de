package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// dialLog records what the guarded dialer did, and is the tests' safety net:
// whatever the guard decides, it lets no dial leave loopback.
type dialLog struct {
	t        *testing.T
	mu       sync.Mutex
	connects []netip.AddrPort
	refusals []netip.AddrPort
}

func newDialLog(t *testing.T) *dialLog {
	return &dialLog{t: t}
}

// observe is the client's observeDial hook.
func (l *dialLog) observe(addr netip.AddrPort, verdict error) error {
	if verdict == nil && !addr.Addr().Unmap().IsLoopback() {
		l.t.Errorf("the guard let a dial to %s through", addr)
		verdict = errors.New("test safety net: no dial leaves loopback")
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if verdict == nil {
		l.connects = append(l.connects, addr)
	} else {
		l.refusals = append(l.refusals, addr)
	}
	return verdict
}

func (l *dialLog) snapshot() (connects, refusals []netip.AddrPort) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]netip.AddrPort(nil), l.connects...), append([]netip.AddrPort(nil), l.refusals...)
}

// countingServer is a loopback test server that counts the requests it gets.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) addr() netip.AddrPort {
	return netip.MustParseAddrPort(s.Listener.Addr().String())
}

func (s *countingServer) port() uint16 {
	return s.addr().Port()
}

// redirector answers /redirect?to=URL with a 302 to URL, and 200 elsewhere.
func redirector(w http.ResponseWriter, r *http.Request) {
	if to := r.URL.Query().Get("to"); to != "" {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	fmt.Fprint(w, "ok")
}

// requireIPv6 skips when this machine cannot open IPv6 sockets at all, since
// then an IPv6 dial fails before the guard is asked.
func requireIPv6(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 on this machine: %v", err)
	}
	l.Close()
}

// assertRefused checks that err is a refusal by the guard, seen through the
// url.Error that http.Client wraps it in, for the address want.
func assertRefused(t *testing.T, err error, want netip.Addr) {
	t.Helper()
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		t.Fatalf("err = %v, want a *url.Error", err)
	}
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want one matching ErrForbiddenAddress", err)
	}
	var aerr *AddressError
	if !errors.As(err, &aerr) || aerr.Addr != want.Unmap() {
		t.Errorf("err = %v, want an *AddressError for %s", err, want)
	}
}
