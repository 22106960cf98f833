package bctest_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

type hookJSON struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

type hookOne struct {
	Data hookJSON       `json:"data"`
	Meta map[string]any `json:"meta"`
}

type hookMany struct {
	Data []hookJSON `json:"data"`
	Meta struct {
		Pagination struct {
			Total int `json:"total"`
			Count int `json:"count"`
		} `json:"pagination"`
	} `json:"meta"`
}

func TestCreateHook(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientID("my-client"))
	body := map[string]any{
		"scope": "store/order/created", "destination": "https://example.com/hook",
		"headers": map[string]string{"X-Webhook-Secret": "s3cret"},
	}
	r := call(t, s, http.MethodPost, "/v3/hooks", body)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d: %s", r.status, r.body)
	}
	got := decode[hookOne](t, r)
	h := got.Data
	if h.ID != 1000 || h.ClientID != "my-client" || h.StoreHash != s.StoreHash() || !h.IsActive ||
		h.Headers["X-Webhook-Secret"] != "s3cret" || h.CreatedAt == 0 || h.UpdatedAt != h.CreatedAt || got.Meta == nil {
		t.Errorf("created = %+v", got)
	}
	if stored := s.Hooks(); len(stored) != 1 || stored[0].Destination != "https://example.com/hook" {
		t.Errorf("Hooks() = %+v", stored)
	}
	// The same scope and destination may be registered once only.
	e := wantV3Error(t, call(t, s, http.MethodPost, "/v3/hooks", body), http.StatusUnprocessableEntity)
	if len(e.Errors) == 0 {
		t.Errorf("duplicate: errors = %v", e.Errors)
	}
	body["destination"] = "https://example.com/other"
	body["is_active"] = false
	second := decode[hookOne](t, call(t, s, http.MethodPost, "/v3/hooks", body))
	if second.Data.ID != 1001 || second.Data.IsActive {
		t.Errorf("second = %+v", second.Data)
	}
}

func TestCreateHookRejectsBadInput(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no scope", map[string]any{"destination": "https://e.com/h"}, http.StatusUnprocessableEntity, "scope"},
		{"no destination", map[string]any{"scope": "store/order/created"}, http.StatusUnprocessableEntity, "destination"},
		{"empty scope", map[string]any{"scope": "", "destination": "https://e.com/h"}, http.StatusUnprocessableEntity, "scope"},
		{"relative destination", map[string]any{"scope": "store/order/created", "destination": "/h"}, http.StatusUnprocessableEntity, "destination"},
		{"not json", "{scope:", http.StatusBadRequest, ""},
		{"headers not a map", `{"scope":"s","destination":"https://e.com","headers":[1]}`, http.StatusBadRequest, ""},
		{"array body", `[]`, http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := wantV3Error(t, call(t, s, http.MethodPost, "/v3/hooks", tc.body), tc.status)
			if tc.field != "" && e.Errors[tc.field] != "error.path.missing." && e.Errors[tc.field] != "error.url.invalid." {
				t.Errorf("errors = %v, want one for %s", e.Errors, tc.field)
			}
		})
	}
	if n := len(s.Hooks()); n != 0 {
		t.Errorf("%d hooks stored", n)
	}
}

