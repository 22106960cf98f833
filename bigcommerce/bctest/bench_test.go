package bctest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// benchGet fetches url b.N times with the token set.
func benchGet(b *testing.B, client *http.Client, url, token string) {
	b.Helper()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-Auth-Token", token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkGetOrder fetches an order with inlined line items from the fake.
// Compare with BenchmarkBaselineHandler, which serves the same bytes from a
// bare handler over the same loopback transport.
func BenchmarkGetOrder(b *testing.B) {
	s, err := bctest.NewServer(bctest.WithRateLimit(1<<30, time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	o, err := s.AddOrder(fullOrder())
	if err != nil {
		b.Fatal(err)
	}
	url := fmt.Sprintf("%s/v2/orders/%d?include=consignments.line_items&consignment_structure=object", s.StoreURL(), o.ID)
	benchGet(b, s.Client(), url, s.Token())
}

func BenchmarkBaselineHandler(b *testing.B) {
	s, err := bctest.NewServer()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.AddOrder(fullOrder()); err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.StoreURL()+"/v2/orders/100?include=consignments.line_items&consignment_structure=object", nil)
	req.Header.Set("X-Auth-Token", s.Token())
	resp, err := s.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s.Close()

	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer bare.Close()
	benchGet(b, bare.Client(), bare.URL, "x")
}

// BenchmarkListOrdersPage lists a page of 75 orders by id range, as the
// Worker's burst reads do, from a store of 100 orders and from one of
// 20,000: a page from the large store should cost about what it costs from
// the small one (the range is looked up, not the store passed over).
func BenchmarkListOrdersPage(b *testing.B) {
	for _, n := range []int{100, 20_000} {
		b.Run(fmt.Sprintf("store=%d", n), func(b *testing.B) {
			s, err := bctest.NewServer(bctest.WithRateLimit(1<<30, time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var first int64
			for i := range n {
				o, err := s.AddOrder(bctest.Order{})
				if err != nil {
					b.Fatal(err)
				}
				if i == n-75 {
					first = o.ID
				}
			}
			url := fmt.Sprintf("%s/v2/orders?min_id=%d&max_id=%d&sort=id:asc&limit=75", s.StoreURL(), first, first+74)
			benchGet(b, s.Client(), url, s.Token())
		})
	}
}
