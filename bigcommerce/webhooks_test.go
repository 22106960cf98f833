package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

const hookSecret = "s3cr3t-header-value"

// hookServer is a small in-memory /v3/hooks for the tests; it records the
// bodies it was sent.
type hookServer struct {
	t      *testing.T
	bodies []string
	wrap   bool
}

func (s *hookServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+storePath+"/v3/hooks", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.bodies = append(s.bodies, string(b))
		var in map[string]any
		if err := json.Unmarshal(b, &in); err != nil {
			s.t.Errorf("body: %v", err)
		}
		in["id"] = 18048287
		in["client_id"] = "m9r6keqmo7h7f23btnpwernbez1kglkl"
		in["store_hash"] = testHash
		in["created_at"] = 1561488106
		in["updated_at"] = 1561488106
		s.write(w, in)
	})
	mux.HandleFunc("GET "+storePath+"/v3/hooks/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "18048287" {
			jsonHandler(http.StatusNotFound, []byte(`{"status":404,"title":"Webhook not found","type":"about:blank"}`))(w, r)
			return
		}
		jsonHandler(http.StatusOK, fixture(s.t, "hook.json"))(w, r)
	})
	mux.HandleFunc("PUT "+storePath+"/v3/hooks/{id}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.bodies = append(s.bodies, string(b))
		var in map[string]any
		json.Unmarshal(b, &in)
		in["id"], _ = strconv.Atoi(r.PathValue("id"))
		in["updated_at"] = "1561490000"
		s.write(w, in)
	})
	mux.HandleFunc("DELETE "+storePath+"/v3/hooks/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "9" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		jsonHandler(http.StatusOK, fixture(s.t, "hook.json"))(w, r)
	})
	mux.HandleFunc("GET "+storePath+"/v3/hooks", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		eq(s.t, "scope", q.Get("scope"), "store/order/*")
		eq(s.t, "is_active", q.Get("is_active"), "true")
		page, _ := strconv.Atoi(q.Get("page"))
		body := fmt.Sprintf(`{"data":[{"id":%d,"scope":"store/order/created","is_active":true,"created_at":1,"headers":null},
			{"id":%d,"scope":"store/order/updated","is_active":true}],
			"meta":{"pagination":{"total":4,"count":2,"per_page":2,"current_page":%d,"total_pages":2}}}`, page*10+1, page*10+2, page)
		jsonHandler(http.StatusOK, []byte(body))(w, r)
	})
	return mux
}

func (s *hookServer) write(w http.ResponseWriter, hook map[string]any) {
	var out any = hook
	if s.wrap {
		out = map[string]any{"data": hook, "meta": map[string]any{}}
	}
	b, _ := json.Marshal(out)
	jsonHandler(http.StatusOK, b)(w, nil)
}

func TestWebhooksCreate(t *testing.T) {
	t.Parallel()
	for _, wrap := range []bool{true, false} {
		t.Run(fmt.Sprintf("wrapped=%v", wrap), func(t *testing.T) {
			t.Parallel()
			srv := &hookServer{t: t, wrap: wrap}
			c := newServerClient(t, srv.handler())
			h, err := c.Webhooks.Create(context.Background(), WebhookCreate{
				Scope: "store/order/created", Destination: "https://sync.example.com/webhooks/bigcommerce",
				Headers: map[string]string{"X-Webhook-Secret": hookSecret},
			})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "body", srv.bodies[0], `{"scope":"store/order/created","destination":"https://sync.example.com/webhooks/bigcommerce","is_active":true,"headers":{"X-Webhook-Secret":"`+hookSecret+`"}}`)
			eq(t, "ID", h.ID, int64(18048287))
			eq(t, "active", h.IsActive, true)
			eq(t, "header", h.Headers["X-Webhook-Secret"], hookSecret)
			eq(t, "created", h.CreatedAt, time.Unix(1561488106, 0).UTC())
			eq(t, "store", h.StoreHash, testHash)
		})
	}
}

func TestWebhooksCreateNeedsScopeAndDestination(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	for _, in := range []WebhookCreate{{Scope: "store/order/created"}, {Destination: "https://x.example"}, {}} {
		if _, err := c.Webhooks.Create(context.Background(), in); err == nil {
			t.Errorf("Create(%v): want an error", in)
		}
	}
	if _, err := c.Webhooks.Update(context.Background(), 5, WebhookUpdate{}); err == nil {
		t.Error("empty update: want an error")
	}
	eq(t, "calls", mt.GetTotalCallCount(), 0)
}

