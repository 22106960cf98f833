package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenFetchTimeout bounds one token request made on behalf of several
// waiting calls, independent of any one caller's context.
const tokenFetchTimeout = time.Minute

// AuthError is a failed token request. It carries the OAuth error code and
// description but never the client secret, the assertion or a token.
type AuthError struct {
	// StatusCode is the token endpoint's HTTP status; 0 for a network error.
	StatusCode int
	// Code is the OAuth error, e.g. "invalid_client" or "invalid_grant".
	Code string
	// Description is error_description, or the start of a non-JSON body.
	Description string
	// Err is the underlying transport error, if any.
	Err error
}

// Error says what failed, e.g. `salesforce: token request failed: HTTP 400
// invalid_grant: request not supported on this domain`.
func (e *AuthError) Error() string {
	var b strings.Builder
	b.WriteString("salesforce: token request failed")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the transport error.
func (e *AuthError) Unwrap() error { return e.Err }

func (e *AuthError) retryable() bool {
	switch {
	case e.Err != nil:
		return isNetworkError(e.Err)
	case e.StatusCode >= 500, e.Code == "temporarily_unavailable", e.Code == "unknown_error":
		return true
	}
	return false
}

// newAuthError builds an AuthError from a token endpoint answer. Every form
// of the credentials red knows is removed from what the server echoed
// before anything is kept or cut, so none leaks, not even in part.
func newAuthError(status int, body []byte, red *redactor) *AuthError {
	e := &AuthError{StatusCode: status}
	body = red.bytes(body)
	var oa struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oa) == nil && oa.Error != "" {
		e.Code, e.Description = clip(red.text(oa.Error), 64), clip(red.text(oa.Description), maxSnippet)
	} else {
		e.Description = snippet(body)
	}
	return e
}

// credentialRedactor knows a client secret, alone and in the forms an
// HTTP Basic header carries it with the client id.
func credentialRedactor(clientID, secret string) *redactor {
	if secret == "" {
		return newRedactor()
	}
	return newRedactor(secret, clientID+":"+secret, url.QueryEscape(clientID)+":"+url.QueryEscape(secret))
}

// ctxTokenSource is a token source that takes a context; the built-in flows
// implement it so token requests use the caller's *http.Client.
type ctxTokenSource interface {
	token(ctx context.Context) (*oauth2.Token, error)
}

// userSource adapts an oauth2.TokenSource.
type userSource struct{ ts oauth2.TokenSource }

func (s userSource) token(context.Context) (*oauth2.Token, error) {
	tok, err := s.ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, retrieveToAuthError(re, nil)
		}
		return nil, &AuthError{Err: err}
	}
	return tok, nil
}

// ccSource is the client credentials flow, via x/oauth2/clientcredentials.
type ccSource struct {
	cfg clientcredentials.Config
	hc  *http.Client
	red *redactor
}

func newCCSource(id string, sec secret, tokenURL string, hc *http.Client) *ccSource {
	return &ccSource{hc: hc, red: credentialRedactor(id, string(sec)), cfg: clientcredentials.Config{
		ClientID: id, ClientSecret: string(sec), TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams,
	}}
}

func (s *ccSource) token(ctx context.Context) (*oauth2.Token, error) {
	tok, err := s.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, s.hc))
	if err == nil {
		return tok, nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return nil, retrieveToAuthError(re, s.red)
	}
	return nil, &AuthError{Err: scrubErr(err, s.red)}
}

func retrieveToAuthError(re *oauth2.RetrieveError, red *redactor) *AuthError {
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	return newAuthError(status, re.Body, red)
}

// scrubErr drops a transport error's text if it contains a credential.
func scrubErr(err error, red *redactor) error {
	if msg := err.Error(); red.text(msg) != msg {
		return errors.New("token request failed (details withheld: they contained a credential)")
	}
	return err
}

// assertionRedactor knows a JWT assertion, whole and by its signature,
// the part that makes it a credential.
func assertionRedactor(assertion string) *redactor {
	sig := assertion
	if i := strings.LastIndexByte(assertion, '.'); i >= 0 {
		sig = assertion[i+1:]
	}
	return newRedactor(assertion, sig)
}

// postToken sends a token request form and decodes the answer; used by the
// JWT bearer flow.
func postToken(ctx context.Context, hc *http.Client, tokenURL string, form url.Values) (*oauth2.Token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &AuthError{Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &AuthError{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return nil, &AuthError{StatusCode: resp.StatusCode, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAuthError(resp.StatusCode, body, assertionRedactor(form.Get("assertion")))
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, &AuthError{StatusCode: resp.StatusCode, Description: "token response is not JSON"}
	}
	at, _ := raw["access_token"].(string)
	if at == "" {
		return nil, &AuthError{StatusCode: resp.StatusCode, Description: "token response has no access_token"}
	}
	tt, _ := raw["token_type"].(string)
	return (&oauth2.Token{AccessToken: at, TokenType: tt}).WithExtra(raw), nil
}

// tokenCache holds the current token and makes sure that, however many
// calls find it rejected at once, only one token request is made.
type tokenCache struct {
	src    ctxTokenSource
	mu     sync.Mutex
	cur    *oauth2.Token
	flight *tokenFlight
}

type tokenFlight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// get returns the cached token unless it is missing, expired or equal to
// rejected (the access token a call just saw refused). Concurrent callers
// share one fetch.
func (tc *tokenCache) get(ctx context.Context, rejected string) (*oauth2.Token, error) {
	tc.mu.Lock()
	if t := tc.cur; t != nil && t.Valid() && (rejected == "" || t.AccessToken != rejected) {
		tc.mu.Unlock()
		return t, nil
	}
	f := tc.flight
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		tc.flight = f
		// The fetch outlives the caller that started it: others wait on it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		go func() {
			defer cancel()
			tc.fetch(fctx, f)
		}()
	}
	tc.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (tc *tokenCache) fetch(ctx context.Context, f *tokenFlight) {
	tok, err := tc.src.token(ctx)
	if err == nil && (tok == nil || tok.AccessToken == "") {
		tok, err = nil, &AuthError{Description: "token source returned an empty token"}
	}
	tc.mu.Lock()
	if err == nil {
		tc.cur = tok
	}
	tc.flight = nil
	f.tok, f.err = tok, err
	tc.mu.Unlock()
	close(f.done)
}

// instanceFromToken returns the token's instance_url when it is a usable
// base URL.
func instanceFromToken(tok *oauth2.Token) (string, bool) {
	s, _ := tok.Extra("instance_url").(string)
	if s == "" {
		return "", false
	}
	u, err := parseBaseURL(s)
	return u, err == nil
}
