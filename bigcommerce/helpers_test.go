package bigcommerce

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
	"github.com/jarcoal/httpmock"
	"github.com/shopspring/decimal"
)

const (
	testHash  = "abc123"
	testToken = "tok-9f8e7d6c5b4a39281706"
	// basePath is the path prefix every test server sits under, so a client
	// that drops or doubles it fails.
	basePath = "/proxy"
	// storePath is what the client must put in front of /v2 and /v3.
	storePath = basePath + "/stores/" + testHash
	mockBase  = "https://api.example.test" + basePath
	mockStore = mockBase + "/stores/" + testHash
)

// callTimes records when each request reaches the wrapped transport. Inside
// a testing/synctest bubble no time passes except while the client waits, so
// the gaps between requests are exactly the client's waits.
type callTimes struct {
	rt http.RoundTripper
	mu sync.Mutex
	at []time.Time
}

func (c *callTimes) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.at = append(c.at, time.Now())
	c.mu.Unlock()
	return c.rt.RoundTrip(req)
}

// Waits returns the time between consecutive requests.
func (c *callTimes) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(c.at); i++ {
		out = append(out, c.at[i].Sub(c.at[i-1]))
	}
	return out
}

// newServerClient starts an httptest server that serves h under basePath and
// returns a client pointed at it.
func newServerClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithBaseURL(srv.URL + basePath), WithHTTPClient(srv.Client())}, opts...)
	c, err := NewClient(testHash, testToken, opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// newMemClient returns a client that reaches h in memory, under basePath,
// without a socket: a test whose client waits runs it in a testing/synctest
// bubble, where loopback I/O would keep the clock from advancing.
func newMemClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithBaseURL(mockBase), WithHTTPClient(&http.Client{Transport: fakehttp.Transport(h)})}, opts...)
	c, err := NewClient(testHash, testToken, opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// newMockClient returns a client on an httpmock transport (no global state)
// and the record of when its requests were sent. A test whose client waits
// runs in a testing/synctest bubble, where the waits take no real time.
func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *callTimes) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	clk := &callTimes{rt: mt}
	opts = append([]Option{WithBaseURL(mockBase), WithHTTPClient(&http.Client{Transport: clk})}, opts...)
	c, err := NewClient(testHash, testToken, opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, mt, clk
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonHandler answers with status and body as JSON.
func jsonHandler(status int, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger used from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func callCount(mt *httpmock.MockTransport, key string) int {
	return mt.GetCallCountInfo()[key]
}

// rateHeaders builds the rate-limit headers of a response.
func rateHeaders(left, resetMs int) http.Header {
	h := http.Header{}
	h.Set("X-Rate-Limit-Time-Window-Ms", "30000")
	h.Set("X-Rate-Limit-Time-Reset-Ms", itoa(resetMs))
	h.Set("X-Rate-Limit-Requests-Quota", "150")
	h.Set("X-Rate-Limit-Requests-Left", itoa(left))
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
