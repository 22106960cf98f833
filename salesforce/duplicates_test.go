package salesforce

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
)

// The duplicate rule header goes with writes only, and into the
// httpHeaders of each writing subrequest.
func TestDuplicateRuleHeaderOnWritesOnly(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{}
	var composite struct {
		CompositeRequest []struct {
			Method      string            `json:"method"`
			HTTPHeaders map[string]string `json:"httpHeaders"`
		} `json:"compositeRequest"`
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Method+" "+r.URL.Path] = r.Header.Get(DuplicateRuleHeader)
		if r.URL.Path == basePath+"/services/data/v64.0/composite" {
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &composite)
		}
		mu.Unlock()
		switch r.Method {
		case http.MethodPatch:
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			writeJSON(w, 200, `{"compositeResponse":[]}`)
		default:
			writeJSON(w, 200, `{}`)
		}
	})
	c := newTestClient(t, h, WithDuplicateRuleAllowSave())
	ctx := context.Background()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(ctx, "Contact", "003000000000001AAA", map[string]string{"LastName": "X"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Composite(ctx, CompositeRequest{Subrequests: []Subrequest{
		{Method: "GET", URL: "sobjects/Contact/003000000000001AAA", ReferenceID: "get"},
		{Method: "PATCH", URL: "sobjects/Contact/003000000000001AAA", ReferenceID: "set", Body: map[string]string{"LastName": "Y"}},
	}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := seen["GET "+basePath+"/services/data/v64.0/limits"]; got != "" {
		t.Errorf("GET sent %q", got)
	}
	if got := seen["PATCH "+basePath+"/services/data/v64.0/sobjects/Contact/003000000000001AAA"]; got != "allowSave=true" {
		t.Errorf("PATCH sent %q", got)
	}
	if len(composite.CompositeRequest) != 2 || composite.CompositeRequest[0].HTTPHeaders != nil ||
		composite.CompositeRequest[1].HTTPHeaders[DuplicateRuleHeader] != "allowSave=true" {
		t.Errorf("subrequests %+v", composite.CompositeRequest)
	}
}
