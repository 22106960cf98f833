package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCustomersGet(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/customers", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("id:in") {
		case "11":
			jsonHandler(http.StatusOK, fixture(t, "customers.json"))(w, r)
		default:
			jsonHandler(http.StatusOK, []byte(`{"data":[],"meta":{"pagination":{"total":0,"count":0,"per_page":50,"current_page":1,"total_pages":0}}}`))(w, r)
		}
	})
	c := newServerClient(t, mux)
	cust, err := c.Customers.Get(context.Background(), 11)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "email", cust.Email, "janedoe@example.com")
	eq(t, "created", cust.DateCreated, time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC))
	eq(t, "modified", cust.DateModified.Format(time.RFC3339), "2019-03-05T21:40:11Z")
	eq(t, "credits", len(cust.StoreCreditAmounts), 1)
	eq(t, "credit", cust.StoreCreditAmounts[0].Amount.String(), "43.15")
	eq(t, "channels", fmt.Sprint(cust.ChannelIDs), "[1]")
	eq(t, "accepts", cust.AcceptsProductReviewAbandonedCartEmails, true)

	_, err = c.Customers.Get(context.Background(), 12)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing customer: err = %v, want ErrNotFound", err)
	}
}

func TestCustomersListPagingAndChunks(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var requests []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/customers", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		requests = append(requests, q.Get("page")+":"+strconv.Itoa(len(strings.Split(q.Get("email:in"), ","))))
		mu.Unlock()
		eq(t, "limit", q.Get("limit"), "2")
		page, _ := strconv.Atoi(q.Get("page"))
		emails := strings.Split(q.Get("email:in"), ",")
		// Two customers per page, as many pages as needed for the chunk.
		total := len(emails)
		totalPages := (total + 1) / 2
		var data []string
		for i := (page - 1) * 2; i < min(page*2, total); i++ {
			data = append(data, fmt.Sprintf(`{"id":%d,"email":%q,"date_created":"2020-01-01T00:00:00Z","phone":5551234}`, i+1, emails[i]))
		}
		body := fmt.Sprintf(`{"data":[%s],"meta":{"pagination":{"total":%d,"count":%d,"per_page":2,"current_page":%d,"total_pages":%d}}}`,
			strings.Join(data, ","), total, len(data), page, totalPages)
		jsonHandler(http.StatusOK, []byte(body))(w, r)
	})
	c := newServerClient(t, mux)
	var emails []string
	for i := range 53 {
		emails = append(emails, fmt.Sprintf("u%d@example.com", i))
	}
	var got []string
	for cust, err := range c.Customers.List(context.Background(), ListCustomersOptions{Emails: emails, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cust.Email)
		eq(t, "phone", cust.Phone, "5551234")
	}
	eq(t, "customers", len(got), 53)
	eq(t, "first", got[0], "u0@example.com")
	eq(t, "last", got[52], "u52@example.com")
	// 50 e-mails in 25 pages, then 3 in 2 pages.
	eq(t, "requests", len(requests), 27)
	eq(t, "first chunk", requests[0], "1:50")
	eq(t, "second chunk", requests[25], "1:3")
}

func TestCustomersListByIDs(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/customers", func(w http.ResponseWriter, r *http.Request) {
		eq(t, "id:in", r.URL.Query().Get("id:in"), "4,5,6")
		eq(t, "raw query keeps the key", strings.Contains(r.URL.RawQuery, "id%3Ain=") || strings.Contains(r.URL.RawQuery, "id:in="), true)
		jsonHandler(http.StatusOK, []byte(`{"data":[{"id":4},{"id":"5"},{"id":6,"date_modified":""}],"meta":{}}`))(w, r)
	})
	c := newServerClient(t, mux)
	var ids []int64
	for cust, err := range c.Customers.List(context.Background(), ListCustomersOptions{IDs: []int64{4, 5, 6}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cust.ID)
	}
	eq(t, "ids", fmt.Sprint(ids), "[4 5 6]")
}

func TestCustomersEmailWithComma(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	n := 0
	for _, err := range c.Customers.List(context.Background(), ListCustomersOptions{Emails: []string{"a@x.example,b@x.example"}}) {
		n++
		if err == nil || !strings.Contains(err.Error(), "comma") {
			t.Fatalf("err = %v", err)
		}
	}
	eq(t, "yields", n, 1)
	eq(t, "calls", mt.GetTotalCallCount(), 0)
}

func TestCustomersUnprocessableFilter(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/customers", jsonHandler(http.StatusUnprocessableEntity,
		[]byte(`{"status":422,"title":"Invalid filter","type":"about:blank","errors":{"email:in":"must be an e-mail"}}`)))
	c := newServerClient(t, mux)
	for _, err := range c.Customers.List(context.Background(), ListCustomersOptions{Emails: []string{"nope"}}) {
		var apiErr *APIError
		if !errors.Is(err, ErrUnprocessable) || !errors.As(err, &apiErr) {
			t.Fatalf("err = %v", err)
		}
		eq(t, "field", apiErr.Fields["email:in"], "must be an e-mail")
		eq(t, "path", apiErr.Path, "/v3/customers")
	}
}
