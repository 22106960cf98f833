package sftest

import (
	"errors"
	"fmt"
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

// ErrInvalid is wrapped by the error for an invalid Option, Fault or fault
// setting.
var ErrInvalid = errors.New("sftest: invalid setting")

// Option configures a Server. Options are applied in order and checked by
// NewServer, which reports the first invalid one.
type Option func(*config) error

type config struct {
	clientID       string
	clientSecret   string
	versions       []string
	idSeed         uint64
	seed           uint64
	pageSize       int
	dailyLimit     int
	sessionTimeout time.Duration
	lenient        bool
}

func defaultConfig() config {
	return config{
		clientID:       DefaultClientID,
		clientSecret:   DefaultClientSecret,
		seed:           1,
		pageSize:       DefaultQueryPageSize,
		dailyLimit:     DefaultDailyLimit,
		sessionTimeout: DefaultSessionTimeout,
	}
}

// WithClientCredentials sets the client id and secret the token endpoint
// accepts (default DefaultClientID and DefaultClientSecret). Neither may be
// empty.
func WithClientCredentials(id, secret string) Option {
	return func(c *config) error {
		if id == "" || secret == "" {
			return fmt.Errorf("%w: empty client id or secret", ErrInvalid)
		}
		c.clientID, c.clientSecret = id, secret
		return nil
	}
}

var versionRE = regexp.MustCompile(`^v[0-9]{2}\.[0-9]$`)

// WithAPIVersions limits the REST API versions the fake serves, e.g.
// "v64.0", "v66.0"; any other version answers 404 NOT_FOUND. By default every
// well-formed version from v20.0 to v99.9 is served. Each must have the form
// vNN.N.
func WithAPIVersions(versions ...string) Option {
	return func(c *config) error {
		for _, v := range versions {
			if !versionRE.MatchString(v) {
				return fmt.Errorf("%w: API version %q (want vNN.N)", ErrInvalid, v)
			}
		}
		c.versions = append(c.versions, versions...)
		return nil
	}
}

// WithIDSeed sets the first value of the counter record ids are made from
// (default 0). Two servers with the same seed and the same sequence of
// writes hand out the same ids, which keeps test output stable. The counter
// has nine base-62 digits, so seeds past 62^9 wrap around.
func WithIDSeed(seed uint64) Option {
	return func(c *config) error {
		c.idSeed = seed
		return nil
	}
}

// WithSeed seeds the random source of FailRandomly, so a run with the same
// seed and the same sequence of calls fails the same calls. Default 1.
func WithSeed(seed uint64) Option {
	return func(c *config) error {
		c.seed = seed
		return nil
	}
}

// WithQueryPageSize sets how many records one query page holds before the
// response carries a nextRecordsUrl (default 2000, as Salesforce). It must be
// at least 1.
func WithQueryPageSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: query page size %d", ErrInvalid, n)
		}
		c.pageSize = n
		return nil
	}
}

// WithDailyLimit sets the DailyApiRequests allowance (default 100000). Once
// that many API calls were made in the current 24-hour window, every REST
// call answers 403 REQUEST_LIMIT_EXCEEDED. It must be at least 1.
func WithDailyLimit(max int) Option {
	return func(c *config) error {
		if max < 1 {
			return fmt.Errorf("%w: daily limit %d", ErrInvalid, max)
		}
		c.dailyLimit = max
		return nil
	}
}

// WithSessionTimeout sets how long an access token stays valid after it was
// issued (default 2 hours, the Salesforce default). It must be positive.
func WithSessionTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: session timeout %v", ErrInvalid, d)
		}
		c.sessionTimeout = d
		return nil
	}
}

// WithLenientCreateOnly makes the org accept a create-only field (OrderItem
// OrderId and PricebookEntryId) in an update or an upsert that matches, as
// long as it holds the record's current value. By default the fake refuses
// such a field on any update with 400 INVALID_FIELD_FOR_INSERT_UPDATE, as a
// real org treats fields that are not updateable.
func WithLenientCreateOnly() Option {
	return func(c *config) error {
		c.lenient = true
		return nil
	}
}
