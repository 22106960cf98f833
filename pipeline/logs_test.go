package pipeline_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// syncBuffer is a bytes.Buffer safe for the Worker's goroutines.
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

func TestWorkerLogsNameTheOrderAndNoSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 3)
	skipped := order(7)
	skipped.StatusID = 0
	s, err := e.bc.AddOrder(skipped)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, e.q, orders[0].ID, orders[1].ID, orders[2].ID, s.ID, 999)
	if err := e.sf.FailNext(1, sftest.Fault{Status: 503}); err != nil {
		t.Fatal(err)
	}

	var buf syncBuffer
	cfg := e.config()
	cfg.Graphs = dropField{GraphWriter: e.sfc, orderID: orders[1].ID, field: "StageName"}
	cfg.BatchSize = 3
	cfg.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w) // the 3 syncable orders share each call
	r := start(t, w)
	waitFor(t, "all settled", drained(e.q))
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	out := buf.String()
	for _, secret := range []string{e.bc.Token(), sftest.DefaultClientSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("a secret appears in the logs")
		}
	}
	outcomes := map[string]int{}
	failedCalls := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		msg, _ := line["msg"].(string)
		if strings.HasPrefix(msg, "composite graph call failed as a whole") {
			failedCalls++
		}
		if !strings.HasPrefix(msg, "order ") {
			continue
		}
		outcomes[msg]++
		if line["order_id"] == nil || line["key"] == nil {
			t.Errorf("line without order_id or key: %s", sc.Text())
		}
	}
	// The 503 fails the first call as a whole: its orders are written
	// again from memory, not retried through the queue.
	want := map[string]int{"order synced": 2, "order skipped": 1, "order dead-lettered": 2, "order retried": 0}
	for msg, n := range want {
		if outcomes[msg] != n {
			t.Errorf("%q logged %d times, want %d (all: %v)", msg, outcomes[msg], n, outcomes)
		}
	}
	if failedCalls != 1 {
		t.Errorf("the failed call logged %d times, want once", failedCalls)
	}
}
