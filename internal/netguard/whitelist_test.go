package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func TestParseWhitelist(t *testing.T) {
	tests := []struct {
		in   string
		want string // FormatWhitelist of the result
	}{
		{"", ""},
		{"  ", ""},
		{";;", ""},
		{"203.0.113.7", "203.0.113.7"},
		{"203.0.113.7;", "203.0.113.7"},
		{
			" 203.0.113.7 ; 198.51.100.0/24 ;; api.example.com ;",
			"203.0.113.7;198.51.100.0/24;api.example.com",
		},
		{"2001:DB8::1;2001:db8:1::/48", "2001:db8::1;2001:db8:1::/48"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"::ffff:198.51.100.0/120", "198.51.100.0/24"},
		{"API.Example.COM", "api.example.com"},
		{"203.0.113.7;203.0.113.7;api.example.com;API.example.com", "203.0.113.7;api.example.com"},
		{"10.0.0.0/8;0.0.0.0/0;::/0", "10.0.0.0/8;0.0.0.0/0;::/0"},
		{"\u3000203.0.113.7\u3000", "203.0.113.7"},
		{"203.0.113.7/32", "203.0.113.7/32"},
	}
	for _, tt := range tests {
		entries, err := ParseWhitelist(tt.in)
		if err != nil || FormatWhitelist(entries) != tt.want {
			t.Errorf("ParseWhitelist(%q) = %q, %v; want %q", tt.in, FormatWhitelist(entries), err, tt.want)
			continue
		}

		// The canonical form reads back as itself.
		again, err := ParseWhitelist(tt.want)
		if err != nil || FormatWhitelist(again) != tt.want {
			t.Errorf("ParseWhitelist(%q) = %q, %v; not canonical", tt.want, FormatWhitelist(again), err)
		}
	}
}

func TestParseWhitelistKinds(t *testing.T) {
	entries, err := ParseWhitelist("203.0.113.7;2001:db8::/32;api.example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Kind: EntryIP, Prefix: netip.MustParsePrefix("203.0.113.7/32")},
		{Kind: EntryCIDR, Prefix: netip.MustParsePrefix("2001:db8::/32")},
		{Kind: EntryDomain, Domain: "api.example.com"},
	}
	if fmt.Sprint(entries) != fmt.Sprint(want) {
		t.Errorf("entries = %+v, want %+v", entries, want)
	}
}

func TestParseWhitelistRefused(t *testing.T) {
	tests := []struct {
		in     string
		entry  string
		reason string
	}{
		{"203.0.113.7；198.51.100.7", "203.0.113.7；198.51.100.7", "；"},
		{
			"a.example.com;203.0.113.7；198.51.100.7;b.example.com",
			"203.0.113.7；198.51.100.7", "ASCII semicolon ;",
		},
		{"bad_entry;203.0.113.7；", "203.0.113.7；", "U+FF1B"},
		{"203.0.113.7；", "203.0.113.7；", "full-width"},
		{"203.0.113.7,198.51.100.7", "203.0.113.7,198.51.100.7", "not commas or spaces"},
		{"203.0.113.7，198.51.100.7", "203.0.113.7，198.51.100.7", "not commas or spaces"},
		{"203.0.113.7 198.51.100.7", "203.0.113.7 198.51.100.7", "not commas or spaces"},
		{"203.0.113.7;203.0.113.256", "203.0.113.256", "IP address"},
		{"203.0.113", "203.0.113", "IP address"},
		{"127.1", "127.1", "IP address"},
		{"2001:db8::g", "2001:db8::g", "IPv6"},
		{"fe80::1%eth0", "fe80::1%eth0", "zone"},
		{"198.51.100.7/24", "198.51.100.7/24", "did you mean 198.51.100.0/24?"},
		{"2001:db8::1/32", "2001:db8::1/32", "did you mean 2001:db8::/32?"},
		{"198.51.100.0/33", "198.51.100.0/33", "CIDR"},
		{"198.51.100.0/", "198.51.100.0/", "CIDR"},
		{"example.com/24", "example.com/24", "CIDR"},
		{"::ffff:0:0/95", "::ffff:0:0/95", "IPv4-mapped"},
		{"*.example.com", "*.example.com", "wildcards"},
		{"localhost", "localhost", "two labels"},
		{"-bad.example.com", "-bad.example.com", "hyphen"},
		{"例子.中国", "例子.中国", "punycode"},
		{"http://example.com", "http://example.com", "without scheme"},
		{"example.com:443", "example.com:443", "without a port"},
		{"203.0.113.7:80", "203.0.113.7:80", "without a port"},
		{"exa$mple.com", "exa$mple.com", "letters, digits"},
	}
	for _, tt := range tests {
		entries, err := ParseWhitelist(tt.in)
		var werr *WhitelistError
		if !errors.As(err, &werr) {
			t.Errorf("ParseWhitelist(%q) = %v, %v; want a *WhitelistError", tt.in, entries, err)
			continue
		}
		if werr.Entry != tt.entry || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("ParseWhitelist(%q) = %v (entry %q); want entry %q and a reason mentioning %q",
				tt.in, err, werr.Entry, tt.entry, tt.reason)
		}
		if !strings.Contains(err.Error(), tt.entry) {
			t.Errorf("ParseWhitelist(%q) = %v, which does not name the entry", tt.in, err)
		}
	}
}

func TestParseWhitelistLimit(t *testing.T) {
	var entries []string
	for i := range MaxWhitelistEntries {
		entries = append(entries, fmt.Sprintf("198.51.100.%d", i))
	}
	full := strings.Join(entries, ";")

	got, err := ParseWhitelist(full + ";" + entries[0])
	if err != nil || len(got) != MaxWhitelistEntries {
		t.Fatalf("50 entries and a duplicate: %d entries, %v", len(got), err)
	}

	_, err = ParseWhitelist(full + ";api.example.com")
	var werr *WhitelistError
	if !errors.As(err, &werr) || werr.Entry != "api.example.com" || !strings.Contains(werr.Reason,
		"at most 50") {
		t.Errorf("51 entries: %v, want an error about at most 50 entries", err)
	}
}

func TestEntryAllows(t *testing.T) {
	const list = "203.0.113.7;198.51.100.0/24;2001:db8::/32;2001:db8:ffff::1;api.example.com"
	entries, err := ParseWhitelist(list)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip    string
		entry int
		want  bool
	}{
		{"203.0.113.7", 0, true},
		{"::ffff:203.0.113.7", 0, true},
		{"203.0.113.8", 0, false},
		{"198.51.100.0", 1, true},
		{"198.51.100.255", 1, true},
		{"::ffff:198.51.100.9", 1, true},
		{"198.51.101.0", 1, false},
		{"2001:db8:1234::5", 2, true},
		{"2001:db8:1234::5%eth0", 2, true},
		{"2001:db9::", 2, false},
		{"203.0.113.7", 2, false},
		{"2001:db8:ffff::1", 3, true},
		{"2001:db8:ffff::2", 3, false},
		{"203.0.113.7", 4, false},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		if got := entries[tt.entry].Allows(ip); got != tt.want {
			t.Errorf("%s.Allows(%s) = %v, want %v", entries[tt.entry], ip, got, tt.want)
		}
	}
	for _, e := range entries {
		if e.Allows(netip.Addr{}) {
			t.Errorf("%s allows the zero Addr", e)
		}
	}
}
