package sftest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
)

// maxBodyBytes caps a request body; Salesforce refuses bodies over 50 MB with
// 413, and no test of this fake needs more than a few hundred kilobytes.
const maxBodyBytes = 50 << 20

// maxURIBytes is Salesforce's limit on a request: a URI longer than 16,384
// bytes is answered 414, and a URI and headers that pass it together 431.
const maxURIBytes = 16384

// Server is an in-process fake Salesforce org: an http.Handler with the
// token endpoint and the REST API of an org, reachable over a loopback port
// (URL, Client) or in memory (Transport). It is safe for concurrent use:
// requests are applied one at a time, in the order they take the org's lock.
type Server struct {
	cfg config
	l   *fakehttp.Listener

	mu       sync.Mutex
	st       *state
	sessions map[string]*session
	faults   faultState
	counts   counters
	usage    usage
	bulk     bulkState // Bulk API 2.0 jobs (bulk.go)

	orgID, userID string
	stdPricebook  string
}

type counters struct {
	total         int
	tokenRequests int
	faulted       int
	byRoute       map[string]int
}

type usage struct {
	used        int
	windowStart time.Time
}

// NewServer builds a fake org; call Close when done. It opens no socket:
// the first call to URL, TokenURL or Client opens a loopback port, while
// Transport and ServeHTTP serve the org in memory. The org starts with one
// record, the standard Pricebook2 (see StandardPricebookID). NewServer fails
// only on an invalid option, with an error wrapping ErrInvalid.
func NewServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{cfg: cfg, sessions: map[string]*session{}}
	s.st = newState(s.cfg.idSeed)
	s.st.lenientCreateOnly = s.cfg.lenient
	s.counts.byRoute = map[string]int{}
	s.faults.schedule = fakehttp.NewSchedule[Fault](cfg.seed)
	now := time.Now()
	s.usage.windowStart = now
	s.orgID = makeID("00D", s.cfg.idSeed)
	s.userID = makeID("005", s.cfg.idSeed)
	t := &tx{st: s.st, now: now}
	std := t.insert(s.st.object("Pricebook2"), map[string]any{"Name": "Standard Price Book", "IsStandard": true, "IsActive": true})
	s.stdPricebook = std.id
	s.l = fakehttp.NewListener(s)
	return s, nil
}

// URL returns the base URL of the org on its loopback port, e.g.
// http://127.0.0.1:41234, opening the port on the first call. It is both the
// token host and the instance_url handed out with tokens requested there.
func (s *Server) URL() string { return s.l.URL() }

// TokenURL returns URL() + "/services/oauth2/token".
func (s *Server) TokenURL() string { return s.URL() + "/services/oauth2/token" }

// Client returns an HTTP client for URL(), opening the port on the first
// call; any client works, since the fake speaks plain HTTP.
func (s *Server) Client() *http.Client { return s.l.Client() }

// Transport returns an http.RoundTripper that hands every request to the
// org in memory, whatever its host, without opening a socket: use it inside
// a testing/synctest bubble, where a loopback socket would keep the
// bubble's clock from advancing. The token endpoint then names the
// request's host as instance_url, so any base URL works, e.g.
// salesforce.WithInstanceURL("https://acme.my.salesforce.com") with
// salesforce.WithHTTPClient(&http.Client{Transport: org.Transport()}).
func (s *Server) Transport() http.RoundTripper { return fakehttp.Transport(s) }

// String names the server without credentials or tokens.
func (s *Server) String() string {
	if s.l.Started() {
		return "sftest.Server(" + s.URL() + ")"
	}
	return "sftest.Server(in memory)"
}

// GoString is String, so that %#v does not print the credentials either.
func (s *Server) GoString() string { return s.String() }

// Close closes the loopback port, if it was opened, and blocks until
// outstanding requests finish.
func (s *Server) Close() { s.l.Close() }

// StandardPricebookID returns the id of the standard price book the org
// starts with; PricebookEntry and Order records need a Pricebook2Id.
func (s *Server) StandardPricebookID() string { return s.stdPricebook }

