package bigcommerce

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the API host; the client appends /stores/{store_hash}.
const DefaultBaseURL = "https://api.bigcommerce.com"

// DefaultUserAgent is sent when WithUserAgent is not given. BigCommerce asks
// integrations to identify themselves.
const DefaultUserAgent = "bc2sf/0.1.0"

// DefaultTimeout bounds one HTTP attempt (30 s) when WithHTTPClient is not
// given; retries have their own budget in RetryPolicy.
const DefaultTimeout = 30 * time.Second

// Option configures a Client. Options are applied in order; the first that
// fails makes NewClient return its error.
type Option func(*config) error

type config struct {
	baseURL    string
	httpClient *http.Client
	logger     *slog.Logger
	userAgent  string
	retry      RetryPolicy
	maxLines   int
	noLines    bool
}

// DefaultMaxLineItems is how many line items the client reads of one order
// when WithMaxLineItems is not given: 2,000.
const DefaultMaxLineItems = 2000

// WithMaxLineItems bounds the line items the client reads of one order, by
// Orders.Get, Orders.List with WithLineItems and Orders.Products (default
// DefaultMaxLineItems, 2,000). An order with more fails with an error
// matching ErrTooManyLineItems, after at most n/250+1 calls to
// /v2/orders/{id}/products, so a huge order costs bounded memory and calls.
// n must be at least 1; WithoutLineItems reads none at all.
func WithMaxLineItems(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("bigcommerce: max line items %d, want 1 or more (WithoutLineItems reads none)", n)
		}
		c.maxLines = n
		return nil
	}
}

// WithoutLineItems makes the client read orders without their line items,
// for callers that need none (an Opportunity carries only the order's
// totals): Orders.Get and Orders.List ask for no consignments, ignore
// ListOrdersOptions.WithLineItems, and drop any line items an answer
// carries, so Order.LineItems returns nil. Orders.Products still reads them
// on request.
func WithoutLineItems() Option {
	return func(c *config) error {
		c.noLines = true
		return nil
	}
}

// WithBaseURL sets the API base (default DefaultBaseURL). It must be an
// absolute http or https URL without query or fragment; a path prefix is kept,
// so "https://proxy.example/bc" sends requests to
// "https://proxy.example/bc/stores/{hash}/v2/...".
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("bigcommerce: invalid base URL: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("bigcommerce: base URL must be an absolute http or https URL")
		}
		if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return errors.New("bigcommerce: base URL must not carry a query, a fragment or user info")
		}
		c.baseURL = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client (default: a client with a 30 s timeout
// and a clone of http.DefaultTransport). The client is copied, not modified.
// Unless it has its own CheckRedirect, redirects to another host or scheme
// are refused, since they would carry the X-Auth-Token header along.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("bigcommerce: nil HTTP client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithLogger sets the logger for request and retry events (default: discard).
// Requests are logged at Debug, retries and quota waits at Info/Debug; the
// token, header values of hooks and query strings are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("bigcommerce: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default DefaultUserAgent).
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("bigcommerce: user agent must be a non-empty single line")
		}
		c.userAgent = ua
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
