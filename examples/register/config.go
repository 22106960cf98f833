package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// Environment variables the program reads.
const (
	envStoreHash     = "BIGCOMMERCE_STORE_HASH"
	envClientToken   = "BIGCOMMERCE_CLIENT_TOKEN"
	envAPIURL        = "BIGCOMMERCE_API_URL"
	envWebhookSecret = "BIGCOMMERCE_WEBHOOK_SECRET"
	envWebhookHeader = "BIGCOMMERCE_WEBHOOK_HEADER"

	defaultWebhookHeader = "X-Webhook-Secret"
)

// config is what the environment says. The token and the webhook secret are
// credentials: config has no String method and is never printed.
type config struct {
	storeHash string
	token     string
	apiURL    string

	headerName string
	secret     string
}

// loadConfig reads the environment. The webhook secret is required only
// when needSecret is set (for ensure); every missing variable is named in
// one error, so a user fixes them all at once.
func loadConfig(env func(string) string, needSecret bool) (config, error) {
	get := func(name string) string { return strings.TrimSpace(env(name)) }
	cfg := config{
		storeHash:  get(envStoreHash),
		token:      get(envClientToken),
		apiURL:     get(envAPIURL),
		headerName: get(envWebhookHeader),
		// The secret is taken verbatim: it must match what the receiver
		// compares, byte for byte.
		secret: env(envWebhookSecret),
	}
	if cfg.apiURL == "" {
		cfg.apiURL = bigcommerce.DefaultBaseURL
	}
	if cfg.headerName == "" {
		cfg.headerName = defaultWebhookHeader
	}

	var missing []string
	if cfg.storeHash == "" {
		missing = append(missing, envStoreHash)
	}
	if cfg.token == "" {
		missing = append(missing, envClientToken)
	}
	if needSecret && cfg.secret == "" {
		missing = append(missing, envWebhookSecret)
	}
	if len(missing) > 0 {
		return config{}, fmt.Errorf("missing environment variable(s): %s", strings.Join(missing, ", "))
	}
	if needSecret {
		if err := checkHeaderName(cfg.headerName); err != nil {
			return config{}, fmt.Errorf("%s: %w", envWebhookHeader, err)
		}
		if strings.ContainsAny(cfg.secret, "\r\n\x00") {
			// Never echo the value: it is the credential.
			return config{}, fmt.Errorf("%s contains a line break or NUL, which no HTTP header can carry", envWebhookSecret)
		}
	}
	return cfg, nil
}

// headers is the hook's header map: exactly the shared-secret header.
func (c config) headers() map[string]string {
	return map[string]string{c.headerName: c.secret}
}

// checkHeaderName accepts an HTTP field name (RFC 9110 token) of at most 64
// bytes, the longest header name BigCommerce sends back.
func checkHeaderName(name string) error {
	if len(name) > 64 {
		return errors.New("header name longer than 64 bytes")
	}
	for _, r := range name {
		if !isTokenChar(r) {
			return fmt.Errorf("header name %q has the invalid character %q", name, r)
		}
	}
	return nil
}

func isTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}