// ServeHTTP routes one request, so a Server is also an http.Handler, e.g.
// behind a caller's own httptest.Server. The token endpoint hands out the
// scheme and host the request came to as instance_url.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if res, ok := checkURISize(r); !ok {
		writeResponse(w, res)
		return
	}
	p := r.URL.EscapedPath()
	switch {
	case p == "/services/oauth2/token":
		s.handleToken(w, r)
	case p == "/services/data" || p == "/services/data/":
		s.handleVersions(w, r)
	case strings.HasPrefix(p, "/services/data/"):
		s.handleREST(w, r, strings.TrimPrefix(p, "/services/data/"))
	default:
		writeResponse(w, notFound())
	}
}

// checkURISize answers 414 to a request URI past maxURIBytes and 431 to a
// URI and headers that pass it together, as Salesforce does.
func checkURISize(r *http.Request) (response, bool) {
	n := len(r.RequestURI)
	if n > maxURIBytes {
		return errorResponse(http.StatusRequestURITooLong, "URI_TOO_LONG", "request URI longer than 16,384 bytes"), false
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(": \r\n") + len(v)
		}
	}
	if n > maxURIBytes {
		return errorResponse(http.StatusRequestHeaderFieldsTooLarge, "HEADERS_TOO_LARGE", "request URI and headers longer than 16,384 bytes"), false
	}
	return response{}, true
}

// call is one REST request, from the wire or from a composite subrequest.
type call struct {
	method  string
	version string  // "v64.0"
	verNum  float64 // 64.0
	segs    []string
	query   url.Values
	body    []byte
	nested  bool // inside a composite or graph
	// allOrNone is set on subrequests of an allOrNone composite; it overrides
	// the allOrNone flag of an sObject Collections subrequest.
	allOrNone bool
	// batchSize is the Sforce-Query-Options batchSize, 0 when absent.
	batchSize int
}

// parseCall splits an escaped path below /services/data/ into a call.
func (s *Server) parseCall(method, escaped, rawQuery string, body []byte) (call, bool) {
	parts := strings.Split(strings.TrimSuffix(escaped, "/"), "/")
	if len(parts) < 1 || !s.versionServed(parts[0]) {
		return call{}, false
	}
	segs := make([]string, 0, len(parts)-1)
	for _, p := range parts[1:] {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			return call{}, false
		}
		segs = append(segs, u)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return call{}, false
	}
	n, _ := strconv.ParseFloat(parts[0][1:], 64)
	return call{method: method, version: parts[0], verNum: n, segs: segs, query: q, body: body}, true
}

func (s *Server) versionServed(v string) bool {
	if !versionRE.MatchString(v) {
		return false
	}
	if len(s.cfg.versions) == 0 {
		n, _ := strconv.ParseFloat(v[1:], 64)
		return n >= 20
	}
	for _, ok := range s.cfg.versions {
		if ok == v {
			return true
		}
	}
	return false
}

