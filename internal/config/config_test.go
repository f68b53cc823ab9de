package config

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// TestHelpHidesSecrets: help output shows where each setting comes from but never a
// secret's value, while flags and environment still set them.
func TestHelpHidesSecrets(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":   "postgres://console:db-sekrit@db.internal/console",
		"ENCRYPTION_KEY": "a2V5LXNla3JpdA==",
		"PLATFORM_TOKEN": "platform-sekrit",
		"PAYMENT_SECRET": "payment-sekrit",
	}
	c := Default()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var help bytes.Buffer
	fs.SetOutput(&help)
	c.Bind(fs, func(k string) string { return env[k] })
	fs.PrintDefaults()
	for _, v := range []string{"db-sekrit", "a2V5LXNla3JpdA", "platform-sekrit", "payment-sekrit"} {
		if strings.Contains(help.String(), v) {
			t.Errorf("help shows the secret %q:\n%s", v, help.String())
		}
	}
	if !strings.Contains(help.String(), "$PLATFORM_TOKEN") {
		t.Errorf("help does not name the variables:\n%s", help.String())
	}
	if c.DatabaseURL != env["DATABASE_URL"] || c.PlatformToken != "platform-sekrit" {
		t.Errorf("environment not read: %+v", c)
	}
	if err := fs.Parse([]string{"-platform-token", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	if c.PlatformToken != "from-flag" || c.PaymentSecret != "payment-sekrit" {
		t.Errorf("flag not applied: token %q, secret %q", c.PlatformToken, c.PaymentSecret)
	}
}
