package sftest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// session is one issued access token.
type session struct {
	issued  time.Time
	expired bool
}

// oauthError is the OAuth shape the token endpoint uses for failures, unlike
// the array shape of the REST API.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

const grantJWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// handleToken implements POST /services/oauth2/token for the client
// credentials and JWT bearer grants. Token requests are not API calls.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts.tokenRequests++
	s.mu.Unlock()
	if r.Method != http.MethodPost {
		writeResponse(w, response{status: http.StatusMethodNotAllowed,
			body: oauthError{"invalid_request", "must use HTTP POST"}})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeResponse(w, response{status: http.StatusBadRequest, body: oauthError{"invalid_request", "malformed form body"}})
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		id, secret := clientCredentials(r)
		if !s.credentialsMatch(id, secret) {
			writeResponse(w, response{status: http.StatusBadRequest, body: oauthError{"invalid_client", "invalid client credentials"}})
			return
		}
	case grantJWT:
		if !wellFormedJWT(r.PostForm.Get("assertion")) {
			writeResponse(w, response{status: http.StatusBadRequest, body: oauthError{"invalid_grant", "invalid assertion"}})
			return
		}
	case "":
		writeResponse(w, response{status: http.StatusBadRequest, body: oauthError{"invalid_request", "grant type not specified"}})
		return
	default:
		writeResponse(w, response{status: http.StatusBadRequest, body: oauthError{"unsupported_grant_type", "grant type not supported"}})
		return
	}
	writeResponse(w, response{status: http.StatusOK, body: s.issueToken(requestBase(r))})
}

// clientCredentials reads the client id and secret from HTTP Basic auth
// (url-encoded, as RFC 6749 section 2.3.1 asks) or from the form.
func clientCredentials(r *http.Request) (string, string) {
	if id, secret, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
		return id, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

func (s *Server) credentialsMatch(id, secret string) bool {
	idOK := hmac.Equal([]byte(id), []byte(s.cfg.clientID))
	secretOK := hmac.Equal([]byte(secret), []byte(s.cfg.clientSecret))
	return idOK && secretOK
}

// wellFormedJWT checks the shape of a JWT: three base64url parts, the first two
// JSON objects. The signature is not verified.
func wellFormedJWT(a string) bool {
	parts := strings.Split(a, ".")
	if len(parts) != 3 || parts[2] == "" {
		return false
	}
	for _, p := range parts[:2] {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			return false
		}
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			return false
		}
	}
	return true
}

// requestBase is the scheme and host a request came to, the instance_url of
// the tokens it gets.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.URL.Scheme == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) issueToken(base string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	token := s.orgID[:15] + "!" + rand.Text() + rand.Text()
	s.sessions[token] = &session{issued: now}
	issued := strconv.FormatInt(now.UnixMilli(), 10)
	id := base + "/id/" + s.orgID + "/" + s.userID
	mac := hmac.New(sha256.New, []byte(s.cfg.clientSecret))
	mac.Write([]byte(id + issued))
	return map[string]string{
		"access_token": token,
		"signature":    base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		"scope":        "api",
		"instance_url": base,
		"id":           id,
		"token_type":   "Bearer",
		"issued_at":    issued,
	}
}

// validSession reports whether r carries a live token ("Bearer" or the older
// "OAuth" scheme).
func (s *Server) validSession(r *http.Request, now time.Time) bool {
	h := r.Header.Get("Authorization")
	var token string
	switch {
	case len(h) > 7 && strings.EqualFold(h[:7], "Bearer "):
		token = h[7:]
	case len(h) > 6 && strings.EqualFold(h[:6], "OAuth "):
		token = h[6:]
	default:
		return false
	}
	sess := s.sessions[strings.TrimSpace(token)]
	if sess == nil || sess.expired {
		return false
	}
	if now.Sub(sess.issued) >= s.cfg.sessionTimeout {
		sess.expired = true
		return false
	}
	return true
}

// ExpireTokens makes every token issued so far invalid at once, as an admin
// revoking sessions would; the next REST call with one answers 401
// INVALID_SESSION_ID. Tokens issued afterwards work.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireAll()
}

// ExpireTokensAfter makes every token issued so far invalid after n more
// counted API calls (n <= 0 expires them now). A later call replaces an
// earlier countdown.
func (s *Server) ExpireTokensAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		s.expireAll()
		s.faults.expireAfter = 0
		return
	}
	s.faults.expireAfter = n
}

func (s *Server) expireAll() {
	for _, sess := range s.sessions {
		sess.expired = true
	}
}

// tickTokenExpiry runs the ExpireTokensAfter countdown for one counted call.
func (s *Server) tickTokenExpiry() {
	if s.faults.expireAfter <= 0 {
		return
	}
	s.faults.expireAfter--
	if s.faults.expireAfter == 0 {
		s.expireAll()
	}
}
