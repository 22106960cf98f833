package deadletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// Limits and defaults of a Console.
const (
	// MinTokenBytes is the shortest token WithToken accepts: 16 bytes. Use
	// a random token of 32 characters or more.
	MinTokenBytes = 16
	// DefaultSessionTTL is how long a browser session lasts after the login
	// form: 8 hours.
	DefaultSessionTTL = 8 * time.Hour
	// ListScan is how many dead letters, oldest first, the list page and
	// GET api/deadletters read before filtering: 1,000. Replaying all of a
	// reason is not bound by it.
	ListScan = 1000
	// DefaultListLimit is how many matching dead letters a list shows
	// unless the request asks for another number (1 to ListScan): 100.
	DefaultListLimit = 100
	// MaxIDs is the most dead letter IDs one replay request may name: 1,000.
	MaxIDs = 1000
	// MaxFilterBytes bounds a reason filter: 200 bytes.
	MaxFilterBytes = 200
	// MaxIDBytes bounds a dead letter ID in a request: 256 bytes.
	MaxIDBytes = 256
	// maxBodyBytes bounds a form or JSON request body.
	maxBodyBytes = 64 << 10
	// maxShownBody bounds the payload shown for one dead letter.
	maxShownBody = 64 << 10
)

// ErrInvalidConfig is wrapped by the errors of NewConsole.
var ErrInvalidConfig = errors.New("deadletter: invalid configuration")

// UsageFunc reports the Salesforce API usage the page shows: calls used and
// the limit in the current window. ok is false when it is not known yet.
type UsageFunc func(ctx context.Context) (used, limit int64, ok bool)

// Option changes a setting of a Console.
type Option func(*config)

type config struct {
	tokens    []credential
	logger    *slog.Logger
	usage     UsageFunc
	ttl       time.Duration
	secure    bool
	problems  []string
	tokenSeen map[string]bool
}

// WithToken adds a token that grants access, named by label in the audit
// log (e.g. "ops" or "2026-rotation"). At least one is required. The token
// must be at least MinTokenBytes (16) bytes; the label 1 to 64 letters,
// digits, spaces or ".-_@". Give several to rotate a token without
// downtime: sessions opened with a token end when it is removed.
func WithToken(label, token string) Option {
	return func(c *config) {
		switch {
		case !validName(label):
			c.problems = append(c.problems, "token label must be 1-64 letters, digits, spaces or .-_@")
		case len(token) < MinTokenBytes:
			c.problems = append(c.problems, fmt.Sprintf("token %q is shorter than %d bytes", label, MinTokenBytes))
		case c.tokenSeen[label] || c.tokenSeen["\x00"+token]:
			c.problems = append(c.problems, fmt.Sprintf("token %q is given twice", label))
		default:
			c.tokenSeen[label], c.tokenSeen["\x00"+token] = true, true
			c.tokens = append(c.tokens, newCredential(label, token))
		}
	}
}

// WithLogger sets the logger of the audit log (every replay, deletion,
// login and refused login) and of queue errors. Default slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithUsage sets the hook that reports the Salesforce API usage. Without
// it, the page shows the usage as unknown.
func WithUsage(f UsageFunc) Option { return func(c *config) { c.usage = f } }

// WithSessionTTL sets how long a browser session lasts after login; d <= 0
// keeps DefaultSessionTTL (8 hours).
func WithSessionTTL(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.ttl = d
		}
	}
}

// WithSecureCookie marks the session cookie Secure on every response, for
// a console behind a proxy that terminates TLS. Without it the cookie is
// Secure only when the request itself came over TLS.
func WithSecureCookie() Option { return func(c *config) { c.secure = true } }

// Console is the dead-letter console: an http.Handler serving one HTML page
// (with a login form) and a small JSON API. Build it with NewConsole and
// mount it under a prefix with http.StripPrefix. It is safe for concurrent
// use.
type Console struct {
	insp    idempotency.Inspector
	log     *slog.Logger
	usage   UsageFunc
	ttl     time.Duration
	secure  bool
	creds   []credential
	revoked *revocations
	rates   *sampler
	origins *http.CrossOriginProtection
}

