package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Scheme is one way of authenticating a delivery. Build one with
// SharedSecret, StandardWebhooks, OptionalStandardWebhooks or BodyHMAC. The
// interface is sealed: its methods are unexported, so the set of schemes is
// the one this package tests.
//
// A Scheme holds secrets; its String and GoString methods print only the
// scheme's name and header, and it logs the same way through slog.
type Scheme interface {
	fmt.Stringer
	// needsBody reports whether the scheme signs the body, so the middleware
	// can reject header-only failures before reading the body.
	needsBody() bool
	// required reports whether a delivery without the scheme's headers fails.
	required() bool
	validate() error
	check(h http.Header, body []byte, now time.Time, tolerance time.Duration, v *Verification) error
}

// Verification is what the middleware established about one delivery. The
// next handler reads it with VerificationFromContext.
type Verification struct {
	// SharedSecret is true when a SharedSecret scheme matched.
	SharedSecret bool
	// StandardWebhooks is true when a Standard Webhooks signature matched; it
	// stays false when an OptionalStandardWebhooks scheme found no headers.
	StandardWebhooks bool
	// BodyHMAC is true when a BodyHMAC scheme matched.
	BodyHMAC bool
	// WebhookID is the verified webhook-id header (stable across retries), or
	// empty when no Standard Webhooks signature was verified.
	WebhookID string
	// Timestamp is the verified webhook-timestamp, or the zero time when no
	// Standard Webhooks signature was verified.
	Timestamp time.Time
}

// Verifier checks deliveries against every configured scheme. It is safe for
// concurrent use. Build it with NewVerifier; put it in front of a handler
// with Middleware, or check a body that did not come through net/http with
// Verify.
type Verifier struct {
	schemes   []Scheme
	logger    *slog.Logger
	maxBody   int64
	tolerance time.Duration
}

// NewVerifier returns a Verifier that passes a delivery only when every
// scheme verifies it. It fails with ErrNoScheme when schemes is empty, and
// with ErrInvalidConfig when a scheme or an option is nil or misconfigured,
// or when every scheme is optional (a delivery with no credential at all
// would pass). Options: WithTolerance (default 5 minutes), WithLogger
// (default discard) and WithMaxBodyBytes (default 1 MiB).
func NewVerifier(schemes []Scheme, opts ...VerifierOption) (*Verifier, error) {
	if len(schemes) == 0 {
		return nil, ErrNoScheme
	}
	cfg := verifierConfig{shared: defaultShared(), tolerance: DefaultTolerance}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil VerifierOption", ErrInvalidConfig)
		}
		if err := opt.applyVerifier(&cfg); err != nil {
			return nil, err
		}
	}
	anyRequired := false
	for i, s := range schemes {
		if s == nil {
			return nil, fmt.Errorf("%w: scheme %d is nil", ErrInvalidConfig, i)
		}
		if err := s.validate(); err != nil {
			return nil, err
		}
		anyRequired = anyRequired || s.required()
	}
	if !anyRequired {
		return nil, fmt.Errorf("%w: every scheme is optional; add a required one (e.g. SharedSecret)", ErrInvalidConfig)
	}
	return &Verifier{
		schemes:   append([]Scheme(nil), schemes...),
		logger:    cfg.logger,
		maxBody:   cfg.maxBody,
		tolerance: cfg.tolerance,
	}, nil
}

// String describes the verifier without its secrets.
func (v *Verifier) String() string {
	return fmt.Sprintf("webhook.Verifier{schemes: %v, maxBody: %d, tolerance: %v}", v.schemes, v.maxBody, v.tolerance)
}

// GoString is String, so %#v does not print secrets either.
func (v *Verifier) GoString() string { return v.String() }

// Verify checks a delivery's headers and raw body against every scheme, at
// time.Now. It returns what was verified, or an error wrapping
// ErrMissingCredential, ErrInvalidCredential or ErrTimestampOutOfWindow. Use
// it when the body does not arrive through net/http (a queue, a test).
func (v *Verifier) Verify(h http.Header, body []byte) (Verification, error) {
	var out Verification
	now := time.Now()
	for _, s := range v.schemes {
		if err := s.check(h, body, now, v.tolerance, &out); err != nil {
			return Verification{}, err
		}
	}
	return out, nil
}

