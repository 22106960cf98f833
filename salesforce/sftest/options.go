package sftest

import (
	"regexp"
	"time"
)

// Default credentials the token endpoint accepts when no WithClientCredentials
// option is given.
const (
	DefaultClientID     = "sftest-client-id"
	DefaultClientSecret = "sftest-client-secret"
)

// Defaults of the tunable limits.
const (
	DefaultQueryPageSize  = 2000
	DefaultDailyLimit     = 100000
	DefaultSessionTimeout = 2 * time.Hour
)

// Option configures a Server.
type Option func(*config)

type config struct {
	clientID       string
	clientSecret   string
	versions       []string
	clock          func() time.Time
	idSeed         uint64
	pageSize       int
	dailyLimit     int
	sessionTimeout time.Duration
	lenient        bool
}

func defaultConfig() config {
	return config{
		clientID:       DefaultClientID,
		clientSecret:   DefaultClientSecret,
		clock:          time.Now,
		pageSize:       DefaultQueryPageSize,
		dailyLimit:     DefaultDailyLimit,
		sessionTimeout: DefaultSessionTimeout,
	}
}

// WithClientCredentials sets the client id and secret the token endpoint
// accepts (default DefaultClientID and DefaultClientSecret). Empty values keep
// the defaults.
func WithClientCredentials(id, secret string) Option {
	return func(c *config) {
		if id != "" {
			c.clientID = id
		}
		if secret != "" {
			c.clientSecret = secret
		}
	}
}

var versionRE = regexp.MustCompile(`^v[0-9]{2}\.[0-9]$`)

// WithAPIVersions limits the REST API versions the fake serves, e.g.
// "v64.0", "v66.0"; any other version answers 404 NOT_FOUND. By default every
// well-formed version from v20.0 to v99.9 is served. Malformed entries are
// ignored.
func WithAPIVersions(versions ...string) Option {
	return func(c *config) {
		for _, v := range versions {
			if versionRE.MatchString(v) {
				c.versions = append(c.versions, v)
			}
		}
	}
}

// WithClock sets the clock used for token issue times, session expiry, record
// timestamps and the daily API window (default time.Now). A nil clock keeps
// the default.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithIDSeed sets the first value of the counter record ids are made from
// (default 0). Two servers with the same seed and the same sequence of
// writes hand out the same ids, which keeps test output stable. The counter
// has nine base-62 digits, so seeds past 62^9 wrap around.
func WithIDSeed(seed uint64) Option {
	return func(c *config) { c.idSeed = seed }
}

// WithQueryPageSize sets how many records one query page holds before the
// response carries a nextRecordsUrl (default 2000, as Salesforce). Values
// below 1 keep the default.
func WithQueryPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.pageSize = n
		}
	}
}

// WithDailyLimit sets the DailyApiRequests allowance (default 100000). Once
// that many API calls were made in the current 24-hour window, every REST
// call answers 403 REQUEST_LIMIT_EXCEEDED. Values below 1 keep the default.
func WithDailyLimit(max int) Option {
	return func(c *config) {
		if max > 0 {
			c.dailyLimit = max
		}
	}
}

// WithSessionTimeout sets how long an access token stays valid after it was
// issued, measured on the server's clock (default 2 hours, the Salesforce
// default). Values of zero or less keep the default.
func WithSessionTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.sessionTimeout = d
		}
	}
}

// WithLenientCreateOnly makes the org accept a create-only field (OrderItem
// OrderId and PricebookEntryId) in an update or an upsert that matches, as
// long as it holds the record's current value. By default the fake refuses
// such a field on any update with 400 INVALID_FIELD_FOR_INSERT_UPDATE, as a
// real org treats fields that are not updateable.
func WithLenientCreateOnly() Option {
	return func(c *config) { c.lenient = true }
}
