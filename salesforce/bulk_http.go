package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// streamCall is a request whose body, or whose answer, is streamed rather
// than held in memory: the CSV of a Bulk API 2.0 upload or result.
type streamCall struct {
	method, path string
	query        url.Values
	// body is sent as is with contentType; nil sends no body. It is
	// rewound for a second attempt, so a retry re-sends the same bytes.
	body        io.ReadSeeker
	contentType string
	accept      string
	idempotent  bool
}

// stream runs a streamCall like do runs a call: throttle, token, one
// re-authentication on 401, bounded retries of retryable errors. On a 2xx
// answer it returns the response with its body unread; the caller closes
// it. A retry needs a body that rewinds, so every body is an io.ReadSeeker.
func (c *Client) stream(ctx context.Context, sc streamCall) (*http.Response, error) {
	return retrying(ctx, c, sc.method, sc.path, sc.idempotent, func() (*http.Response, error) {
		return c.streamAttempt(ctx, sc)
	})
}

// streamAttempt sends once, and once more with a fresh token after a 401.
func (c *Client) streamAttempt(ctx context.Context, sc streamCall) (*http.Response, error) {
	if err := c.throttle.admit(ctx); err != nil {
		return nil, err
	}
	tok, err := c.tokens.get(ctx, "")
	if err != nil {
		return nil, err
	}
	used := []string{tok.AccessToken}
	resp, err := c.streamSend(ctx, tok, sc)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		resp.Body.Close()
		c.log.DebugContext(ctx, "salesforce: session rejected, fetching a new token", "method", sc.method, "path", sc.path)
		if tok, err = c.tokens.get(ctx, tok.AccessToken); err != nil {
			return nil, err
		}
		used = append(used, tok.AccessToken)
		if err := c.throttle.admit(ctx); err != nil {
			return nil, err
		}
		if resp, err = c.streamSend(ctx, tok, sc); err != nil {
			return nil, err
		}
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return nil, fmt.Errorf("salesforce: %s %s: read error body: %w", sc.method, sc.path, err)
	}
	apiErr := decodeError(resp.StatusCode, resp.Header, body, c.secrets.with(used...))
	apiErr.Method, apiErr.Path, apiErr.idempotent = sc.method, sc.path, sc.idempotent
	return nil, apiErr
}

// streamSend performs one HTTP request, rewinding the body first.
func (c *Client) streamSend(ctx context.Context, tok *oauth2.Token, sc streamCall) (*http.Response, error) {
	base := c.instance
	if base == "" {
		var ok bool
		if base, ok = instanceFromToken(tok); !ok {
			return nil, errors.New("salesforce: no instance URL: the token response has no usable instance_url and WithInstanceURL was not given")
		}
	}
	req := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true).
		SetHeader("Authorization", tok.Type()+" "+tok.AccessToken).
		SetHeader("Accept", sc.accept)
	if sc.query != nil {
		req.SetQueryParamsFromValues(sc.query)
	}
	if sc.body != nil {
		if _, err := sc.body.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("salesforce: %s %s: rewind body: %w", sc.method, sc.path, err)
		}
		// A plain io.Reader, so that resty streams it instead of reading it
		// into memory; the length is unknown and the request is chunked.
		req.SetHeader("Content-Type", sc.contentType).SetBody(io.NopCloser(sc.body))
	}
	r, err := req.Execute(sc.method, base+sc.path)
	if err != nil {
		if r != nil && r.RawBody() != nil {
			r.RawBody().Close()
		}
		return nil, fmt.Errorf("salesforce: %s %s: %w", sc.method, sc.path, err)
	}
	c.throttle.observe(r.Header().Get("Sforce-Limit-Info"))
	raw := r.RawResponse
	raw.Body = r.RawBody()
	return raw, nil
}
