package main

import (
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// config is what the worker reads from the environment. It needs no webhook
// credential: verifying deliveries is the receiver's job. Fields marked
// secret never reach a log line or an error; LogValue leaves them out.
type config struct {
	bcStoreHash string
	bcToken     string // secret
	bcAPIURL    string

	sfClientID     string
	sfClientSecret string // secret
	sfInstanceURL  string
	sfTokenURL     string
	sfAPIVersion   string

	redis      *redis.Options // holds the password
	healthAddr string         // "" serves no health endpoint

	workers        int
	reconcileEvery time.Duration // 0: no reconciler
	logFormat      string
	stageName      string // "" keeps the mapper's default, "Closed Won"
}

// loadConfig reads the environment through getenv. It checks everything
// before it answers, so one failed start names every missing or invalid
// variable; the error never repeats a value.
func loadConfig(getenv func(string) string) (config, error) {
	e := &env{get: getenv}
	c := config{
		bcStoreHash:    e.required("BIGCOMMERCE_STORE_HASH"),
		bcToken:        e.required("BIGCOMMERCE_CLIENT_TOKEN"),
		bcAPIURL:       e.optional("BIGCOMMERCE_API_URL", "https://api.bigcommerce.com"),
		sfClientID:     e.required("SALESFORCE_CLIENT_ID"),
		sfClientSecret: e.required("SALESFORCE_CLIENT_SECRET"),
		sfInstanceURL:  e.required("SALESFORCE_INSTANCE_URL"),
		sfAPIVersion:   e.optional("SALESFORCE_API_VERSION", "v64.0"),
		redis:          e.redisURL("REDIS_URL", true),
		healthAddr:     e.optional("HEALTH_ADDR", ""),
		workers:        e.positiveInt("WORKERS", 4),
		reconcileEvery: e.duration("RECONCILE_INTERVAL"),
		logFormat:      e.oneOf("LOG_FORMAT", "text", "json"),
		stageName:      e.optional("MAPPER_STAGE_NAME", ""),
	}
	c.sfTokenURL = e.optional("SALESFORCE_TOKEN_URL", strings.TrimRight(c.sfInstanceURL, "/")+"/services/oauth2/token")
	return c, e.err()
}

// LogValue describes the configuration without its secrets, for the
// start-up log line.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("store_hash", c.bcStoreHash),
		slog.String("bigcommerce_api_url", c.bcAPIURL),
		slog.String("salesforce_instance_url", c.sfInstanceURL),
		slog.String("salesforce_api_version", c.sfAPIVersion),
		slog.String("redis_addr", c.redis.Addr),
		slog.String("health_addr", c.healthAddr),
		slog.Int("workers", c.workers),
		slog.Duration("reconcile_interval", c.reconcileEvery),
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

func (e *env) required(name string) string {
	v := e.optional(name, "")
	if v == "" {
		e.missing = append(e.missing, name)
	}
	return v
}

func (e *env) positiveInt(name string, def int) int {
	v := e.optional(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		e.invalid = append(e.invalid, name+" (want a whole number from 1 to 1000)")
		return def
	}
	return n
}

// duration reads a Go duration such as "10m"; unset means 0 (off).
func (e *env) duration(name string) time.Duration {
	v := e.optional(name, "")
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		e.invalid = append(e.invalid, name+" (want a duration of at least 1s, such as 10m)")
		return 0
	}
	return d
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
