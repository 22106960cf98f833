package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// maxBody bounds a successful response (32 MiB); an order with thousands of
// line items stays far below it.
const maxBody = 32 << 20

// Client calls the BigCommerce REST API of one store: orders (v2), customers
// (v3), catalog products (v3) and webhooks (v3). It paces itself by the rate-limit headers, retries
// what is safe to retry, and returns *APIError for non-2xx answers.
//
// A Client is safe for concurrent use; goroutines share its rate-limit state.
// Its String and GoString never show the access token.
type Client struct {
	// Orders reads orders, their line items and shipping addresses (v2).
	Orders *OrdersService
	// Customers reads registered customers (v3).
	Customers *CustomersService
	// Products reads catalog products with their variants (v3).
	Products *ProductsService
	// Webhooks manages the store's webhook subscriptions (v3 /hooks).
	Webhooks *WebhooksService

	storeHash string
	// token returns the access token. A func, not a string, because fmt
	// prints unexported fields by reflection, bypassing String methods; a
	// func prints as an address.
	token   func() string
	baseURL string // with /stores/{hash}, no trailing slash
	rc      *resty.Client
	logger  *slog.Logger
	retry   RetryPolicy
	limiter *limiter
	// maxLines bounds the line items read of one order; noLines reads none.
	maxLines int
	noLines  bool
}

// NewClient returns a client for the store with the given hash and API
// access token. It validates its arguments and makes no network call. The
// store hash must be 1 to 64 ASCII letters and digits; the token must be
// non-empty and free of whitespace and control characters.
func NewClient(storeHash, accessToken string, opts ...Option) (*Client, error) {
	if err := validateStoreHash(storeHash); err != nil {
		return nil, err
	}
	if err := validateToken(accessToken); err != nil {
		return nil, err
	}
	cfg := config{
		baseURL:   DefaultBaseURL,
		logger:    slog.New(slog.DiscardHandler),
		userAgent: DefaultUserAgent,
		retry:     DefaultRetryPolicy(),
		maxLines:  DefaultMaxLineItems,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	c := &Client{
		storeHash: storeHash,
		token:     func() string { return accessToken },
		baseURL:   cfg.baseURL + "/stores/" + storeHash,
		logger:    cfg.logger,
		retry:     cfg.retry,
		limiter:   newLimiter(),
		maxLines:  cfg.maxLines,
		noLines:   cfg.noLines,
	}
	c.rc = resty.NewWithClient(httpClientFor(cfg.httpClient)).
		SetBaseURL(c.baseURL).
		SetLogger(discardRestyLogger{}).
		SetDisableWarn(true).
		SetHeader("Accept", "application/json").
		SetHeader("Content-Type", "application/json").
		SetHeader("User-Agent", cfg.userAgent)
	c.Orders = &OrdersService{c: c}
	c.Customers = &CustomersService{c: c}
	c.Products = &ProductsService{c: c}
	c.Webhooks = &WebhooksService{c: c}
	return c, nil
}

func validateStoreHash(h string) error {
	if h == "" {
		return errors.New("bigcommerce: empty store hash")
	}
	if len(h) > 64 {
		return errors.New("bigcommerce: store hash longer than 64 characters")
	}
	for i := 0; i < len(h); i++ {
		ch := h[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9') {
			return fmt.Errorf("bigcommerce: store hash may hold only letters and digits, found %q at %d", ch, i)
		}
	}
	return nil
}

func validateToken(t string) error {
	if t == "" {
		return errors.New("bigcommerce: empty access token")
	}
	for _, r := range t {
		if r <= ' ' || r == 0x7f {
			// The token itself is never echoed, only where it is wrong.
			return errors.New("bigcommerce: access token contains whitespace or control characters")
		}
	}
	return nil
}

// httpClientFor copies the caller's client (or builds the default one) so
// that resty's defaults never modify it, and refuses redirects to another
// host, which would carry the X-Auth-Token header with them.
func httpClientFor(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = DefaultTimeout
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if c.CheckRedirect == nil {
		c.CheckRedirect = sameHostRedirect
	}
	return &c
}

// errRedirect is wrapped by the error for a redirect the client will not
// follow; retrying it cannot help, so it does not count as ErrUnavailable.
var errRedirect = errors.New("redirect not followed")

func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("%w: stopped after 10 redirects", errRedirect)
	}
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		return fmt.Errorf("%w: refusing redirect to another host (%s)", errRedirect, req.URL.Host)
	}
	return nil
}

