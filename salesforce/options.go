package salesforce

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// DefaultAPIVersion is the REST API version used when WithAPIVersion is not
// given: v64.0 (Summer '25).
const DefaultAPIVersion = "v64.0"

// DefaultUsageCeiling is the fraction of the org's daily API allowance past
// which the client refuses to call Salesforce: 0.9, i.e. 90%.
const DefaultUsageCeiling = 0.9

// DefaultUsageRecheck is how long a ceiling decision stands before one call is
// let through to learn the current usage again: 5 minutes.
const DefaultUsageRecheck = 5 * time.Minute

// DefaultMaxResponseBytes is the largest successful response body the client
// reads: 64 MiB. Error bodies are read up to 1 MiB and truncated beyond.
const DefaultMaxResponseBytes = 64 << 20

// DefaultTimeout is the timeout of the *http.Client the client creates when
// WithHTTPClient is not given: 2 minutes, enough for a 500-node graph.
const DefaultTimeout = 2 * time.Minute

// Option configures a Client. Options are applied in order; an invalid value
// makes NewClient return an error.
type Option func(*config) error

type config struct {
	instanceURL  string
	tokenURL     string
	version      string
	clientID     string
	clientSecret secret
	tokenSource  oauth2.TokenSource
	jwt          *JWTConfig
	httpClient   *http.Client
	logger       *slog.Logger
	retry        RetryPolicy
	limit        rate.Limit
	burst        int
	ceiling      float64
	recheck      time.Duration
	maxBody      int64
	allowDupes   bool
}

func defaultConfig() config {
	return config{
		version: DefaultAPIVersion,
		retry:   DefaultRetryPolicy(),
		limit:   rate.Inf,
		ceiling: DefaultUsageCeiling,
		recheck: DefaultUsageRecheck,
		maxBody: DefaultMaxResponseBytes,
	}
}

// secret holds a credential and never prints it.
type secret string

func (secret) String() string   { return "[redacted]" }
func (secret) GoString() string { return `"[redacted]"` }

var versionRE = regexp.MustCompile(`^v[1-9][0-9]\.[0-9]$`)

// WithInstanceURL sets the org's My Domain URL, e.g.
// https://acme.my.salesforce.com. It may carry a base path (useful behind a
// proxy or a test server); the REST paths are appended to it. Without it the
// client uses the instance_url of the token response.
func WithInstanceURL(raw string) Option {
	return func(c *config) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return fmt.Errorf("salesforce: instance URL: %w", err)
		}
		c.instanceURL = u
		return nil
	}
}

// WithTokenURL overrides the OAuth 2.0 token endpoint of the client
// credentials flow. The default is <instance URL>/services/oauth2/token.
// Salesforce refuses the client credentials grant on login.salesforce.com and
// test.salesforce.com, so this must be the org's My Domain host.
func WithTokenURL(raw string) Option {
	return func(c *config) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return fmt.Errorf("salesforce: token URL: %w", err)
		}
		c.tokenURL = u
		return nil
	}
}

// WithAPIVersion sets the REST API version in the form vNN.N, e.g. "v66.0".
// The default is DefaultAPIVersion (v64.0).
func WithAPIVersion(v string) Option {
	return func(c *config) error {
		if !versionRE.MatchString(v) {
			return fmt.Errorf("salesforce: API version %q is not of the form vNN.N (e.g. v64.0)", v)
		}
		c.version = v
		return nil
	}
}

// WithClientCredentials authenticates with the OAuth 2.0 client credentials
// flow of an External Client App or Connected App. Both values are required;
// the secret never appears in errors, logs or String output.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(c *config) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("salesforce: client credentials need both a client ID and a client secret")
		}
		c.clientID, c.clientSecret = clientID, secret(clientSecret)
		return nil
	}
}

// WithTokenSource authenticates with the caller's own token source (web
// server flow, refresh tokens, a static token for tests). On a 401 the client
// asks the source once more; a source that keeps returning the same rejected
// token yields ErrSessionExpired.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return errors.New("salesforce: nil token source")
		}
		c.tokenSource = ts
		return nil
	}
}

// WithJWT authenticates with the OAuth 2.0 JWT bearer flow. See JWTConfig for
// the required fields and the defaults.
func WithJWT(cfg JWTConfig) Option {
	return func(c *config) error {
		if err := cfg.validate(); err != nil {
			return err
		}
		c.jwt = &cfg
		return nil
	}
}

