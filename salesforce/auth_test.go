package salesforce

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"
)

const (
	mockInstance = "https://acme.my.salesforce.com"
	mockTokenURL = mockInstance + "/services/oauth2/token"
	mockSecret   = "s3cr3t-Client-Secret-value"
)

// tokenResponder answers client credentials requests with tok-1, tok-2, ...
// and counts them.
func tokenResponder(t *testing.T, count *atomic.Int32, instanceURL string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("token form: %v", err)
		}
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != "cid" || r.PostForm.Get("client_secret") != mockSecret {
			t.Errorf("token form = %v", r.PostForm)
		}
		n := count.Add(1)
		return httpmock.NewJsonResponse(200, map[string]string{
			"access_token": fmt.Sprintf("tok-%d", n), "instance_url": instanceURL, "token_type": "Bearer",
			"id": "https://login.salesforce.com/id/00D/005", "issued_at": "1764100000000", "signature": "sig",
		})
	}
}

func mockClient(t *testing.T, mt *httpmock.MockTransport, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithHTTPClient(&http.Client{Transport: mt}),
		WithClientCredentials("cid", mockSecret),
		WithRetry(fastRetry),
	}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConcurrent401sMakeOneTokenRequest(t *testing.T) {
	t.Parallel()
	const workers = 20
	mt := httpmock.NewMockTransport()
	var tokens atomic.Int32
	mt.RegisterResponder("POST", mockTokenURL, tokenResponder(t, &tokens, mockInstance))

	// Hold every tok-1 request until all workers have sent one, so the 401s
	// really arrive together.
	var arrived atomic.Int32
	allIn := make(chan struct{})
	mt.RegisterResponder("GET", mockInstance+"/services/data/v64.0/limits", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Authorization") == "Bearer tok-1" {
			if arrived.Add(1) == workers {
				close(allIn)
			}
			select {
			case <-allIn:
			case <-time.After(5 * time.Second): // not an assertion: avoids a hang if the client serializes
			}
			return httpmock.NewStringResponse(401, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`), nil
		}
		return httpmock.NewStringResponse(200, `{"DailyApiRequests":{"Max":15000,"Remaining":14000}}`), nil
	})
	c := mockClient(t, mt, WithInstanceURL(mockInstance))

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			_, err := c.Limits(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Limits: %v", err)
		}
	}
	if got := arrived.Load(); got != workers {
		t.Errorf("%d requests with the first token, want %d", got, workers)
	}
	// One request for the first token, exactly one after the 401s.
	if got := tokens.Load(); got != 2 {
		t.Fatalf("token requests = %d, want 2 (initial + one refresh)", got)
	}
}

func TestSecond401IsSessionExpired(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var tokens, apiCalls atomic.Int32
	mt.RegisterResponder("POST", mockTokenURL, tokenResponder(t, &tokens, mockInstance))
	mt.RegisterResponder("GET", mockInstance+"/services/data/v64.0/limits", func(r *http.Request) (*http.Response, error) {
		apiCalls.Add(1)
		resp := httpmock.NewStringResponse(401, `[{"errorCode":"INVALID_SESSION_ID","message":"This session is not valid for use with the REST API"}]`)
		resp.Header.Set("X-Request-Id", "req-42")
		return resp, nil
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := mockClient(t, mt, WithInstanceURL(mockInstance), WithLogger(logger))
	_, err := c.Limits(context.Background())
	if !strings.Contains(logs.String(), "fetching a new token") || strings.Contains(logs.String(), "tok-") || strings.Contains(err.Error(), "tok-") {
		t.Errorf("logs or error show a token, or no re-authentication was logged:\n%s\n%v", logs.String(), err)
	}
	if !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("err = %v, want ErrSessionExpired", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code() != CodeInvalidSession || apiErr.RequestID != "req-42" {
		t.Fatalf("APIError = %+v", apiErr)
	}
	if Retryable(err) {
		t.Error("a second 401 must not be retryable")
	}
	if tokens.Load() != 2 || apiCalls.Load() != 2 {
		t.Fatalf("token requests %d, API calls %d; want 2 and 2", tokens.Load(), apiCalls.Load())
	}
}

func TestTokenErrorIsAuthErrorWithoutSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		status     int
		wantCode   string
		retryable  bool
	}{
		{"invalid client", `{"error":"invalid_client","error_description":"invalid client credentials"}`, 400, "invalid_client", false},
		{"wrong domain", `{"error":"invalid_grant","error_description":"request not supported on this domain"}`, 400, "invalid_grant", false},
		{"echoed secret", `{"error":"invalid_client","error_description":"bad secret ` + mockSecret + `"}`, 400, "invalid_client", false},
		{"html outage", `<html><body>Service ` + mockSecret + ` Unavailable</body></html>`, 503, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("POST", mockTokenURL, httpmock.NewStringResponder(tt.status, tt.body))
			c := mockClient(t, mt, WithInstanceURL(mockInstance), WithRetry(RetryPolicy{MaxAttempts: 1}))
			_, err := c.Limits(context.Background())
			var authErr *AuthError
			if !errors.As(err, &authErr) {
				t.Fatalf("err = %T %v, want *AuthError", err, err)
			}
			if authErr.Code != tt.wantCode || authErr.StatusCode != tt.status || Retryable(err) != tt.retryable {
				t.Errorf("AuthError = %+v, retryable %v", authErr, Retryable(err))
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", authErr), fmt.Sprintf("%#v", c), fmt.Sprint(c)} {
				if strings.Contains(s, mockSecret) {
					t.Fatalf("secret leaked: %s", s)
				}
			}
		})
	}
}

func TestInstanceURLFromTokenResponse(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var tokens atomic.Int32
	mt.RegisterResponder("POST", "https://auth.example.test/services/oauth2/token", tokenResponder(t, &tokens, "https://na99.example.test/"))
	mt.RegisterResponder("GET", "https://na99.example.test/services/data/v64.0/limits", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, `{"DailyApiRequests":{"Max":15000,"Remaining":14998}}`)
		resp.Header.Set("Sforce-Limit-Info", "api-usage=2/15000")
		return resp, nil
	})
	c := mockClient(t, mt, WithTokenURL("https://auth.example.test/services/oauth2/token"))
	lim, err := c.Limits(context.Background())
	if err != nil || lim["DailyApiRequests"].Remaining != 14998 {
		t.Fatalf("Limits = %v, %v", lim, err)
	}
	if u, ok := c.Usage(); !ok || u.APIUsage != (Usage{2, 15000}) {
		t.Fatalf("Usage = %+v, %v", u, ok)
	}
}

func TestTokenSourceOption(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", mockInstance+"/services/data/v64.0/limits", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Authorization") != "Bearer mine" {
			return httpmock.NewStringResponse(401, `[{"errorCode":"INVALID_SESSION_ID","message":"x"}]`), nil
		}
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mt}), WithInstanceURL(mockInstance),
		WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "mine"})))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestJWTBearerFlow(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	// In the bubble the clock stands still while no goroutine sleeps, so
	// the assertion's exp must be exactly now plus its lifetime.
	synctest.Test(t, func(t *testing.T) { jwtBearerFlow(t, key, pemKey) })
}

func jwtBearerFlow(t *testing.T, key *rsa.PrivateKey, pemKey []byte) {
	now := time.Now()
	for _, cfg := range []JWTConfig{
		{ConsumerKey: "3MVG9key", Username: "int@acme.example", PrivateKey: key, Audience: AudienceSandbox},
		{ConsumerKey: "3MVG9key", Username: "int@acme.example", PrivateKeyPEM: pemKey, Audience: AudienceSandbox},
	} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", AudienceSandbox+"/services/oauth2/token", func(r *http.Request) (*http.Response, error) {
			if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != jwtGrantType {
				return httpmock.NewStringResponse(400, `{"error":"unsupported_grant_type"}`), nil
			}
			if err := verifyAssertion(&key.PublicKey, r.PostForm.Get("assertion"), now); err != nil {
				t.Errorf("assertion: %v", err)
				return httpmock.NewStringResponse(400, `{"error":"invalid_grant","error_description":"invalid assertion"}`), nil
			}
			return httpmock.NewJsonResponse(200, map[string]string{"access_token": "jwt-tok", "instance_url": mockInstance, "token_type": "Bearer"})
		})
		mt.RegisterResponder("GET", mockInstance+"/services/data/v64.0/limits", func(r *http.Request) (*http.Response, error) {
			if r.Header.Get("Authorization") != "Bearer jwt-tok" {
				return httpmock.NewStringResponse(401, `[]`), nil
			}
			return httpmock.NewStringResponse(200, `{}`), nil
		})
		c, err := NewClient(WithHTTPClient(&http.Client{Transport: mt}), WithJWT(cfg))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Limits(context.Background()); err != nil {
			t.Fatalf("Limits: %v", err)
		}
		if s := fmt.Sprintf("%v %#v", cfg, cfg); strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, key.D.String()) {
			t.Fatalf("JWTConfig prints key material: %s", s)
		}
	}
}

// verifyAssertion checks an RS256 JWT the way the token endpoint would.
func verifyAssertion(pub *rsa.PublicKey, jwt string, now time.Time) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%d parts", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return err
	}
	var hdr struct{ Alg string }
	var claims struct {
		Iss, Sub, Aud string
		Exp           int64
	}
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(h, &hdr) != nil || hdr.Alg != "RS256" || json.Unmarshal(c, &claims) != nil {
		return errors.New("bad header or claims")
	}
	if claims.Iss != "3MVG9key" || claims.Sub != "int@acme.example" || claims.Aud != AudienceSandbox {
		return fmt.Errorf("claims = %+v", claims)
	}
	if exp := time.Unix(claims.Exp, 0); exp.Sub(now) != 3*time.Minute {
		return fmt.Errorf("exp %v is not 3 minutes (the default lifetime) after %v", exp, now)
	}
	return nil
}

func TestJWTKeyFormatsAndErrors(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if k, err := parseRSAKey(pkcs1); err != nil || !k.Equal(key) {
		t.Fatalf("PKCS #1: %v", err)
	}
	for _, bad := range [][]byte{
		[]byte("not pem"),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
	} {
		if _, err := parseRSAKey(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}

	// A token endpoint refusal comes back as *AuthError without the assertion.
	mt := httpmock.NewMockTransport()
	var assertion string
	mt.RegisterResponder("POST", "https://acme.my.salesforce.com/services/oauth2/token", func(r *http.Request) (*http.Response, error) {
		_ = r.ParseForm()
		assertion = r.PostForm.Get("assertion")
		return httpmock.NewStringResponse(400, `{"error":"invalid_grant","error_description":"user hasn't approved this consumer `+assertion+`"}`), nil
	})
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mt}), WithInstanceURL(mockInstance), WithRetry(RetryPolicy{}),
		WithJWT(JWTConfig{ConsumerKey: "k", Username: "u", PrivateKeyPEM: pkcs1, Audience: "https://acme.my.salesforce.com"}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Limits(context.Background())
	var authErr *AuthError
	if !errors.As(err, &authErr) || authErr.Code != "invalid_grant" || assertion == "" || strings.Contains(err.Error(), assertion) {
		t.Fatalf("err = %v", err)
	}
}
