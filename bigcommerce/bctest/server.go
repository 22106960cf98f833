package bctest

import (
	"crypto/subtle"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The routes the fake serves, named as Calls and Fault.Route expect them:
// the method and the path below /stores/{store_hash}/.
const (
	RouteGetOrder              = "GET /v2/orders/{id}"
	RouteListOrders            = "GET /v2/orders"
	RouteListOrderProducts     = "GET /v2/orders/{id}/products"
	RouteListShippingAddresses = "GET /v2/orders/{id}/shipping_addresses"
	RouteListCustomers         = "GET /v3/customers"
	RouteCreateHook            = "POST /v3/hooks"
	RouteListHooks             = "GET /v3/hooks"
	RouteGetHook               = "GET /v3/hooks/{id}"
	RouteUpdateHook            = "PUT /v3/hooks/{id}"
	RouteDeleteHook            = "DELETE /v3/hooks/{id}"
	RouteUnknown               = "" // any request that matches no route
)

const (
	headerAuthToken = "X-Auth-Token"
	// unauthorizedTitle is the 401 title of the v3 OpenAPI files.
	unauthorizedTitle = "Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store."
	// maxRequestBody caps the JSON bodies the fake reads.
	maxRequestBody int64 = 1 << 20
)

// Server is an in-process fake BigCommerce store: an httptest server with
// the routes, shapes, headers and error bodies of the real API, plus
// methods to seed data, inject faults, count calls and deliver webhooks.
// All methods are safe for concurrent use.
type Server struct {
	cfg    config
	ts     *httptest.Server
	mux    *http.ServeMux
	routes map[string]string // mux pattern -> Route* name

	mu        sync.Mutex // guards the data below
	orders    map[int64]*Order
	customers map[int64]*Customer
	hooks     map[int64]*Hook
	nextID    struct{ order, item, address, customer, hook int64 }

	ctl     sync.Mutex // guards the controls below
	calls   map[string]int
	total   int
	limit   window
	faults  []*scripted
	random  *randomFault
	rng     *rand.Rand
	history []*DeliveryResult
}

// NewServer starts a fake store on a loopback port. Call Close when done.
// It fails only on an invalid option, with an error wrapping ErrInvalid.
func NewServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{
		cfg:       cfg,
		mux:       http.NewServeMux(),
		routes:    make(map[string]string),
		orders:    make(map[int64]*Order),
		customers: make(map[int64]*Customer),
		hooks:     make(map[int64]*Hook),
		calls:     make(map[string]int),
		rng:       rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15)),
	}
	s.nextID.order, s.nextID.item, s.nextID.address = 100, 1, 1
	s.nextID.customer, s.nextID.hook = 1, 1000
	s.register()
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s, nil
}

// New starts a fake store for a test and closes it when the test ends. It
// fails the test on an invalid option.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		tb.Fatalf("bctest.New: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.ts.Close() }

// URL returns the API base to configure a client with, in place of
// https://api.bigcommerce.com: the server's address plus the base path,
// without a trailing slash. The store's routes live under
// URL()+"/stores/"+StoreHash()+"/".
func (s *Server) URL() string { return s.ts.URL + s.cfg.basePath }

// StoreURL returns URL()+"/stores/"+StoreHash(), the root of the v2 and v3
// routes, without a trailing slash.
func (s *Server) StoreURL() string { return s.URL() + "/stores/" + s.cfg.storeHash }

// StoreHash returns the store hash the routes answer to.
func (s *Server) StoreHash() string { return s.cfg.storeHash }

// Token returns the access token the server accepts in X-Auth-Token.
func (s *Server) Token() string { return s.cfg.token() }

// Client returns an HTTP client that trusts the server; any client works,
// since the fake speaks plain HTTP.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// String describes the server without its token or client secret.
func (s *Server) String() string {
	return fmt.Sprintf("bctest.Server{store: %s, url: %s}", s.cfg.storeHash, s.URL())
}

// GoString is String, so that %#v does not print the secrets either.
func (s *Server) GoString() string { return s.String() }

func (s *Server) register() {
	for route, h := range map[string]http.HandlerFunc{
		RouteGetOrder:              s.getOrder,
		RouteListOrders:            s.listOrders,
		RouteListOrderProducts:     s.listOrderProducts,
		RouteListShippingAddresses: s.listShippingAddresses,
		RouteListCustomers:         s.listCustomers,
		RouteCreateHook:            s.createHook,
		RouteListHooks:             s.listHooks,
		RouteGetHook:               s.getHook,
		RouteUpdateHook:            s.updateHook,
		RouteDeleteHook:            s.deleteHook,
	} {
		method, path, _ := strings.Cut(route, " ")
		pattern := method + " " + s.cfg.basePath + "/stores/" + s.cfg.storeHash + path
		s.mux.HandleFunc(pattern, h)
		s.routes[pattern] = route
	}
}

// serveHTTP runs every request through the gateway the real API puts in
// front of its services: call counting, injected faults, authentication and
// the rate limit, in that order.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	route := s.routes[pattern]
	f := s.record(route)
	if f != nil && s.applyFault(w, r, f) {
		return
	}
	if !s.authorized(r) {
		s.writeRateHeaders(w, s.peekLimit())
		writeV3Error(w, http.StatusUnauthorized, unauthorizedTitle, nil)
		return
	}
	state, ok := s.admit()
	s.writeRateHeaders(w, state)
	if !ok {
		w.Header().Set("X-Retry-After", retryAfterSeconds(state.reset))
		writeV3Error(w, http.StatusTooManyRequests, "Too many requests", nil)
		return
	}
	if route == RouteUnknown {
		s.unrouted(w, r, h)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	got := r.Header.Get(headerAuthToken)
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.token())) == 1
}

// unrouted answers a request no route takes (another store, an unknown
// path, a method the path does not allow) with the status the mux picks,
// 404 or 405, in the error shape of the API version the path names.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := httptest.NewRecorder()
	h.ServeHTTP(probe, r)
	status := probe.Code
	if status != http.StatusMethodNotAllowed {
		status = http.StatusNotFound
	}
	if allow := probe.Header().Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	if strings.Contains(r.URL.Path, "/v2/") {
		writeV2Error(w, status, http.StatusText(status))
		return
	}
	writeV3Error(w, status, http.StatusText(status), nil)
}
