package webhook

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The Standard Webhooks specification's published test vector.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = int64(1614265330)
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// runAt runs f in a synctest bubble whose clock reads now. Time in a bubble
// moves only when every goroutine in it is blocked, so time.Now stays at now
// while f verifies, and timestamp windows can be tested to the second.
func runAt(t *testing.T, now time.Time, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(now))
		f(t)
	})
}

func mustVerifier(t testing.TB, schemes []Scheme, opts ...VerifierOption) *Verifier {
	t.Helper()
	v, err := NewVerifier(schemes, opts...)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func TestStandardWebhooksSpecVector(t *testing.T) {
	t.Parallel()
	key, err := ParseStandardSecret(specSecret)
	if err != nil {
		t.Fatalf("ParseStandardSecret: %v", err)
	}
	ts := time.Unix(specTimestamp, 0)
	if got := SignStandard(key, specID, ts, []byte(specBody)); got != specSignature {
		t.Errorf("SignStandard = %q, want %q", got, specSignature)
	}
	v := mustVerifier(t, []Scheme{StandardWebhooks(key)})
	h := http.Header{}
	h.Set(HeaderWebhookID, specID)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(specTimestamp, 10))
	h.Set(HeaderWebhookSignature, specSignature)
	runAt(t, ts.Add(30*time.Second), func(t *testing.T) {
		got, err := v.Verify(h, []byte(specBody))
		if err != nil {
			t.Fatalf("Verify(spec vector): %v", err)
		}
		if !got.StandardWebhooks || got.WebhookID != specID || !got.Timestamp.Equal(ts) {
			t.Errorf("Verification = %+v", got)
		}
		// The same vector with one body byte changed must fail.
		if _, err := v.Verify(h, []byte(`{"test": 2432232315}`)); !errors.Is(err, ErrInvalidCredential) {
			t.Errorf("Verify(changed body) err = %v, want ErrInvalidCredential", err)
		}
	})
	// Ten minutes later the same delivery is outside the window.
	runAt(t, ts.Add(10*time.Minute), func(t *testing.T) {
		if _, err := v.Verify(h, []byte(specBody)); !errors.Is(err, ErrTimestampOutOfWindow) {
			t.Errorf("Verify 10 minutes later err = %v, want ErrTimestampOutOfWindow", err)
		}
	})
}

func TestParseStandardSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []byte
		wantErr  bool
	}{
		{"whsec form", "whsec_" + base64.StdEncoding.EncodeToString([]byte("k3y")), []byte("k3y"), false},
		{"raw client secret", "abc123secret", []byte("abc123secret"), false},
		{"raw value that looks like base64 stays raw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", []byte("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), false},
		{"empty", "", nil, true},
		{"whsec empty", "whsec_", nil, true},
		{"whsec not base64", "whsec_!!!notbase64", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStandardSecret(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Errorf("err = %v, want ErrInvalidConfig", err)
				}
				if strings.Contains(err.Error(), "notbase64") {
					t.Errorf("error repeats the secret: %v", err)
				}
				return
			}
			if string(got) != string(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStandardWebhooksVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	oldKey, newKey, otherKey := []byte("old-client-secret"), []byte("new-client-secret"), []byte("someone-else")
	body := []byte(`{"scope":"store/order/created","data":{"type":"order","id":250}}`)
	const id = "msg_1"
	sig := func(key []byte, at time.Time, b []byte) string { return SignStandard(key, id, at, b) }
	headers := func(id, ts, sig string) http.Header {
		h := http.Header{}
		if id != "" {
			h.Set(HeaderWebhookID, id)
		}
		if ts != "" {
			h.Set(HeaderWebhookTimestamp, ts)
		}
		if sig != "" {
			h.Set(HeaderWebhookSignature, sig)
		}
		return h
	}
	nowTS := strconv.FormatInt(now.Unix(), 10)
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	garbage := "v1,@@@@not-base64@@@@"
	v2 := "v2," + strings.TrimPrefix(sig(newKey, now, body), "v1,")

	tests := []struct {
		name    string
		keys    [][]byte
		tol     time.Duration
		h       http.Header
		body    []byte
		wantErr error
	}{
		{"valid", [][]byte{newKey}, 0, headers(id, nowTS, sig(newKey, now, body)), body, nil},
		{"rotation: old key still configured", [][]byte{newKey, oldKey}, 0, headers(id, nowTS, sig(oldKey, now, body)), body, nil},
		{"rotation: old key removed", [][]byte{newKey}, 0, headers(id, nowTS, sig(oldKey, now, body)), body, ErrInvalidCredential},
		{"sender signs with both keys", [][]byte{newKey}, 0, headers(id, nowTS, sig(oldKey, now, body)+" "+sig(newKey, now, body)), body, nil},
		{"wrong key", [][]byte{newKey}, 0, headers(id, nowTS, sig(otherKey, now, body)), body, ErrInvalidCredential},
		{"tampered body", [][]byte{newKey}, 0, headers(id, nowTS, sig(newKey, now, body)), append([]byte(nil), append(body, ' ')...), ErrInvalidCredential},
		{"other id", [][]byte{newKey}, 0, headers("msg_2", nowTS, sig(newKey, now, body)), body, ErrInvalidCredential},
		{"stale by 5m1s", [][]byte{newKey}, 0, headers(id, at(-5*time.Minute-time.Second), sig(newKey, now.Add(-5*time.Minute-time.Second), body)), body, ErrTimestampOutOfWindow},
		{"stale exactly 5m is accepted", [][]byte{newKey}, 0, headers(id, at(-5*time.Minute), sig(newKey, now.Add(-5*time.Minute), body)), body, nil},
		{"future by 5m1s", [][]byte{newKey}, 0, headers(id, at(5*time.Minute+time.Second), sig(newKey, now.Add(5*time.Minute+time.Second), body)), body, ErrTimestampOutOfWindow},
		{"future exactly 5m is accepted", [][]byte{newKey}, 0, headers(id, at(5*time.Minute), sig(newKey, now.Add(5*time.Minute), body)), body, nil},
		{"custom tolerance 1h accepts 30m old", [][]byte{newKey}, time.Hour, headers(id, at(-30*time.Minute), sig(newKey, now.Add(-30*time.Minute), body)), body, nil},
		{"custom tolerance 10s rejects 11s old", [][]byte{newKey}, 10 * time.Second, headers(id, at(-11*time.Second), sig(newKey, now.Add(-11*time.Second), body)), body, ErrTimestampOutOfWindow},
		{"garbage base64 then valid", [][]byte{newKey}, 0, headers(id, nowTS, garbage+" "+sig(newKey, now, body)), body, nil},
		{"garbage base64 only", [][]byte{newKey}, 0, headers(id, nowTS, garbage), body, ErrInvalidCredential},
		{"unknown version only", [][]byte{newKey}, 0, headers(id, nowTS, v2), body, ErrInvalidCredential},
		{"unknown version then valid", [][]byte{newKey}, 0, headers(id, nowTS, v2+" "+sig(newKey, now, body)), body, nil},
		{"v1a prefix is not v1", [][]byte{newKey}, 0, headers(id, nowTS, "v1a,"+strings.TrimPrefix(sig(newKey, now, body), "v1,")), body, ErrInvalidCredential},
		{"unpadded base64", [][]byte{newKey}, 0, headers(id, nowTS, strings.TrimRight(sig(newKey, now, body), "=")), body, nil},
		{"tab and double space separators", [][]byte{newKey}, 0, headers(id, nowTS, "v2,xx\t"+garbage+"  "+sig(newKey, now, body)), body, nil},
		{"no comma", [][]byte{newKey}, 0, headers(id, nowTS, "v1"), body, ErrInvalidCredential},
		{"truncated signature", [][]byte{newKey}, 0, headers(id, nowTS, sig(newKey, now, body)[:20]), body, ErrInvalidCredential},
		{"missing id", [][]byte{newKey}, 0, headers("", nowTS, sig(newKey, now, body)), body, ErrMissingCredential},
		{"missing timestamp", [][]byte{newKey}, 0, headers(id, "", sig(newKey, now, body)), body, ErrMissingCredential},
		{"missing signature", [][]byte{newKey}, 0, headers(id, nowTS, ""), body, ErrMissingCredential},
		{"no headers", [][]byte{newKey}, 0, http.Header{}, body, ErrMissingCredential},
		{"timestamp not a number", [][]byte{newKey}, 0, headers(id, "yesterday", sig(newKey, now, body)), body, ErrInvalidCredential},
		{"timestamp with plus sign", [][]byte{newKey}, 0, headers(id, "+"+nowTS, sig(newKey, now, body)), body, ErrInvalidCredential},
		{"timestamp with leading zero", [][]byte{newKey}, 0, headers(id, "0"+nowTS, sig(newKey, now, body)), body, ErrInvalidCredential},
		{"timestamp in milliseconds", [][]byte{newKey}, 0, headers(id, nowTS+"000", sig(newKey, now, body)), body, ErrInvalidCredential},
		{"timestamp too long", [][]byte{newKey}, 0, headers(id, strings.Repeat("9", 30), sig(newKey, now, body)), body, ErrInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []VerifierOption
			if tt.tol > 0 {
				opts = append(opts, WithTolerance(tt.tol))
			}
			v := mustVerifier(t, []Scheme{StandardWebhooks(tt.keys...)}, opts...)
			runAt(t, now, func(t *testing.T) {
				got, err := v.Verify(tt.h, tt.body)
				if tt.wantErr == nil {
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					if !got.StandardWebhooks || got.WebhookID != tt.h.Get(HeaderWebhookID) {
						t.Errorf("Verification = %+v", got)
					}
					return
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if got != (Verification{}) {
					t.Errorf("failed Verify returned %+v", got)
				}
			})
		})
	}
}

func TestStandardWebhooksHeaderCase(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	key := []byte("k")
	body := []byte(`{}`)
	v := mustVerifier(t, []Scheme{StandardWebhooks(key)})
	// On the wire names arrive in any case; net/http canonicalizes them, as
	// Header.Set does here.
	h := http.Header{}
	h.Set("WEBHOOK-ID", "msg")
	h.Set("Webhook-Timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("WEBHOOK-SIGNATURE", SignStandard(key, "msg", now, body))
	runAt(t, now, func(t *testing.T) {
		if _, err := v.Verify(h, body); err != nil {
			t.Fatalf("Verify with upper-case header names: %v", err)
		}
	})
}

func TestStandardWebhooksSignatureOnSeveralLines(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	key := []byte("k")
	body := []byte(`{}`)
	v := mustVerifier(t, []Scheme{StandardWebhooks(key)})
	runAt(t, now, func(t *testing.T) {
		h := http.Header{}
		SetStandardHeaders(h, key, "msg", now, body)
		good := h.Get(HeaderWebhookSignature)
		h.Set(HeaderWebhookSignature, "v1,"+strings.Repeat("A", 43)+"=")
		h.Add(HeaderWebhookSignature, good)
		if _, err := v.Verify(h, body); err != nil {
			t.Fatalf("Verify with the match on the second line: %v", err)
		}
		h.Del(HeaderWebhookSignature)
		h.Add(HeaderWebhookSignature, "v2,x")
		h.Add(HeaderWebhookSignature, "v1,"+strings.Repeat("A", 43)+"=")
		if _, err := v.Verify(h, body); !errors.Is(err, ErrInvalidCredential) {
			t.Fatalf("Verify without a match err = %v", err)
		}
	})
}

func TestOptionalStandardWebhooks(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	key := []byte("client-secret")
	body := []byte(`{"scope":"store/order/created"}`)
	schemes := []Scheme{SharedSecret("X-Webhook-Secret", "s3cret"), OptionalStandardWebhooks(key)}
	v := mustVerifier(t, schemes)
	base := func() http.Header {
		h := http.Header{}
		h.Set("X-Webhook-Secret", "s3cret")
		return h
	}
	signed := base()
	SetStandardHeaders(signed, key, "msg_9", now, body)
	partial := base()
	partial.Set(HeaderWebhookID, "msg_9")
	badSig := base()
	SetStandardHeaders(badSig, []byte("wrong"), "msg_9", now, body)

	tests := []struct {
		name       string
		h          http.Header
		wantErr    error
		wantSigned bool
	}{
		{"header only passes", base(), nil, false},
		{"header and valid signature", signed, nil, true},
		{"partial standard headers fail", partial, ErrMissingCredential, false},
		{"present but wrong signature fails", badSig, ErrInvalidCredential, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runAt(t, now, func(t *testing.T) {
				got, err := v.Verify(tt.h, body)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if err == nil && (got.StandardWebhooks != tt.wantSigned || !got.SharedSecret) {
					t.Errorf("Verification = %+v, want StandardWebhooks=%v", got, tt.wantSigned)
				}
			})
		})
	}
}

func TestParseSignatureHeader(t *testing.T) {
	t.Parallel()
	a := [sha256.Size]byte{1, 2, 3}
	b := [sha256.Size]byte{9, 9, 9}
	enc := func(x [sha256.Size]byte) string { return base64.StdEncoding.EncodeToString(x[:]) }
	tests := []struct {
		name string
		in   string
		want [][sha256.Size]byte
	}{
		{"empty", "", nil},
		{"one", "v1," + enc(a), [][sha256.Size]byte{a}},
		{"two", "v1," + enc(a) + " v1," + enc(b), [][sha256.Size]byte{a, b}},
		{"skip other versions", "v1a," + enc(a) + " v2," + enc(a) + " v1," + enc(b), [][sha256.Size]byte{b}},
		{"skip wrong length", "v1," + enc(a)[:40] + " v1," + enc(b) + "AAAA", nil},
		{"skip bad base64", "v1," + strings.Repeat("*", 44), nil},
		{"extra commas make the value invalid", "v1," + enc(a) + ",x", nil},
		{"leading and trailing spaces", "  v1," + enc(a) + "  ", [][sha256.Size]byte{a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseSignatureHeader(tt.in, nil)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d signatures, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("signature %d = %x, want %x", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func FuzzParseSignatureHeader(f *testing.F) {
	f.Add(specSignature)
	f.Add(specSignature + " v2,abc v1,@@@")
	f.Add("v1," + strings.Repeat("A", 43))
	f.Add("\t\t v1, ,,, v1,")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		sigs := parseSignatureHeader(header, nil)
		if len(sigs) > strings.Count(header, "v1,") {
			t.Fatalf("%d signatures from %d v1 entries", len(sigs), strings.Count(header, "v1,"))
		}
		// Every decoded signature must re-encode to an entry of the header.
		for _, s := range sigs {
			padded := base64.StdEncoding.EncodeToString(s[:])
			if !strings.Contains(header, "v1,"+padded) && !strings.Contains(header, "v1,"+strings.TrimRight(padded, "=")) {
				t.Fatalf("signature %x not found in header %q", s, header)
			}
		}
	})
}
