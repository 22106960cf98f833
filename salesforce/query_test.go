package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

// pagedQueryServer serves 3 pages of 2 records, linked by nextRecordsUrl
// paths that (like Salesforce's) omit the base path.
func pagedQueryServer(t *testing.T, calls *atomic.Int32, next string) *http.ServeMux {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, n int, nextURL string) {
		calls.Add(1)
		done := nextURL == ""
		body := fmt.Sprintf(`{"totalSize":6,"done":%v,"nextRecordsUrl":%q,"records":[{"attributes":{"type":"Account"},"Id":"a%d","Name":"n%d"},{"Id":"a%d","Name":"n%d"}]}`,
			done, nextURL, 2*n, 2*n, 2*n+1, 2*n+1)
		writeJSON(w, 200, body)
	}
	mux.HandleFunc(route("GET", "/query"), func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("q"); q != "SELECT Id, Name FROM Account WHERE Name = 'O\\'Brien'" {
			t.Errorf("q = %q", q)
		}
		page(w, 0, next)
	})
	mux.HandleFunc(route("GET", "/query/01gXX-2"), func(w http.ResponseWriter, r *http.Request) { page(w, 1, "/services/data/v64.0/query/01gXX-4") })
	mux.HandleFunc(route("GET", "/query/01gXX-4"), func(w http.ResponseWriter, r *http.Request) { page(w, 2, "") })
	return mux
}

func TestQueryPages(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c := newTestClient(t, pagedQueryServer(t, &calls, "/services/data/v64.0/query/01gXX-2"))
	soql := "SELECT Id, Name FROM Account WHERE Name = " + QuoteString("O'Brien")
	var ids []string
	for rec, err := range c.Query(context.Background(), soql) {
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ ID string }
		if err := json.Unmarshal(rec, &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if fmt.Sprint(ids) != "[a0 a1 a2 a3 a4 a5]" || calls.Load() != 3 {
		t.Fatalf("ids = %v after %d calls", ids, calls.Load())
	}

	// QueryAs decodes; breaking early stops paging.
	calls.Store(0)
	n := 0
	for acct, err := range QueryAs[struct{ ID, Name string }](context.Background(), c, soql) {
		if err != nil || acct.Name != "n0" {
			t.Fatalf("first = %+v, %v", acct, err)
		}
		n++
		break
	}
	if n != 1 || calls.Load() != 1 {
		t.Fatalf("early break: %d records, %d calls", n, calls.Load())
	}
}

func TestQueryRefusesForeignNextURL(t *testing.T) {
	t.Parallel()
	for _, next := range []string{"https://evil.example/services/data/v64.0/query/x", "/other/path", "/services/data/../../x"} {
		var calls atomic.Int32
		c := newTestClient(t, pagedQueryServer(t, &calls, next))
		var gotErr error
		n := 0
		for _, err := range c.Query(context.Background(), "SELECT Id, Name FROM Account WHERE Name = 'O\\'Brien'") {
			if err != nil {
				gotErr = err
				break
			}
			n++
		}
		if gotErr == nil || n != 2 || calls.Load() != 1 {
			t.Errorf("next %q: err %v after %d records and %d calls", next, gotErr, n, calls.Load())
		}
	}
}

func TestQueryEmpty(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, http.NewServeMux())
	for _, err := range c.Query(context.Background(), "  ") {
		if err == nil {
			t.Fatal("empty query accepted")
		}
	}
}
