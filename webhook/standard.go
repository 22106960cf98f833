package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// StandardSecretPrefix marks a Standard Webhooks secret written as base64.
const StandardSecretPrefix = "whsec_"

// maxTimestampDigits bounds webhook-timestamp; 12 digits reach the year 33658.
const maxTimestampDigits = 12

// Strict decoding rejects non-zero padding bits, so one signature has one
// text form.
var (
	strictStd    = base64.StdEncoding.Strict()
	strictRawStd = base64.RawStdEncoding.Strict()
)

var (
	canonID  = textproto.CanonicalMIMEHeaderKey(HeaderWebhookID)
	canonTS  = textproto.CanonicalMIMEHeaderKey(HeaderWebhookTimestamp)
	canonSig = textproto.CanonicalMIMEHeaderKey(HeaderWebhookSignature)
)

// standardWebhooks verifies the Standard Webhooks headers.
type standardWebhooks struct {
	keys     []*macKey
	optional bool
	err      error
}

// StandardWebhooks returns a scheme that requires a valid Standard Webhooks
// signature: the headers webhook-id, webhook-timestamp and webhook-signature,
// the timestamp within the tolerance (default 5 minutes, both directions, see
// WithTolerance) and at least one "v1,<base64>" entry equal to
// HMAC-SHA256(id + "." + timestamp + "." + body) under one of secrets.
// Entries with another version prefix, or whose base64 does not decode to 32
// bytes, are skipped. Several secrets allow rotation.
//
// Secrets are raw key bytes. For BigCommerce that is the app's client secret
// as it is (the BigCommerce samples base64-encode it only because the
// Standard Webhooks libraries decode it again). A "whsec_<base64>" secret
// must be decoded first with ParseStandardSecret.
//
// No secret or an empty secret makes NewVerifier fail with ErrInvalidConfig.
func StandardWebhooks(secrets ...[]byte) Scheme {
	return newStandard(secrets, false)
}

// OptionalStandardWebhooks is StandardWebhooks for senders that may not sign:
// a delivery with none of the three headers passes this scheme unverified
// (Verification.StandardWebhooks stays false), while a delivery with any of
// them must verify in full. It protects nothing on its own, so NewVerifier
// refuses it without a required scheme beside it; pair it with SharedSecret.
func OptionalStandardWebhooks(secrets ...[]byte) Scheme {
	return newStandard(secrets, true)
}

func newStandard(secrets [][]byte, optional bool) *standardWebhooks {
	s := &standardWebhooks{optional: optional}
	if len(secrets) == 0 {
		s.err = fmt.Errorf("%w: %s: no secret", ErrInvalidConfig, s.name())
	}
	for _, k := range secrets {
		if len(k) == 0 {
			s.err = fmt.Errorf("%w: %s: empty secret", ErrInvalidConfig, s.name())
		}
		s.keys = append(s.keys, newMACKey(k))
	}
	return s
}

// ParseStandardSecret turns a configured secret into key bytes. A value
// starting with "whsec_" is the Standard Webhooks form: the rest is decoded
// as standard base64. Any other value is returned as its raw bytes, which is
// what BigCommerce's client secret is. An empty value, or a "whsec_" value
// that is empty or not base64, is an error wrapping ErrInvalidConfig; the
// error never repeats the value.
func ParseStandardSecret(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, StandardSecretPrefix)
	if !ok {
		if s == "" {
			return nil, fmt.Errorf("%w: empty Standard Webhooks secret", ErrInvalidConfig)
		}
		return []byte(s), nil
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: the part after %q is not non-empty base64", ErrInvalidConfig, StandardSecretPrefix)
	}
	return key, nil
}

func (s *standardWebhooks) needsBody() bool { return true }
func (s *standardWebhooks) required() bool  { return !s.optional }
func (s *standardWebhooks) validate() error { return s.err }

func (s *standardWebhooks) name() string {
	if s.optional {
		return "OptionalStandardWebhooks"
	}
	return "StandardWebhooks"
}

func (s *standardWebhooks) check(h http.Header, body []byte, now time.Time, tolerance time.Duration, out *Verification) error {
	id, ts, sig := first(h, canonID), first(h, canonTS), first(h, canonSig)
	if s.optional && id == "" && ts == "" && sig == "" {
		return nil
	}
	if id == "" || ts == "" || sig == "" {
		return fmt.Errorf("%w: Standard Webhooks headers incomplete", ErrMissingCredential)
	}
	t, err := parseTimestamp(ts)
	if err != nil {
		return err
	}
	if d := now.Sub(t); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: off by %v, tolerance %v", ErrTimestampOutOfWindow, d.Round(time.Second), tolerance)
	}
	var buf [4][sha256.Size]byte
	sigs := buf[:0]
	// A proxy may split the list over several header lines; all count.
	for _, line := range h[canonSig] {
		sigs = parseSignatureHeader(line, sigs)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no usable v1 signature", ErrInvalidCredential)
	}
	var want [sha256.Size]byte
	for _, k := range s.keys {
		k.mac(&want, id, ts, body)
		for i := range sigs {
			if hmac.Equal(want[:], sigs[i][:]) {
				out.StandardWebhooks = true
				out.WebhookID = id
				out.Timestamp = t
				return nil
			}
		}
	}
	return fmt.Errorf("%w: no signature matches", ErrInvalidCredential)
}

func first(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseTimestamp accepts only plain decimal digits without a leading zero,
// because the signed content uses the header text as sent: a lenient parser
// would accept "+1614265330" while a sender library signed "1614265330".
func parseTimestamp(ts string) (time.Time, error) {
	bad := len(ts) > maxTimestampDigits || (len(ts) > 1 && ts[0] == '0')
	for i := 0; i < len(ts) && !bad; i++ {
		bad = ts[i] < '0' || ts[i] > '9'
	}
	if bad {
		return time.Time{}, fmt.Errorf("%w: webhook-timestamp is not Unix seconds", ErrInvalidCredential)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: webhook-timestamp is not Unix seconds", ErrInvalidCredential)
	}
	return time.Unix(sec, 0), nil
}

// parseSignatureHeader appends to dst the decoded "v1" signatures of a
// webhook-signature value. Entries are separated by spaces (runs of spaces
// and tabs are tolerated); entries with another version, no comma, or a value
// that is not base64 of exactly 32 bytes are skipped, as the specification
// asks receivers to ignore what they do not understand.
func parseSignatureHeader(v string, dst [][sha256.Size]byte) [][sha256.Size]byte {
	for v != "" {
		var entry string
		i := strings.IndexAny(v, " \t")
		if i < 0 {
			entry, v = v, ""
		} else {
			entry, v = v[:i], v[i+1:]
		}
		version, val, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" || (len(val) != 44 && len(val) != 43) {
			continue
		}
		var src [44]byte
		var out [33]byte
		copy(src[:], val)
		enc := strictStd
		if len(val) == 43 {
			enc = strictRawStd
		}
		if n, err := enc.Decode(out[:], src[:len(val)]); err == nil && n == sha256.Size {
			dst = append(dst, [sha256.Size]byte(out[:sha256.Size]))
		}
	}
	return dst
}

// String names the scheme, never the secrets.
func (s *standardWebhooks) String() string { return s.name() }

// GoString is String, so %#v does not print the keys.
func (s *standardWebhooks) GoString() string { return s.String() }

// LogValue keeps the keys out of structured logs.
func (s *standardWebhooks) LogValue() slog.Value { return slog.StringValue(s.String()) }
