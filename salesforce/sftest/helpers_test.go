package sftest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const testVersion = "v64.0"

// client is a minimal REST caller for tests: it fetches a token with the
// client credentials grant and sends JSON.
type client struct {
	t     testing.TB
	srv   *Server
	hc    *http.Client
	base  string // the org's URL as this client reaches it
	token string
	extra map[string]string // headers for the next call; not for concurrent use
}

func newClient(t testing.TB, srv *Server) *client {
	t.Helper()
	c := &client{t: t, srv: srv, hc: srv.Client(), base: srv.URL()}
	c.token = c.fetchToken()
	return c
}

// newServer builds a fake org and closes it when the test ends.
func newServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv, err := NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// newOrg builds a fake org and a client that reaches it over loopback.
func newOrg(t testing.TB, opts ...Option) (*Server, *client) {
	t.Helper()
	srv := newServer(t, opts...)
	return srv, newClient(t, srv)
}

// newMemOrg is newOrg in memory, without a socket, for tests in a
// testing/synctest bubble.
func newMemOrg(t testing.TB, opts ...Option) (*Server, *client) {
	t.Helper()
	srv := newServer(t, opts...)
	c := &client{t: t, srv: srv, hc: &http.Client{Transport: srv.Transport()}, base: "https://org.example"}
	c.token = c.fetchToken()
	return srv, c
}

func (c *client) fetchToken() string {
	t := c.t
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	resp, err := c.hc.PostForm(c.base+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: status %d, err %v", resp.StatusCode, err)
	}
	return tok["access_token"].(string)
}

type result struct {
	status int
	header http.Header
	raw    []byte
}

func (r result) json(t testing.TB) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", r.raw, err)
	}
	return v
}

func (r result) object(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("not an object: %s", r.raw)
	}
	return m
}

// errorCode returns the errorCode of a REST error array.
func (r result) errorCode(t testing.TB) string {
	t.Helper()
	arr, ok := r.json(t).([]any)
	if !ok || len(arr) == 0 {
		t.Fatalf("not an error array: %s", r.raw)
	}
	return arr[0].(map[string]any)["errorCode"].(string)
}

// doHeader is do for a bodyless call with a Sforce-Query-Options header.
func (c *client) doHeader(method, path, queryOptions string) result {
	c.t.Helper()
	c.extra = map[string]string{"Sforce-Query-Options": queryOptions}
	defer func() { c.extra = nil }()
	return c.do(method, path, nil)
}

// do sends method to path (relative to /services/data/v64.0/ unless it starts
// with /) with body marshalled as JSON (a string is sent as is).
func (c *client) do(method, path string, body any) result {
	c.t.Helper()
	if !strings.HasPrefix(path, "/") {
		path = "/services/data/" + testVersion + "/" + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for k, v := range c.extra {
		req.Header.Set(k, v)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, raw: raw}
}

func (c *client) mustStatus(r result, want int) result {
	c.t.Helper()
	if r.status != want {
		c.t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	return r
}

// seedPricing creates a product with a standard price and returns the
// PricebookEntry id.
func seedPricing(t testing.TB, c *client) string {
	t.Helper()
	prod := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "Widget"}), 201).object(t)["id"]
	pbe := c.mustStatus(c.do("POST", "sobjects/PricebookEntry", map[string]any{
		"Pricebook2Id": c.srv.StandardPricebookID(), "Product2Id": prod, "UnitPrice": json.Number("9.99"), "IsActive": true,
	}), 201).object(t)["id"]
	return pbe.(string)
}