// String describes the client without its token.
func (c Client) String() string {
	return fmt.Sprintf("bigcommerce.Client{store: %s, base: %s}", c.storeHash, c.baseURL)
}

// GoString is like String, so %#v does not reveal the token either.
func (c Client) GoString() string { return c.String() }

// StoreHash returns the store hash the client was made for.
func (c *Client) StoreHash() string { return c.storeHash }

// RateLimit returns the store's request quota as reported by the most recent
// response that carried the rate-limit headers; its ObservedAt is zero
// before any such response.
func (c *Client) RateLimit() RateLimit { return c.limiter.snapshot() }

type apiRequest struct {
	method string
	path   string // relative to the store, without query: /v2/orders/1
	query  url.Values
	body   []byte
	// secrets are values to scrub from an error answer (hook headers).
	secrets map[string]string
}

type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

// send makes one attempt and turns a non-2xx answer into an *APIError.
func (c *Client) send(ctx context.Context, r *apiRequest) (*apiResponse, error) {
	req := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true).
		SetHeader("X-Auth-Token", c.token())
	if len(r.query) > 0 {
		req.SetQueryParamsFromValues(r.query)
	}
	if r.body != nil {
		req.SetBody(r.body)
	}
	began := time.Now()
	resp, err := req.Execute(r.method, r.path)
	if err != nil {
		if resp != nil && resp.RawResponse != nil {
			resp.RawResponse.Body.Close()
		}
		return nil, &transportError{method: r.method, path: r.path, err: stripURL(err)}
	}
	raw := resp.RawBody()
	defer raw.Close()
	c.limiter.observe(resp.Header(), time.Now())
	status := resp.StatusCode()
	c.logger.DebugContext(ctx, "bigcommerce: request", "method", r.method, "path", r.path,
		"status", status, "duration", time.Since(began))

	if status < 200 || status > 299 {
		body, _ := io.ReadAll(io.LimitReader(raw, maxErrorBody))
		apiErr := newAPIError(r.method, r.path, status, resp.Header(), body)
		// A proxy or a misbehaving endpoint could echo the request's
		// credentials; none of them may reach an error string or a log.
		scrubSecrets(apiErr, map[string]string{"X-Auth-Token": c.token()})
		return nil, scrubSecrets(apiErr, r.secrets)
	}
	body, err := io.ReadAll(io.LimitReader(raw, maxBody+1))
	if err != nil {
		return nil, &transportError{method: r.method, path: r.path, err: err}
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("bigcommerce: %s %s: response larger than %d bytes", r.method, r.path, maxBody)
	}
	return &apiResponse{status: status, header: resp.Header(), body: body}, nil
}

// stripURL drops the *url.Error wrapper, whose message repeats the full URL
// (with a query that may hold e-mail addresses), keeping its cause.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// get fetches path and decodes the JSON body into out. It returns false, and
// leaves out alone, when the answer is 204 or an empty body.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) (bool, error) {
	return c.call(ctx, &apiRequest{method: http.MethodGet, path: path, query: query}, nil, out)
}

// call sends r, with in (if non-nil) as its JSON body, and decodes the
// answer into out (if non-nil and the answer has a body).
func (c *Client) call(ctx context.Context, r *apiRequest, in, out any) (bool, error) {
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return false, fmt.Errorf("bigcommerce: %s %s: encoding request: %w", r.method, r.path, err)
		}
		r.body = body
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return false, err
	}
	return c.decode(r.method, r.path, resp, out)
}

func (c *Client) decode(method, path string, resp *apiResponse, out any) (bool, error) {
	if resp.status == http.StatusNoContent || len(bytes.TrimSpace(resp.body)) == 0 || out == nil {
		return false, nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return false, fmt.Errorf("bigcommerce: %s %s: decoding response: %w", method, path, err)
	}
	return true, nil
}

// discardRestyLogger silences resty: the client logs through slog itself and
// resty's messages could repeat URLs.
type discardRestyLogger struct{}

func (discardRestyLogger) Errorf(string, ...any) {}
func (discardRestyLogger) Warnf(string, ...any)  {}
func (discardRestyLogger) Debugf(string, ...any) {}
