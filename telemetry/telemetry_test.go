package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/telemetry"
)

// One order delivered over HTTP and synced to the fake org is one trace:
// the receiver's server span, which carries the queued message's id, the
// sync under it with the same id, and the HTTP requests of the sync (the
// order read, the token, the graph call) under the sync, which ends with
// the outcome.
func TestOneOrderIsOneTrace(t *testing.T) {
	r := newRig(t)
	id := r.addOrder(1, 11)
	r.deliver(id)
	res := r.work(1)
	if len(res) != 1 || res[0].Outcome != pipeline.OutcomeSynced {
		t.Fatalf("results %+v; want one synced", res)
	}

	spans := r.spans.Ended()
	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	one := func(name string) sdktrace.ReadOnlySpan {
		t.Helper()
		if len(byName[name]) != 1 {
			t.Fatalf("%d spans named %s, want 1 (spans: %v)", len(byName[name]), name, names(spans))
		}
		return byName[name][0]
	}
	// The server span is named after the route that served the delivery.
	recv := one("POST /webhooks/bigcommerce")
	sync := one(telemetry.SpanSync)
	if n := len(spans); n != 5 {
		t.Errorf("%d spans %v; want 5: the delivery, the sync and three requests", n, names(spans))
	}

	if recv.SpanKind() != trace.SpanKindServer || recv.Parent().IsValid() {
		t.Errorf("receiver span: kind %v, parent %v; want a server span at the root", recv.SpanKind(), recv.Parent())
	}
	traceID := recv.SpanContext().TraceID()
	if sync.SpanContext().TraceID() != traceID || sync.Parent().SpanID() != recv.SpanContext().SpanID() {
		t.Errorf("sync span: trace %s parent %s; want trace %s under the delivery",
			sync.SpanContext().TraceID(), sync.Parent().SpanID(), traceID)
	}
	if sync.SpanKind() != trace.SpanKindConsumer {
		t.Errorf("sync kind %v, want consumer", sync.SpanKind())
	}
	recvAttrs, syncAttrs := attribute.NewSet(recv.Attributes()...), attribute.NewSet(sync.Attributes()...)
	recvMsg, _ := recvAttrs.Value("messaging.message.id")
	syncMsg, _ := syncAttrs.Value("messaging.message.id")
	dup, _ := recvAttrs.Value("bc2sf.duplicate")
	if recvMsg.AsString() == "" || recvMsg != syncMsg || dup.Type() != attribute.BOOL || dup.AsBool() {
		t.Errorf("delivery's message id %q, duplicate %v; sync's message id %q: want one id, not a duplicate",
			recvMsg.AsString(), dup.String(), syncMsg.AsString())
	}
	// Each HTTP request of the sync is a client span under it: the order
	// read from BigCommerce, then the token and the graph call to Salesforce.
	var urls []string
	for _, s := range spans {
		if s.SpanKind() != trace.SpanKindClient {
			continue
		}
		if s.SpanContext().TraceID() != traceID || s.Parent().SpanID() != sync.SpanContext().SpanID() {
			t.Errorf("client span %s is in trace %s under %s, not under the order's sync", s.Name(), s.SpanContext().TraceID(), s.Parent().SpanID())
		}
		set := attribute.NewSet(s.Attributes()...)
		full, _ := set.Value("url.full")
		urls = append(urls, full.AsString())
	}
	want := []string{"/v2/orders/" + fmt.Sprint(id) + "?", "/services/oauth2/token", "/composite/graph"}
	if len(urls) != len(want) {
		t.Fatalf("client spans for %v, want %d: the order read, the token, the graph call", urls, len(want))
	}
	for i, w := range want {
		if !strings.Contains(urls[i], w) {
			t.Errorf("client span %d is for %s, want one for %s", i, urls[i], w)
		}
	}
	wantAttrs := map[attribute.Key]attribute.Value{
		"bc2sf.kind":    attribute.StringValue("order"),
		"bc2sf.id":      attribute.Int64Value(id),
		"bc2sf.source":  attribute.StringValue("webhook"),
		"bc2sf.attempt": attribute.IntValue(1),
		"bc2sf.outcome": attribute.StringValue("synced"),
	}
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range sync.Attributes() {
		got[kv.Key] = kv.Value
	}
	for k, v := range wantAttrs {
		if got[k] != v {
			t.Errorf("sync span %s = %v, want %v", k, got[k].String(), v.String())
		}
	}
	if sync.Status().Code != codes.Ok {
		t.Errorf("sync span status %+v, want Ok", sync.Status())
	}
	assertNoSecrets(t, spans, r)

	rm := r.metrics()
	if v, ok := value(rm, telemetry.MetricSynced, attribute.String("source", "webhook")); !ok || v != 1 {
		t.Errorf("%s{source=webhook} = %v (%v), want 1", telemetry.MetricSynced, v, ok)
	}
	assertLatency(t, rm, 1)
}

