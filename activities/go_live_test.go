package activities_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/netguard"
)

// countingServer is a loopback server that counts the connections made to it.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func guardedActivities(allowPrivate bool) *activities.Activities {
	cfg := config.Default()
	cfg.AllowPrivateCallbacks = allowPrivate
	return &activities.Activities{Config: cfg}
}

const refusedReason = "does not call (loopback, private, link-local or metadata)"

// TestProbeRefusesInternalAddresses aims the probe at loopback, private and metadata
// addresses with the guard on. Each is refused by the dialer's check, which runs
// before connect(2): the loopback target counts no connection, and the others fail
// at once instead of timing out.
func TestProbeRefusesInternalAddresses(t *testing.T) {
	target, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	a := guardedActivities(false)
	for _, url := range []string{
		target.URL + "/callback",
		"http://10.0.0.1:8080/callback",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:9/callback",
	} {
		start := time.Now()
		chk, err := a.ProbeCallback(context.Background(), url)
		if err != nil || chk.OK || !strings.Contains(chk.Reason, refusedReason) {
			t.Errorf("%s: %+v, %v", url, chk, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refusal took %s; a connection was attempted", url, d)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("the loopback target got %d connections", n)
	}

	// Allowing private addresses, as dev does, reaches loopback but never metadata.
	open := guardedActivities(true)
	if chk, _ := open.ProbeCallback(context.Background(), target.URL); !chk.OK {
		t.Errorf("loopback with private addresses allowed: %+v", chk)
	}
	chk, _ := open.ProbeCallback(context.Background(), "http://169.254.169.254/")
	if chk.OK || !strings.Contains(chk.Reason, refusedReason) {
		t.Errorf("metadata with private addresses allowed: %+v", chk)
	}
}

// TestProbeRefusesRedirectsToInternalAddresses lets the guarded client reach one
// loopback server of the test, which redirects to internal addresses: every
// redirect is refused before any connection to its target.
func TestProbeRefusesRedirectsToInternalAddresses(t *testing.T) {
	target, targetConns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	var to atomic.Value
	redirector, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/final" {
			return
		}
		http.Redirect(w, r, to.Load().(string), http.StatusFound)
	})

	// The guarded client, except that the redirector's own address may be dialled.
	guarded := netguard.NewClient(netguard.Options{})
	base := guarded.Transport.(*http.Transport)
	tr := base.Clone()
	redirectorAddr := strings.TrimPrefix(redirector.URL, "http://")
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == redirectorAddr {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
		return base.DialContext(ctx, network, addr)
	}
	client := *guarded
	client.Transport = tr
	a := guardedActivities(false)
	a.Outside.Callbacks = &client

	for _, dest := range []string{
		target.URL + "/internal",
		"http://10.0.0.1/admin",
		"http://169.254.169.254/latest/meta-data/iam/",
	} {
		to.Store(dest)
		chk, err := a.ProbeCallback(context.Background(), redirector.URL+"/cb")
		if err != nil || chk.OK || !strings.Contains(chk.Reason, refusedReason) {
			t.Errorf("redirect to %s: %+v, %v", dest, chk, err)
		}
	}
	if n := targetConns.Load(); n != 0 {
		t.Errorf("the redirect target got %d connections", n)
	}

	// A redirect to an address the client may reach is followed: the refusals
	// above are the guard's, not a refusal of redirects.
	to.Store(redirector.URL + "/final")
	if chk, _ := a.ProbeCallback(context.Background(), redirector.URL+"/cb"); !chk.OK {
		t.Errorf("allowed redirect: %+v", chk)
	}
}
