package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"time"
)

// Header names of the Standard Webhooks scheme. net/http matches header names
// case-insensitively, so WEBHOOK-SIGNATURE is found too.
const (
	// HeaderWebhookID carries the message id, stable across retries.
	HeaderWebhookID = "webhook-id"
	// HeaderWebhookTimestamp carries the attempt time in Unix seconds.
	HeaderWebhookTimestamp = "webhook-timestamp"
	// HeaderWebhookSignature carries space-separated "v1,<base64>" entries.
	HeaderWebhookSignature = "webhook-signature"
)

// DefaultSecretHeader is the header name the bc2sf examples register with
// BigCommerce's hook "headers" map when none is configured.
const DefaultSecretHeader = "X-Webhook-Secret"

// sharedSecret compares digests, not the values themselves: every digest has
// the same 32 bytes, so the comparison time says nothing about how long the
// accepted values are or how much of one matched.
type sharedSecret struct {
	header  string // canonical form
	digests [][sha256.Size]byte
	err     error
}

// SharedSecret returns a scheme that passes a delivery whose header named
// header carries exactly one of values (several values allow rotation). The
// comparison is constant-time over SHA-256 digests of the values. It is the
// scheme BigCommerce documents for every hook: the "headers" map given when
// the hook is created comes back on each delivery.
//
// An empty header name, no values or an empty value make NewVerifier fail
// with ErrInvalidConfig. A request carrying the header more than once fails.
func SharedSecret(header string, values ...string) Scheme {
	s := &sharedSecret{header: textproto.CanonicalMIMEHeaderKey(header)}
	switch {
	case !validHeaderName(header):
		s.err = fmt.Errorf("%w: SharedSecret: invalid header name %q", ErrInvalidConfig, header)
	case len(values) == 0:
		s.err = fmt.Errorf("%w: SharedSecret(%s): no accepted value", ErrInvalidConfig, s.header)
	}
	for _, v := range values {
		if v == "" {
			s.err = fmt.Errorf("%w: SharedSecret(%s): empty value", ErrInvalidConfig, s.header)
		}
		s.digests = append(s.digests, sha256.Sum256([]byte(v)))
	}
	return s
}

func (s *sharedSecret) needsBody() bool { return false }
func (s *sharedSecret) required() bool  { return true }
func (s *sharedSecret) validate() error { return s.err }

func (s *sharedSecret) check(h http.Header, _ []byte, _ time.Time, _ time.Duration, out *Verification) error {
	got := h[s.header]
	if len(got) == 0 || got[0] == "" {
		return fmt.Errorf("%w: header %s absent", ErrMissingCredential, s.header)
	}
	if len(got) > 1 {
		return fmt.Errorf("%w: header %s repeated", ErrInvalidCredential, s.header)
	}
	d := sha256.Sum256([]byte(got[0]))
	match := 0
	for i := range s.digests {
		match |= subtle.ConstantTimeCompare(d[:], s.digests[i][:])
	}
	if match != 1 {
		return fmt.Errorf("%w: header %s does not match", ErrInvalidCredential, s.header)
	}
	out.SharedSecret = true
	return nil
}

// String names the scheme and its header, never the values.
func (s *sharedSecret) String() string { return "SharedSecret(" + s.header + ")" }

// GoString is String, so %#v does not print the digests.
func (s *sharedSecret) GoString() string { return s.String() }

// LogValue keeps the digests out of structured logs.
func (s *sharedSecret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// validHeaderName accepts RFC 7230 token characters only.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}
