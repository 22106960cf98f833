package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/webhook"
)

// TestRejectedDeliveries sends deliveries that must not get in: each is
// answered with its status, and nothing reaches the queue or Salesforce.
// A valid delivery sent afterwards then syncs, which shows the receiver and
// the workers were live all along.
func TestRejectedDeliveries(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{})
	ctx := context.Background()
	o := mustAddOrder(t, r.store, bctest.Order{
		StatusID: 11, TotalIncTax: "49.9900",
		BillingAddress: bctest.Address{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
	})
	_, body, err := r.store.BuildEvent(bctest.EventSpec{OrderID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	oversized := bytes.Replace(body, []byte(`"scope"`),
		[]byte(`"padding":"`+strings.Repeat("x", int(webhook.DefaultMaxBodyBytes))+`","scope"`), 1)

	tests := []struct {
		name string
		send func(t *testing.T) int
		want int
	}{
		{"forged credentials", func(t *testing.T) int {
			d, err := r.store.Deliver(ctx, r.url, bctest.EventSpec{OrderID: o.ID, Forge: true})
			if err != nil {
				t.Fatal(err)
			}
			return d.StatusCode
		}, http.StatusUnauthorized},
		{"signature 10 minutes old", func(t *testing.T) int {
			return post(t, http.MethodPost, r.url, body, time.Now().Add(-10*time.Minute))
		}, http.StatusUnauthorized},
		{"signature 10 minutes ahead", func(t *testing.T) int {
			return post(t, http.MethodPost, r.url, body, time.Now().Add(10*time.Minute))
		}, http.StatusUnauthorized},
		{"truncated JSON", func(t *testing.T) int {
			return post(t, http.MethodPost, r.url, body[:len(body)/2], time.Now())
		}, http.StatusBadRequest},
		{"envelope without scope", func(t *testing.T) int {
			return post(t, http.MethodPost, r.url, []byte(`{"data":{"type":"order","id":1}}`), time.Now())
		}, http.StatusBadRequest},
		{"oversized body", func(t *testing.T) int {
			return post(t, http.MethodPost, r.url, oversized, time.Now())
		}, http.StatusRequestEntityTooLarge},
		{"GET", func(t *testing.T) int { return post(t, http.MethodGet, r.url, body, time.Now()) }, http.StatusMethodNotAllowed},
		{"PUT", func(t *testing.T) int { return post(t, http.MethodPut, r.url, body, time.Now()) }, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.send(t); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	// No worker has run yet, so an empty queue means nothing was enqueued.
	r.assertQuiet()

	r.startWorkers()
	r.deliver(ctx, o.ID)
	r.waitSettled([]int64{o.ID}, time.Minute)
	r.assertOpportunity(o)
	if n := len(r.org.Records("Opportunity")); n != 1 {
		t.Errorf("org holds %d Opportunities after one valid delivery, want 1", n)
	}
}

// TestDeliveryAcceptedOnlyWithBothCredentials shows the two checks of the
// receiver are independent: the right header without a signature, or a
// signature without the header, is refused.
func TestDeliveryAcceptedOnlyWithBothCredentials(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{})
	o := mustAddOrder(t, r.store, bctest.Order{StatusID: 11, TotalIncTax: "5.0100"})
	_, body, err := r.store.BuildEvent(bctest.EventSpec{OrderID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		header, sign bool
		want         int
	}{
		{"header only", true, false, http.StatusUnauthorized},
		{"signature only", false, true, http.StatusUnauthorized},
		{"neither", false, false, http.StatusUnauthorized},
		{"both", true, true, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.header {
				req.Header.Set(webhookHeader, webhookSecret)
			}
			if tt.sign {
				webhook.SetStandardHeaders(req.Header, []byte(clientSecret), "msg_e2e_pair", time.Now(), body)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	st, err := r.queue.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Ready != 1 {
		t.Errorf("queue holds %d ready messages, want 1 (the delivery with both credentials)", st.Ready)
	}
}

// mustAddOrder seeds an order in the fake store.
func mustAddOrder(t testing.TB, s *bctest.Server, o bctest.Order) bctest.Order {
	t.Helper()
	got, err := s.AddOrder(o)
	if err != nil {
		t.Fatalf("add order: %v", err)
	}
	return got
}
