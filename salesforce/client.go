package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"
	"golang.org/x/oauth2"
)

// userAgent identifies the client in Salesforce's API usage reports.
const userAgent = "bc2sf-salesforce/1"

// Client calls the Salesforce REST API of one org. It is safe for concurrent
// use; create one per org and share it.
type Client struct {
	rc       *resty.Client
	instance string // override; "" means the token's instance_url
	version  string
	tokens   *tokenCache
	retry    RetryPolicy
	throttle *throttle
	log      *slog.Logger
	maxBody  int64
	authKind string
	// secrets knows the forms of the configured credentials, to remove them
	// from error bodies; the access tokens of a call are added per call.
	secrets *redactor
	// allowDupes sends the duplicate rule header (WithDuplicateRuleAllowSave).
	allowDupes bool
}

// NewClient validates the options and returns a Client. It makes no network
// call: the first token is fetched by the first API call. Exactly one of
// WithClientCredentials, WithJWT or WithTokenSource is required; client
// credentials also need WithInstanceURL or WithTokenURL.
func NewClient(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("salesforce: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: DefaultTimeout}
	if cfg.httpClient != nil {
		copied := *cfg.httpClient // resty fills in a nil Transport; keep the caller's client untouched
		hc = &copied
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		instance:   cfg.instanceURL,
		version:    cfg.version,
		retry:      cfg.retry,
		throttle:   newThrottle(&cfg),
		log:        cfg.logger,
		maxBody:    cfg.maxBody,
		allowDupes: cfg.allowDupes,
	}
	var src ctxTokenSource
	switch {
	case cfg.tokenSource != nil:
		src, c.authKind = userSource{cfg.tokenSource}, "token source"
	case cfg.jwt != nil:
		src, c.authKind = &jwtSource{cfg: *cfg.jwt, key: jwtKey(cfg.jwt), hc: hc}, "JWT bearer"
	default:
		tokenURL := cfg.tokenURL
		if tokenURL == "" {
			tokenURL = cfg.instanceURL + "/services/oauth2/token"
		}
		src, c.authKind = newCCSource(cfg.clientID, cfg.clientSecret, tokenURL, hc), "client credentials"
	}
	c.secrets = credentialRedactor(cfg.clientID, string(cfg.clientSecret))
	c.tokens = &tokenCache{src: src}
	c.rc = resty.NewWithClient(hc).SetLogger(discardLogger{}).SetDisableWarn(true).
		SetHeader("User-Agent", userAgent)
	return c, nil
}

// String describes the client without any credential.
func (c *Client) String() string {
	return fmt.Sprintf("salesforce.Client{instance: %q, version: %s, auth: %s}", c.instance, c.version, c.authKind)
}

// GoString is String, so %#v prints no credential either.
func (c *Client) GoString() string { return c.String() }

// Version returns the API version, e.g. "v64.0".
func (c *Client) Version() string { return c.version }

// dataPath joins segments under /services/data/<version>/.
func (c *Client) dataPath(segments ...string) string {
	return "/services/data/" + c.version + "/" + strings.Join(segments, "/")
}

// call is one logical API call.
type call struct {
	method     string
	path       string // from the instance root, e.g. /services/data/v64.0/limits
	query      url.Values
	body       any
	idempotent bool
}

type response struct {
	status int
	header http.Header
	body   []byte
	// tokens are the access tokens the call was sent with, for redacting a
	// body that may echo the request (see scrubResults).
	tokens []string
}

// do runs a call: throttle, token, request, one re-authentication on 401,
// and bounded retries of retryable errors.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		body := cl.body
		if c.allowDupes {
			body = withDuplicateHeaders(body)
		}
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("salesforce: encode %s %s body: %w", cl.method, cl.path, err)
		}
	}
	return retrying(ctx, c, cl.method, cl.path, cl.idempotent, func() (*response, error) {
		return c.attempt(ctx, cl, payload)
	})
}