// Each outcome is counted under its reason, retries under their cause,
// and the gauges report the queue and both allowances.
func TestMetrics(t *testing.T) {
	r := newRig(t)
	good := r.addOrder(1, 11)
	incomplete := r.addOrder(2, 0)
	gone := good + 1000
	for _, id := range []int64{good, incomplete, gone} {
		r.deliver(id)
	}
	// The first graph call hits a locked row twice: the client tries again
	// once, then the Worker writes the order again from memory (a whole call
	// that fails is not the order's failure, so it is neither retried
	// through the queue nor counted as the Worker's retry). The first
	// BigCommerce read gets a 503, and the client reads again.
	if err := r.org.FailNext(2, sftest.Fault{Status: http.StatusBadRequest, Code: "UNABLE_TO_LOCK_ROW"}); err != nil {
		t.Fatal(err)
	}
	if err := r.store.FailNext(1, bctest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	res := r.work(3)
	outcomes := map[pipeline.Outcome]int{}
	for _, x := range res {
		outcomes[x.Outcome]++
	}
	if outcomes[pipeline.OutcomeSynced] != 1 || outcomes[pipeline.OutcomeSkipped] != 1 ||
		outcomes[pipeline.OutcomeDead] != 1 || outcomes[pipeline.OutcomeRetried] != 0 {
		t.Fatalf("outcomes %v; want one synced, skipped and dead-lettered each, none retried", outcomes)
	}

	rm := r.metrics()
	used, limit := r.org.DailyUsage()
	rl := r.bc.RateLimit()
	for _, c := range []struct {
		name  string
		attrs []attribute.KeyValue
		want  float64
	}{
		{telemetry.MetricSynced, []attribute.KeyValue{attribute.String("source", "webhook")}, 1},
		{telemetry.MetricSkipped, []attribute.KeyValue{attribute.String("reason", "status_not_synced")}, 1},
		{telemetry.MetricDeadLettered, []attribute.KeyValue{attribute.String("reason", string(pipeline.CauseBigCommerceRejected))}, 1},
		{telemetry.MetricRetries, []attribute.KeyValue{attribute.String("client", "salesforce"), attribute.String("cause", string(pipeline.CauseUnavailable))}, 1},
		{telemetry.MetricRetries, []attribute.KeyValue{attribute.String("client", "bigcommerce"), attribute.String("cause", string(pipeline.CauseUnavailable))}, 1},
		{telemetry.MetricQueueDepth, []attribute.KeyValue{attribute.String("state", "ready")}, 0},
		{telemetry.MetricQueueDepth, []attribute.KeyValue{attribute.String("state", "delayed")}, 0},
		{telemetry.MetricQueueDepth, []attribute.KeyValue{attribute.String("state", "in_flight")}, 0},
		{telemetry.MetricDeadLetters, nil, 1},
		{telemetry.MetricOldestAge, nil, 0},
		{telemetry.MetricSalesforceUsage, nil, float64(used)},
		{telemetry.MetricSalesforceLimit, nil, float64(limit)},
		{telemetry.MetricBigCommerceRemaining, nil, float64(rl.Remaining)},
		{telemetry.MetricBigCommerceQuota, nil, 1000},
	} {
		if v, ok := value(rm, c.name, c.attrs...); !ok || v != c.want {
			t.Errorf("%s%v = %v (reported: %v), want %v", c.name, c.attrs, v, ok, c.want)
		}
	}
	if used < 1 || rl.Remaining != r.store.RequestsLeft() || rl.Remaining >= 1000 {
		t.Errorf("the fakes say %d Salesforce calls used, %d (client: %d) BigCommerce requests left; want calls made on both", used, r.store.RequestsLeft(), rl.Remaining)
	}
	// One series per reason, not per order.
	for name, want := range map[string]int{telemetry.MetricSynced: 1, telemetry.MetricSkipped: 1,
		telemetry.MetricDeadLettered: 1, telemetry.MetricRetries: 2} {
		if n := points(rm, name); n != want {
			t.Errorf("%s has %d series, want %d", name, n, want)
		}
	}
	// The clients' retries are marked on the span of the order they were
	// for: the order read's and the graph call's.
	var marked int
	for _, s := range r.spans.Ended() {
		for _, e := range s.Events() {
			if e.Name == telemetry.EventRetry && s.Name() == telemetry.SpanSync {
				marked++
			}
		}
	}
	if marked != 2 {
		t.Errorf("%d %s events on %s spans, want 2", marked, telemetry.EventRetry, telemetry.SpanSync)
	}
	assertLatency(t, rm, 1)

	// The queue's figures follow it: a message waiting shows.
	body, err := pipeline.EncodeTask(pipeline.Task{OrderID: good, Source: pipeline.SourceReconcile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.queue.Enqueue(t.Context(), idempotency.Message{Key: "k", Body: body}); err != nil {
		t.Fatal(err)
	}
	rm = r.metrics()
	if v, _ := value(rm, telemetry.MetricQueueDepth, attribute.String("state", "ready")); v != 1 {
		t.Errorf("%s{state=ready} = %v with one message waiting, want 1", telemetry.MetricQueueDepth, v)
	}
	if v, _ := value(rm, telemetry.MetricOldestAge); v < 0 {
		t.Errorf("%s = %v, want >= 0", telemetry.MetricOldestAge, v)
	}

	// After Close, the gauges are no longer read.
	if err := r.tel.Close(); err != nil {
		t.Fatal(err)
	}
	if n := points(r.metrics(), telemetry.MetricQueueDepth); n != 0 {
		t.Errorf("%s still has %d points after Close", telemetry.MetricQueueDepth, n)
	}
}

// A failed delivery's trace says why: the sync span of a dead letter is an
// error with the cause.
func TestDeadLetterSpan(t *testing.T) {
	r := newRig(t)
	gone := int64(4242)
	r.deliver(gone)
	res := r.work(1)
	if len(res) != 1 || res[0].Outcome != pipeline.OutcomeDead {
		t.Fatalf("results %+v; want one dead letter", res)
	}
	var sync sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Name() == telemetry.SpanSync {
			sync = s
		}
	}
	if sync == nil {
		t.Fatal("no sync span")
	}
	attrs := attribute.NewSet(sync.Attributes()...)
	if v, _ := attrs.Value("bc2sf.cause"); v.AsString() != string(pipeline.CauseBigCommerceRejected) {
		t.Errorf("bc2sf.cause = %q, want %q", v.AsString(), pipeline.CauseBigCommerceRejected)
	}
	if v, _ := attrs.Value("bc2sf.outcome"); v.AsString() != "dead" {
		t.Errorf("bc2sf.outcome = %q, want dead", v.AsString())
	}
	if sync.Status().Code != codes.Error || !strings.Contains(sync.Status().Description, fmt.Sprintf("order %d", gone)) {
		t.Errorf("status %+v; want an error naming the order", sync.Status())
	}
}

func assertLatency(t *testing.T, rm metricdata.ResourceMetrics, count uint64) {
	t.Helper()
	m, ok := find(rm, telemetry.MetricLatency)
	if !ok {
		t.Fatalf("no %s", telemetry.MetricLatency)
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok || len(h.DataPoints) != 1 {
		t.Fatalf("%s: %T with %d points", telemetry.MetricLatency, m.Data, len(h.DataPoints))
	}
	p := h.DataPoints[0]
	if p.Count != count || p.Sum <= 0 || p.Sum > 20 || m.Unit != "s" {
		t.Errorf("%s: count %d, sum %v s, unit %q; want %d positive latency below the test's limit, in s", telemetry.MetricLatency, p.Count, p.Sum, m.Unit, count)
	}
	if v, _ := p.Attributes.Value("source"); v.AsString() != "webhook" {
		t.Errorf("%s source = %q, want webhook", telemetry.MetricLatency, v.AsString())
	}
}

// assertNoSecrets fails when a credential, or a header that carries one,
// appears anywhere in the spans.
func assertNoSecrets(t *testing.T, spans []sdktrace.ReadOnlySpan, r *rig) {
	t.Helper()
	secrets := []string{hookSecret, clientSecret, r.store.Token(), sftest.DefaultClientSecret}
	headers := []string{"authorization", "x-auth-token", "x-webhook-secret", "webhook-signature", "bearer", "access_token"}
	check := func(where, s string) {
		low := strings.ToLower(s)
		for _, x := range secrets {
			if strings.Contains(s, x) {
				t.Errorf("%s holds a secret", where)
			}
		}
		for _, h := range headers {
			if strings.Contains(low, h) {
				t.Errorf("%s mentions %q: %.200s", where, h, s)
			}
		}
	}
	checkAttrs := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			check(where+" "+string(kv.Key), string(kv.Key)+"="+kv.Value.String())
		}
	}
	for _, s := range spans {
		check("span name", s.Name())
		checkAttrs("span "+s.Name(), s.Attributes())
		check("span "+s.Name()+" status", s.Status().Description)
		for _, e := range s.Events() {
			checkAttrs("span "+s.Name()+" event "+e.Name, e.Attributes)
		}
		for _, l := range s.Links() {
			checkAttrs("span "+s.Name()+" link", l.Attributes)
		}
		if s.SpanKind() == trace.SpanKindClient {
			for _, kv := range s.Attributes() {
				if kv.Key == "url.full" && strings.Contains(kv.Value.AsString(), "?") && !strings.Contains(kv.Value.AsString(), "REDACTED") {
					t.Errorf("client span url.full %q keeps its query values", kv.Value.AsString())
				}
			}
		}
	}
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name()
	}
	return out
}

