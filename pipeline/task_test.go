package pipeline_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/pipeline"
)

func TestTaskRoundTrip(t *testing.T) {
	t.Parallel()
	in := pipeline.Task{OrderID: 250, Scope: "store/order/created", Source: pipeline.SourceWebhook,
		EventHash: "abc", ReceivedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
	b, err := pipeline.EncodeTask(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"order_id":250,"scope":"store/order/created","source":"webhook","event_hash":"abc","received_at":"2026-01-02T03:04:05.000000006Z"}`
	if string(b) != want {
		t.Errorf("EncodeTask = %s\nwant          %s", b, want)
	}
	out, err := pipeline.DecodeTask(b)
	if err != nil || out != in {
		t.Errorf("DecodeTask = %+v, %v; want %+v", out, err, in)
	}
}

func TestTaskTraceContextRoundTrip(t *testing.T) {
	t.Parallel()
	in := pipeline.Task{OrderID: 250, Source: pipeline.SourceWebhook,
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceState: "vendor=x"}
	b, err := pipeline.EncodeTask(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"vendor=x"`) {
		t.Errorf("EncodeTask = %s; want the trace context in it", b)
	}
	out, err := pipeline.DecodeTask(b)
	if err != nil || out != in {
		t.Errorf("DecodeTask = %+v, %v; want %+v", out, err, in)
	}
}

// A task written before the trace fields existed still decodes, with them
// empty.
func TestDecodeTaskWithoutTraceContext(t *testing.T) {
	t.Parallel()
	got, err := pipeline.DecodeTask([]byte(`{"order_id":250,"scope":"store/order/created","source":"webhook","event_hash":"abc","received_at":"2026-01-02T03:04:05Z"}`))
	if err != nil || got.OrderID != 250 || got.TraceParent != "" || got.TraceState != "" {
		t.Errorf("DecodeTask = %+v, %v", got, err)
	}
}

func TestDecodeTaskRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"empty", ``, "unexpected end"},
		{"not an object", `[1]`, "cannot unmarshal"},
		{"null", `null`, "order_id 0"},
		{"no order id", `{"source":"webhook"}`, "order_id 0"},
		{"negative id", `{"order_id":-4,"source":"webhook"}`, "not positive"},
		{"id as string", `{"order_id":"4","source":"webhook"}`, "cannot unmarshal"},
		{"fractional id", `{"order_id":4.5,"source":"webhook"}`, "cannot unmarshal"},
		{"unknown source", `{"order_id":4,"source":"ftp"}`, `unknown source "ftp"`},
		{"no source", `{"order_id":4}`, "unknown source"},
		{"bad time", `{"order_id":4,"source":"webhook","received_at":"yesterday"}`, "cannot parse"},
		{"trailing", `{"order_id":4,"source":"webhook"} x`, "invalid character"},
		{"long scope", `{"order_id":4,"source":"webhook","scope":"` + strings.Repeat("s", 257) + `"}`, "scope longer"},
		{"huge", `{"order_id":4,"source":"webhook","x":"` + strings.Repeat("x", pipeline.MaxTaskBytes) + `"}`, "exceeds"},
		{"long traceparent", `{"order_id":4,"source":"webhook","traceparent":"` + strings.Repeat("0", 257) + `"}`, "traceparent longer"},
		{"long tracestate", `{"order_id":4,"source":"webhook","tracestate":"` + strings.Repeat("a", 513) + `"}`, "tracestate longer"},
		{"traceparent as number", `{"order_id":4,"source":"webhook","traceparent":1}`, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pipeline.DecodeTask([]byte(tt.body))
			if !errors.Is(err, pipeline.ErrInvalidTask) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DecodeTask(%.40q) = %v; want ErrInvalidTask with %q", tt.body, err, tt.want)
			}
		})
	}
}