func TestHookLimitPerScope(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for i := range 10 {
		if _, err := s.AddHook(bctest.Hook{Scope: "store/order/*", Destination: fmt.Sprintf("https://e.com/%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddHook(bctest.Hook{Scope: "store/order/*", Destination: "https://e.com/x"}); !errors.Is(err, bctest.ErrConflict) {
		t.Errorf("11th hook err = %v", err)
	}
	if _, err := s.AddHook(bctest.Hook{Scope: "store/order/created", Destination: "https://e.com/x"}); err != nil {
		t.Errorf("other scope: %v", err)
	}
	if _, err := s.AddHook(bctest.Hook{Scope: "store/order/created"}); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("no destination err = %v", err)
	}
}

func TestListHooks(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, h := range []bctest.Hook{
		{Scope: "store/order/created", Destination: "https://a.com/h", IsActive: true},
		{Scope: "store/order/updated", Destination: "https://a.com/h", IsActive: false},
		{Scope: "store/order/created", Destination: "https://b.com/h", IsActive: true},
	} {
		if _, err := s.AddHook(h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{1000, 1001, 1002}},
		{"?is_active=true", []int64{1000, 1002}},
		{"?is_active=false", []int64{1001}},
		{"?scope=store/order/created", []int64{1000, 1002}},
		{"?destination=https://a.com/h", []int64{1000, 1001}},
		{"?limit=2&page=2", []int64{1002}},
		{"?scope=store/cart/created", nil},
	}
	for _, tc := range tests {
		got := decode[hookMany](t, call(t, s, http.MethodGet, "/v3/hooks"+tc.query, nil))
		var ids []int64
		for _, h := range got.Data {
			ids = append(ids, h.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) || got.Data == nil {
			t.Errorf("%s: ids = %v, want %v", tc.query, ids, tc.want)
		}
	}
	if p := decode[hookMany](t, call(t, s, http.MethodGet, "/v3/hooks?limit=2", nil)).Meta.Pagination; p.Total != 3 || p.Count != 2 {
		t.Errorf("pagination = %+v", p)
	}
	wantV3Error(t, call(t, s, http.MethodGet, "/v3/hooks?is_active=maybe", nil), http.StatusUnprocessableEntity)
}

func TestGetUpdateDeleteHook(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	h, err := s.AddHook(bctest.Hook{Scope: "store/order/created", Destination: "https://a.com/h", IsActive: true,
		Headers: map[string]string{"X-Secret": "one"}})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s.AddHook(bctest.Hook{Scope: "store/order/updated", Destination: "https://a.com/h", IsActive: true})
	path := fmt.Sprintf("/v3/hooks/%d", h.ID)

	if got := decode[hookOne](t, call(t, s, http.MethodGet, path, nil)).Data; got.ID != h.ID || got.Headers["X-Secret"] != "one" {
		t.Errorf("get = %+v", got)
	}
	got := decode[hookOne](t, call(t, s, http.MethodPut, path, map[string]any{"is_active": false})).Data
	if got.IsActive || got.Scope != h.Scope || got.Headers["X-Secret"] != "one" {
		t.Errorf("deactivate = %+v", got)
	}
	got = decode[hookOne](t, call(t, s, http.MethodPut, path, `{"headers":null}`)).Data
	if got.Headers != nil {
		t.Errorf("headers after null = %v", got.Headers)
	}
	got = decode[hookOne](t, call(t, s, http.MethodPut, path, map[string]any{"headers": map[string]string{"X-Secret": "two"}, "is_active": true})).Data
	if got.Headers["X-Secret"] != "two" || !got.IsActive {
		t.Errorf("reactivate = %+v", got)
	}
	if stored, _ := s.Hook(h.ID); stored.Headers["X-Secret"] != "two" {
		t.Errorf("stored = %+v", stored)
	}
	// Moving the hook onto another hook's scope and destination clashes.
	wantV3Error(t, call(t, s, http.MethodPut, path, map[string]any{"scope": other.Scope}), http.StatusUnprocessableEntity)
	wantV3Error(t, call(t, s, http.MethodPut, path, `{}`), http.StatusUnprocessableEntity)
	wantV3Error(t, call(t, s, http.MethodPut, path, map[string]any{"destination": "nope"}), http.StatusUnprocessableEntity)
	wantV3Error(t, call(t, s, http.MethodPut, path, `nope`), http.StatusBadRequest)

	deleted := decode[hookOne](t, call(t, s, http.MethodDelete, path, nil)).Data
	if deleted.ID != h.ID {
		t.Errorf("deleted = %+v", deleted)
	}
	e := wantV3Error(t, call(t, s, http.MethodGet, path, nil), http.StatusNotFound)
	if e.Title != fmt.Sprintf("Webhook with id [%d] not found", h.ID) {
		t.Errorf("title = %q", e.Title)
	}
	for _, m := range []string{http.MethodPut, http.MethodDelete} {
		wantV3Error(t, call(t, s, m, "/v3/hooks/77", `{"is_active":true}`), http.StatusNotFound)
	}
	if n := len(s.Hooks()); n != 1 {
		t.Errorf("%d hooks left, want 1", n)
	}
}
