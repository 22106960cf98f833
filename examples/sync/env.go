package main

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

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

// oneOf reads a value that must be one of allowed, in any case; the first
// is the default.
func (e *env) oneOf(name string, allowed ...string) string {
	v := strings.ToLower(e.optional(name, allowed[0]))
	if slices.Contains(allowed, v) {
		return v
	}
	last := len(allowed) - 1
	e.invalid = append(e.invalid, name+" (want "+strings.Join(allowed[:last], ", ")+" or "+allowed[last]+")")
	return allowed[0]
}

// salesforceID reads an optional record id: 15 or 18 letters and digits.
func (e *env) salesforceID(name string) string {
	v := e.optional(name, "")
	if v == "" {
		return ""
	}
	ok := len(v) == 15 || len(v) == 18
	for _, r := range v {
		ok = ok && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if !ok {
		e.invalid = append(e.invalid, name+" (want a 15- or 18-character Salesforce id)")
		return ""
	}
	return v
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
