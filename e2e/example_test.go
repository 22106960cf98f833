package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

// Test a receiver the way these tests do: a fake store with a hook pointing
// at the receiver delivers a signed event, and the event lands in the queue.
func Example() {
	ctx := context.Background()
	queue := idempotency.NewMemoryQueue()
	defer queue.Close()

	verifier, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(webhook.DefaultSecretHeader, "hook-header-value"),
		webhook.StandardWebhooks([]byte("app-client-secret")),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	handler, err := webhook.NewHandler(pipeline.NewSink(queue, idempotency.NewMemoryStore()))
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/bigcommerce", verifier.Middleware(handler))
	receiver := httptest.NewServer(mux)
	defer receiver.Close()
	url := receiver.URL + "/webhooks/bigcommerce"

	store, err := bctest.NewServer(bctest.WithClientSecret("app-client-secret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	_, _ = store.AddHook(bctest.Hook{Scope: "store/order/*", Destination: url, IsActive: true,
		Headers: map[string]string{webhook.DefaultSecretHeader: "hook-header-value"}})
	order, _ := store.AddOrder(bctest.Order{StatusID: 11, TotalIncTax: "12.5000"})

	for _, forge := range []bool{false, true} {
		d, err := store.Deliver(ctx, url, bctest.EventSpec{OrderID: order.ID, Forge: forge})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("forged:", forge, "status:", d.StatusCode)
	}
	st, _ := queue.Stats(ctx)
	fmt.Println("queued:", st.Ready)
	// Output:
	// forged: false status: 200
	// forged: true status: 401
	// queued: 1
}
