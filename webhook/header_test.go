package webhook

import (
	"errors"
	"net/http"
	"testing"
)

func TestSharedSecret(t *testing.T) {
	t.Parallel()
	v := mustVerifier(t, []Scheme{SharedSecret("x-webhook-secret", "current-value", "previous-value")})
	tests := []struct {
		name    string
		header  http.Header
		wantErr error
	}{
		{"current value", http.Header{"X-Webhook-Secret": {"current-value"}}, nil},
		{"previous value (rotation)", http.Header{"X-Webhook-Secret": {"previous-value"}}, nil},
		{"wrong value", http.Header{"X-Webhook-Secret": {"guess"}}, ErrInvalidCredential},
		{"prefix of the value", http.Header{"X-Webhook-Secret": {"current"}}, ErrInvalidCredential},
		{"value with a suffix", http.Header{"X-Webhook-Secret": {"current-value "}}, ErrInvalidCredential},
		{"other case of the value", http.Header{"X-Webhook-Secret": {"CURRENT-VALUE"}}, ErrInvalidCredential},
		{"missing", http.Header{}, ErrMissingCredential},
		{"empty", http.Header{"X-Webhook-Secret": {""}}, ErrMissingCredential},
		{"repeated", http.Header{"X-Webhook-Secret": {"current-value", "current-value"}}, ErrInvalidCredential},
		{"other header", http.Header{"X-Other": {"current-value"}}, ErrMissingCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := v.Verify(tt.header, nil)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got.SharedSecret != (tt.wantErr == nil) {
				t.Errorf("SharedSecret = %v", got.SharedSecret)
			}
		})
	}
}

func TestSharedSecretHeaderNameCase(t *testing.T) {
	t.Parallel()
	v := mustVerifier(t, []Scheme{SharedSecret("X-WEBHOOK-SECRET", "v")})
	h := http.Header{}
	h.Set("x-webhook-secret", "v")
	if _, err := v.Verify(h, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestSchemeConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		schemes []Scheme
		opts    []VerifierOption
		wantErr error
	}{
		{"no scheme", nil, nil, ErrNoScheme},
		{"nil scheme", []Scheme{nil}, nil, ErrInvalidConfig},
		{"shared secret without value", []Scheme{SharedSecret("X-S")}, nil, ErrInvalidConfig},
		{"shared secret empty value", []Scheme{SharedSecret("X-S", "a", "")}, nil, ErrInvalidConfig},
		{"shared secret empty header", []Scheme{SharedSecret("", "a")}, nil, ErrInvalidConfig},
		{"shared secret bad header", []Scheme{SharedSecret("X S:", "a")}, nil, ErrInvalidConfig},
		{"standard without secret", []Scheme{StandardWebhooks()}, nil, ErrInvalidConfig},
		{"standard empty secret", []Scheme{StandardWebhooks([]byte("a"), nil)}, nil, ErrInvalidConfig},
		{"only optional", []Scheme{OptionalStandardWebhooks([]byte("a"))}, nil, ErrInvalidConfig},
		{"body hmac without secret", []Scheme{BodyHMAC("X-Sig")}, nil, ErrInvalidConfig},
		{"body hmac empty secret", []Scheme{BodyHMAC("X-Sig", []byte{})}, nil, ErrInvalidConfig},
		{"body hmac bad header", []Scheme{BodyHMAC("", []byte("k"))}, nil, ErrInvalidConfig},
		{"nil option", []Scheme{SharedSecret("X-S", "a")}, []VerifierOption{nil}, ErrInvalidConfig},
		{"zero body limit", []Scheme{SharedSecret("X-S", "a")}, []VerifierOption{WithMaxBodyBytes(0)}, ErrInvalidConfig},
		{"negative tolerance", []Scheme{SharedSecret("X-S", "a")}, []VerifierOption{WithTolerance(-1)}, ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := NewVerifier(tt.schemes, tt.opts...)
			if !errors.Is(err, tt.wantErr) || v != nil {
				t.Fatalf("NewVerifier = %v, %v; want nil, %v", v, err, tt.wantErr)
			}
		})
	}
}
