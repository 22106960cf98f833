package idempotency_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// queueModel is what a MemoryQueue must be doing, tracked beside it.
type queueModel struct {
	window, capacity int // in seconds of the fake clock, in messages
	held             int
	firstSeen        map[string]time.Time // key -> start of its dedup window
	latest           map[string]*idempotency.Delivery
	live             map[string]bool // id -> latest delivery may still finish
	attempts         map[string]int
	dead             map[string]bool
	deliveries       []*idempotency.Delivery
	deadIDs          []string
}

// FuzzMemoryQueue drives a MemoryQueue in a synctest bubble (a fake clock) with a sequence of
// operations read from the input and checks every result against a model:
// deduplication, capacity, priority order, attempt counts, and that only the
// latest live delivery of a message can be finished.
func FuzzMemoryQueue(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 1, 0, 2, 0})
	f.Add([]byte{0, 3, 1, 1, 1, 0, 6, 2, 1, 0, 2, 0, 3, 0, 1, 6, 2, 1, 0})
	f.Add([]byte{0, 1, 0, 5, 1, 2, 4, 0, 5, 0, 1, 0, 7, 0, 0, 9})
	f.Add([]byte{0, 1, 0, 1, 6, 3, 6, 3, 0, 1, 1, 0, 2, 0})
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 1, 0, 1, 0, 1, 0, 6, 9, 1, 3})
	f.Fuzz(func(t *testing.T, ops []byte) { synctest.Test(t, func(t *testing.T) { fuzzQueue(t, ops) }) })
}

func fuzzQueue(t *testing.T, ops []byte) {
	m := &queueModel{
		window: 5, capacity: 4,
		firstSeen: map[string]time.Time{}, latest: map[string]*idempotency.Delivery{},
		live: map[string]bool{}, attempts: map[string]int{}, dead: map[string]bool{},
	}
	q := idempotency.NewMemoryQueue(idempotency.WithCapacity(m.capacity),
		idempotency.WithDedupWindow(time.Duration(m.window)*time.Second))
	defer q.Close()
	for i := 0; i+1 < len(ops) && i < 400; i += 2 {
		m.step(t, q, ops[i]%8, ops[i+1])
		m.checkStats(t, q)
	}
}

func (m *queueModel) step(t *testing.T, q *idempotency.MemoryQueue, op, arg byte) {
	ctx := t.Context()
	switch op {
	case 0:
		m.enqueue(t, q, arg)
	case 1:
		m.dequeue(t, q, arg)
	case 2, 3, 4:
		if len(m.deliveries) == 0 {
			return
		}
		d := m.deliveries[int(arg)%len(m.deliveries)]
		var err error
		switch op {
		case 2:
			err = q.Ack(ctx, d)
		case 3:
			err = q.Retry(ctx, d, time.Duration(arg%3)*time.Second)
		case 4:
			err = q.DeadLetter(ctx, d, "reason")
		}
		wantOK := m.latest[d.ID] == d && m.live[d.ID]
		if (err == nil) != wantOK || (err != nil && !errors.Is(err, idempotency.ErrLeaseLost)) {
			t.Fatalf("op %d on delivery %s attempt %d: %v, want success %v", op, d.ID, d.Attempt, err, wantOK)
		}
		if err == nil {
			m.live[d.ID] = false
			switch op {
			case 2:
				m.held--
			case 4:
				m.dead[d.ID] = true
				m.deadIDs = append(m.deadIDs, d.ID)
			}
		}
	case 5, 7:
		if len(m.deadIDs) == 0 {
			return
		}
		id := m.deadIDs[int(arg)%len(m.deadIDs)]
		var err error
		if op == 5 {
			err = q.Replay(ctx, id)
		} else {
			err = q.DeleteDeadLetter(ctx, id)
		}
		if wantOK := m.dead[id]; (err == nil) != wantOK || (err != nil && !errors.Is(err, idempotency.ErrNotFound)) {
			t.Fatalf("op %d on dead letter %s: %v, want success %v", op, id, err, wantOK)
		}
		if err == nil {
			m.dead[id] = false
			if op == 5 {
				m.attempts[id] = 0
			} else {
				m.held--
			}
		}
	case 6:
		time.Sleep(time.Duration(arg%4) * time.Second)
	}
}

