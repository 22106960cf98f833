package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestBodyHMAC(t *testing.T) {
	t.Parallel()
	key, oldKey := []byte("relay-secret"), []byte("old-relay-secret")
	body := []byte(`{"scope":"store/order/updated","data":{"type":"order","id":7}}`)
	m := hmac.New(sha256.New, key)
	m.Write(body)
	raw := m.Sum(nil)
	hexSig := SignHMAC(key, body)
	tests := []struct {
		name    string
		value   string
		body    []byte
		wantErr error
	}{
		{"lower hex", hexSig, body, nil},
		{"upper hex", strings.ToUpper(hexSig), body, nil},
		{"sha256= prefix", "sha256=" + hexSig, body, nil},
		{"SHA256= prefix", "SHA256=" + hexSig, body, nil},
		{"surrounding spaces", "  " + hexSig + " ", body, nil},
		{"base64", base64.StdEncoding.EncodeToString(raw), body, nil},
		{"base64 with prefix", "sha256=" + base64.StdEncoding.EncodeToString(raw), body, nil},
		{"base64url unpadded", base64.RawURLEncoding.EncodeToString(raw), body, nil},
		{"rotation: old key", SignHMAC(oldKey, body), body, nil},
		{"wrong key", SignHMAC([]byte("nope"), body), body, ErrInvalidCredential},
		{"other body", hexSig, []byte(`{}`), ErrInvalidCredential},
		{"truncated hex", hexSig[:62], body, ErrInvalidCredential},
		{"not hex", strings.Repeat("z", 64), body, ErrInvalidCredential},
		{"prefix only", "sha256=", body, ErrInvalidCredential},
		{"missing", "", body, ErrMissingCredential},
	}
	v := mustVerifier(t, []Scheme{BodyHMAC("X-Signature", key, oldKey)})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.value != "" {
				h.Set("x-signature", tt.value)
			}
			got, err := v.Verify(h, tt.body)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got.BodyHMAC != (tt.wantErr == nil) {
				t.Errorf("BodyHMAC = %v", got.BodyHMAC)
			}
		})
	}
}

func TestSignHMAC(t *testing.T) {
	t.Parallel()
	// RFC 4231 test case 2.
	got := SignHMAC([]byte("Jefe"), []byte("what do ya want for nothing?"))
	want := "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Errorf("SignHMAC = %s, want %s", got, want)
	}
}

func TestEveryConfiguredSchemeMustPass(t *testing.T) {
	t.Parallel()
	key := []byte("k")
	body := []byte(`{}`)
	v := mustVerifier(t, []Scheme{SharedSecret("X-Secret", "s"), BodyHMAC("X-Sig", key)})
	tests := []struct {
		name    string
		h       http.Header
		wantErr error
	}{
		{"both", http.Header{"X-Secret": {"s"}, "X-Sig": {SignHMAC(key, body)}}, nil},
		{"only header", http.Header{"X-Secret": {"s"}}, ErrMissingCredential},
		{"only hmac", http.Header{"X-Sig": {SignHMAC(key, body)}}, ErrMissingCredential},
		{"wrong header, right hmac", http.Header{"X-Secret": {"x"}, "X-Sig": {SignHMAC(key, body)}}, ErrInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := v.Verify(tt.h, body)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !(got.SharedSecret && got.BodyHMAC) {
				t.Errorf("Verification = %+v", got)
			}
		})
	}
}
