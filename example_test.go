package bc2sf_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

// Example shows the front door of the flow: a delivery is verified, parsed
// and queued before it is acknowledged, a redelivery of the same event is
// queued once, and a forged one never reaches the queue. A pipeline.Worker
// would then sync the queued orders (see the pipeline package's example).
func Example() {
	secret := []byte("client-secret")
	verifier, err := webhook.NewVerifier([]webhook.Scheme{webhook.StandardWebhooks(secret)})
	if err != nil {
		fmt.Println(err)
		return
	}
	queue, store := idempotency.NewMemoryQueue(), idempotency.NewMemoryStore()
	defer queue.Close()
	handler, err := webhook.NewHandler(pipeline.NewSink(queue, store))
	if err != nil {
		fmt.Println(err)
		return
	}
	receiver := httptest.NewServer(verifier.Middleware(handler))
	defer receiver.Close()

	body := `{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},` +
		`"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/abc123"}`
	deliver := func(key []byte) int {
		req, _ := http.NewRequest(http.MethodPost, receiver.URL, strings.NewReader(body))
		webhook.SetStandardHeaders(req.Header, key, "msg_1", time.Now(), []byte(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	fmt.Println("delivery:", deliver(secret))
	fmt.Println("redelivery:", deliver(secret))
	fmt.Println("forged:", deliver([]byte("guess")))

	st, _ := queue.Stats(context.Background())
	fmt.Println("queued:", st.Depth())
	// Output:
	// delivery: 200
	// redelivery: 200
	// forged: 401
	// queued: 1
}
