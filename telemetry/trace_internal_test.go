package telemetry

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// The trace context of a task comes from the queue, so from anyone who
// could write to it: whatever it holds, the sync span starts, ends, and
// continues the trace only when the traceparent is valid.
func FuzzTaskTraceContext(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=x")
	f.Add("00-00000000000000000000000000000000-00f067aa0ba902b7-01", "")
	f.Add("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b,c")
	f.Add("", "a=b")
	f.Add("00-00000000000000000000000000100000-0000000000100000-00", "0")
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "\x00")
	f.Fuzz(func(t *testing.T, parent, state string) {
		spans := tracetest.NewSpanRecorder()
		tel, err := New(WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))))
		if err != nil {
			t.Fatal(err)
		}
		ctx, end := tel.taskHook(context.Background(), pipeline.Task{OrderID: 1, Source: pipeline.SourceWebhook,
			TraceParent: parent, TraceState: state}, &idempotency.Delivery{ID: "1", Attempt: 1})
		end(pipeline.Result{Outcome: pipeline.OutcomeDead, Reason: parent})
		ended := spans.Ended()
		// The sampler follows the parent: a valid traceparent whose sampled
		// flag is off is continued, unrecorded, so that the receiver's
		// sampling decision holds for the whole trace.
		remote := trace.SpanContextFromContext(tel.prop.Extract(context.Background(),
			&traceCarrier{parent: parent, state: state}))
		want := 1
		if remote.IsValid() && !remote.IsSampled() {
			want = 0
		}
		if ctx == nil || len(ended) != want {
			t.Fatalf("taskHook(%q, %q): %d spans ended, want %d", parent, state, len(ended), want)
		}
		p, _ := tel.TraceContext(ctx)
		if p == "" {
			t.Fatalf("the sync span has no trace context")
		}
		if remote.IsValid() && p[3:35] != remote.TraceID().String() {
			t.Errorf("span continues trace %s, not the task's %q", p[3:35], parent)
		}
		if want == 1 && !ended[0].SpanContext().IsValid() {
			t.Errorf("taskHook(%q, %q): the ended span has no valid context", parent, state)
		}
		if want == 1 && remote.IsValid() != ended[0].Parent().IsValid() {
			t.Errorf("taskHook(%q, %q): span parent %v, want the task's %v", parent, state, ended[0].Parent(), remote)
		}
	})
}
