package bctest_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

type customerList struct {
	Data []struct {
		ID           int64  `json:"id"`
		Email        string `json:"email"`
		LastName     string `json:"last_name"`
		DateCreated  string `json:"date_created"`
		DateModified string `json:"date_modified"`
	} `json:"data"`
	Meta struct {
		Pagination struct {
			Total       int               `json:"total"`
			Count       int               `json:"count"`
			PerPage     int               `json:"per_page"`
			CurrentPage int               `json:"current_page"`
			TotalPages  int               `json:"total_pages"`
			Links       map[string]string `json:"links"`
		} `json:"pagination"`
	} `json:"meta"`
}

func (l customerList) ids() []int64 {
	var ids []int64
	for _, c := range l.Data {
		ids = append(ids, c.ID)
	}
	return ids
}

func seedCustomers(t *testing.T, s *bctest.Server) {
	t.Helper()
	for i, c := range []bctest.Customer{
		{Email: "ann@example.com", LastName: "Zed"},
		{Email: "Bob@Example.com", LastName: "Young"},
		{Email: "cat@example.com", LastName: "Xu"},
	} {
		c.DateCreated = t0.Add(time.Duration(i) * time.Minute)
		if _, err := s.AddCustomer(c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListCustomers(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	seedCustomers(t, s)
	tests := []struct {
		name, query string
		want        []int64
	}{
		{"all", "", []int64{1, 2, 3}},
		{"id:in", "?id:in=3,1,99", []int64{1, 3}},
		{"email:in folds case", "?email:in=bob@example.com,cat@example.com", []int64{2, 3}},
		{"both", "?id:in=1,2&email:in=bob@example.com", []int64{2}},
		{"none", "?id:in=42", nil},
		{"sort last_name", "?sort=last_name:asc", []int64{3, 2, 1}},
		{"sort date_created desc", "?sort=date_created:desc", []int64{3, 2, 1}},
		{"page 2", "?limit=2&page=2", []int64{3}},
		{"past the end", "?limit=2&page=5", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, http.MethodGet, "/v3/customers"+tc.query, nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d: %s", r.status, r.body)
			}
			got := decode[customerList](t, r)
			if !slices.Equal(got.ids(), tc.want) || got.Data == nil {
				t.Fatalf("ids = %v (data %v), want %v", got.ids(), got.Data, tc.want)
			}
		})
	}
}

func TestListCustomersPagination(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	seedCustomers(t, s)
	got := decode[customerList](t, call(t, s, http.MethodGet, "/v3/customers?limit=1&page=2", nil))
	p := got.Meta.Pagination
	if p.Total != 3 || p.Count != 1 || p.PerPage != 1 || p.CurrentPage != 2 || p.TotalPages != 3 {
		t.Errorf("pagination = %+v", p)
	}
	wantLinks := map[string]string{"previous": "?limit=1&page=1", "current": "?limit=1&page=2", "next": "?limit=1&page=3"}
	for k, v := range wantLinks {
		if p.Links[k] != v {
			t.Errorf("links[%s] = %q, want %q", k, p.Links[k], v)
		}
	}
	first := got.Data[0]
	if first.Email != "Bob@Example.com" || first.DateCreated != "2026-03-05T21:41:11Z" || first.DateModified != first.DateCreated {
		t.Errorf("customer = %+v", first)
	}
	last := decode[customerList](t, call(t, s, http.MethodGet, "/v3/customers?limit=1&page=3", nil))
	if _, ok := last.Meta.Pagination.Links["next"]; ok {
		t.Errorf("last page has a next link: %v", last.Meta.Pagination.Links)
	}
}

func TestListCustomersBadQueries(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	seedCustomers(t, s)
	tests := []struct{ query, field string }{
		{"?id:in=abc", "id:in"},
		{"?id:in=0", "id:in"},
		{"?id:in=,", "id:in"},
		{"?page=x", "page"},
		{"?limit=0", "limit"},
		{"?limit=251", "limit"},
		{"?sort=email:asc", "sort"},
		{"?name:like=ann", "name:like"},
		{"?date_created:min=2026-01-01", "date_created:min"},
		{"?date_modified:min=yesterday", "date_modified:min"},
		{"?include=everything", "include"},
	}
	for _, tc := range tests {
		e := wantV3Error(t, call(t, s, http.MethodGet, "/v3/customers"+tc.query, nil), http.StatusUnprocessableEntity)
		if e.Errors[tc.field] == "" {
			t.Errorf("%s: errors = %v, want one for %s", tc.query, e.Errors, tc.field)
		}
	}
}

func TestAddCustomerValidation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c, err := s.AddCustomer(bctest.Customer{ID: 7, Email: "a@b.c", ChannelIDs: []int64{1}})
	if err != nil || c.ID != 7 || c.DateCreated.IsZero() {
		t.Fatalf("AddCustomer = %+v, %v", c, err)
	}
	if _, err := s.AddCustomer(bctest.Customer{ID: 7, Email: "x@y.z"}); !errors.Is(err, bctest.ErrConflict) {
		t.Errorf("duplicate err = %v", err)
	}
	if _, err := s.AddCustomer(bctest.Customer{}); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("no e-mail err = %v", err)
	}
	c.ChannelIDs[0] = 9
	if got, ok := s.Customer(7); !ok || got.ChannelIDs[0] != 1 {
		t.Errorf("stored customer = %+v, %v", got, ok)
	}
	if next, _ := s.AddCustomer(bctest.Customer{Email: "n@b.c"}); next.ID != 8 {
		t.Errorf("next id = %d, want 8", next.ID)
	}
}