func (m *queueModel) enqueue(t *testing.T, q *idempotency.MemoryQueue, arg byte) {
	key := "k" + strconv.Itoa(int(arg%6))
	prio := idempotency.Priority(arg / 6 % 2)
	r, err := q.Enqueue(t.Context(), idempotency.Message{Key: key, Priority: prio})
	now := time.Now()
	first, seen := m.firstSeen[key]
	wantDup := seen && now.Before(first.Add(time.Duration(m.window)*time.Second))
	switch {
	case wantDup:
		if err != nil || !r.Duplicate {
			t.Fatalf("Enqueue(%s) inside its window = %+v, %v; want a duplicate", key, r, err)
		}
	case m.held >= m.capacity:
		if !errors.Is(err, idempotency.ErrQueueFull) {
			t.Fatalf("Enqueue(%s) with %d held = %+v, %v; want ErrQueueFull", key, m.held, r, err)
		}
	default:
		if err != nil || r.Duplicate {
			t.Fatalf("Enqueue(%s) = %+v, %v; want a new message", key, r, err)
		}
		m.firstSeen[key] = now
		m.held++
	}
}

func (m *queueModel) dequeue(t *testing.T, q *idempotency.MemoryQueue, arg byte) {
	s, err := q.Stats(t.Context())
	if err != nil || s.Ready == 0 {
		return // Dequeue would block until the fake clock moves
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	d, err := q.Dequeue(ctx, time.Duration(1+arg%4)*time.Second)
	if err != nil {
		t.Fatalf("Dequeue with %d ready: %v", s.Ready, err)
	}
	if s.ReadyByPriority[idempotency.PriorityHigh] > 0 && d.Priority != idempotency.PriorityHigh {
		t.Fatalf("Dequeue gave a %v message while %d high were ready", d.Priority, s.ReadyByPriority[idempotency.PriorityHigh])
	}
	if want := m.attempts[d.ID] + 1; d.Attempt != want {
		t.Fatalf("Dequeue of %s: attempt %d, want %d", d.ID, d.Attempt, want)
	}
	m.attempts[d.ID]++
	m.latest[d.ID] = d
	m.live[d.ID] = true
	if len(m.deliveries) < 64 {
		m.deliveries = append(m.deliveries, d)
	}
}

func (m *queueModel) checkStats(t *testing.T, q *idempotency.MemoryQueue) {
	s, err := q.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dead := 0
	for _, d := range m.dead {
		if d {
			dead++
		}
	}
	if s.Depth()+s.Dead != m.held || s.Dead != dead ||
		s.Ready != s.ReadyByPriority[idempotency.PriorityHigh]+s.ReadyByPriority[idempotency.PriorityLow] {
		t.Fatalf("Stats = %+v, want %d held of which %d dead", s, m.held, dead)
	}
}

// storeModelRecord is what a MemoryStore must hold for one key.
type storeModelRecord struct {
	token   string
	done    bool
	expires time.Time
}

// FuzzMemoryStore drives a MemoryStore in a synctest bubble (a fake clock) with Begin, Complete,
// Release and clock moves read from the input, and checks every outcome
// against a model of the documented rules.
func FuzzMemoryStore(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 0, 0, 3, 9, 0, 0})
	f.Add([]byte{0, 1, 3, 5, 0, 1, 1, 1, 2, 1, 0, 1})
	f.Add([]byte{0, 2, 2, 2, 0, 2, 1, 2, 3, 9, 0, 2, 3, 9, 0, 2})
	f.Fuzz(func(t *testing.T, ops []byte) { synctest.Test(t, func(t *testing.T) { fuzzStore(t, ops) }) })
}

