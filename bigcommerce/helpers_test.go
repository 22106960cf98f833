package bigcommerce

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

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

// fakeClock records sleeps and advances its time by them, so waits are
// observed without being spent.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	// onSleep, when set, runs before a sleep is recorded.
	onSleep func()
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.onSleep != nil {
		c.onSleep()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// newServerClient starts an httptest server that serves h under basePath and
// returns a client pointed at it.
func newServerClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithBaseURL(srv.URL + basePath), WithHTTPClient(srv.Client()), WithClock(newFakeClock())}, opts...)
	c, err := NewClient(testHash, testToken, opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// newMockClient returns a client on an httpmock transport (no global state)
// and a fake clock.
func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *fakeClock) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	clk := newFakeClock()
	opts = append([]Option{WithBaseURL(mockBase), WithHTTPClient(&http.Client{Transport: mt}), WithClock(clk)}, opts...)
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