func TestWebhooksGetUpdateDelete(t *testing.T) {
	t.Parallel()
	srv := &hookServer{t: t, wrap: true}
	c := newServerClient(t, srv.handler())
	ctx := context.Background()

	h, err := c.Webhooks.Get(ctx, 18048287)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "client", h.ClientID, "m9r6keqmo7h7f23btnpwernbez1kglkl")
	eq(t, "dest", h.Destination, "https://sync.example.com/webhooks/bigcommerce")

	if _, err := c.Webhooks.Get(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(1): err = %v", err)
	}

	dest := "https://new.example/h"
	calls := []struct {
		name string
		do   func() (*Webhook, error)
		want string
	}{
		{"disable", func() (*Webhook, error) { return c.Webhooks.Disable(ctx, 7) }, `{"is_active":false}`},
		{"enable", func() (*Webhook, error) { return c.Webhooks.Enable(ctx, 7) }, `{"is_active":true}`},
		{"headers", func() (*Webhook, error) { return c.Webhooks.SetHeaders(ctx, 7, map[string]string{"X-A": "b"}) }, `{"headers":{"X-A":"b"}}`},
		{"clear headers", func() (*Webhook, error) { return c.Webhooks.SetHeaders(ctx, 7, nil) }, `{"headers":{}}`},
		{"destination", func() (*Webhook, error) { return c.Webhooks.Update(ctx, 7, WebhookUpdate{Destination: &dest}) }, `{"destination":"https://new.example/h"}`},
	}
	for i, call := range calls {
		h, err := call.do()
		if err != nil {
			t.Fatalf("%s: %v", call.name, err)
		}
		eq(t, call.name+" body", srv.bodies[i], call.want)
		eq(t, call.name+" id", h.ID, int64(7))
		eq(t, call.name+" updated", h.UpdatedAt, time.Unix(1561490000, 0).UTC())
	}

	deleted, err := c.Webhooks.Delete(ctx, 18048287)
	if err != nil || deleted == nil || deleted.ID != 18048287 {
		t.Fatalf("Delete: %v, %v", deleted, err)
	}
	deleted, err = c.Webhooks.Delete(ctx, 9)
	if err != nil || deleted != nil {
		t.Fatalf("Delete with 204: %v, %v", deleted, err)
	}
}

func TestWebhooksList(t *testing.T) {
	t.Parallel()
	srv := &hookServer{t: t}
	c := newServerClient(t, srv.handler())
	active := true
	var ids []int64
	for h, err := range c.Webhooks.List(context.Background(), ListWebhooksOptions{Scope: "store/order/*", IsActive: &active}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.ID)
	}
	eq(t, "ids", fmt.Sprint(ids), "[11 12 21 22]")
}

func TestWebhookSecretsNeverShown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, webhookSecretsNeverShown)
}

func webhookSecretsNeverShown(t *testing.T) {
	var logs syncBuffer
	mux := http.NewServeMux()
	// The API echoes the header value in its complaint.
	mux.HandleFunc("POST "+storePath+"/v3/hooks", func(w http.ResponseWriter, r *http.Request) {
		jsonHandler(http.StatusTooManyRequests, []byte(`{"status":429,"title":"slow down `+hookSecret+`","errors":{"headers.X-Webhook-Secret":"`+hookSecret+` rejected"}}`))(w, r)
	})
	mux.HandleFunc("PUT "+storePath+"/v3/hooks/5", func(w http.ResponseWriter, r *http.Request) {
		jsonHandler(http.StatusUnprocessableEntity, []byte(`[{"status":422,"message":"bad header `+hookSecret+`"}]`))(w, r)
	})
	c := newMemClient(t, mux, WithLogger(debugLogger(&logs)), WithRetry(RetryPolicy{MaxAttempts: 2}))
	headers := map[string]string{"X-Webhook-Secret": hookSecret}
	_, err1 := c.Webhooks.Create(context.Background(), WebhookCreate{Scope: "s", Destination: "https://d.example", Headers: headers})
	_, err2 := c.Webhooks.SetHeaders(context.Background(), 5, headers)
	if err1 == nil || err2 == nil {
		t.Fatalf("want errors, got %v, %v", err1, err2)
	}
	hook := Webhook{ID: 1, Scope: "s", Headers: headers}
	create := WebhookCreate{Scope: "s", Headers: headers}
	update := WebhookUpdate{Headers: headers}
	texts := []string{
		err1.Error(), err2.Error(), fmt.Sprintf("%+v", err1), fmt.Sprintf("%#v", err2), logs.String(),
		fmt.Sprint(hook), fmt.Sprintf("%+v", hook), fmt.Sprintf("%#v", hook), fmt.Sprintf("%v", &hook),
		fmt.Sprint(create), fmt.Sprintf("%#v", create), fmt.Sprint(update), fmt.Sprintf("%#v", update),
	}
	for _, s := range texts {
		if strings.Contains(s, hookSecret) {
			t.Errorf("secret shown in %q", s)
		}
	}
	if !strings.Contains(fmt.Sprint(hook), "X-Webhook-Secret: [redacted]") {
		t.Errorf("header name should stay visible: %s", hook)
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("the 429 should have been retried and logged: %s", logs.String())
	}
}

func TestDecodeHookShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		wantID   int64
		wantErr  bool
	}{
		{"wrapped", `{"data":{"id":3},"meta":{}}`, 3, false},
		{"bare", `{"id":4,"scope":"x"}`, 4, false},
		{"data null", `{"data":null,"id":5}`, 5, false},
		{"id as string", `{"data":{"id":"6","created_at":"1561488106"}}`, 6, false},
		{"array", `[1]`, 0, true},
		{"bad date", `{"data":{"id":1,"created_at":{}}}`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := decodeHook([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil {
				eq(t, "id", h.ID, tt.wantID)
			}
		})
	}
}
