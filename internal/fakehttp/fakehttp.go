package fakehttp

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// Listener serves a handler on a loopback port that is opened by the first
// call to URL or Client, not before. Its methods are safe for concurrent use.
type Listener struct {
	h      http.Handler
	mu     sync.Mutex
	ts     *httptest.Server
	closed bool
}

// NewListener returns a Listener for h without opening a socket.
func NewListener(h http.Handler) *Listener { return &Listener{h: h} }

// start opens the socket once; after Close it opens nothing and returns nil.
func (l *Listener) start() *httptest.Server {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ts == nil && !l.closed {
		l.ts = httptest.NewServer(l.h)
	}
	return l.ts
}

// URL returns the base URL of the listener, such as http://127.0.0.1:41234,
// opening the socket on the first call. After Close it returns the address
// the listener had, or "" when it never opened.
func (l *Listener) URL() string {
	if ts := l.start(); ts != nil {
		return ts.URL
	}
	return ""
}

// Client returns an HTTP client for the listener, opening the socket on the
// first call. After Close it returns a client whose requests fail.
func (l *Listener) Client() *http.Client {
	if ts := l.start(); ts != nil {
		return ts.Client()
	}
	return &http.Client{Transport: closedTransport{}}
}

// Started reports whether the socket was opened.
func (l *Listener) Started() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ts != nil
}

// Close closes the socket, if it was opened, and blocks until the requests
// in flight finish. Later calls do nothing.
func (l *Listener) Close() {
	l.mu.Lock()
	ts := l.ts
	l.closed = true
	l.mu.Unlock()
	if ts != nil {
		ts.Close()
	}
}

type closedTransport struct{}

func (closedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, http.ErrServerClosed
}

// Transport returns an http.RoundTripper that hands every request to h in
// memory, whatever its host, and returns h's answer. The request reaches h
// as a server would pass it on: with Host, RequestURI and RemoteAddr set.
// When the request's context ends while h runs, RoundTrip returns the
// context's error, as a client giving up on a slow server sees it.
func Transport(h http.Handler) http.RoundTripper { return memTransport{h} }

type memTransport struct{ h http.Handler }

func (t memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	in := req.Clone(ctx)
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "192.0.2.1:1234" // TEST-NET-1: no real peer
	in.Proto, in.ProtoMajor, in.ProtoMinor = "HTTP/1.1", 1, 1
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	in.Body.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