// A call that serves several orders (a batch) shows in every order's
// trace without a span per order: the call's HTTP client span runs under
// the first order's sync and links to the others', and each order's sync
// gets an event that says how the call went and where its span is.
func TestBatchedCallIsInEveryOrdersTrace(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	tel, err := telemetry.New(telemetry.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer api.Close()
	client := tel.HTTPClient(api.Client())
	hooks := tel.Worker(pipeline.WorkerConfig{}).Hooks
	ctx := context.Background()
	var tasks []context.Context
	var ends []func(pipeline.Result)
	for i := range 3 {
		tc, end := hooks.Task(ctx, pipeline.Task{OrderID: int64(i + 1), Source: pipeline.SourceReconcile},
			&idempotency.Delivery{ID: fmt.Sprint(i), Attempt: 1})
		tasks, ends = append(tasks, tc), append(ends, end)
	}
	callCtx, done := hooks.Call(ctx, pipeline.StageWrite, tasks)
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, api.URL+"/composite/graph", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	done(errors.New("composite graph: 503"))
	for _, end := range ends {
		end(pipeline.Result{Outcome: pipeline.OutcomeRetried, Cause: pipeline.CauseUnavailable, Reason: "503"})
	}

	var syncs []sdktrace.ReadOnlySpan
	var call sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		switch {
		case s.Name() == telemetry.SpanSync:
			syncs = append(syncs, s)
		case s.SpanKind() == trace.SpanKindClient:
			if call != nil {
				t.Fatalf("two client spans for one call")
			}
			call = s
		default:
			t.Errorf("span %s: want only the syncs and the call's client span", s.Name())
		}
	}
	if len(syncs) != 3 || call == nil {
		t.Fatalf("%d sync spans, call span %v; want 3 and one", len(syncs), call != nil)
	}
	first := syncs[0]
	for _, s := range syncs {
		if s.SpanContext().SpanID() == call.Parent().SpanID() {
			first = s
		}
	}
	if call.Parent().SpanID() != first.SpanContext().SpanID() || call.SpanContext().TraceID() != first.SpanContext().TraceID() {
		t.Errorf("the call's span is not under an order's sync")
	}
	callAttrs := attribute.NewSet(call.Attributes()...)
	if v, _ := callAttrs.Value("bc2sf.batch.orders"); v.AsInt64() != 3 {
		t.Errorf("the call's span: bc2sf.batch.orders = %v, want 3", v.String())
	}
	linked := map[trace.SpanID]bool{}
	for _, l := range call.Links() {
		linked[l.SpanContext.SpanID()] = true
	}
	for _, s := range syncs {
		id := s.SpanContext().SpanID()
		if want := s != first; linked[id] != want {
			t.Errorf("the call's span links sync %s: %v, want %v (one link to each other order's sync)", id, linked[id], want)
		}
		var events []sdktrace.Event
		for _, e := range s.Events() {
			if e.Name == telemetry.EventWrite {
				events = append(events, e)
			}
		}
		if len(events) != 1 {
			t.Errorf("sync %s has %d %s events, want 1", id, len(events), telemetry.EventWrite)
			continue
		}
		set := attribute.NewSet(events[0].Attributes...)
		str := func(k attribute.Key) string { v, _ := set.Value(k); return v.String() }
		if str("bc2sf.call.trace_id") != call.SpanContext().TraceID().String() ||
			str("bc2sf.call.span_id") != call.SpanContext().SpanID().String() {
			t.Errorf("sync %s's event points to %s/%s, want the call's span %s/%s", id,
				str("bc2sf.call.trace_id"), str("bc2sf.call.span_id"), call.SpanContext().TraceID(), call.SpanContext().SpanID())
		}
		if str("bc2sf.batch.orders") != "3" || str("bc2sf.call.outcome") != "error" ||
			!strings.Contains(str("bc2sf.call.error"), "503") {
			t.Errorf("sync %s's event: orders %s, outcome %s, error %q; want 3, error, the call's error", id,
				str("bc2sf.batch.orders"), str("bc2sf.call.outcome"), str("bc2sf.call.error"))
		}
		if d, ok := set.Value("bc2sf.call.duration"); !ok || d.Type() != attribute.FLOAT64 || d.AsFloat64() < 0 {
			t.Errorf("sync %s's event: duration %v, want seconds", id, d.String())
		}
	}
}

