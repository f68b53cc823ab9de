package netguard

import (
	"fmt"
	"net/netip"
	"strings"
)

// MaxWhitelistEntries is the most entries a server whitelist may hold.
const MaxWhitelistEntries = 50

// fullWidthSemicolon is the semicolon Chinese input methods type.
const fullWidthSemicolon = '；'

// fullWidthReason explains the refusal of a full-width semicolon.
const fullWidthReason = "contains the full-width semicolon ； (U+FF1B); " +
	"separate entries with the ASCII semicolon ;"

// EntryKind is the kind of a whitelist entry.
type EntryKind string

// The kinds of whitelist entries.
const (
	EntryIP     EntryKind = "ip"
	EntryCIDR   EntryKind = "cidr"
	EntryDomain EntryKind = "domain"
)

// Entry is one server in a whitelist: an IP address, a CIDR block or a domain
// name.
type Entry struct {
	// Kind says which of Prefix and Domain is set.
	Kind EntryKind
	// Prefix is the block of an EntryCIDR, or the address of an EntryIP as a
	// single-address prefix. IPv4 is never written in IPv4-mapped form.
	Prefix netip.Prefix
	// Domain is the lower-case name of an EntryDomain.
	Domain string
}

// String returns the entry in canonical form: "203.0.113.7", "2001:db8::/32",
// "api.example.com".
func (e Entry) String() string {
	switch e.Kind {
	case EntryIP:
		return e.Prefix.Addr().String()
	case EntryCIDR:
		return e.Prefix.String()
	}
	return e.Domain
}

// Allows reports whether ip is the address of an EntryIP or inside the block
// of an EntryCIDR. It is always false for an EntryDomain, whose addresses the
// caller has to resolve. IPv4-mapped IPv6 addresses match their IPv4 form.
func (e Entry) Allows(ip netip.Addr) bool {
	if e.Kind != EntryIP && e.Kind != EntryCIDR {
		return false
	}
	return e.Prefix.Contains(ip.Unmap().WithZone(""))
}

// WhitelistError is a refused whitelist: the Entry at fault, as written, and
// the Reason.
type WhitelistError struct {
	Entry  string
	Reason string
}

func (e *WhitelistError) Error() string {
	if e.Entry == "" {
		return "whitelist: " + e.Reason
	}
	return fmt.Sprintf("whitelist entry %q: %s", e.Entry, e.Reason)
}

// ParseWhitelist reads a server whitelist: entries separated by the ASCII
// semicolon, each an IPv4 or IPv6 address, a CIDR block or a domain name.
// Space around entries and empty entries are ignored, duplicates dropped. An
// empty list yields no entries. It returns a *WhitelistError naming the
// entry at fault, for a full-width "；" too, or for more than
// MaxWhitelistEntries entries.
func ParseWhitelist(s string) ([]Entry, error) {
	// The full-width semicolon is reported wherever it is, before any other
	// fault, since it usually explains the others.
	if i := strings.IndexRune(s, fullWidthSemicolon); i >= 0 {
		return nil, &WhitelistError{Entry: segmentAt(s, i), Reason: fullWidthReason}
	}

	var entries []Entry
	seen := make(map[string]bool)
	for raw := range strings.SplitSeq(s, ";") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}

		e, reason := parseEntry(raw)
		if reason != "" {
			return nil, &WhitelistError{Entry: raw, Reason: reason}
		}
		if seen[e.String()] {
			continue
		}
		seen[e.String()] = true
		if len(entries) == MaxWhitelistEntries {
			reason := fmt.Sprintf("at most %d entries are allowed", MaxWhitelistEntries)
			return nil, &WhitelistError{Entry: raw, Reason: reason}
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// FormatWhitelist writes entries in canonical form, separated by ";".
func FormatWhitelist(entries []Entry) string {
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = e.String()
	}
	return strings.Join(parts, ";")
}

// parseEntry reads one trimmed, non-empty entry. It returns the reason the
// entry is refused, or "".
func parseEntry(s string) (Entry, string) {
	switch {
	case strings.ContainsAny(s, ",， \t\r\n、"):
		return Entry{}, "separate entries with the ASCII semicolon ;, not commas or spaces"
	case strings.Contains(s, "*"):
		return Entry{}, "wildcards are not supported; list each domain name"
	case strings.Contains(s, "://"):
		return Entry{}, "write the server's address or domain name alone, without scheme or path"
	case strings.Contains(s, "/"):
		return parseCIDR(s)
	}

	if addr, err := netip.ParseAddr(s); err == nil {
		if addr.Zone() != "" {
			return Entry{}, "an IPv6 address must not carry a zone (%...)"
		}
		addr = addr.Unmap()
		return Entry{Kind: EntryIP, Prefix: netip.PrefixFrom(addr, addr.BitLen())}, ""
	}
	switch strings.Count(s, ":") {
	case 0:
	case 1:
		return Entry{}, "write the address or domain name without a port"
	default:
		return Entry{}, "not a valid IPv6 address"
	}

	name := strings.ToLower(s)
	if p := domainProblem(name); p != "" {
		return Entry{}, p
	}
	return Entry{Kind: EntryDomain, Domain: name}, ""
}

// parseCIDR reads an entry holding a slash as a CIDR block.
func parseCIDR(s string) (Entry, string) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return Entry{}, "not a valid CIDR block such as 192.0.2.0/24 or 2001:db8::/32"
	}

	// Write an IPv4-mapped block, ::ffff:192.0.2.0/120, as the IPv4 block.
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return Entry{}, "an IPv4-mapped block must be at least /96; write the IPv4 block instead"
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	if p != p.Masked() {
		return Entry{}, fmt.Sprintf("has address bits set after the /%d; did you mean %s?",
			p.Bits(), p.Masked())
	}
	return Entry{Kind: EntryCIDR, Prefix: p}, ""
}

// segmentAt returns the trimmed text between the ASCII semicolons around
// byte offset i of s.
func segmentAt(s string, i int) string {
	start := strings.LastIndexByte(s[:i], ';') + 1
	end := len(s)
	if j := strings.IndexByte(s[i:], ';'); j >= 0 {
		end = i + j
	}
	return strings.TrimSpace(s[start:end])
}
