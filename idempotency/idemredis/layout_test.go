package idemredis_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

// TestKeyLayout runs a queue and a store through every state and checks the
// keys they leave against the documented layout: queue keys all carry the
// {prefix} hash tag (one cluster slot), store keys carry none.
func TestKeyLayout(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	ctx := ctxT(t)
	prefix := freshPrefix(t)
	q, err := idemredis.NewQueue(client, idemredis.WithPrefix(prefix), idemredis.WithGroup("workers"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := idemredis.NewStore(client, idemredis.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}

	for _, k := range []string{"a", "b", "c"} {
		mustEnqueue(t, q, idempotency.Message{Key: k, Priority: idempotency.PriorityLow})
	}
	mustEnqueue(t, q, idempotency.Message{Key: "d"})
	if err := q.Retry(ctx, mustDequeue(t, q, time.Minute), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := q.DeadLetter(ctx, mustDequeue(t, q, time.Minute), "r"); err != nil {
		t.Fatal(err)
	}
	mustDequeue(t, q, time.Minute) // left in flight
	if _, err := s.Begin(ctx, "order-{7}", time.Minute); err != nil {
		t.Fatal(err)
	}

	tag := "{" + prefix + "}:q:"
	want := map[string]string{
		tag + "high":                "stream",
		tag + "low":                 "stream",
		tag + "low:leases":          "zset",
		tag + "delayed":             "zset",
		tag + "requeued":            "zset",
		tag + "dead":                "stream",
		tag + "dead:index":          "hash",
		tag + "dedup:a":             "string",
		tag + "dedup:b":             "string",
		tag + "dedup:c":             "string",
		tag + "dedup:d":             "string",
		prefix + ":store:order-{7}": "string",
	}
	got := map[string]string{}
	for _, k := range client.Keys(ctx, "*"+prefix+"*").Val() {
		got[k] = client.Type(ctx, k).Val()
	}
	for k, typ := range want {
		if got[k] != typ {
			t.Errorf("key %q: type %q, want %q", k, got[k], typ)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("undocumented key %q", k)
		}
	}
	groups := client.XInfoGroups(ctx, tag+"low").Val()
	if len(groups) != 1 || groups[0].Name != "workers" || groups[0].Pending != 1 {
		t.Errorf("groups of the low stream = %+v, want workers with 1 pending", groups)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsGroupRecreation checks that the queue reports creating its group
// and re-creating it after Redis lost it, and never logs a message body.
func TestLogsGroupRecreation(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	client := newClient(t, srv)
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	q := newQueue(t, client, idemredis.WithOptions(idempotency.WithLogger(logger)))
	ctx := ctxT(t)
	const secret = "body-must-not-be-logged"

	mustEnqueue(t, q, idempotency.Message{Key: "k1", Body: []byte(secret)})
	if err := q.Ack(ctx, mustDequeue(t, q, time.Minute)); err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	mustEnqueue(t, q, idempotency.Message{Key: "k2", Body: []byte(secret)})
	if err := q.Ack(ctx, mustDequeue(t, q, time.Minute)); err != nil {
		t.Fatal(err)
	}

	out := buf.String()
	if !strings.Contains(out, "created consumer group") || !strings.Contains(out, "consumer group missing") {
		t.Errorf("log does not report the group's creation and re-creation:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("log contains a message body:\n%s", out)
	}
}
