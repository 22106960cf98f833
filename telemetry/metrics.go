package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// The names of the package's metrics. Exported through Prometheus, dots
// become underscores, counters gain _total and the seconds unit _seconds:
// bc2sf.orders.synced is bc2sf_orders_synced_total, bc2sf.sync.latency is
// bc2sf_sync_latency_seconds.
const (
	// MetricSynced counts deliveries whose order was written to
	// Salesforce, by source (webhook, reconcile, backfill).
	MetricSynced = "bc2sf.orders.synced"
	// MetricSkipped counts deliveries acknowledged without a write, by
	// reason: the mapper's skip code or already_done.
	MetricSkipped = "bc2sf.orders.skipped"
	// MetricDeadLettered counts deliveries dead-lettered, by reason: the
	// Result's pipeline.Cause.
	MetricDeadLettered = "bc2sf.orders.dead_lettered"
	// MetricRetries counts retries by cause and by client: "worker" for a
	// delivery put back in the queue (cause from pipeline.Cause), and
	// "bigcommerce" or "salesforce" for a request a client repeats itself
	// (see BigCommerceRetry and SalesforceRetry).
	MetricRetries = "bc2sf.retries"
	// MetricLatency is the histogram of the time from a task's making
	// (Task.ReceivedAt: the webhook's arrival at the receiver) to its order
	// synced in Salesforce, in seconds, by source.
	MetricLatency = "bc2sf.sync.latency"
	// MetricQueueDepth is the queue's live messages by state: ready,
	// delayed, in_flight (ObserveQueue).
	MetricQueueDepth = "bc2sf.queue.depth"
	// MetricDeadLetters is the number of dead letters the queue holds
	// (ObserveQueue).
	MetricDeadLetters = "bc2sf.queue.dead_letters"
	// MetricOldestAge is the age of the queue's oldest live message, in
	// seconds; 0 when it is empty (ObserveQueue).
	MetricOldestAge = "bc2sf.queue.oldest_age"
	// MetricSalesforceUsage and MetricSalesforceLimit are the org's API
	// calls used in the rolling 24 hours and its allowance
	// (ObserveSalesforce).
	MetricSalesforceUsage = "bc2sf.salesforce.api.usage"
	MetricSalesforceLimit = "bc2sf.salesforce.api.limit"
	// MetricBigCommerceRemaining and MetricBigCommerceQuota are the
	// requests left in the store's rate-limit window and the window's
	// quota (ObserveBigCommerce).
	MetricBigCommerceRemaining = "bc2sf.bigcommerce.requests.remaining"
	MetricBigCommerceQuota     = "bc2sf.bigcommerce.requests.quota"
)

// Attribute keys of the metrics. Every value comes from a short fixed list,
// never from an order: the series stay few.
const (
	keySource = attribute.Key("source")
	keyReason = attribute.Key("reason")
	keyCause  = attribute.Key("cause")
	keyClient = attribute.Key("client")
	keyState  = attribute.Key("state")
)

// latencyBuckets are the bounds of MetricLatency, in seconds: from well
// under a second, where a quiet store lands, to an hour of backlog.
var latencyBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

type instruments struct {
	synced, skipped, dead, retries metric.Int64Counter
	latency                        metric.Float64Histogram

	depth, deadLetters, sfUsage, sfLimit, bcLeft, bcQuota metric.Int64ObservableGauge
	oldest                                                metric.Float64ObservableGauge

	// bySource are the attribute sets of the three sources, which every
	// synced order measures twice: an array, faster than the cache's map.
	bySource [len(sources)]metric.MeasurementOption
	attrs    attrCache
}

// sources are the pipeline's sources, in the order of bySource.
var sources = [...]pipeline.Source{pipeline.SourceWebhook, pipeline.SourceReconcile, pipeline.SourceBackfill}

// source returns the attribute set of source s.
func (in *instruments) source(s pipeline.Source) metric.MeasurementOption {
	for i, known := range sources {
		if s == known {
			return in.bySource[i]
		}
	}
	return in.attrs.of(keySource, string(s))
}

