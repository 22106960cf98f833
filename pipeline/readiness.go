package pipeline

import (
	"context"
	"net/http"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// ReadinessHandler returns a readiness probe (for a /readyz route) that
// asks the queue's Inspector q for its Stats: it answers 200 "ok" when they arrive, and 503
// "queue unavailable" when Stats fails or takes longer than timeout, so
// that a load balancer sends deliveries elsewhere while the queue (Redis,
// say) is unreachable. The bound keeps a probe from hanging on a dead
// connection; 2 seconds suits most load balancers. A timeout of 0 or less
// leaves the request's context as the only bound, and a nil q makes every
// probe answer 503. The handler answers every method; restrict it to GET in
// the mux pattern.
func ReadinessHandler(q idempotency.Inspector, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q == nil {
			http.Error(w, "queue unavailable", http.StatusServiceUnavailable)
			return
		}
		ctx := r.Context()
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		if _, err := q.Stats(ctx); err != nil {
			http.Error(w, "queue unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
