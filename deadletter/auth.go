package deadletter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// cookieName is the session cookie's name.
const cookieName = "bc2sf_deadletters"

// credential is one accepted token, kept as two derived values only: the
// token's digest for the constant-time comparison and the key that signs
// its sessions. The token itself is not kept.
type credential struct {
	label  string
	digest [sha256.Size]byte
	key    []byte
}

func newCredential(label, token string) credential {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("bc2sf/deadletter session key v1"))
	return credential{label: label, digest: sha256.Sum256([]byte(token)), key: m.Sum(nil)}
}

// identity is who makes a request: the operator named at login, or the
// token's label for a bearer request.
type identity struct {
	operator string
	label    string
	bearer   bool
	session  *session
}

type ctxKey struct{}

func withIdentity(ctx context.Context, id identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

func who(r *http.Request) identity {
	id, _ := r.Context().Value(ctxKey{}).(identity)
	return id
}

// match returns the credential whose token is token, comparing against every
// credential in constant time.
func (c *Console) match(token string) (credential, bool) {
	d := sha256.Sum256([]byte(token))
	found := -1
	for i := range c.creds {
		if subtle.ConstantTimeCompare(d[:], c.creds[i].digest[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return credential{}, false
	}
	return c.creds[found], true
}

func (c *Console) credential(label string) (credential, bool) {
	for _, cr := range c.creds {
		if cr.label == label {
			return cr, true
		}
	}
	return credential{}, false
}

// session is a signed cookie value:
//
//	base64url(label "|" operator "|" expiry "|" nonce) "." base64url(mac)
//
// with mac = HMAC-SHA256 keyed by the credential's session key. A session
// ends at its expiry, at logout (its nonce is revoked in this process), or
// when its token is no longer configured.
type session struct {
	label, operator, nonce string
	expires                time.Time
	key                    []byte
}

// String and GoString name the session without its key, so that no
// formatting verb can print the key into a log or a test's output.
func (s *session) String() string {
	return "session of operator " + strconv.Quote(s.operator) + " (" + strconv.Quote(s.label) + ")"
}

// GoString is String, for the %#v verb.
func (s *session) GoString() string { return s.String() }

func (c *Console) newSession(cr credential, operator string) (*session, string) {
	var n [16]byte
	_, _ = rand.Read(n[:])
	s := &session{label: cr.label, operator: operator, nonce: base64.RawURLEncoding.EncodeToString(n[:]),
		expires: time.Now().Add(c.ttl).Truncate(time.Second), key: cr.key}
	return s, s.value()
}

func (s *session) payload() string {
	return s.label + "|" + s.operator + "|" + strconv.FormatInt(s.expires.Unix(), 10) + "|" + s.nonce
}

// value is the cookie value of s.
func (s *session) value() string {
	p := s.payload()
	return base64.RawURLEncoding.EncodeToString([]byte(p)) + "." + sign(s.key, "session|"+p)
}

// parseSession checks a cookie value and returns its session, or nil.
func (c *Console) parseSession(v string) *session {
	p64, mac, ok := strings.Cut(v, ".")
	// The decoder skips CR and LF even in strict mode, so a value with a
	// newline inside would decode to a signed payload: refuse it, so that only
	// the exact value the console signed is accepted.
	if !ok || len(v) > 1024 || strings.ContainsAny(p64, "\r\n") {
		return nil
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(p64)
	if err != nil {
		return nil
	}
	payload := string(raw)
	f := strings.Split(payload, "|")
	if len(f) != 4 {
		return nil
	}
	cr, ok := c.credential(f[0])
	if !ok || !hmac.Equal([]byte(mac), []byte(sign(cr.key, "session|"+payload))) {
		return nil
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || !time.Now().Before(time.Unix(exp, 0)) || c.revoked.has(f[3]) {
		return nil
	}
	return &session{label: f[0], operator: f[1], nonce: f[3], expires: time.Unix(exp, 0), key: cr.key}
}

// csrf is the session's CSRF token: derived from its key and nonce, so it
// needs no storage and changes with every login.
func (s *session) csrf() string { return sign(s.key, "csrf|"+s.nonce) }

func sign(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// authenticate finds who makes r: a bearer token in the Authorization
// header, else the session cookie. A request that sends an Authorization
// header is judged by it alone.
func (c *Console) authenticate(r *http.Request) (identity, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return identity{}, false
		}
		cr, ok := c.match(strings.TrimSpace(tok))
		if !ok {
			return identity{}, false
		}
		return identity{operator: cr.label, label: cr.label, bearer: true}, true
	}
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return identity{}, false
	}
	s := c.parseSession(ck.Value)
	if s == nil {
		return identity{}, false
	}
	return identity{operator: s.operator, label: s.label, session: s}, true
}

// authed wraps a GET handler: an unauthenticated browser is sent to the
// login form, an API client gets 401.
func authed(h handlerFunc) handlerFunc {
	return func(c *Console, w http.ResponseWriter, r *http.Request) {
		id, ok := c.authenticate(r)
		if !ok {
			c.unauthorized(w, r)
			return
		}
		h(c, w, r.WithContext(withIdentity(r.Context(), id)))
	}
}

// authPost wraps a state-changing handler: the request must pass the
// cross-origin check (Sec-Fetch-Site, else Origin against Host), be
// authenticated, and, when it rides on the session cookie, carry the
// session's CSRF token in the "csrf" form field or the X-CSRF-Token header.
func authPost(h handlerFunc) handlerFunc {
	return func(c *Console, w http.ResponseWriter, r *http.Request) {
		if err := c.origins.Check(r); err != nil {
			c.fail(w, r, http.StatusForbidden, "cross-origin request refused")
			return
		}
		id, ok := c.authenticate(r)
		if !ok {
			c.unauthorized(w, r)
			return
		}
		if id.session != nil && !c.csrfOK(r, id.session) {
			c.fail(w, r, http.StatusForbidden, "missing or wrong CSRF token: reload the page and try again")
			return
		}
		h(c, w, r.WithContext(withIdentity(r.Context(), id)))
	}
}

func (c *Console) csrfOK(r *http.Request, s *session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && isForm(r) {
		if err := parseForm(r); err != nil {
			return false
		}
		got = r.PostForm.Get("csrf")
	}
	return got != "" && hmac.Equal([]byte(got), []byte(s.csrf()))
}

func (c *Console) unauthorized(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) || r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bc2sf dead letters"`)
		c.fail(w, r, http.StatusUnauthorized, "log in or send Authorization: Bearer <token>")
		return
	}
	seeOther(w, "login")
}

// login checks the form's token and opens a session. The token is compared
// in constant time and never written anywhere; a refusal is logged with the
// operator name given and the remote address.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if err := c.origins.Check(r); err != nil {
		c.fail(w, r, http.StatusForbidden, "cross-origin request refused")
		return
	}
	if !isForm(r) {
		c.fail(w, r, http.StatusUnsupportedMediaType, "send the login form")
		return
	}
	if err := parseForm(r); err != nil {
		c.fail(w, r, http.StatusBadRequest, "unreadable form")
		return
	}
	operator := strings.TrimSpace(r.PostForm.Get("operator"))
	if !validName(operator) {
		c.renderLogin(w, r, http.StatusBadRequest, "", "Give your name: 1 to 64 letters, digits, spaces or .-_@.")
		return
	}
	cr, ok := c.match(r.PostForm.Get("token"))
	if !ok {
		c.log.Warn("dead-letter console: login refused", "operator", operator, "remote", r.RemoteAddr)
		c.renderLogin(w, r, http.StatusUnauthorized, operator, "The token was not accepted.")
		return
	}
	_, value := c.newSession(cr, operator)
	http.SetCookie(w, c.cookie(r, value, int(c.ttl/time.Second)))
	c.log.Info("dead-letter console: login", "operator", operator, "token_label", cr.label, "remote", r.RemoteAddr)
	seeOther(w, "./")
}

