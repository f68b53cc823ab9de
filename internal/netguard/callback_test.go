package netguard

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCallbackURL(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", MaxCallbackURLLength-len("https://example.com/"))
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"https://example.com/callback", "https://example.com/callback"},
		{"http://api.example.com:8080/cb?app=1", "http://api.example.com:8080/cb?app=1"},
		{"  https://example.com  ", "https://example.com"},
		{"HTTPS://API.Example.COM/Path", "https://api.example.com/Path"},
		{"http://xn--fiqs8s.xn--fiqz9s/", "http://xn--fiqs8s.xn--fiqz9s/"},
		{"http://my-host.example-1.cn/", "http://my-host.example-1.cn/"},
		{"http://203.0.113.7/cb", "http://203.0.113.7/cb"},
		{"http://203.0.113.7:65535/cb", "http://203.0.113.7:65535/cb"},
		{"http://10.0.0.1/cb", "http://10.0.0.1/cb"}, // judged by the client, not here
		{"http://[2001:DB8:0::1]:8443/cb", "http://[2001:db8::1]:8443/cb"},
		{"http://[2001:db8::1]/", "http://[2001:db8::1]/"},
		{"http://example.com:1", "http://example.com:1"},
		{long, long},

		{"", ""},
		{long + "a", ""},
		{"example.com/callback", ""},
		{"//example.com/callback", ""},
		{"ftp://example.com/", ""},
		{"javascript:alert(1)", ""},
		{"file:///etc/passwd", ""},
		{"gopher://example.com/", ""},
		{"http:example.com", ""},
		{"http:/example.com", ""},
		{"http://", ""},
		{"http:///path", ""},
		{"http://user:pass@example.com/", ""},
		{"http://user@example.com/", ""},
		{"http://example.com@10.0.0.1/", ""},
		{"http://example.com/#frag", ""},
		{"http://example.com/#", ""},
		{"http://localhost/", ""},
		{"http://localhost:8080/", ""},
		{"http://intranet/", ""},
		{"http://example.com./", ""},
		{"http://.example.com/", ""},
		{"http://a..example.com/", ""},
		{"http://-a.example.com/", ""},
		{"http://a-.example.com/", ""},
		{"http://a_b.example.com/", ""},
		{"http://" + strings.Repeat("a", 64) + ".com/", ""},
		{"http://例子.中国/", ""},
		{"http://example.123/", ""},
		{"http://127.1/", ""},
		{"http://2130706433/", ""},
		{"http://0x7f000001/", ""},
		{"http://0x7f.0.0.1/", ""},
		{"http://010.0.0.1/", ""},
		{"http://1.2.3.4.5/", ""},
		{"http://256.0.0.1/", ""},
		{"http://::1/", ""},
		{"http://[::1/", ""},
		{"http://[example.com]/", ""},
		{"http://[127.0.0.1]/", ""},
		{"http://[fe80::1%25eth0]/", ""},
		{"http://example.com:/", ""},
		{"http://example.com:0/", ""},
		{"http://example.com:65536/", ""},
		{"http://example.com:080/", ""},
		{"http://example.com:-1/", ""},
		{"http://example.com:http/", ""},
		{"http://[::1]:/", ""},
		{"http://exa mple.com/", ""},
		{"http://example.com/\x00", ""},
	}
	for _, tt := range tests {
		u, err := ParseCallbackURL(tt.in)
		if tt.want == "" {
			var uerr *URLError
			if !errors.As(err, &uerr) || uerr.Reason == "" {
				t.Errorf("ParseCallbackURL(%q) = %v, %v; want a *URLError", tt.in, u, err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("ParseCallbackURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestParseCallbackURLReasons(t *testing.T) {
	tests := []struct {
		in, reason string
	}{
		{"ftp://example.com/", "http:// or https://"},
		{"http://u:p@example.com/", "user name or password"},
		{"http://example.com/#x", "fragment"},
		{"http://localhost/", "two labels"},
		{"http://example.com:99999/", "1 to 65535"},
		{"http://例子.中国/", "punycode"},
		{"http://[::1]x/", "not a valid URL"},
		{"http://2001:db8::1/", "not a valid URL"},
	}
	for _, tt := range tests {
		_, err := ParseCallbackURL(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("ParseCallbackURL(%q) = %v, want a reason mentioning %q", tt.in, err, tt.reason)
		}
	}
}
