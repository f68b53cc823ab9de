package netguard

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout      = 3 * time.Second
	DefaultMaxRedirects = 3
)

// Options configures NewClient.
type Options struct {
	// AllowPrivate lets requests reach loopback, private, link-local and
	// other internal addresses, for a console and its callback servers that
	// run on one machine. Unspecified, multicast and cloud metadata addresses
	// stay refused.
	AllowPrivate bool
	// Timeout bounds a whole request, redirects and reading the body
	// included. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects is how many redirects a request follows. Zero means
	// DefaultMaxRedirects; a negative value follows none and returns the
	// redirect response itself.
	MaxRedirects int

	// allowAddrs are reachable whatever their range. Only tests set it, to
	// let a guarded client reach one loopback test server.
	allowAddrs []netip.AddrPort
	// observeDial, when set, sees each address the dialer is about to
	// connect to together with the guard's verdict (nil to connect) and
	// returns the verdict to apply. Only tests set it.
	observeDial func(addr netip.AddrPort, verdict error) error
	// resolver, when set, replaces the system resolver. Only tests set it.
	resolver *net.Resolver
}

// NewClient returns an HTTP client for requests to developers' servers. Its
// dialer refuses, before connecting, every address that CheckAddr refuses
// under opts.AllowPrivate, whether the address was written in the URL, came
// from DNS or from a redirect. Such requests fail with an error that matches
// ErrForbiddenAddress. The client never uses a proxy, whose address would
// stand in for the real one.
func NewClient(opts Options) *http.Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}

	g := &guard{
		allowPrivate: opts.AllowPrivate,
		allowAddrs:   opts.allowAddrs,
		observe:      opts.observeDial,
	}
	dialer := &net.Dialer{
		Timeout:  opts.Timeout,
		Resolver: opts.resolver,
		Control:  g.control,
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would be dialled instead of the server
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       opts.Timeout,
		CheckRedirect: checkRedirect(opts.MaxRedirects),
	}
}

// checkRedirect follows at most maxRedirects redirects, none when it is
// negative.
func checkRedirect(maxRedirects int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if maxRedirects < 0 {
			return http.ErrUseLastResponse
		}
		if len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to scheme %q refused", req.URL.Scheme)
		}
		return nil
	}
}

// guard decides, address by address, whether the dialer may connect.
type guard struct {
	allowPrivate bool
	allowAddrs   []netip.AddrPort
	observe      func(netip.AddrPort, error) error
}

// control is the dialer's Control hook. The dialer calls it with the resolved
// address after creating the socket and before connecting; an error stops the
// dial.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	addr, verdict := g.check(network, address)
	if g.observe != nil {
		verdict = g.observe(addr, verdict)
	}
	return verdict
}

// check returns the address being dialled and nil when it may be reached.
func (g *guard) check(network, address string) (netip.AddrPort, error) {
	addr, err := netip.ParseAddrPort(address)
	if err != nil {
		return addr, fmt.Errorf("dialling %q: %w", address, ErrForbiddenAddress)
	}
	if network != "tcp4" && network != "tcp6" {
		return addr, fmt.Errorf("dialling over %s: %w", network, ErrForbiddenAddress)
	}

	plain := netip.AddrPortFrom(addr.Addr().Unmap().WithZone(""), addr.Port())
	for _, allowed := range g.allowAddrs {
		if plain == allowed {
			return addr, nil
		}
	}
	return addr, CheckAddr(addr.Addr(), g.allowPrivate)
}
