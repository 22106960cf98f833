package bctest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// t0 is a fixed instant the tests seed dates from.
var t0 = time.Date(2026, 3, 5, 21, 40, 11, 0, time.UTC)

// bubbleStart is the time a testing/synctest bubble starts at.
var bubbleStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// basePath is the prefix every test server mounts its routes under, so URL
// joining is exercised on every call.
const basePath = "/api"

// newServer builds a fake under basePath and closes it when the test ends.
func newServer(t *testing.T, opts ...bctest.Option) *bctest.Server {
	t.Helper()
	s, err := bctest.NewServer(append([]bctest.Option{bctest.WithBasePath(basePath)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request with the server's token over its loopback port;
// path is relative to the store root ("/v2/orders/1").
func call(t *testing.T, s *bctest.Server, method, path string, body any) reply {
	t.Helper()
	return callWithToken(t, s, s.Token(), method, path, body)
}

func callWithToken(t *testing.T, s *bctest.Server, token, method, path string, body any) reply {
	t.Helper()
	return send(t, s.Client(), s.StoreURL(), token, method, path, body)
}

// memCall is call in memory, without a socket, for tests in a
// testing/synctest bubble.
func memCall(t *testing.T, s *bctest.Server, token, method, path string, body any) reply {
	t.Helper()
	return send(t, &http.Client{Transport: s.Transport()}, "http://store.example"+basePath+"/stores/"+s.StoreHash(),
		token, method, path, body)
}

func send(t *testing.T, c *http.Client, root, token, method, path string, body any) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, root+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// decode unmarshals a reply body, failing the test on bad JSON.
func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// v2Err and v3Err are the two error shapes, decoded independently of the
// fake's own types.
type v2Err []struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

type v3Err struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors"`
}

func wantV2Error(t *testing.T, r reply, status int) v2Err {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	e := decode[v2Err](t, r)
	if len(e) != 1 || e[0].Status != status || e[0].Message == "" {
		t.Fatalf("v2 error body = %s", r.body)
	}
	return e
}

func wantV3Error(t *testing.T, r reply, status int) v3Err {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	e := decode[v3Err](t, r)
	if e.Status != status || e.Title == "" || e.Type == "" {
		t.Fatalf("v3 error body = %s", r.body)
	}
	return e
}

func mustAddOrder(t *testing.T, s *bctest.Server, o bctest.Order) bctest.Order {
	t.Helper()
	got, err := s.AddOrder(o)
	if err != nil {
		t.Fatalf("AddOrder: %v", err)
	}
	return got
}
