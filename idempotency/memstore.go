package idempotency

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// MemoryStore is a Store kept in the memory of one process: it is lost with
// the process and not shared between processes. Use it for a single-process
// deployment and in tests; use a Redis Store to scale out.
//
// Expired claims and done keys are removed as time passes, so its size
// follows the keys claimed or done within the lease and retention periods.
//
// The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	cfg    Config
	prefix string // makes tokens differ between stores

	mu      sync.Mutex
	records map[string]*storeRecord
	syncs   map[string]*syncRecord
	expiry  expiryHeap
	seq     uint64
	epoch   int64 // the last sync record epoch given out
}

var _ Store = (*MemoryStore)(nil)

type storeRecord struct {
	token   string
	done    bool
	expires time.Time
}

// NewMemoryStore returns an empty MemoryStore. It uses the options' Lease
// (default 30 s) and Retention (default 7 days), and reads the time from the
// time package.
func NewMemoryStore(opts ...Option) *MemoryStore {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &MemoryStore{
		cfg:     NewConfig(opts...),
		prefix:  hex.EncodeToString(b[:]),
		records: make(map[string]*storeRecord),
		syncs:   make(map[string]*syncRecord),
	}
}

// Begin implements Store. Tokens start with a random prefix of the store,
// so a token from one MemoryStore does not complete a key in another.
func (s *MemoryStore) Begin(ctx context.Context, key string, lease time.Duration) (Claim, error) {
	if err := ctx.Err(); err != nil {
		return Claim{}, err
	}
	if key == "" {
		return Claim{}, fmt.Errorf("begin: empty key: %w", ErrInvalidArgument)
	}
	if lease <= 0 {
		lease = s.cfg.Lease
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.prune(now)
	if r := s.live(key, now); r != nil {
		if r.done {
			return Claim{Status: Done, ExpiresAt: r.expires}, nil
		}
		return Claim{Status: InFlight, ExpiresAt: r.expires}, nil
	}
	token := s.newToken()
	s.set(key, &storeRecord{token: token}, now.Add(lease))
	return Claim{Status: Claimed, Token: token, ExpiresAt: now.Add(lease)}, nil
}

// Complete implements Store. A retention <= 0 uses Config.Retention.
func (s *MemoryStore) Complete(ctx context.Context, key, token string, retention time.Duration) error {
	if err := checkClaimArgs(ctx, "complete", key, token); err != nil {
		return err
	}
	if retention <= 0 {
		retention = s.cfg.Retention
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	r := s.live(key, now)
	switch {
	case r == nil:
		s.set(key, &storeRecord{token: token, done: true}, now.Add(retention))
		return nil
	case !r.done && r.token == token:
		r.done = true
		s.set(key, r, now.Add(retention))
		return nil
	case r.done && r.token == token:
		return nil
	}
	return fmt.Errorf("complete %q: %w", key, ErrLeaseLost)
}

// Release implements Store. It returns nil on a key that is absent,
// including one whose lease ended with no new claim since.
func (s *MemoryStore) Release(ctx context.Context, key, token string) error {
	if err := checkClaimArgs(ctx, "release", key, token); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(key, time.Now())
	switch {
	case r == nil:
		return nil
	case !r.done && r.token == token:
		delete(s.records, key)
		return nil
	}
	return fmt.Errorf("release %q: %w", key, ErrLeaseLost)
}

// newToken returns a token no claim of this store had; s.mu is held.
func (s *MemoryStore) newToken() string {
	s.seq++
	return string(strconv.AppendUint(append(make([]byte, 0, len(s.prefix)+21), s.prefix+"-"...), s.seq, 10))
}

func checkClaimArgs(ctx context.Context, op, key, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("%s: empty key: %w", op, ErrInvalidArgument)
	}
	if token == "" {
		return fmt.Errorf("%s %q: empty token: %w", op, key, ErrInvalidArgument)
	}
	return nil
}

// live returns key's record if it has not expired at now.
func (s *MemoryStore) live(key string, now time.Time) *storeRecord {
	r := s.records[key]
	if r == nil || !r.expires.After(now) {
		return nil
	}
	return r
}

// set stores r under key until expires. The heap item it pushes tells prune
// when to look at key again.
func (s *MemoryStore) set(key string, r *storeRecord, expires time.Time) {
	r.expires = expires
	s.records[key] = r
	heap.Push(&s.expiry, expiryItem{at: expires, key: key, rec: r})
}

// prune drops records and sync records that expired at now. A heap item
// whose record was replaced or extended since is skipped: the newer state
// has its own item.
func (s *MemoryStore) prune(now time.Time) {
	for s.expiry.Len() > 0 && !s.expiry[0].at.After(now) {
		it := heap.Pop(&s.expiry).(expiryItem)
		if it.sync != nil {
			if r := s.syncs[it.key]; r == it.sync && !r.expires.After(now) {
				delete(s.syncs, it.key)
			}
			continue
		}
		if r := s.records[it.key]; r == it.rec && !r.expires.After(now) {
			delete(s.records, it.key)
		}
	}
}

// expiryItem is a time at which a record (rec) or a sync record (sync) of
// key may have expired.
type expiryItem struct {
	at   time.Time
	key  string
	rec  *storeRecord
	sync *syncRecord
}

// expiryHeap orders items by expiry, earliest first.
type expiryHeap []expiryItem

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryItem)) }
func (h *expiryHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = expiryItem{}
	*h = old[:len(old)-1]
	return it
}