// attempt sends once, and once more with a fresh token after a 401.
func (c *Client) attempt(ctx context.Context, cl call, payload []byte) (*response, error) {
	if err := c.throttle.admit(ctx); err != nil {
		return nil, err
	}
	tok, err := c.tokens.get(ctx, "")
	if err != nil {
		return nil, err
	}
	used := []string{tok.AccessToken}
	resp, err := c.send(ctx, tok, cl, payload)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusUnauthorized {
		c.log.DebugContext(ctx, "salesforce: session rejected, fetching a new token", "method", cl.method, "path", cl.path)
		if tok, err = c.tokens.get(ctx, tok.AccessToken); err != nil {
			return nil, err
		}
		used = append(used, tok.AccessToken)
		if err := c.throttle.admit(ctx); err != nil {
			return nil, err
		}
		if resp, err = c.send(ctx, tok, cl, payload); err != nil {
			return nil, err
		}
	}
	if resp.status >= 200 && resp.status <= 299 {
		resp.tokens = used
		return resp, nil
	}
	apiErr := decodeError(resp.status, resp.header, resp.body, c.secrets.with(used...))
	apiErr.Method, apiErr.Path, apiErr.idempotent = cl.method, cl.path, cl.idempotent
	return nil, apiErr
}

// send performs one HTTP request and reads the body through a size limit.
func (c *Client) send(ctx context.Context, tok *oauth2.Token, cl call, payload []byte) (*response, error) {
	base := c.instance
	if base == "" {
		var ok bool
		if base, ok = instanceFromToken(tok); !ok {
			return nil, errors.New("salesforce: no instance URL: the token response has no usable instance_url and WithInstanceURL was not given")
		}
	}
	req := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true).
		SetHeader("Authorization", tok.Type()+" "+tok.AccessToken).
		SetHeader("Accept", "application/json")
	if cl.query != nil {
		req.SetQueryParamsFromValues(cl.query)
	}
	if payload != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(payload)
	}
	if c.allowDupes && writes(cl.method) {
		req.SetHeader(DuplicateRuleHeader, allowSaveValue)
	}
	r, err := req.Execute(cl.method, base+cl.path)
	if err != nil {
		if r != nil && r.RawBody() != nil {
			r.RawBody().Close()
		}
		return nil, fmt.Errorf("salesforce: %s %s: %w", cl.method, cl.path, err)
	}
	raw := r.RawBody()
	defer raw.Close()
	status := r.StatusCode()
	limit := c.maxBody
	if status < 200 || status > 299 {
		limit = maxErrorBody
	}
	body, err := io.ReadAll(io.LimitReader(raw, limit+1))
	if err != nil {
		return nil, fmt.Errorf("salesforce: %s %s: read body: %w", cl.method, cl.path, err)
	}
	if int64(len(body)) > limit {
		if status >= 200 && status <= 299 {
			return nil, fmt.Errorf("salesforce: %s %s: response body larger than %d bytes", cl.method, cl.path, limit)
		}
		body = body[:limit]
	}
	c.throttle.observe(r.Header().Get("Sforce-Limit-Info"))
	return &response{status: status, header: r.Header(), body: body}, nil
}

// decodeJSON decodes a success body, naming the call on failure. The body
// is in memory already: json.Unmarshal reads it in place, where a Decoder
// would copy it into a buffer of its own, doubled as it fills.
func decodeJSON(resp *response, cl string, v any) error {
	if err := json.Unmarshal(resp.body, v); err != nil {
		return fmt.Errorf("salesforce: decode %s response: %w", cl, err)
	}
	return nil
}

// discardLogger silences resty's own logging; the client logs via slog.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// scrubResults removes every form of the client's credentials and of the
// call's access tokens from the bodies of the failed subrequests of a
// composite or graph answer: their errors may quote what was sent, and a
// proxy may echo the request, so that SubResult.Err never carries a secret.
func (c *Client) scrubResults(resp *response, results []SubResult) {
	var red *redactor // built for the first failed subrequest: most answers have none
	for i := range results {
		if !results[i].OK() {
			if red == nil {
				red = c.secrets.with(resp.tokens...)
			}
			results[i].Body = red.bytes(results[i].Body)
		}
	}
}
