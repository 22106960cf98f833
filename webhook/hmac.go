package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// macKey computes HMAC-SHA256 under one key. Keyed hashers are pooled:
// hmac.New costs several allocations per call, and a verifier computes one
// MAC per key per delivery.
type macKey struct {
	pool sync.Pool
}

type macState struct {
	h   hash.Hash
	buf []byte // scratch for the Standard Webhooks "id.timestamp." prefix
	sum []byte
}

func newMACKey(secret []byte) *macKey {
	key := append([]byte(nil), secret...)
	k := &macKey{}
	k.pool.New = func() any {
		return &macState{h: hmac.New(sha256.New, key), sum: make([]byte, 0, sha256.Size)}
	}
	return k
}

// mac writes HMAC-SHA256(prefix parts + body) into dst. The parts, when
// given, are joined as "a.b." in front of body, which is the Standard
// Webhooks signed content.
func (k *macKey) mac(dst *[sha256.Size]byte, id, ts string, body []byte) {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	if id != "" || ts != "" {
		st.buf = append(st.buf[:0], id...)
		st.buf = append(st.buf, '.')
		st.buf = append(st.buf, ts...)
		st.buf = append(st.buf, '.')
		st.h.Write(st.buf)
	}
	st.h.Write(body)
	st.sum = st.h.Sum(st.sum[:0])
	copy(dst[:], st.sum)
	k.pool.Put(st)
}

// bodyHMAC verifies HMAC-SHA256 of the raw body, carried in one header.
type bodyHMAC struct {
	header string // canonical form
	keys   []*macKey
	err    error
}

// BodyHMAC returns a scheme that passes a delivery whose header named header
// carries HMAC-SHA256 of the raw body under one of secrets (several allow
// rotation). The value may be lower- or upper-case hex (64 characters) or
// standard or URL-safe base64, padded or not, with an optional "sha256="
// prefix (any case). Relays and proxies often sign this way; BigCommerce
// itself does not.
//
// An invalid header name, no secret or an empty secret make NewVerifier fail
// with ErrInvalidConfig.
func BodyHMAC(header string, secrets ...[]byte) Scheme {
	s := &bodyHMAC{header: textproto.CanonicalMIMEHeaderKey(header)}
	switch {
	case !validHeaderName(header):
		s.err = fmt.Errorf("%w: BodyHMAC: invalid header name %q", ErrInvalidConfig, header)
	case len(secrets) == 0:
		s.err = fmt.Errorf("%w: BodyHMAC(%s): no secret", ErrInvalidConfig, s.header)
	}
	for _, k := range secrets {
		if len(k) == 0 {
			s.err = fmt.Errorf("%w: BodyHMAC(%s): empty secret", ErrInvalidConfig, s.header)
		}
		s.keys = append(s.keys, newMACKey(k))
	}
	return s
}

func (s *bodyHMAC) needsBody() bool { return true }
func (s *bodyHMAC) required() bool  { return true }
func (s *bodyHMAC) validate() error { return s.err }

func (s *bodyHMAC) check(h http.Header, body []byte, _ time.Time, _ time.Duration, out *Verification) error {
	got := h[s.header]
	if len(got) == 0 || got[0] == "" {
		return fmt.Errorf("%w: header %s absent", ErrMissingCredential, s.header)
	}
	if len(got) > 1 {
		return fmt.Errorf("%w: header %s repeated", ErrInvalidCredential, s.header)
	}
	var presented [sha256.Size]byte
	if !decodeDigest(got[0], &presented) {
		return fmt.Errorf("%w: header %s is not a SHA-256 digest in hex or base64", ErrInvalidCredential, s.header)
	}
	var want [sha256.Size]byte
	for _, k := range s.keys {
		k.mac(&want, "", "", body)
		if hmac.Equal(want[:], presented[:]) {
			out.BodyHMAC = true
			return nil
		}
	}
	return fmt.Errorf("%w: header %s does not match", ErrInvalidCredential, s.header)
}

var digestEncodings = [...]*base64.Encoding{
	base64.StdEncoding.Strict(), base64.URLEncoding.Strict(),
	base64.RawStdEncoding.Strict(), base64.RawURLEncoding.Strict(),
}

// decodeDigest parses a 32-byte digest in hex or base64, with an optional
// "sha256=" prefix. It copies into stack arrays so that decoding does not
// allocate.
func decodeDigest(v string, dst *[sha256.Size]byte) bool {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "sha256=") {
		v = v[7:]
	}
	var src [64]byte
	switch len(v) {
	case 64:
		copy(src[:], v)
		n, err := hex.Decode(dst[:], src[:])
		return err == nil && n == sha256.Size
	case 43, 44:
		copy(src[:], v)
		var out [33]byte
		for _, enc := range digestEncodings {
			if n, err := enc.Decode(out[:], src[:len(v)]); err == nil && n == sha256.Size {
				copy(dst[:], out[:n])
				return true
			}
		}
	}
	return false
}

// String names the scheme and its header, never the secrets.
func (s *bodyHMAC) String() string { return "BodyHMAC(" + s.header + ")" }

// GoString is String, so %#v does not print the keys.
func (s *bodyHMAC) GoString() string { return s.String() }

// LogValue keeps the keys out of structured logs.
func (s *bodyHMAC) LogValue() slog.Value { return slog.StringValue(s.String()) }
