package sftest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A request URI past 16,384 bytes gets 414, and a URI that passes the limit
// only with its headers gets 431, as from Salesforce; just below, the query
// runs.
func TestURILimits(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	get := func(q string, header string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/services/data/"+testVersion+"/query?q="+url.QueryEscape(q), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		if header != "" {
			req.Header.Set("X-Padding", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	uri := func(q string) int {
		return len("/services/data/" + testVersion + "/query?q=" + url.QueryEscape(q))
	}
	base := "SELECT Id FROM Account WHERE Name IN ('"
	pad := func(total int) string { // a query whose request URI is total bytes long
		q := base + strings.Repeat("a", total-uri(base+"')")) + "')"
		if uri(q) != total {
			t.Fatalf("URI of %d bytes, want %d", uri(q), total)
		}
		return q
	}
	if got := get(pad(maxURIBytes-2000), ""); got != http.StatusOK {
		t.Errorf("URI of %d bytes: status %d, want 200", maxURIBytes-2000, got)
	}
	if got := get(pad(maxURIBytes+1), ""); got != http.StatusRequestURITooLong {
		t.Errorf("URI of %d bytes: status %d, want 414", maxURIBytes+1, got)
	}
	if got := get(pad(maxURIBytes-2000), strings.Repeat("h", 3000)); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("URI and headers past the limit: status %d, want 431", got)
	}
}
