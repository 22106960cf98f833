package extest

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// WaitLimit bounds every wait for something asynchronous: 30 seconds. It is
// a deadline for a hung test, not a measure of speed.
const WaitLimit = 30 * time.Second

// WaitFor polls cond every 10 ms until it holds, failing the test after
// WaitLimit with what it waited for and logs.
func WaitFor(tb testing.TB, what string, logs *LogBuffer, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(WaitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s; logs:\n%s", what, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Status returns the status code of a request without a body, failing the
// test when the request cannot be made or sent.
func Status(tb testing.TB, method, url string) int {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Itoa formats an order ID as BigCommerce_Order_Id__c holds it.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// AddOrder seeds bc with a syncable order (status 11, one line of two mugs,
// 69.84 with tax) and returns its ID.
func AddOrder(tb testing.TB, bc *bctest.Server) int64 {
	tb.Helper()
	o, err := bc.AddOrder(bctest.Order{
		StatusID:       11,
		TotalIncTax:    "69.84",
		BillingAddress: bctest.Address{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		LineItems:      []bctest.LineItem{{Name: "Mug", SKU: "MUG-1", Quantity: 2, PriceIncTax: "34.92"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return o.ID
}

// Deliver registers, unless bc has hooks already, a hook that sends
// WebhookSecret in X-Webhook-Secret to receiverURL, delivers
// store/order/created for order id and fails the test unless the receiver
// answers 2xx.
func Deliver(tb testing.TB, bc *bctest.Server, receiverURL string, id int64) {
	tb.Helper()
	if len(bc.Hooks()) == 0 {
		_, err := bc.AddHook(bctest.Hook{
			Scope: "store/order/*", Destination: receiverURL, IsActive: true,
			Headers: map[string]string{"X-Webhook-Secret": WebhookSecret},
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	res, err := bc.Deliver(tb.Context(), receiverURL, bctest.EventSpec{OrderID: id})
	if err != nil {
		tb.Fatal(err)
	}
	if !res.Delivered() {
		tb.Fatalf("delivery answered %d: %s", res.StatusCode, res.Body)
	}
}

// WaitForOpportunity waits until sf holds the Opportunity of order id.
func WaitForOpportunity(tb testing.TB, sf *sftest.Server, id int64, logs *LogBuffer) {
	tb.Helper()
	key := Itoa(id)
	WaitFor(tb, "the Opportunity of order "+key, logs, func() bool {
		_, ok := sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", key)
		return ok
	})
}
