package deadletter_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// testToken is the console token of the tests; secretish lets the leak
// tests find it anywhere.
const testToken = "tok-SECRETISH-0123456789abcdef"

// logBuf is a concurrency-safe log sink.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is a console over a memory queue, mounted at /deadletters/ on an
// httptest server, or in memory (newBubbleEnv).
type env struct {
	q       *idempotency.MemoryQueue
	console *deadletter.Console
	base    string
	rt      http.RoundTripper
	logs    *logBuf
}

func newEnv(t *testing.T, opts ...deadletter.Option) *env {
	t.Helper()
	q := idempotency.NewMemoryQueue()
	t.Cleanup(func() { q.Close() })
	return newEnvOn(t, q, q, opts...)
}

func newEnvOn(t *testing.T, q *idempotency.MemoryQueue, insp idempotency.Inspector, opts ...deadletter.Option) *env {
	t.Helper()
	e := newConsoleEnv(t, q, insp, opts...)
	srv := httptest.NewServer(e.mux())
	t.Cleanup(srv.Close)
	e.base, e.rt = srv.URL, http.DefaultTransport
	return e
}

// newBubbleEnv serves the console without a network, so that a test can
// run it in a testing/synctest bubble, where time only moves when every
// goroutine waits.
func newBubbleEnv(t *testing.T, q *idempotency.MemoryQueue, opts ...deadletter.Option) *env {
	t.Helper()
	e := newConsoleEnv(t, q, q, opts...)
	e.base, e.rt = "http://console.test", handlerTransport{e.mux()}
	return e
}

func newConsoleEnv(t *testing.T, q *idempotency.MemoryQueue, insp idempotency.Inspector, opts ...deadletter.Option) *env {
	t.Helper()
	logs := &logBuf{}
	all := append([]deadletter.Option{deadletter.WithToken("ops", testToken),
		deadletter.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}, opts...)
	c, err := deadletter.NewConsole(insp, all...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{q: q, console: c, logs: logs}
}

func (e *env) mux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/deadletters/", http.StripPrefix("/deadletters", e.console))
	return mux
}

func (e *env) url(path string) string { return e.base + "/deadletters/" + path }

// handlerTransport answers requests with a handler, in the caller's
// goroutine.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.RequestURI, r.RemoteAddr = req.URL.RequestURI(), "192.0.2.1:4321"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

var keySeq atomic.Int64

// deadLetter puts a task for orderID on q and dead-letters it with reason.
// q must have no other ready message.
func deadLetter(t testing.TB, q idempotency.Queue, orderID int64, reason string) string {
	t.Helper()
	body, err := pipeline.EncodeTask(pipeline.Task{OrderID: orderID, Source: pipeline.SourceWebhook,
		Scope: "store/order/updated", ReceivedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return deadLetterBody(t, q, fmt.Sprintf("order:%d:%d", orderID, keySeq.Add(1)), body, reason)
}

func deadLetterBody(t testing.TB, q idempotency.Queue, key string, body []byte, reason string) string {
	t.Helper()
	ctx := context.Background()
	res, err := q.Enqueue(ctx, idempotency.Message{Key: key, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	d, err := q.Dequeue(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != res.ID {
		t.Fatalf("dequeued %s, want %s", d.ID, res.ID)
	}
	if err := q.DeadLetter(ctx, d, reason); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each 303.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, e: e, c: &http.Client{Jar: jar, Transport: e.rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// answer is a response with its body read.
type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.url(path), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form, as a same-origin browser would.
func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// postJSON sends a JSON body with the session's CSRF header.
func (b *browser) postJSON(path, body string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.url(path), strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf)
	return b.do(req)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// login posts the login form and reads the CSRF token from the page.
func (b *browser) login(operator string) {
	b.t.Helper()
	a := b.post("login", url.Values{"operator": {operator}, "token": {testToken}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "./" {
		b.t.Fatalf("login: %d %s, want 303 to ./", a.status, a.header.Get("Location"))
	}
	page := b.get("")
	m := csrfMeta.FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		b.t.Fatalf("after login: %d, no CSRF token in the page", page.status)
	}
	b.csrf = m[1]
}

// bearer sends a request with the test token in the Authorization header.
func bearer(t *testing.T, e *env, method, path, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, e.url(path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	b := &browser{t: t, e: e, c: &http.Client{Transport: e.rt, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	return b.do(req)
}

// deadIDs lists the queue's dead letters' IDs.
func deadIDs(t testing.TB, q idempotency.Inspector) []string {
	t.Helper()
	dls, err := q.DeadLetters(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(dls))
	for i, d := range dls {
		ids[i] = d.ID
	}
	return ids
}

func readyCount(t testing.TB, q idempotency.Inspector) int {
	t.Helper()
	st, err := q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Ready
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