// WithHTTPClient sets the *http.Client for API and token calls. The client is
// copied, never modified. The default has a timeout of DefaultTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("salesforce: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithLogger sets the logger for retry and re-authentication decisions (Debug
// level). The default discards. Tokens and secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("salesforce: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithRetry sets the retry policy (default DefaultRetryPolicy()). Zero fields
// of p take their defaults, so WithRetry(RetryPolicy{MaxAttempts: 1}) turns
// retries off and keeps the rest. Negative values, and a MaxBackoff below
// InitialBackoff, are an error.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		p, err := p.normalize()
		if err != nil {
			return err
		}
		c.retry = p
		return nil
	}
}

// WithRateLimit spaces the client's HTTP requests to at most r per second
// with bursts of up to burst requests (golang.org/x/time/rate). Retries and
// query pages count as requests. The default is no client-side limit.
func WithRateLimit(r rate.Limit, burst int) Option {
	return func(c *config) error {
		if r <= 0 || burst < 1 {
			return fmt.Errorf("salesforce: rate limit needs a positive rate and a burst of at least 1 (got %v, %d)", r, burst)
		}
		c.limit, c.burst = r, burst
		return nil
	}
}

// WithUsageCeiling sets the fraction of the daily API allowance (read from
// the Sforce-Limit-Info header) past which calls fail fast with
// ErrUsageCeiling, so this integration never starves the rest of the org.
// The default is DefaultUsageCeiling (0.9); 0 turns the ceiling off; values
// outside [0, 1] are an error.
func WithUsageCeiling(fraction float64) Option {
	return func(c *config) error {
		if !(fraction >= 0 && fraction <= 1) {
			return fmt.Errorf("salesforce: usage ceiling %v is outside [0, 1]", fraction)
		}
		c.ceiling = fraction
		return nil
	}
}

// WithUsageRecheck sets how long a tripped usage ceiling refuses calls before
// one call is let through to read the usage again (the daily allowance is a
// rolling 24-hour window). The default is DefaultUsageRecheck (5 minutes).
func WithUsageRecheck(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("salesforce: usage recheck interval must be positive (got %v)", d)
		}
		c.recheck = d
		return nil
	}
}

// WithMaxResponseBytes caps the size of a successful response body; a larger
// body is an error. The default is DefaultMaxResponseBytes (64 MiB).
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n < 1024 {
			return fmt.Errorf("salesforce: max response bytes must be at least 1024 (got %d)", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithDuplicateRuleAllowSave sends Sforce-Duplicate-Rule-Header:
// allowSave=true with every request that writes, and puts the same header in
// the httpHeaders of every writing subrequest of a Composite or Composite
// Graph call (the documented way: a subrequest inherits only Accept,
// Authorization and Content-Type from the top-level request). Salesforce
// then saves a record that an active duplicate rule whose action is Alert
// would refuse with DUPLICATES_DETECTED; a rule whose action is Block still
// refuses it (see ErrDuplicatesDetected). Default off: duplicate rules
// apply as configured.
func WithDuplicateRuleAllowSave() Option {
	return func(c *config) error {
		c.allowDupes = true
		return nil
	}
}

// parseBaseURL checks an absolute http(s) URL without query, fragment or
// credentials and returns it without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("%q: scheme must be https or http", raw)
	case u.Host == "":
		return "", fmt.Errorf("%q: no host", raw)
	case u.User != nil:
		return "", errors.New("URL must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%q: no query or fragment allowed", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// validate checks the combination of options.
func (c *config) validate() error {
	n := 0
	if c.clientID != "" {
		n++
	}
	if c.tokenSource != nil {
		n++
	}
	if c.jwt != nil {
		n++
	}
	switch {
	case n == 0:
		return errors.New("salesforce: no credentials: use WithClientCredentials, WithJWT or WithTokenSource")
	case n > 1:
		return errors.New("salesforce: more than one credential option: use exactly one of WithClientCredentials, WithJWT, WithTokenSource")
	case c.clientID != "" && c.instanceURL == "" && c.tokenURL == "":
		return errors.New("salesforce: client credentials need WithInstanceURL (the org's My Domain) or WithTokenURL")
	}
	return nil
}

// jwtKey returns the RSA key of a JWT config; validate has checked it.
func jwtKey(cfg *JWTConfig) *rsa.PrivateKey {
	if cfg.PrivateKey != nil {
		return cfg.PrivateKey
	}
	k, _ := parseRSAKey(cfg.PrivateKeyPEM)
	return k
}
