package pipeline_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// A receiver or worker serves /readyz from its queue, so that a load
// balancer stops sending deliveries while the queue is unreachable.
func ExampleReadinessHandler() {
	queue := idempotency.NewMemoryQueue()
	defer queue.Close()
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", pipeline.ReadinessHandler(queue, 2*time.Second))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output: 200 ok
}
