package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCreateGetUpdateDelete(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("POST", "/sobjects/Account/"), func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != userAgent {
			t.Errorf("User-Agent = %q", got)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer test-token" {
			t.Errorf("Authorization = %q", got)
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["Name"] != "Acme" {
			t.Errorf("create body = %v, %v", body, err)
		}
		writeJSON(w, 201, `{"id":"001D000000IqhSLIAZ","errors":[],"success":true}`)
	})
	mux.HandleFunc(route("GET", "/sobjects/Account/001D000000IqhSLIAZ"), func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("fields"); got != "Name,Owner.Name" {
			t.Errorf("fields = %q", got)
		}
		writeJSON(w, 200, `{"attributes":{"type":"Account"},"Id":"001D000000IqhSLIAZ","Name":"Acme"}`)
	})
	mux.HandleFunc(route("PATCH", "/sobjects/Account/001D000000IqhSLIAZ"), func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc(route("DELETE", "/sobjects/Account/001D000000IqhSLIAZ"), func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc(route("DELETE", "/sobjects/Account/001D000000IqhSLIAA"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`)
	})
	c := newTestClient(t, mux)
	ctx := context.Background()

	id, err := c.Create(ctx, "Account", map[string]any{"Name": "Acme"})
	if err != nil || id != "001D000000IqhSLIAZ" {
		t.Fatalf("Create = %q, %v", id, err)
	}
	var acct struct{ Name string }
	if err := c.Get(ctx, "Account", id, []string{"Name", "Owner.Name"}, &acct); err != nil || acct.Name != "Acme" {
		t.Fatalf("Get = %+v, %v", acct, err)
	}
	if err := c.Update(ctx, "Account", id, map[string]any{"Name": "Acme Ltd"}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := c.Delete(ctx, "Account", id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	err = c.Delete(ctx, "Account", "001D000000IqhSLIAA")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete missing = %v, want ErrNotFound", err)
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body        string
		wantID      string
		wantCreated bool
		wantErr     error
		wantURLs    int
	}{
		{"created", 201, `{"id":"0018a00001rBqb8AAC","success":true,"errors":[],"created":true}`, "0018a00001rBqb8AAC", true, nil, 0},
		{"updated 200", 200, `{"id":"0018a00001rBqb8AAC","success":true,"errors":[],"created":false}`, "0018a00001rBqb8AAC", false, nil, 0},
		{"updated 204", 204, ``, "", false, nil, 0},
		{"multiple", 300, `["/services/data/v64.0/sobjects/Account/001000000000001AAA","/services/data/v64.0/sobjects/Account/001000000000002AAA"]`, "", false, ErrMultipleMatches, 2},
		{"not found", 404, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`, "", false, ErrNotFound, 0},
		{"duplicate", 400, `[{"message":"duplicate value found","errorCode":"DUPLICATE_VALUE","fields":[]}]`, "", false, ErrDuplicateValue, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux := http.NewServeMux()
			mux.HandleFunc(route("PATCH", "/sobjects/Account/Ext__c/{value}"), func(w http.ResponseWriter, r *http.Request) {
				if v := r.PathValue("value"); v != "a/b c" {
					t.Errorf("external ID = %q, want the unescaped value", v)
				}
				if tt.status == 204 {
					w.WriteHeader(204)
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			c := newTestClient(t, mux)
			res, err := c.Upsert(context.Background(), "Account", "Ext__c", "a/b c", map[string]any{"Name": "Acme"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				var apiErr *APIError
				if !errors.As(err, &apiErr) || len(apiErr.MatchedURLs) != tt.wantURLs {
					t.Fatalf("APIError = %+v", apiErr)
				}
				return
			}
			if err != nil || res.ID != tt.wantID || res.Created != tt.wantCreated {
				t.Fatalf("Upsert = %+v, %v; want id %q created %v", res, err, tt.wantID, tt.wantCreated)
			}
		})
	}
}

func TestSObjectArgumentsValidated(t *testing.T) {
	t.Parallel()
	var calls int
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
	}{
		{"sobject with slash", func() error { _, err := c.Create(ctx, "Account/../x", nil); return err }()},
		{"empty sobject", func() error { _, err := c.Create(ctx, "", nil); return err }()},
		{"short id", c.Delete(ctx, "Account", "001")},
		{"id with slash", c.Update(ctx, "Account", "001D000000IqhS/IAZ", nil)},
		{"bad field", c.Get(ctx, "Account", "001D000000IqhSLIAZ", []string{"Name,Id"}, nil)},
		{"empty external id", func() error { _, err := c.Upsert(ctx, "Account", "Ext__c", "", nil); return err }()},
		{"bad external field", func() error { _, err := c.Upsert(ctx, "Account", "Ext__c/x", "1", nil); return err }()},
		{"external id ..", func() error { _, err := c.Upsert(ctx, "Account", "Ext__c", "..", nil); return err }()},
		{"external id .", func() error { _, err := c.Upsert(ctx, "Account", "Ext__c", ".", nil); return err }()},
		{"id in upsert body", func() error { _, err := c.Upsert(ctx, "Account", "Ext__c", "1", map[string]any{"Id": "x"}); return err }()},
		{"ext field in upsert body", func() error {
			_, err := c.Upsert(ctx, "Account", "Ext__c", "1", map[string]any{"Ext__c": "1"})
			return err
		}()},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if calls != 0 {
		t.Fatalf("server called %d times for invalid arguments", calls)
	}
}

func TestErrorBodyReadThroughLimit(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/limits"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(400)
		_, _ = io.WriteString(w, "<html>"+strings.Repeat("x", 3<<20)+"</html>")
	})
	c := newTestClient(t, mux)
	_, err := c.Limits(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || len(apiErr.Body) > maxSnippet {
		t.Fatalf("err = %v", err)
	}
}
