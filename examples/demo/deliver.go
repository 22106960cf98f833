package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/webhook"
)

// delivery is one webhook attempt and the receiver's answer.
type delivery struct {
	what   string
	status int
	note   string
}

// deliverWebhooks sends what a store and the internet send a receiver: one
// signed created event per order, a redelivery of the first (BigCommerce
// retries whenever it misses a 2xx), a forged delivery and a malformed one.
func deliverWebhooks(ctx context.Context, store *bctest.Server, url string, orders []seeded, sec secrets) ([]delivery, error) {
	var out []delivery
	var first *bctest.DeliveryResult
	for _, s := range orders {
		d, err := store.Deliver(ctx, url, bctest.EventSpec{OrderID: s.order.ID})
		if err != nil {
			return nil, fmt.Errorf("deliver order %d: %w", s.order.ID, err)
		}
		if first == nil {
			first = d
		}
		out = append(out, delivery{fmt.Sprintf("order %d created", s.order.ID), d.StatusCode, "queued"})
	}
	again, err := store.Redeliver(ctx, first)
	if err != nil {
		return nil, fmt.Errorf("redeliver: %w", err)
	}
	out = append(out, delivery{fmt.Sprintf("order %d created, again", orders[0].order.ID), again.StatusCode,
		"joins its order's queued sync: not queued twice"})

	forged, err := store.Deliver(ctx, url, bctest.EventSpec{OrderID: orders[0].order.ID, Forge: true})
	if err != nil {
		return nil, fmt.Errorf("forged delivery: %w", err)
	}
	out = append(out, delivery{"forged credentials", forged.StatusCode, "wrong header value and signature"})

	status, err := postSigned(ctx, url, []byte(`{"scope":"store/order/created","data":"order 100"}`), sec)
	if err != nil {
		return nil, fmt.Errorf("malformed delivery: %w", err)
	}
	out = append(out, delivery{"malformed envelope", status, "authentic, but data is not an object"})
	return out, nil
}

// postSigned sends body with valid credentials, as a buggy sender holding
// the secrets would, and returns the status.
func postSigned(ctx context.Context, url string, body []byte, sec secrets) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(secretHeader, sec.webhook)
	webhook.SetStandardHeaders(req.Header, []byte(sec.client), "msg_demo_malformed", time.Now(), body)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
