package netguard

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxCallbackURLLength is the longest callback URL accepted, in bytes.
const MaxCallbackURLLength = 512

// URLError is a refused callback URL, with the Reason in words a developer
// can act on.
type URLError struct {
	Reason string
}

func (e *URLError) Error() string {
	return "callback URL: " + e.Reason
}

func badURL(reason string) *URLError {
	return &URLError{Reason: reason}
}

// ParseCallbackURL checks a developer's callback URL and returns it parsed,
// with its host in canonical lower-case form. It accepts http and https URLs
// of at most MaxCallbackURLLength bytes whose host is a domain name, an IPv4
// address or a bracketed IPv6 address, with an optional port from 1 to 65535,
// and refuses user info and fragments. It does not resolve the host nor judge
// the address: the client from NewClient does that on each request. Errors
// are *URLError.
func ParseCallbackURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, badURL("is empty")
	case len(s) > MaxCallbackURLLength:
		return nil, badURL("is longer than 512 characters")
	case strings.Contains(s, "#"):
		return nil, badURL("must not contain a fragment (#...)")
	}

	u, err := url.Parse(s)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, badURL("is not a valid URL: " + err.Error())
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" {
		return nil, badURL("must start with http:// or https://")
	}
	if u.User != nil {
		return nil, badURL("must not contain a user name or password")
	}

	host, err := canonicalHost(u.Host)
	if err != nil {
		return nil, err
	}
	u.Host = host
	return u, nil
}

// canonicalHost checks the host[:port] part of a URL and returns it with the
// host lower-cased and IP addresses in their shortest form.
func canonicalHost(hostport string) (string, error) {
	if hostport == "" {
		return "", badURL("has no host")
	}

	// Split off the port ourselves: net.SplitHostPort needs one.
	host, port := hostport, ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		host, port = hostport[:i], hostport[i+1:]
		if port == "" {
			return "", badURL("has a colon but no port after the host")
		}
	}
	if port != "" {
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 || port[0] == '0' {
			return "", badURL("the port must be a number from 1 to 65535")
		}
	}

	canonical, err := canonicalHostname(host)
	if err != nil {
		return "", err
	}
	if port == "" {
		return canonical, nil
	}
	return net.JoinHostPort(strings.Trim(canonical, "[]"), port), nil
}

// canonicalHostname checks a host without port: a bracketed IPv6 address, an
// IPv4 address or a domain name.
func canonicalHostname(host string) (string, error) {
	if strings.HasPrefix(host, "[") {
		addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if err != nil || !strings.HasSuffix(host, "]") || !addr.Is6() {
			return "", badURL("brackets in the host must hold an IPv6 address")
		}
		if addr.Zone() != "" {
			return "", badURL("an IPv6 address must not carry a zone (%...)")
		}
		return "[" + addr.String() + "]", nil
	}

	if addr, err := netip.ParseAddr(host); err == nil {
		if !addr.Is4() {
			return "", badURL(
				"an IPv6 address must be written in brackets, as in http://[2001:db8::1]/")
		}
		return addr.String(), nil
	}

	host = strings.ToLower(host)
	if p := domainProblem(host); p != "" {
		return "", badURL(p)
	}
	return host, nil
}