// NewConsole returns a Console over insp, the administrator's side of a
// queue (idempotency.MemoryQueue and idemredis.Queue implement it). It fails with an error wrapping
// ErrInvalidConfig when insp is nil, when no WithToken is given, or when a
// token or label is unfit; the error never contains a token.
func NewConsole(insp idempotency.Inspector, opts ...Option) (*Console, error) {
	c := config{logger: slog.Default(), ttl: DefaultSessionTTL, tokenSeen: map[string]bool{}}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if insp == nil {
		c.problems = append(c.problems, "Inspector is nil")
	}
	if len(c.tokens) == 0 && len(c.problems) == 0 {
		c.problems = append(c.problems, "no token: use WithToken")
	}
	if len(c.problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, strings.Join(c.problems, "; "))
	}
	return &Console{
		insp: insp, log: c.logger, usage: c.usage, ttl: c.ttl, secure: c.secure,
		creds: c.tokens, revoked: newRevocations(), rates: &sampler{},
		origins: http.NewCrossOriginProtection(),
	}, nil
}

// ServeHTTP serves the console. Paths are relative to where the console is
// mounted: "/" (the page), "/letter?id=", "/login", "/logout", "/replay",
// "/replay-reason", "/delete", the static "/console.js" and "/console.css",
// and the JSON API under "/api/". See the package documentation.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	p := r.URL.Path
	if p == "" && strings.HasSuffix(originalPath(r), "/") || p != "" && p[0] != '/' {
		// Mounted with StripPrefix("/x/"): the paths come without their
		// leading slash.
		p = "/" + p
		r2, u := *r, *r.URL
		u.Path, u.RawPath = p, ""
		r2.URL = &u
		r = &r2
	}
	if p == "" {
		// Mounted with StripPrefix("/x") and asked for "/x": send the
		// browser to "/x/" so that the page's relative links resolve.
		c.toSlash(w, r)
		return
	}
	rt, ok := routes[p]
	if !ok {
		c.notFound(w, r)
		return
	}
	h := rt.get
	if r.Method == http.MethodPost {
		h = rt.post
	} else if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h = nil
	}
	if h == nil {
		w.Header().Set("Allow", rt.allow())
		c.fail(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	h(c, w, r)
}

type handlerFunc func(c *Console, w http.ResponseWriter, r *http.Request)

type route struct{ get, post handlerFunc }

func (rt route) allow() string {
	var m []string
	if rt.get != nil {
		m = append(m, "GET, HEAD")
	}
	if rt.post != nil {
		m = append(m, "POST")
	}
	return strings.Join(m, ", ")
}

// routes maps each path to its handlers. Every POST handler changes state
// and passes through authPost; no GET handler changes state.
var routes = map[string]route{
	"/":                {get: authed((*Console).pageList)},
	"/letter":          {get: authed((*Console).pageLetter)},
	"/login":           {get: (*Console).pageLogin, post: (*Console).login},
	"/logout":          {post: authPost((*Console).logout)},
	"/replay":          {post: authPost((*Console).formReplay)},
	"/replay-reason":   {post: authPost((*Console).formReplayReason)},
	"/delete":          {post: authPost((*Console).formDelete)},
	"/console.js":      {get: asset("console.js", "text/javascript; charset=utf-8")},
	"/console.css":     {get: asset("console.css", "text/css; charset=utf-8")},
	"/api/deadletters": {get: authed((*Console).apiList)},
	"/api/deadletter":  {get: authed((*Console).apiLetter)},
	"/api/stats":       {get: authed((*Console).apiStats)},
	"/api/replay":      {post: authPost((*Console).apiReplay)},
	"/api/delete":      {post: authPost((*Console).apiDelete)},
}

// setSecurityHeaders applies to every answer: no script but the console's
// own file, no framing, nothing cached.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// isAPI reports a request to the JSON API, which answers errors in JSON and
// 401 instead of a redirect to the login form.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// toSlash redirects a request for the mount point without its trailing
// slash to the same path with it, relative to the original URL.
func (c *Console) toSlash(w http.ResponseWriter, r *http.Request) {
	orig := originalPath(r)
	base := orig[strings.LastIndex(orig, "/")+1:]
	if base == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		c.notFound(w, r)
		return
	}
	seeOther(w, "./"+url.PathEscape(base)+"/")
}

// seeOther redirects to a location relative to the request's URL. It does
// not use http.Redirect, which would resolve the location against the path
// left after http.StripPrefix and so lose the mount point.
func seeOther(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusSeeOther)
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.fail(w, r, http.StatusNotFound, "not found")
}
