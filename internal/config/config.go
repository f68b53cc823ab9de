// Package config holds the console's configuration, read from flags and the
// environment with defaults, and printed with its secrets masked.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"time"
)

// Config is everything a console process needs to know. Each field has a flag and an
// environment variable; a flag given on the command line wins.
type Config struct {
	DatabaseURL       string // DATABASE_URL; empty in dev mode starts a private cluster
	TemporalAddress   string // TEMPORAL_ADDRESS; empty in dev mode starts a dev server
	TemporalNamespace string // TEMPORAL_NAMESPACE
	TemporalUIURL     string // TEMPORAL_UI_URL, for links printed to operators
	TaskQueue         string // TASK_QUEUE, the one queue every process runs on
	HTTPAddr          string // HTTP_ADDR
	PublicURL         string // PUBLIC_URL, how the console reaches its own API
	DataDir           string // DATA_DIR, dev mode's clusters, keys and uploaded files

	SessionTTL     time.Duration // SESSION_TTL
	ReviewDeadline time.Duration // REVIEW_DEADLINE, before a verification escalates

	EncryptionKey         string // ENCRYPTION_KEY, base64 of 32 bytes for personal data at rest
	PlatformToken         string // PLATFORM_TOKEN, the telephony platform's credential
	PaymentSecret         string // PAYMENT_SECRET, signs the sandbox channel's notices
	AllowPrivateCallbacks bool   // ALLOW_PRIVATE_CALLBACKS, lets probes reach private addresses

	LogLevel slog.Level // LOG_LEVEL
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		TemporalNamespace: "default",
		TaskQueue:         "console",
		HTTPAddr:          "127.0.0.1:8080",
		DataDir:           ".data",
		SessionTTL:        12 * time.Hour,
		ReviewDeadline:    48 * time.Hour,
	}
}

// Bind registers the configuration's flags on fs, with defaults taken from the
// environment through getenv (os.Getenv when nil) over those of Default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	str := func(p *string, name, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" ($"+env+")")
	}
	// secret is str for values that help output must not print.
	secret := func(p *string, name, env, usage string, hide func(string) string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.Var(secretFlag{p, hide}, name, usage+" ($"+env+")")
	}
	dur := func(p *time.Duration, name, env, usage string) {
		if d, err := time.ParseDuration(getenv(env)); err == nil {
			*p = d
		}
		fs.DurationVar(p, name, *p, usage+" ($"+env+")")
	}
	secret(&c.DatabaseURL, "database-url", "DATABASE_URL", "Postgres connection URL", maskURL)
	str(&c.TemporalAddress, "temporal-address", "TEMPORAL_ADDRESS", "Temporal frontend host:port")
	str(&c.TemporalNamespace, "temporal-namespace", "TEMPORAL_NAMESPACE", "Temporal namespace")
	str(&c.TemporalUIURL, "temporal-ui-url", "TEMPORAL_UI_URL", "Temporal UI base URL")
	str(&c.TaskQueue, "task-queue", "TASK_QUEUE", "Temporal task queue")
	str(&c.HTTPAddr, "http-addr", "HTTP_ADDR", "API listen address")
	str(&c.PublicURL, "public-url", "PUBLIC_URL", "base URL of this API as its callers see it")
	str(&c.DataDir, "data-dir", "DATA_DIR", "data folder of dev mode and local storage")
	dur(&c.SessionTTL, "session-ttl", "SESSION_TTL", "lifetime of a login session")
	dur(&c.ReviewDeadline, "review-deadline", "REVIEW_DEADLINE", "verification review deadline")
	secret(&c.EncryptionKey, "encryption-key", "ENCRYPTION_KEY", "base64 key for personal data",
		mask)
	secret(&c.PlatformToken, "platform-token", "PLATFORM_TOKEN",
		"credential of the telephony platform", mask)
	secret(&c.PaymentSecret, "payment-secret", "PAYMENT_SECRET", "HMAC secret of payment notices",
		mask)
	if b, err := strconv.ParseBool(getenv("ALLOW_PRIVATE_CALLBACKS")); err == nil {
		c.AllowPrivateCallbacks = b
	}
	fs.BoolVar(&c.AllowPrivateCallbacks, "allow-private-callbacks", c.AllowPrivateCallbacks,
		"let callback probes reach loopback and private addresses ($ALLOW_PRIVATE_CALLBACKS)")
	if err := c.LogLevel.UnmarshalText([]byte(getenv("LOG_LEVEL"))); err != nil {
		c.LogLevel = slog.LevelInfo
	}
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error ($LOG_LEVEL)")
}

// secretFlag is a string flag whose value help output shows masked.
type secretFlag struct {
	p    *string
	hide func(string) string
}

func (f secretFlag) String() string {
	if f.p == nil {
		return ""
	}
	return f.hide(*f.p)
}

func (f secretFlag) Set(v string) error {
	*f.p = v
	return nil
}

// Key decodes EncryptionKey.
func (c Config) Key() ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(c.EncryptionKey)
	if err != nil || len(k) != 32 {
		return nil, errors.New("ENCRYPTION_KEY must be the base64 of 32 bytes")
	}
	return k, nil
}

// Validate reports what a serving process lacks.
func (c Config) Validate() error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is not set"))
	}
	if c.TemporalAddress == "" {
		errs = append(errs, errors.New("TEMPORAL_ADDRESS is not set"))
	}
	if _, err := c.Key(); err != nil {
		errs = append(errs, err)
	}
	if c.PlatformToken == "" {
		errs = append(errs, errors.New("PLATFORM_TOKEN is not set"))
	}
	if len(c.PaymentSecret) < 16 {
		errs = append(errs, errors.New("PAYMENT_SECRET must be at least 16 characters"))
	}
	return errors.Join(errs...)
}

// LogValue prints the configuration with its secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database_url", maskURL(c.DatabaseURL)),
		slog.String("temporal_address", c.TemporalAddress),
		slog.String("temporal_namespace", c.TemporalNamespace),
		slog.String("task_queue", c.TaskQueue),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("public_url", c.PublicURL),
		slog.String("data_dir", c.DataDir),
		slog.Duration("session_ttl", c.SessionTTL),
		slog.Duration("review_deadline", c.ReviewDeadline),
		slog.String("encryption_key", mask(c.EncryptionKey)),
		slog.String("platform_token", mask(c.PlatformToken)),
		slog.String("payment_secret", mask(c.PaymentSecret)),
		slog.Bool("allow_private_callbacks", c.AllowPrivateCallbacks),
	)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "********"
}

// maskURL hides the password of a connection URL.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return mask(s)
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