// A shared call whose first order is sampled out runs under the first
// order that is traced, and an order sampled out gets nothing.
func TestBatchedCallUnderFirstTracedOrder(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	tel, err := telemetry.New(telemetry.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	hooks := tel.Worker(pipeline.WorkerConfig{}).Hooks
	ctx := context.Background()
	unsampled := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"
	var tasks []context.Context
	var ends []func(pipeline.Result)
	for i := range 3 {
		task := pipeline.Task{OrderID: int64(i + 1), Source: pipeline.SourceWebhook}
		if i == 0 {
			task.TraceParent = unsampled
		}
		tc, end := hooks.Task(ctx, task, &idempotency.Delivery{ID: fmt.Sprint(i), Attempt: 1})
		tasks, ends = append(tasks, tc), append(ends, end)
	}
	callCtx, done := hooks.Call(ctx, pipeline.StageFetch, tasks)
	if got, want := trace.SpanContextFromContext(callCtx), trace.SpanContextFromContext(tasks[1]); !got.Equal(want) {
		t.Errorf("the call runs under %s, want the second order's sync %s", got.SpanID(), want.SpanID())
	}
	done(nil)
	for _, end := range ends {
		end(pipeline.Result{Outcome: pipeline.OutcomeSynced, Source: pipeline.SourceWebhook})
	}
	var events int
	for _, s := range spans.Ended() {
		for _, e := range s.Events() {
			if e.Name != telemetry.EventFetch {
				continue
			}
			events++
			set := attribute.NewSet(e.Attributes...)
			if v, _ := set.Value("bc2sf.call.span_id"); v.AsString() != trace.SpanContextFromContext(tasks[1]).SpanID().String() {
				t.Errorf("without an HTTP span, the event points to %s, want the span the call ran under", v.AsString())
			}
			if v, _ := set.Value("bc2sf.call.outcome"); v.AsString() != "ok" {
				t.Errorf("bc2sf.call.outcome = %q, want ok", v.AsString())
			}
		}
	}
	if events != 2 {
		t.Errorf("%d %s events, want 2: one on each traced order's sync", events, telemetry.EventFetch)
	}
}

// A customer's trace shows its BigCommerce read, as an order's does: the
// customers request is a client span under the customer's sync, beside the
// Salesforce call, with the query's values redacted.
func TestCustomerTraceShowsTheRead(t *testing.T) {
	r := newRig(t)
	c, err := r.store.AddCustomer(bctest.Customer{Email: "grace@example.org", LastName: "Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	r.wcfg.Customers = r.bc.Customers
	body, err := pipeline.EncodeTask(pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceWebhook})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.queue.Enqueue(t.Context(), idempotency.Message{Key: "customer", Body: body}); err != nil {
		t.Fatal(err)
	}
	if res := r.work(1); res[0].Outcome != pipeline.OutcomeSynced {
		t.Fatalf("result %+v; want synced", res[0])
	}
	spans := r.spans.Ended()
	var sync sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == telemetry.SpanSync {
			sync = s
		}
	}
	if sync == nil {
		t.Fatalf("no sync span in %v", names(spans))
	}
	var read, write bool
	for _, s := range spans {
		if s.SpanKind() != trace.SpanKindClient {
			continue
		}
		if s.Parent().SpanID() != sync.SpanContext().SpanID() {
			t.Errorf("client span %s is not under the customer's sync", s.Name())
		}
		set := attribute.NewSet(s.Attributes()...)
		full, _ := set.Value("url.full")
		switch u := full.AsString(); {
		case strings.Contains(u, "/v3/customers?"):
			read = true
			_, query, _ := strings.Cut(u, "?")
			if strings.Contains(query, "="+fmt.Sprint(c.ID)) || !strings.Contains(query, "REDACTED") {
				t.Errorf("the read's url.full %q keeps its query values", u)
			}
		case strings.Contains(u, "/composite/graph"):
			write = true
		}
	}
	if !read || !write {
		t.Errorf("client spans under the sync: read %v, write %v; want both", read, write)
	}
	assertNoSecrets(t, spans, r)
}
