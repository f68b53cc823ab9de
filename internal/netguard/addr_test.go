package netguard

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	const (
		allowed   = iota // reachable in both modes
		internal         // refused unless private addresses are allowed
		forbidden        // refused in both modes
	)
	tests := []struct {
		ip   string
		want int
	}{
		{"8.8.8.8", allowed},
		{"1.1.1.1", allowed},
		{"114.114.114.114", allowed},
		{"2400:3200::1", allowed},
		{"2002:0808:0808::1", allowed}, // 6to4 of a public address
		{"64:ff9b::808:808", allowed},  // NAT64 of a public address
		{"::ffff:8.8.8.8", allowed},
		{"172.15.255.255", allowed},
		{"172.32.0.0", allowed},
		{"100.63.255.255", allowed},
		{"100.128.0.0", allowed},
		{"169.253.255.255", allowed},

		{"127.0.0.1", internal},
		{"127.255.255.254", internal},
		{"::1", internal},
		{"10.0.0.1", internal},
		{"172.16.0.1", internal},
		{"172.31.255.255", internal},
		{"192.168.1.1", internal},
		{"fc00::1", internal},
		{"fd12:3456::1", internal},
		{"169.254.0.1", internal},
		{"fe80::1", internal},
		{"fe80::1%eth0", internal},
		{"100.64.0.1", internal},
		{"100.127.255.255", internal},
		{"192.0.0.8", internal},
		{"192.0.2.1", internal},
		{"198.51.100.1", internal},
		{"203.0.113.1", internal},
		{"198.18.0.1", internal},
		{"2001:db8::1", internal},
		{"2001::1", internal},
		{"64:ff9b:1::1", internal},
		{"fec0::1", internal},
		{"::ffff:127.0.0.1", internal},
		{"::ffff:10.0.0.1", internal},
		{"::ffff:192.168.0.1", internal},
		{"::ffff:169.254.1.1", internal},
		{"::ffff:100.64.0.1", internal},
		{"::127.0.0.1", internal},      // IPv4-compatible
		{"64:ff9b::a00:1", internal},   // NAT64 of 10.0.0.1
		{"2002:c0a8:101::1", internal}, // 6to4 of 192.168.1.1
		{"2002:7f00:1::", internal},    // 6to4 of 127.0.0.1

		{"0.0.0.0", forbidden},
		{"0.1.2.3", forbidden},
		{"::", forbidden},
		{"::ffff:0.0.0.0", forbidden},
		{"::ffff:0.0.0.1", forbidden},
		{"224.0.0.1", forbidden},
		{"239.255.255.250", forbidden},
		{"ff02::1", forbidden},
		{"240.0.0.1", forbidden},
		{"255.255.255.255", forbidden},
		{"169.254.169.254", forbidden},
		{"::ffff:169.254.169.254", forbidden},
		{"::ffff:a9fe:a9fe", forbidden},
		{"64:ff9b::a9fe:a9fe", forbidden},
		{"2002:a9fe:a9fe::", forbidden},
		{"100.100.100.200", forbidden},
		{"fd00:ec2::254", forbidden},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		strict := CheckAddr(ip, false)
		loose := CheckAddr(ip, true)
		if (strict == nil) != (tt.want == allowed) || (loose == nil) != (tt.want != forbidden) {
			t.Errorf("CheckAddr(%s) = %v, with private allowed %v; want kind %d", ip, strict, loose, tt.want)
		}
		for _, err := range []error{strict, loose} {
			var aerr *AddressError
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrForbiddenAddress) || !errors.As(err, &aerr) || aerr.Reason == "" {
				t.Errorf("CheckAddr(%s) = %v, not an *AddressError matching ErrForbiddenAddress", ip, err)
			}
		}
	}

	if err := CheckAddr(netip.Addr{}, true); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("CheckAddr(zero Addr) = %v, want ErrForbiddenAddress", err)
	}
}

func TestCheckAddrReason(t *testing.T) {
	tests := []struct {
		ip, reason string
	}{
		{"127.0.0.1", "loopback"},
		{"10.1.2.3", "private network"},
		{"169.254.169.254", "cloud metadata"},
		{"fe80::1", "link-local"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"::ffff:10.0.0.1", "private network"},
		{"64:ff9b::a00:1", "private network (as IPv4 inside IPv6)"},
	}
	for _, tt := range tests {
		err := CheckAddr(netip.MustParseAddr(tt.ip), false)
		if err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("CheckAddr(%s) = %v, want a reason mentioning %q", tt.ip, err, tt.reason)
		}
	}
}