func fuzzStore(t *testing.T, ops []byte) {
	s := idempotency.NewMemoryStore()
	model := map[string]*storeModelRecord{}
	var tokens []string
	const lease, retention = 3 * time.Second, 5 * time.Second
	for i := 0; i+1 < len(ops) && i < 400; i += 2 {
		op, arg := ops[i]%4, ops[i+1]
		key := "k" + strconv.Itoa(int(arg%3))
		now := time.Now()
		r := model[key]
		if r != nil && !r.expires.After(now) {
			r = nil
		}
		token := "none"
		if len(tokens) > 0 {
			token = tokens[int(arg/3)%len(tokens)]
		}
		switch op {
		case 0:
			c, err := s.Begin(t.Context(), key, lease)
			if err != nil {
				t.Fatal(err)
			}
			want := idempotency.Claimed
			if r != nil && r.done {
				want = idempotency.Done
			} else if r != nil {
				want = idempotency.InFlight
			}
			if c.Status != want {
				t.Fatalf("Begin(%s) = %v, want %v", key, c.Status, want)
			}
			if want == idempotency.Claimed {
				model[key] = &storeModelRecord{token: c.Token, expires: now.Add(lease)}
				tokens = append(tokens, c.Token)
			}
		case 1:
			err := s.Complete(t.Context(), key, token, retention)
			switch {
			case r == nil || (!r.done && r.token == token):
				if err != nil {
					t.Fatalf("Complete(%s) of a free or own key: %v", key, err)
				}
				model[key] = &storeModelRecord{token: token, done: true, expires: now.Add(retention)}
			case r.done && r.token == token:
				if err != nil {
					t.Fatalf("repeated Complete(%s): %v", key, err)
				}
			default:
				if !errors.Is(err, idempotency.ErrLeaseLost) {
					t.Fatalf("Complete(%s) with a foreign token: %v, want ErrLeaseLost", key, err)
				}
			}
		case 2:
			err := s.Release(t.Context(), key, token)
			switch {
			case r == nil:
				if err != nil {
					t.Fatalf("Release(%s) of a free key: %v", key, err)
				}
			case !r.done && r.token == token:
				if err != nil {
					t.Fatalf("Release(%s) by its holder: %v", key, err)
				}
				delete(model, key)
			default:
				if !errors.Is(err, idempotency.ErrLeaseLost) {
					t.Fatalf("Release(%s) with a foreign token or of a done key: %v, want ErrLeaseLost", key, err)
				}
			}
		case 3:
			time.Sleep(time.Duration(arg%4) * time.Second)
		}
	}
}

// FuzzSyncGeneration feeds StartSync the generation a queue message
// carries, which is untrusted: any text must give Claimed or Done without an
// error, never Done before a sync finished or for an untagged message or a
// tag read after the finished sync was claimed, and always Done for "0"
// once one finished.
func FuzzSyncGeneration(f *testing.F) {
	for _, g := range []string{"", "0", "1.0", "x.y", "..", "1.-1", "9999999999999999999.1", "1.99999999999999999999"} {
		f.Add(g, true)
		f.Add(g, false)
	}
	f.Fuzz(func(t *testing.T, gen string, finished bool) {
		ctx := context.Background()
		s := idempotency.NewMemoryStore()
		first, err := s.StartSync(ctx, "r", "", time.Minute)
		if err != nil || first.Status != idempotency.Claimed {
			t.Fatalf("first StartSync = %+v, %v", first, err)
		}
		after, _ := s.Generation(ctx, "r")
		if finished {
			err = s.FinishSync(ctx, "r", first.Token, "v")
		} else {
			err = s.AbortSync(ctx, "r", first.Token)
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.StartSync(ctx, "r", gen, time.Minute)
		if err != nil {
			t.Fatalf("StartSync(%q): %v", gen, err)
		}
		switch {
		case c.Status != idempotency.Claimed && c.Status != idempotency.Done:
			t.Fatalf("StartSync(%q) = %v", gen, c.Status)
		case c.Status == idempotency.Done && (!finished || gen == "" || gen == after):
			t.Fatalf("StartSync(%q) = done (finished %v, tag after the claim %q)", gen, finished, after)
		case finished && gen == "0" && c.Status != idempotency.Done:
			t.Fatalf(`StartSync("0") after a finished sync = %v, want done`, c.Status)
		}
	})
}
