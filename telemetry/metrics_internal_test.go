package telemetry

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// The requests left are as last seen until the window resets, then the
// whole quota; nothing is reported before the first response.
func TestObserveBigCommerce(t *testing.T) {
	t.Parallel()
	seen := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		rl        bigcommerce.RateLimit
		now       time.Time
		left, max int64 // -1: not reported
	}{
		{"nothing seen", bigcommerce.RateLimit{}, seen, -1, -1},
		{"in the window", bigcommerce.RateLimit{Quota: 150, Remaining: 12, ResetIn: 10 * time.Second, ObservedAt: seen}, seen.Add(5 * time.Second), 12, 150},
		{"window reset", bigcommerce.RateLimit{Quota: 150, Remaining: 12, ResetIn: 10 * time.Second, ObservedAt: seen}, seen.Add(10 * time.Second), 150, 150},
		{"remaining unknown", bigcommerce.RateLimit{Remaining: -1, ResetIn: time.Second, ObservedAt: seen}, seen, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reader := sdkmetric.NewManualReader()
			tel, err := New(WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
			if err != nil {
				t.Fatal(err)
			}
			tel.now = func() time.Time { return tt.now }
			if err := tel.ObserveBigCommerce(func() bigcommerce.RateLimit { return tt.rl }); err != nil {
				t.Fatal(err)
			}
			var rm metricdata.ResourceMetrics
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{MetricBigCommerceRemaining: -1, MetricBigCommerceQuota: -1}
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					if g, ok := m.Data.(metricdata.Gauge[int64]); ok && len(g.DataPoints) == 1 {
						got[m.Name] = g.DataPoints[0].Value
					}
				}
			}
			if got[MetricBigCommerceRemaining] != tt.left || got[MetricBigCommerceQuota] != tt.max {
				t.Errorf("remaining %d, quota %d; want %d and %d (-1: none)", got[MetricBigCommerceRemaining], got[MetricBigCommerceQuota], tt.left, tt.max)
			}
		})
	}
}

func TestObserveRefuses(t *testing.T) {
	t.Parallel()
	tel, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if tel.ObserveQueue(nil) == nil || tel.ObserveSalesforce(nil) == nil || tel.ObserveBigCommerce(nil) == nil {
		t.Error("an Observe method accepted nil")
	}
	if err := tel.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tel.ObserveBigCommerce(func() bigcommerce.RateLimit { return bigcommerce.RateLimit{} }); err == nil {
		t.Error("ObserveBigCommerce after Close succeeded")
	}
	if err := tel.Close(); err != nil {
		t.Errorf("a second Close = %v", err)
	}
}