// Middleware verifies each request before next sees it. In order:
//   - a method other than POST gets 405 with "Allow: POST";
//   - schemes that need no body (SharedSecret) are checked first, so an
//     unauthenticated request gets 401 before its body is read;
//   - a body over the limit (default 1 MiB) gets 413; it is read through the
//     limit, never whole; a body that cannot be read (the client went away,
//     a short body) gets 400;
//   - the signature schemes are checked; any failure gets 401.
//
// Every 401 has the same body, which does not say which check failed; the
// reason goes to the logger. A request that passes reaches next with r.Body
// holding exactly the verified bytes and the Verification in its context.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rejectMethod(w, r, v.logger)
			return
		}
		var out Verification
		now := time.Now()
		for _, s := range v.schemes {
			if s.needsBody() {
				continue
			}
			if err := s.check(r.Header, nil, now, v.tolerance, &out); err != nil {
				v.unauthorized(w, r, s, err)
				return
			}
		}
		body, err := readBody(w, r, v.maxBody)
		if err != nil {
			rejectBody(w, r, v.logger, err)
			return
		}
		for _, s := range v.schemes {
			if !s.needsBody() {
				continue
			}
			if err := s.check(r.Header, body, now, v.tolerance, &out); err != nil {
				v.unauthorized(w, r, s, err)
				return
			}
		}
		next.ServeHTTP(w, withVerified(r, out, body))
	})
}

const unauthorizedBody = "webhook verification failed"

func (v *Verifier) unauthorized(w http.ResponseWriter, r *http.Request, s Scheme, err error) {
	v.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook delivery rejected",
		slog.Int("status", http.StatusUnauthorized),
		slog.String("scheme", s.String()),
		slog.String("reason", err.Error()),
		slog.String("remote_addr", r.RemoteAddr))
	http.Error(w, unauthorizedBody, http.StatusUnauthorized)
}

func rejectMethod(w http.ResponseWriter, r *http.Request, logger *slog.Logger) {
	logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook delivery rejected",
		slog.Int("status", http.StatusMethodNotAllowed),
		slog.String("method", r.Method),
		slog.String("remote_addr", r.RemoteAddr))
	w.Header().Set("Allow", http.MethodPost)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

func rejectBody(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrBodyTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook delivery rejected",
		slog.Int("status", status),
		slog.String("reason", err.Error()),
		slog.String("remote_addr", r.RemoteAddr))
	http.Error(w, http.StatusText(status), status)
}

// readBody reads at most limit bytes. A declared Content-Length over the
// limit is refused before reading; a body of unknown length is read through
// http.MaxBytesReader, which also tells the server to close the connection
// when it runs past the limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrBodyTooLarge, r.ContentLength, limit)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	if r.ContentLength >= 0 {
		// The server's body reader stops at Content-Length, which is within
		// the limit, so one allocation of the right size suffices.
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, fmt.Errorf("webhook: reading body: %w", err)
		}
		return body, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("%w: exceeds %d bytes", ErrBodyTooLarge, limit)
		}
		return nil, fmt.Errorf("webhook: reading body: %w", err)
	}
	return body, nil
}

type verifiedKey struct{}

// verified travels in the request context and doubles as the replacement
// r.Body, so passing a request on costs one allocation besides the clone.
type verified struct {
	v    Verification
	body []byte
	rd   bytes.Reader
}

// Read reads the verified bytes.
func (vr *verified) Read(p []byte) (int, error) { return vr.rd.Read(p) }

// Close does nothing: the bytes are in memory.
func (vr *verified) Close() error { return nil }

func withVerified(r *http.Request, v Verification, body []byte) *http.Request {
	vr := &verified{v: v, body: body}
	vr.rd.Reset(body)
	r2 := r.WithContext(context.WithValue(r.Context(), verifiedKey{}, vr))
	r2.Body = vr
	r2.ContentLength = int64(len(body))
	r2.GetBody = nil
	return r2
}

// VerificationFromContext returns what the middleware verified for the
// request whose context is ctx. ok is false when the request did not pass
// through the middleware.
func VerificationFromContext(ctx context.Context) (v Verification, ok bool) {
	vr, ok := ctx.Value(verifiedKey{}).(*verified)
	if !ok {
		return Verification{}, false
	}
	return vr.v, true
}

// verifiedBody returns the bytes the middleware verified, so the handler
// need not read r.Body again.
func verifiedBody(ctx context.Context) ([]byte, bool) {
	vr, ok := ctx.Value(verifiedKey{}).(*verified)
	if !ok {
		return nil, false
	}
	return vr.body, true
}
