package netguard

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrForbiddenAddress matches every refusal of CheckAddr and of the client's
// dialer, however the HTTP client wraps it.
var ErrForbiddenAddress = errors.New("forbidden address")

// AddressError is an address the guard refused, with the Reason.
type AddressError struct {
	Addr   netip.Addr
	Reason string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("address %s is forbidden: %s", e.Addr, e.Reason)
}

// Unwrap returns ErrForbiddenAddress, so that errors.Is matches it.
func (e *AddressError) Unwrap() error {
	return ErrForbiddenAddress
}

// addrRange is a block of addresses and why the guard refuses it.
type addrRange struct {
	prefix netip.Prefix
	reason string
}

func ranges(reason string, prefixes ...string) []addrRange {
	out := make([]addrRange, len(prefixes))
	for i, p := range prefixes {
		out[i] = addrRange{prefix: netip.MustParsePrefix(p), reason: reason}
	}
	return out
}

// neverReachable are refused even when private addresses are allowed: they
// are no server's address, or they are a cloud's instance metadata service,
// which holds the platform's own credentials.
var neverReachable = concat(
	ranges("this network", "0.0.0.0/8", "::/128"),
	ranges("multicast", "224.0.0.0/4", "ff00::/8"),
	ranges("reserved", "240.0.0.0/4"),
	ranges("cloud metadata service",
		"169.254.169.254/32", // most clouds
		"100.100.100.200/32", // Alibaba Cloud
		"fd00:ec2::254/128",  // AWS over IPv6
	),
)

// internalRanges are refused unless private addresses are allowed.
var internalRanges = concat(
	ranges("loopback", "127.0.0.0/8", "::1/128"),
	ranges("private network", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
	ranges("link-local", "169.254.0.0/16", "fe80::/10"),
	ranges("carrier-grade NAT", "100.64.0.0/10"),
	ranges("special purpose", "192.0.0.0/24", "198.18.0.0/15", "100::/64", "fec0::/10"),
	ranges("documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"),
	ranges("translated or tunnelled IPv6", "64:ff9b:1::/48", "2001::/32"),
)

func concat(lists ...[]addrRange) []addrRange {
	var out []addrRange
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// CheckAddr returns an *AddressError, matching ErrForbiddenAddress, when ip
// is not the address of a server on the public internet: loopback, private,
// unique local, link-local, carrier-grade NAT, documentation and other
// special-purpose blocks, and IPv6 addresses that embed such an IPv4 address
// (IPv4-mapped, IPv4-compatible, NAT64 and 6to4). With allowPrivate only
// unspecified, multicast, reserved and cloud metadata addresses are refused.
func CheckAddr(ip netip.Addr, allowPrivate bool) error {
	if !ip.IsValid() {
		return &AddressError{Addr: ip, Reason: "not an IP address"}
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		return CheckAddr(ip.Unmap(), allowPrivate)
	}

	for _, r := range neverReachable {
		if r.prefix.Contains(ip) {
			return &AddressError{Addr: ip, Reason: r.reason}
		}
	}
	if v4, ok := embeddedIPv4(ip); ok {
		if err := CheckAddr(v4, allowPrivate); err != nil {
			reason := err.(*AddressError).Reason
			return &AddressError{Addr: ip, Reason: reason + " (as IPv4 inside IPv6)"}
		}
	}
	if allowPrivate {
		return nil
	}
	for _, r := range internalRanges {
		if r.prefix.Contains(ip) {
			return &AddressError{Addr: ip, Reason: r.reason}
		}
	}
	return nil
}

// IPv6 blocks whose addresses carry an IPv4 address that a gateway or the
// host's stack may forward to.
var (
	nat64Prefix     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFourPrefix = netip.MustParsePrefix("2002::/16")
	v4CompatPrefix  = netip.MustParsePrefix("::/96")
)

// embeddedIPv4 returns the IPv4 address inside a NAT64 (64:ff9b::/96), 6to4
// (2002::/16) or deprecated IPv4-compatible (::/96, but not ::1) IPv6 address.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case ip == netip.IPv6Loopback():
		return netip.Addr{}, false
	case nat64Prefix.Contains(ip), v4CompatPrefix.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFourPrefix.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}