func TestDecodeTaskIgnoresUnknownFields(t *testing.T) {
	t.Parallel()
	got, err := pipeline.DecodeTask([]byte(`{"order_id":7,"source":"backfill","priority":"low"}`))
	if err != nil || got.OrderID != 7 || got.Source != pipeline.SourceBackfill || !got.ReceivedAt.IsZero() {
		t.Errorf("DecodeTask = %+v, %v", got, err)
	}
}

func TestEncodeTaskValidates(t *testing.T) {
	t.Parallel()
	for _, task := range []pipeline.Task{
		{OrderID: 0, Source: pipeline.SourceWebhook},
		{OrderID: 1, Source: "x"},
		{OrderID: 1, Source: pipeline.SourceWebhook, EventHash: strings.Repeat("h", 257)},
		{OrderID: 1, Source: pipeline.SourceWebhook, ReceivedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, err := pipeline.EncodeTask(task); !errors.Is(err, pipeline.ErrInvalidTask) {
			t.Errorf("EncodeTask(%+v) = %v, want ErrInvalidTask", task, err)
		}
	}
}

func FuzzDecodeTask(f *testing.F) {
	for _, s := range []string{
		`{"order_id":250,"scope":"store/order/created","source":"webhook","event_hash":"abc","received_at":"2026-01-02T03:04:05Z"}`,
		`{"order_id":1,"source":"reconcile"}`, `{"order_id":9223372036854775807,"source":"backfill"}`,
		`{"order_id":1e3,"source":"webhook"}`, `null`, `[]`, `{"order_id":-1}`, "\xff",
		`{"order_id":2,"source":"webhook","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"a=b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		task, err := pipeline.DecodeTask(b)
		if err != nil {
			if !errors.Is(err, pipeline.ErrInvalidTask) {
				t.Fatalf("error %v does not wrap ErrInvalidTask", err)
			}
			return
		}
		if task.OrderID <= 0 || !task.Source.Valid() {
			t.Fatalf("accepted invalid task %+v", task)
		}
		enc, err := pipeline.EncodeTask(task)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", task, err)
		}
		again, err := pipeline.DecodeTask(enc)
		if err != nil || !again.ReceivedAt.Equal(task.ReceivedAt) || again.OrderID != task.OrderID ||
			again.Scope != task.Scope || again.Source != task.Source || again.EventHash != task.EventHash ||
			again.TraceParent != task.TraceParent || again.TraceState != task.TraceState {
			t.Fatalf("round trip %+v -> %s -> %+v, %v", task, enc, again, err)
		}
	})
}

// FuzzSyncGeneration reads a decoded task's generation from an arbitrary
// message key: it never panics, and what it returns is either the body's
// generation, nothing, or the end of the key after the task's own prefix.
func FuzzSyncGeneration(f *testing.F) {
	f.Add(`{"order_id":250,"source":"webhook","generation_in_key":true}`, "sync:250:1765000000000000.3")
	f.Add(`{"kind":"customer","order_id":0,"customer_id":7,"source":"webhook","generation_in_key":true}`, "sync:customer:7:0")
	f.Add(`{"order_id":250,"source":"webhook","generation":"2.1","generation_in_key":true}`, "sync:250:9.9")
	f.Add(`{"order_id":250,"source":"webhook","generation_in_key":true}`, "sync:25:0")
	f.Fuzz(func(t *testing.T, body, key string) {
		task, err := pipeline.DecodeTask([]byte(body))
		if err != nil {
			return
		}
		g := task.SyncGeneration(key)
		switch {
		case g == "" || g == task.Generation:
		case !task.GenerationInKey || task.Generation != "":
			t.Fatalf("SyncGeneration(%q) = %q for a task whose body says %q, in key %v", key, g, task.Generation, task.GenerationInKey)
		case !strings.HasSuffix(key, g) || !strings.HasPrefix(key, "sync:") || len(g) > 256:
			t.Fatalf("SyncGeneration(%q) = %q: not the end of the key", key, g)
		}
	})
}