// logout ends the session: its nonce is revoked in this process and the
// browser drops the cookie.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	id := who(r)
	if id.session != nil {
		c.revoked.add(id.session.nonce, id.session.expires, time.Now())
	}
	http.SetCookie(w, c.cookie(r, "", -1))
	c.audit(r, "logout")
	if isAPI(r) {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		return
	}
	seeOther(w, "login")
}

func (c *Console) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: cookieName, Value: value, Path: mountPath(r), MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure || r.TLS != nil,
	}
}

// originalPath is the request's path before any http.StripPrefix.
func originalPath(r *http.Request) string {
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
		return u.Path
	}
	return r.URL.Path
}

// mountPath is where the console is mounted, ending in "/": the original
// path less the path the console sees. It scopes the session cookie.
func mountPath(r *http.Request) string {
	orig := originalPath(r)
	if rest, ok := strings.CutSuffix(orig, r.URL.Path); ok && r.URL.Path != "" {
		return strings.TrimSuffix(rest, "/") + "/"
	}
	return "/"
}

// validName accepts operator names and token labels: 1 to 64 letters,
// digits, spaces or ".-_@", so a name is safe in a log line and a cookie.
func validName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" .-_@", r) {
			return false
		}
	}
	return true
}

// revocations are the nonces of sessions ended by logout, kept until they
// would have expired anyway.
type revocations struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func newRevocations() *revocations { return &revocations{m: map[string]time.Time{}} }

func (v *revocations) add(nonce string, until, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for n, t := range v.m {
		if now.After(t) {
			delete(v.m, n)
		}
	}
	v.m[nonce] = until
}

func (v *revocations) has(nonce string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.m[nonce]
	return ok
}
