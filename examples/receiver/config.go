package main

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// config is what the receiver reads from the environment. It needs only the
// webhook credentials and Redis: fetching orders and writing to Salesforce
// is the worker's job. Fields marked secret never reach a log line or an
// error; LogValue leaves them out.
type config struct {
	bcClientSecret string // secret: Standard Webhooks key
	webhookSecret  string // secret: shared-secret header value
	webhookHeader  string

	redis      *redis.Options // holds the password
	listenAddr string
	logFormat  string
}

// loadConfig reads the environment through getenv. It checks everything
// before it answers, so one failed start names every missing or invalid
// variable; the error never repeats a value.
func loadConfig(getenv func(string) string) (config, error) {
	e := &env{get: getenv}
	c := config{
		bcClientSecret: e.optional("BIGCOMMERCE_CLIENT_SECRET", ""),
		webhookSecret:  e.optional("BIGCOMMERCE_WEBHOOK_SECRET", ""),
		webhookHeader:  e.optional("BIGCOMMERCE_WEBHOOK_HEADER", "X-Webhook-Secret"),
		redis:          e.redisURL("REDIS_URL", true),
		listenAddr:     e.optional("LISTEN_ADDR", ":8080"),
		logFormat:      e.oneOf("LOG_FORMAT", "text", "json"),
	}
	if c.bcClientSecret == "" && c.webhookSecret == "" {
		e.missing = append(e.missing, "BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET")
	}
	return c, e.err()
}

// LogValue describes the configuration without its secrets, for the
// start-up log line.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("shared_secret_header", c.webhookSecret != ""),
		slog.Bool("standard_webhooks", c.bcClientSecret != ""),
		slog.String("redis_addr", c.redis.Addr),
		slog.String("listen_addr", c.listenAddr),
	)
}

// String and GoString print what LogValue does, so that %v, %+v and %#v
// show no secret either.
func (c config) String() string   { return c.LogValue().String() }
func (c config) GoString() string { return c.String() }

// env reads variables and collects what is wrong with them. Values are
// trimmed; a variable set to spaces only counts as unset.
type env struct {
	get     func(string) string
	missing []string
	invalid []string
}

func (e *env) optional(name, def string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	return def
}

// oneOf reads a value that must be one of allowed; the first is the default.
func (e *env) oneOf(name string, allowed ...string) string {
	v := strings.ToLower(e.optional(name, allowed[0]))
	if slices.Contains(allowed, v) {
		return v
	}
	e.invalid = append(e.invalid, name+" (want "+strings.Join(allowed, " or ")+")")
	return allowed[0]
}

// redisURL parses a redis:// or rediss:// URL. The parser's own error is
// dropped because it can quote the URL, password included.
func (e *env) redisURL(name string, required bool) *redis.Options {
	v := e.optional(name, "")
	if v == "" {
		if required {
			e.missing = append(e.missing, name)
		}
		return nil
	}
	opts, err := redis.ParseURL(v)
	if err != nil {
		e.invalid = append(e.invalid, name+" (want redis://[user:password@]host:port/db)")
		return nil
	}
	return opts
}

func (e *env) err() error {
	if len(e.missing) == 0 && len(e.invalid) == 0 {
		return nil
	}
	return &configError{missing: e.missing, invalid: e.invalid}
}

// configError names every missing and invalid variable of a failed start.
type configError struct {
	missing, invalid []string
}

func (e *configError) Error() string {
	var parts []string
	if len(e.missing) > 0 {
		parts = append(parts, "missing "+strings.Join(e.missing, ", "))
	}
	if len(e.invalid) > 0 {
		parts = append(parts, "invalid "+strings.Join(e.invalid, ", "))
	}
	return "configuration: " + strings.Join(parts, "; ")
}
