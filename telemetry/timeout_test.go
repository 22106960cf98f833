package telemetry_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// HTTPClient keeps a client's Timeout, enforced in its transport instead of
// by net/http, and a request that runs out of time fails as it would on the
// plain client: a net.Error whose Timeout is true, errors.Is
// context.DeadlineExceeded, and "Client.Timeout" in the message, which the
// clients' retry policies and a caller's logs go by. A caller's own context
// ending is not reported as the client's timeout.
func TestHTTPClientKeepsTheTimeout(t *testing.T) {
	t.Parallel()
	_, _, tel := tracedTelemetry(t)

	// hang holds a request until the client goes or 10 s pass; without a
	// timeout the request then succeeds, which fails the test.
	hang := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		hang(r)
	}))
	t.Cleanup(srv.Close)

	// The caller's own deadline or cancel comes at 100 ms, well before the
	// client's timeout, even on a loaded machine.
	const timeout, callerEnds = 500 * time.Millisecond, 100 * time.Millisecond
	plain := &http.Client{Timeout: timeout}
	traced := tel.HTTPClient(plain)
	if plain.Timeout != timeout {
		t.Fatalf("HTTPClient changed the caller's client: Timeout %v", plain.Timeout)
	}
	if traced.Timeout != 0 {
		t.Errorf("HTTPClient's copy has Timeout %v: net/http would start a timer goroutine per request", traced.Timeout)
	}

	// get runs one request and reads its body to the end.
	get := func(hc *http.Client, ctx context.Context, path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	type shape struct {
		timeout, deadline, canceled, clientTimeout bool
	}
	shapeOf := func(err error) shape {
		var ne net.Error
		return shape{
			timeout:       errors.As(err, &ne) && ne.Timeout(),
			deadline:      errors.Is(err, context.DeadlineExceeded),
			canceled:      errors.Is(err, context.Canceled),
			clientTimeout: strings.Contains(err.Error(), "Client.Timeout"),
		}
	}
	tests := []struct {
		name string
		path string
		ctx  func() (context.Context, context.CancelFunc)
		want shape
	}{
		{"headers late", "/", noCtx, shape{timeout: true, deadline: true, clientTimeout: true}},
		{"body late", "/body", noCtx, shape{timeout: true, deadline: true, clientTimeout: true}},
		{"caller's deadline first", "/", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), callerEnds)
		}, shape{timeout: true, deadline: true}},
		{"caller cancels", "/", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(callerEnds, cancel)
			return ctx, cancel
		}, shape{canceled: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				name string
				hc   *http.Client
			}{{"plain", plain}, {"HTTPClient", traced}} {
				ctx, cancel := tt.ctx()
				err := get(c.hc, ctx, tt.path)
				cancel()
				if err == nil {
					t.Errorf("%s client: no error from a request held past its timeout", c.name)
					continue
				}
				if got := shapeOf(err); got != tt.want {
					t.Errorf("%s client: error %q is %+v, want %+v", c.name, err, got, tt.want)
				}
			}
		})
	}
}

// A request answered in time reads its body to the end, and closes it, as
// on the plain client, also when the reading ends after the timeout.
func TestHTTPClientTimeoutAndAnAnsweredRequest(t *testing.T) {
	t.Parallel()
	_, _, tel := tracedTelemetry(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "whole")
	}))
	t.Cleanup(srv.Close)
	// Wide enough that a loaded CI machine answers a loopback request in time.
	const timeout = time.Second
	plain := &http.Client{Timeout: timeout}
	for _, c := range []struct {
		name string
		hc   *http.Client
	}{{"plain", plain}, {"HTTPClient", tel.HTTPClient(plain)}} {
		for _, late := range []bool{false, true} {
			resp, err := c.hc.Get(srv.URL)
			if err != nil {
				t.Fatalf("%s client: %v", c.name, err)
			}
			if late {
				time.Sleep(2 * timeout)
			}
			// The body arrived whole with the headers: net/http's client
			// reads it after the timeout too.
			body, err := io.ReadAll(resp.Body)
			if string(body) != "whole" || err != nil {
				t.Errorf("%s client, read late %v: %q, %v; want the whole body", c.name, late, body, err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Errorf("%s client: Close: %v", c.name, err)
			}
		}
	}
}

func noCtx() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }
