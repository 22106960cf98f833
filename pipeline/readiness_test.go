package pipeline_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// statsQueue is an Inspector whose Stats returns err, or, with hang, waits
// for its context to end.
type statsQueue struct {
	idempotency.Inspector
	err  error
	hang bool
}

func (q statsQueue) Stats(ctx context.Context) (idempotency.Stats, error) {
	if q.hang {
		<-ctx.Done()
		return idempotency.Stats{}, ctx.Err()
	}
	return idempotency.Stats{}, q.err
}

func TestReadinessHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		queue    idempotency.Inspector
		timeout  time.Duration
		wantCode int
		wantBody string
	}{
		{"memory queue", idempotency.NewMemoryQueue(), time.Second, http.StatusOK, "ok\n"},
		{"no timeout", idempotency.NewMemoryQueue(), 0, http.StatusOK, "ok\n"},
		{"Stats fails", statsQueue{err: errors.New("connection refused")}, time.Second, http.StatusServiceUnavailable, "queue unavailable\n"},
		{"Stats hangs past the timeout", statsQueue{hang: true}, time.Millisecond, http.StatusServiceUnavailable, "queue unavailable\n"},
		{"nil queue", nil, time.Second, http.StatusServiceUnavailable, "queue unavailable\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			pipeline.ReadinessHandler(tt.queue, tt.timeout).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
		})
	}
}
