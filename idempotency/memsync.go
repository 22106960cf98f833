package idempotency

import (
	"container/heap"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// syncRecord is the sync record of one resource in a MemoryStore.
type syncRecord struct {
	epoch    string    // tells this record from an expired one of the same resource
	started  int64     // sync claims so far; the generation is epoch.started
	covered  int64     // tags of this epoch below it are covered
	version  string    // recorded by the last FinishSync
	token    string    // the current claim's token, "" when none
	holder   int64     // what covered becomes when the current claim finishes
	leaseEnd time.Time // when the current claim's lease ends
	expires  time.Time
}

// generation returns the record's generation text.
func (r *syncRecord) generation() string {
	return r.epoch + "." + strconv.FormatInt(r.started, 10)
}

// covers reports whether a finished sync covers a message tagged gen.
func (r *syncRecord) covers(gen string) bool {
	if gen == "" {
		return false
	}
	epoch, n, ok := parseGeneration(gen)
	if !ok {
		return false
	}
	if epoch != r.epoch {
		// Read before this record existed: any finished sync covers it.
		return r.covered > 0
	}
	return n < r.covered
}

// parseGeneration splits "epoch.n"; "0" is the generation of no record,
// which no epoch equals.
func parseGeneration(gen string) (epoch string, n int64, ok bool) {
	if gen == noGeneration {
		return noGeneration, 0, true
	}
	epoch, num, found := strings.Cut(gen, ".")
	if !found || epoch == "" {
		return "", 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return epoch, n, true
}

// noGeneration is the generation of a resource without a sync record.
const noGeneration = "0"

// Generation implements Store.
func (s *MemoryStore) Generation(ctx context.Context, resource string) (string, error) {
	if err := checkResource(ctx, "generation", resource); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.liveSync(resource, time.Now()); r != nil {
		return r.generation(), nil
	}
	return noGeneration, nil
}

// StartSync implements Store. Epochs are the time of the record's creation
// in nanoseconds, made unique within the store.
func (s *MemoryStore) StartSync(ctx context.Context, resource, generation string, lease time.Duration) (SyncClaim, error) {
	if err := checkResource(ctx, "start sync", resource); err != nil {
		return SyncClaim{}, err
	}
	if lease <= 0 {
		lease = s.cfg.Lease
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.prune(now)
	r := s.liveSync(resource, now)
	if r == nil {
		s.epoch = max(now.UnixNano(), s.epoch+1)
		r = &syncRecord{epoch: strconv.FormatInt(s.epoch, 10)}
	}
	if r.covers(generation) {
		return SyncClaim{Status: Done}, nil
	}
	if r.token != "" && r.leaseEnd.After(now) {
		return SyncClaim{Status: InFlight, ExpiresAt: r.leaseEnd}, nil
	}
	r.started++
	r.holder = r.started
	r.token = s.newToken()
	r.leaseEnd = now.Add(lease)
	s.keepSync(resource, r, now)
	return SyncClaim{Status: Claimed, Token: r.token, Version: r.version, ExpiresAt: r.leaseEnd}, nil
}

// FinishSync implements Store.
func (s *MemoryStore) FinishSync(ctx context.Context, resource, token, version string) error {
	if err := checkClaimArgs(ctx, "finish sync", resource, token); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	r := s.liveSync(resource, now)
	if r == nil || r.token != token {
		return fmt.Errorf("finish sync %q: %w", resource, ErrLeaseLost)
	}
	r.covered = max(r.covered, r.holder)
	if version != "" {
		r.version = version
	}
	r.token = ""
	s.keepSync(resource, r, now)
	return nil
}

// AbortSync implements Store.
func (s *MemoryStore) AbortSync(ctx context.Context, resource, token string) error {
	if err := checkClaimArgs(ctx, "abort sync", resource, token); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.liveSync(resource, time.Now())
	switch {
	case r == nil || r.token == "":
		return nil
	case r.token == token:
		r.token = ""
		return nil
	}
	return fmt.Errorf("abort sync %q: %w", resource, ErrLeaseLost)
}

func checkResource(ctx context.Context, op, resource string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if resource == "" {
		return fmt.Errorf("%s: empty resource: %w", op, ErrInvalidArgument)
	}
	return nil
}

// liveSync returns resource's sync record if it has not expired at now.
func (s *MemoryStore) liveSync(resource string, now time.Time) *syncRecord {
	r := s.syncs[resource]
	if r == nil || !r.expires.After(now) {
		return nil
	}
	return r
}

// keepSync stores r for the retention from now, and at least until its
// claim's lease ends.
func (s *MemoryStore) keepSync(resource string, r *syncRecord, now time.Time) {
	r.expires = now.Add(s.cfg.Retention)
	if r.token != "" && r.leaseEnd.After(r.expires) {
		r.expires = r.leaseEnd
	}
	s.syncs[resource] = r
	heap.Push(&s.expiry, expiryItem{at: r.expires, key: resource, sync: r})
}