func newInstruments(m metric.Meter) (*instruments, error) {
	var in instruments
	var err, e error
	counter := func(name, desc, unit string) metric.Int64Counter {
		c, e := m.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit(unit))
		err = joinErr(err, e)
		return c
	}
	gauge := func(name, desc, unit string) metric.Int64ObservableGauge {
		g, e := m.Int64ObservableGauge(name, metric.WithDescription(desc), metric.WithUnit(unit))
		err = joinErr(err, e)
		return g
	}
	for i, src := range sources {
		in.bySource[i] = metric.WithAttributeSet(attribute.NewSet(keySource.String(string(src))))
	}
	in.synced = counter(MetricSynced, "Deliveries whose order was written to Salesforce.", "{order}")
	in.skipped = counter(MetricSkipped, "Deliveries acknowledged without a write, by reason.", "{order}")
	in.dead = counter(MetricDeadLettered, "Deliveries dead-lettered, by reason.", "{order}")
	in.retries = counter(MetricRetries, "Retries by cause, of the worker (a delivery put back) or of an API client (a request repeated).", "{retry}")
	in.latency, e = m.Float64Histogram(MetricLatency,
		metric.WithDescription("Time from the webhook's arrival (the task's making) to the order synced in Salesforce."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(latencyBuckets...))
	err = joinErr(err, e)
	in.depth = gauge(MetricQueueDepth, "Live messages in the queue, by state.", "{message}")
	in.deadLetters = gauge(MetricDeadLetters, "Dead letters in the queue.", "{message}")
	in.oldest, e = m.Float64ObservableGauge(MetricOldestAge,
		metric.WithDescription("Age of the queue's oldest live message; 0 when the queue is empty."), metric.WithUnit("s"))
	err = joinErr(err, e)
	in.sfUsage = gauge(MetricSalesforceUsage, "Salesforce API calls used in the org's rolling 24 hours (Sforce-Limit-Info).", "{call}")
	in.sfLimit = gauge(MetricSalesforceLimit, "The org's Salesforce API allowance for 24 hours (Sforce-Limit-Info).", "{call}")
	in.bcLeft = gauge(MetricBigCommerceRemaining, "Requests left in BigCommerce's rate-limit window.", "{request}")
	in.bcQuota = gauge(MetricBigCommerceQuota, "Requests allowed per BigCommerce rate-limit window.", "{request}")
	return &in, err
}

func joinErr(err, e error) error {
	if err != nil {
		return err
	}
	return e
}

var (
	stateReady    = metric.WithAttributeSet(attribute.NewSet(keyState.String("ready")))
	stateDelayed  = metric.WithAttributeSet(attribute.NewSet(keyState.String("delayed")))
	stateInFlight = metric.WithAttributeSet(attribute.NewSet(keyState.String("in_flight")))
)

// observeQueue reports the queue's figures; a queue that cannot answer
// (Redis down) reports nothing rather than stale or zero figures.
func (in *instruments) observeQueue(ctx context.Context, o metric.Observer, q idempotency.Inspector, now time.Time) {
	st, err := q.Stats(ctx)
	if err != nil {
		return
	}
	o.ObserveInt64(in.depth, int64(st.Ready), stateReady)
	o.ObserveInt64(in.depth, int64(st.Delayed), stateDelayed)
	o.ObserveInt64(in.depth, int64(st.InFlight), stateInFlight)
	o.ObserveInt64(in.deadLetters, int64(st.Dead))
	age := 0.0
	if !st.Oldest.IsZero() {
		age = max(now.Sub(st.Oldest).Seconds(), 0)
	}
	o.ObserveFloat64(in.oldest, age)
}

func (in *instruments) observeRateLimit(o metric.Observer, rl bigcommerce.RateLimit, now time.Time) {
	if rl.ObservedAt.IsZero() {
		return
	}
	left := int64(rl.Remaining)
	if rl.Quota > 0 && !now.Before(rl.ResetAt()) {
		left = int64(rl.Quota) // the window has reset since the last response
	}
	if left >= 0 {
		o.ObserveInt64(in.bcLeft, left)
	}
	if rl.Quota > 0 {
		o.ObserveInt64(in.bcQuota, int64(rl.Quota))
	}
}

// record counts a settled delivery.
func (in *instruments) record(ctx context.Context, r pipeline.Result) {
	switch r.Outcome {
	case pipeline.OutcomeSynced:
		in.synced.Add(ctx, 1, in.source(r.Source))
	case pipeline.OutcomeSkipped:
		in.skipped.Add(ctx, 1, in.attrs.of(keyReason, r.SkipCode))
	case pipeline.OutcomeDead:
		in.dead.Add(ctx, 1, in.attrs.of(keyReason, string(r.Cause)))
	case pipeline.OutcomeRetried:
		in.retries.Add(ctx, 1, in.attrs.of2(keyClient, "worker", keyCause, string(r.Cause)))
	}
}

// attrCache keeps the attribute set of each label value met, so that a
// measurement does not build and sort a set every time. The values come
// from short fixed lists, so it stays small; past maxCached sets it builds
// them afresh.
type attrCache struct {
	m    sync.Map // attrKey -> metric.MeasurementOption
	size atomic.Int64
}

const maxCached = 256

type attrKey struct {
	k1, v1, k2, v2 string
}

func (c *attrCache) of(k attribute.Key, v string) metric.MeasurementOption {
	return c.get(attrKey{k1: string(k), v1: v}, func() attribute.Set { return attribute.NewSet(k.String(v)) })
}

func (c *attrCache) of2(k1 attribute.Key, v1 string, k2 attribute.Key, v2 string) metric.MeasurementOption {
	return c.get(attrKey{string(k1), v1, string(k2), v2}, func() attribute.Set {
		return attribute.NewSet(k1.String(v1), k2.String(v2))
	})
}

func (c *attrCache) get(key attrKey, build func() attribute.Set) metric.MeasurementOption {
	if o, ok := c.m.Load(key); ok {
		return o.(metric.MeasurementOption)
	}
	o := metric.WithAttributeSet(build())
	if c.size.Load() < maxCached {
		if _, loaded := c.m.LoadOrStore(key, o); !loaded {
			c.size.Add(1)
		}
	}
	return o
}
