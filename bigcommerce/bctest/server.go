package bctest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
)

// The routes the fake serves, named as Calls and Fault.Route expect them:
// the method and the path below /stores/{store_hash}/.
const (
	RouteGetOrder              = "GET /v2/orders/{id}"
	RouteListOrders            = "GET /v2/orders"
	RouteListOrderProducts     = "GET /v2/orders/{id}/products"
	RouteListShippingAddresses = "GET /v2/orders/{id}/shipping_addresses"
	RouteListCustomers         = "GET /v3/customers"
	RouteGetProduct            = "GET /v3/catalog/products/{id}"
	RouteListProducts          = "GET /v3/catalog/products"
	RouteCreateHook            = "POST /v3/hooks"
	RouteListHooks             = "GET /v3/hooks"
	RouteGetHook               = "GET /v3/hooks/{id}"
	RouteUpdateHook            = "PUT /v3/hooks/{id}"
	RouteDeleteHook            = "DELETE /v3/hooks/{id}"
	RouteUnknown               = "" // any request that matches no route
)

// routes lists the named routes in the order Routes returns them.
var routes = []string{
	RouteGetOrder, RouteListOrders, RouteListOrderProducts, RouteListShippingAddresses,
	RouteListCustomers, RouteGetProduct, RouteListProducts,
	RouteCreateHook, RouteListHooks, RouteGetHook, RouteUpdateHook, RouteDeleteHook,
}

var knownRoutes = func() map[string]bool {
	m := make(map[string]bool, len(routes))
	for _, r := range routes {
		m[r] = true
	}
	return m
}()

// Routes returns the names of the routes the fake serves, the values Calls
// and Fault.Route take (RouteUnknown aside), in the order of the Route*
// constants.
func Routes() []string { return append([]string(nil), routes...) }

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
	l      *fakehttp.Listener
	mux    *http.ServeMux
	routes map[string]string // mux pattern -> Route* name

	mu        sync.Mutex // guards the data below
	orders    map[int64]*Order
	customers map[int64]*Customer
	products  map[int64]*Product
	hooks     map[int64]*Hook
	nextID    struct {
		order, item, address, customer, hook int64
		product, variant, customerAddress    int64
	}

	ctl     sync.Mutex // guards the controls below
	calls   map[string]int
	total   int
	faulted int
	limit   window
	faults  *fakehttp.Schedule[Fault]
	history []*DeliveryResult
}

// NewServer builds a fake store; call Close when done. It opens no socket:
// the first call to URL, StoreURL or Client opens a loopback port, while
// Transport and ServeHTTP serve the store in memory. It fails only on an
// invalid option, with an error wrapping ErrInvalid.
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
		products:  make(map[int64]*Product),
		hooks:     make(map[int64]*Hook),
		calls:     make(map[string]int),
		faults:    fakehttp.NewSchedule[Fault](cfg.seed),
	}
	s.nextID.order, s.nextID.item, s.nextID.address = 100, 1, 1
	s.nextID.customer, s.nextID.hook = 1, 1000
	s.nextID.product, s.nextID.variant, s.nextID.customerAddress = 1, 1, 1
	s.register()
	s.l = fakehttp.NewListener(s)
	return s, nil
}

// Close closes the loopback port, if it was opened, and waits for requests
// in flight.
func (s *Server) Close() { s.l.Close() }

// URL returns the API base to configure a client with, in place of
// https://api.bigcommerce.com: the loopback address plus the base path,
// without a trailing slash. The first call opens the port. The store's
// routes live under URL()+"/stores/"+StoreHash()+"/".
func (s *Server) URL() string { return s.l.URL() + s.cfg.basePath }

// StoreURL returns URL()+"/stores/"+StoreHash(), the root of the v2 and v3
// routes, without a trailing slash.
func (s *Server) StoreURL() string { return s.URL() + "/stores/" + s.cfg.storeHash }

// StoreHash returns the store hash the routes answer to.
func (s *Server) StoreHash() string { return s.cfg.storeHash }

// Token returns the access token the server accepts in X-Auth-Token.
func (s *Server) Token() string { return s.cfg.token() }

// Client returns an HTTP client for URL(), opening the port on the first
// call; any client works, since the fake speaks plain HTTP.
func (s *Server) Client() *http.Client { return s.l.Client() }

// Transport returns an http.RoundTripper that hands every request to the
// store in memory, whatever its host, without opening a socket: use it
// inside a testing/synctest bubble, where a loopback socket would keep the
// bubble's clock from advancing. Any base URL works, with the base path,
// e.g. bigcommerce.WithBaseURL("https://api.bigcommerce.com") with
// bigcommerce.WithHTTPClient(&http.Client{Transport: store.Transport()}).
func (s *Server) Transport() http.RoundTripper { return fakehttp.Transport(s) }

// String describes the server without its token or client secret.
func (s *Server) String() string {
	if !s.l.Started() {
		return fmt.Sprintf("bctest.Server{store: %s, in memory}", s.cfg.storeHash)
	}
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
		RouteGetProduct:            s.getProduct,
		RouteListProducts:          s.listProducts,
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

// ServeHTTP runs every request through the gateway the real API puts in
// front of its services (call counting, injected faults, authentication and
// the rate limit, in that order) and then the route, so a Server is also an
// http.Handler. Links in the answers name the scheme and host the request
// came to.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