func (s *Server) handleREST(w http.ResponseWriter, r *http.Request, rest string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		s.record(RouteUnknown)
		writeResponse(w, errorResponse(http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", "request body too large"))
		return
	}
	c, ok := s.parseCall(r.Method, rest, r.URL.RawQuery, body)
	if !ok {
		s.record(RouteUnknown)
		writeResponse(w, notFound())
		return
	}
	c.batchSize = parseBatchSize(r.Header.Get("Sforce-Query-Options"))
	if f := s.record(routeOf(c)); f != nil {
		if !sleepFault(r, f) {
			return // the client gave up
		}
		if f.Status != 0 {
			writeResponse(w, s.withUsageHeader(f.response()))
			return
		}
	}

	s.mu.Lock()
	resp := s.gate(r)
	if resp == nil {
		t := &tx{st: s.st, now: time.Now(), version: c.version,
			allowSave: parseDuplicateHeader(r.Header.Get("Sforce-Duplicate-Rule-Header"))}
		out := s.dispatch(t, c)
		resp = &out
	}
	s.mu.Unlock()
	writeResponse(w, s.withUsageHeader(*resp))
}

// record counts a REST call and picks the fault it gets, if any.
func (s *Server) record(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.total++
	s.counts.byRoute[route]++
	f, ok := s.faults.schedule.Pick(route)
	if !ok {
		return nil
	}
	s.counts.faulted++
	return &f
}

// withUsageHeader adds the Sforce-Limit-Info header every REST answer
// carries.
func (s *Server) withUsageHeader(resp response) response {
	s.mu.Lock()
	used, limit := s.usage.used, s.cfg.dailyLimit
	s.mu.Unlock()
	h := make(map[string]string, len(resp.header)+1)
	for k, v := range resp.header {
		h[k] = v
	}
	h["Sforce-Limit-Info"] = fmt.Sprintf("api-usage=%d/%d", used, limit)
	resp.header = h
	return resp
}

// gate decides, before anything is read or written, whether the call is
// refused: a bad session or a spent allowance. A refused call changes
// nothing and does not use the allowance; a served one does. mu must be
// held.
func (s *Server) gate(r *http.Request) *response {
	now := time.Now()
	if !s.validSession(r, now) {
		out := errorResponse(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return &out
	}
	if now.Sub(s.usage.windowStart) >= 24*time.Hour {
		s.usage.used = 0
		s.usage.windowStart = now
	}
	if s.usage.used >= s.cfg.dailyLimit {
		out := errorResponse(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
		return &out
	}
	s.usage.used++
	s.tickTokenExpiry()
	return nil
}

// dispatch runs one REST resource inside t.
func (s *Server) dispatch(t *tx, c call) response {
	if len(c.segs) == 0 {
		return notFound()
	}
	switch c.segs[0] {
	case "sobjects":
		return s.handleSObjects(t, c)
	case "query", "queryAll":
		return s.handleQuery(t, c)
	case "limits":
		if len(c.segs) != 1 {
			return notFound()
		}
		if c.method != http.MethodGet {
			return methodNotAllowed(c.method, "GET,HEAD")
		}
		return s.limits()
	case "composite":
		return s.handleComposite(t, c)
	case "tooling":
		return s.handleTooling(t, c)
	case "jobs":
		return s.handleJobs(t, c)
	}
	return notFound()
}

func (s *Server) limits() response {
	return response{status: http.StatusOK, body: map[string]any{
		"DailyApiRequests": map[string]int{"Max": s.cfg.dailyLimit, "Remaining": s.cfg.dailyLimit - s.usage.used},
	}}
}

// handleVersions answers GET /services/data/: no session needed, not counted.
func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeResponse(w, methodNotAllowed(r.Method, "GET,HEAD"))
		return
	}
	versions := s.cfg.versions
	if len(versions) == 0 {
		versions = []string{"v64.0", "v65.0", "v66.0"}
	}
	out := make([]map[string]string, 0, len(versions))
	for _, v := range versions {
		out = append(out, map[string]string{"label": releaseLabel(v), "url": "/services/data/" + v, "version": v[1:]})
	}
	writeResponse(w, response{status: http.StatusOK, body: out})
}

// parseBatchSize reads "batchSize=N" from a Sforce-Query-Options header.
// Salesforce accepts 200 to 2,000; anything else reads as absent.
func parseBatchSize(h string) int {
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 200 && n <= 2000 {
			return n
		}
	}
	return 0
}

// releaseLabel names the release of an API version: three releases a year,
// v63.0 being Spring '25.
func releaseLabel(v string) string {
	n, err := strconv.Atoi(strings.TrimSuffix(v[1:], ".0"))
	if err != nil {
		return ""
	}
	k := n - 63
	year := 25 + k/3
	if k%3 < 0 { // floor division for versions before v63.0
		year--
	}
	switch (k%3 + 3) % 3 {
	case 0:
		return fmt.Sprintf("Spring '%02d", year)
	case 1:
		return fmt.Sprintf("Summer '%02d", year)
	}
	return fmt.Sprintf("Winter '%02d", year+1)
}
