package bctest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Option configures a Server. Options are applied in order and checked by
// NewServer, which reports the first invalid one.
type Option func(*config) error

type config struct {
	storeHash    string
	storeID      string
	token        secret
	clientID     string
	clientSecret secret
	basePath     string
	quota        int
	window       time.Duration
	seed         uint64
	httpClient   *http.Client
	dataHash     bool
}

// Defaults of a Server built without options.
const (
	DefaultStoreHash = "abc123"
	DefaultStoreID   = "1025646"
	DefaultToken     = "bctest-token"
	DefaultClientID  = "bctest-client"
	DefaultQuota     = 150
	DefaultWindow    = 30 * time.Second
)

func defaultConfig() config {
	return config{
		storeHash:    DefaultStoreHash,
		storeID:      DefaultStoreID,
		token:        reveal(DefaultToken),
		clientSecret: reveal(""),
		clientID:     DefaultClientID,
		quota:        DefaultQuota,
		window:       DefaultWindow,
		seed:         1,
		httpClient:   &http.Client{Timeout: 10 * time.Second},
	}
}

// secret holds a credential as a func, because fmt prints unexported
// fields by reflection, bypassing String methods; a func prints as an
// address.
type secret func() string

func reveal(v string) secret { return func() string { return v } }

var (
	storeHashText = regexp.MustCompile(`^[a-z0-9]+$`)
	storeIDText   = regexp.MustCompile(`^[0-9]+$`)
)

// WithStoreHash sets the store hash of the /stores/{store_hash}/ paths and
// of the producer "stores/{store_hash}" of webhooks. It must be lower-case
// letters and digits. Default DefaultStoreHash ("abc123"). Requests for any
// other store hash answer 404.
func WithStoreHash(hash string) Option {
	return func(c *config) error {
		if !storeHashText.MatchString(hash) {
			return fmt.Errorf("%w: store hash %q must be lower-case letters and digits", ErrInvalid, hash)
		}
		c.storeHash = hash
		return nil
	}
}

// WithStoreID sets the numeric store id sent as the string store_id of
// webhook envelopes. Default DefaultStoreID ("1025646").
func WithStoreID(id string) Option {
	return func(c *config) error {
		if !storeIDText.MatchString(id) {
			return fmt.Errorf("%w: store id %q must be digits", ErrInvalid, id)
		}
		c.storeID = id
		return nil
	}
}

// WithToken sets the access token every request must carry in X-Auth-Token.
// It must not be empty. Default DefaultToken.
func WithToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			return fmt.Errorf("%w: empty token", ErrInvalid)
		}
		c.token = reveal(token)
		return nil
	}
}

// WithClientID sets the client_id of the hooks the server creates. Default
// DefaultClientID.
func WithClientID(id string) Option {
	return func(c *config) error {
		if id == "" {
			return fmt.Errorf("%w: empty client id", ErrInvalid)
		}
		c.clientID = id
		return nil
	}
}

// WithClientSecret sets the app's client secret. When set, every webhook
// delivery carries Standard Webhooks headers (webhook-id, webhook-timestamp,
// webhook-signature) signed with the raw bytes of the secret. Default: none,
// and deliveries are authenticated by the hook's headers only.
func WithClientSecret(secret string) Option {
	return func(c *config) error {
		c.clientSecret = reveal(secret)
		return nil
	}
}

// WithBasePath mounts every route under a path prefix, such as "/proxy", so
// that tests catch URL-joining bugs; URL includes it. It must start with "/"
// and not end with one. Default "" (routes start at /stores/).
func WithBasePath(prefix string) Option {
	return func(c *config) error {
		if prefix != "" && (!strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") ||
			strings.ContainsAny(prefix, "{}?# ")) {
			return fmt.Errorf("%w: base path %q must start with / and not end with one", ErrInvalid, prefix)
		}
		c.basePath = prefix
		return nil
	}
}

// WithRateLimit sets the request quota per window of the simulated store.
// quota must be at least 1 and window at least 1 ms. Default 150 requests
// per 30 s (the Standard and Plus plans).
func WithRateLimit(quota int, window time.Duration) Option {
	return func(c *config) error {
		if quota < 1 || window < time.Millisecond {
			return fmt.Errorf("%w: rate limit %d per %v", ErrInvalid, quota, window)
		}
		c.quota, c.window = quota, window
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

// WithDataHash makes the hash of every event the SHA-1 of its JSON-encoded
// data object, as BigCommerce documents it ("the SHA-1 hash of the
// JSON-encoded payload data"): events with equal data carry equal hashes,
// such as every store/order/updated event of one order, or a refund's
// refund/created and statusUpdated when their data match. Without it the
// hash is the SHA-1 of the rest of the envelope, which differs between
// events. Either way every delivery of one event carries the same hash, and
// the webhook-id of a signed delivery stays one per event.
func WithDataHash() Option {
	return func(c *config) error {
		c.dataHash = true
		return nil
	}
}

// WithHTTPClient sets the client that delivers webhooks. Default an
// http.Client with a 10 s timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("%w: nil HTTP client", ErrInvalid)
		}
		c.httpClient = hc
		return nil
	}
}
