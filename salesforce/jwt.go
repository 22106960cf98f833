package salesforce

import (
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
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// JWT bearer flow audiences.
const (
	// AudienceProduction is the aud claim for production and Developer
	// Edition orgs.
	AudienceProduction = "https://login.salesforce.com"
	// AudienceSandbox is the aud claim for sandboxes.
	AudienceSandbox = "https://test.salesforce.com"
)

// jwtGrantType is the grant_type of the OAuth 2.0 JWT bearer flow.
const jwtGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// JWTConfig configures the OAuth 2.0 JWT bearer flow: the client signs a
// short-lived RS256 assertion with the private key whose certificate is
// uploaded to the app; no client secret and no refresh token are involved.
// The app must pre-authorize the user (profiles or permission sets).
type JWTConfig struct {
	// ConsumerKey is the app's consumer key (the iss claim). Required.
	ConsumerKey string
	// Username is the Salesforce username to act as (the sub claim). Required.
	Username string
	// PrivateKey is the RSA signing key. Set it or PrivateKeyPEM.
	PrivateKey *rsa.PrivateKey
	// PrivateKeyPEM is a PKCS #1 ("RSA PRIVATE KEY") or PKCS #8
	// ("PRIVATE KEY") PEM block holding an RSA key.
	PrivateKeyPEM []byte
	// Audience is the aud claim: AudienceProduction (the default),
	// AudienceSandbox, or the org's My Domain / Experience Cloud URL.
	Audience string
	// TokenURL defaults to Audience + "/services/oauth2/token".
	TokenURL string
	// Lifetime is how long the assertion is valid; default and maximum 3 minutes.
	Lifetime time.Duration
}

// String describes the config without the key.
func (c JWTConfig) String() string {
	return fmt.Sprintf("JWTConfig{ConsumerKey: %q, Username: %q, Audience: %q, PrivateKey: [redacted]}", c.ConsumerKey, c.Username, c.Audience)
}

// GoString is String, so %#v does not print the key.
func (c JWTConfig) GoString() string { return c.String() }

func (c *JWTConfig) validate() error {
	if c.ConsumerKey == "" || c.Username == "" {
		return errors.New("salesforce: JWT bearer flow needs ConsumerKey and Username")
	}
	if c.PrivateKey == nil {
		if len(c.PrivateKeyPEM) == 0 {
			return errors.New("salesforce: JWT bearer flow needs PrivateKey or PrivateKeyPEM")
		}
		if _, err := parseRSAKey(c.PrivateKeyPEM); err != nil {
			return err
		}
	}
	if c.Audience == "" {
		c.Audience = AudienceProduction
	}
	aud, err := parseBaseURL(c.Audience)
	if err != nil {
		return fmt.Errorf("salesforce: JWT audience: %w", err)
	}
	c.Audience = aud
	if c.TokenURL == "" {
		c.TokenURL = aud + "/services/oauth2/token"
	} else if _, err := parseBaseURL(c.TokenURL); err != nil {
		return fmt.Errorf("salesforce: JWT token URL: %w", err)
	}
	switch {
	case c.Lifetime < 0:
		return fmt.Errorf("salesforce: JWT lifetime %v is negative", c.Lifetime)
	case c.Lifetime == 0 || c.Lifetime > 3*time.Minute:
		c.Lifetime = 3 * time.Minute
	}
	return nil
}

// parseRSAKey reads an RSA private key from PKCS #1 or PKCS #8 PEM. Its
// errors never include key material.
func parseRSAKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("salesforce: JWT private key: no PEM block found")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("salesforce: JWT private key: invalid PKCS #1 RSA key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("salesforce: JWT private key: invalid PKCS #8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("salesforce: JWT private key: %T is not an RSA key (RS256 needs RSA)", k)
		}
		return rk, nil
	}
	return nil, fmt.Errorf("salesforce: JWT private key: PEM block %q is not a private key", block.Type)
}

// jwtSource is the JWT bearer flow.
type jwtSource struct {
	cfg JWTConfig
	key *rsa.PrivateKey
	hc  *http.Client
}

func (s *jwtSource) token(ctx context.Context) (*oauth2.Token, error) {
	assertion, err := signAssertion(s.key, s.cfg, time.Now())
	if err != nil {
		return nil, &AuthError{Err: err}
	}
	form := url.Values{"grant_type": {jwtGrantType}, "assertion": {assertion}}
	return postToken(ctx, s.hc, s.cfg.TokenURL, form)
}

// signAssertion builds the compact RS256 JWT: header.claims.signature, each
// part base64url without padding.
func signAssertion(key *rsa.PrivateKey, cfg JWTConfig, now time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
	}{cfg.ConsumerKey, cfg.Username, cfg.Audience, now.Add(cfg.Lifetime).Unix()})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	var b strings.Builder
	b.WriteString(enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)))
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(claims))
	sum := sha256.Sum256([]byte(b.String()))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign JWT assertion: %w", err)
	}
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(sig))
	return b.String(), nil
}
