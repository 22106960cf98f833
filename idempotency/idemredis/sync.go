package idemredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/redis/go-redis/v9"
)

// A resource's sync record is one hash, "<prefix>:sync:<resource>", with
// the fields e (epoch: the server's time in microseconds when the record was
// made), n (sync claims so far), c (generations of this epoch below it are
// covered), v (the recorded version), t and x (the current claim's token,
// empty when none, and its lease deadline in ms), and h (what c becomes when
// that claim finishes). It expires the retention after its last StartSync
// or FinishSync, and never before its claim's lease ends.

// Generation returns "<epoch>.<claims>", or "0" when resource has no sync
// record, with one HMGET.
func (s *Store) Generation(ctx context.Context, resource string) (string, error) {
	if resource == "" {
		return "", fmt.Errorf("idemredis: generation: %w: empty resource", idempotency.ErrInvalidArgument)
	}
	f, err := s.client.HMGet(ctx, syncKey(s.prefix, resource), "e", "n").Result()
	if err != nil {
		return "", fmt.Errorf("idemredis: generation: %w", err)
	}
	epoch, ok1 := f[0].(string)
	n, ok2 := f[1].(string)
	if !ok1 || !ok2 {
		return "0", nil
	}
	return epoch + "." + n, nil
}

// StartSync claims resource for a sync, or reports the message covered or
// the resource held, with one Lua script.
func (s *Store) StartSync(ctx context.Context, resource, generation string, lease time.Duration) (idempotency.SyncClaim, error) {
	if resource == "" {
		return idempotency.SyncClaim{}, fmt.Errorf("idemredis: start sync: %w: empty resource", idempotency.ErrInvalidArgument)
	}
	if lease <= 0 {
		lease = s.cfg.Lease
	}
	token := randomHex(16)
	res, err := scriptStartSync.Run(ctx, s.client, []string{syncKey(s.prefix, resource)},
		generation, token, millis(lease), millis(s.cfg.Retention)).Slice()
	if err != nil {
		return idempotency.SyncClaim{}, fmt.Errorf("idemredis: start sync: %w", err)
	}
	c, err := parseStartSync(res)
	if err != nil {
		return idempotency.SyncClaim{}, fmt.Errorf("idemredis: start sync: %w", err)
	}
	if c.Status == idempotency.Claimed {
		c.Token = token
	}
	return c, nil
}

// FinishSync records the sync as finished if token holds the claim.
func (s *Store) FinishSync(ctx context.Context, resource, token, version string) error {
	if resource == "" || token == "" {
		return fmt.Errorf("idemredis: finish sync: %w: empty resource or token", idempotency.ErrInvalidArgument)
	}
	return s.syncScript(ctx, "finish sync", scriptFinishSync, resource, token, version, millis(s.cfg.Retention))
}

// AbortSync frees resource if token holds it; a free resource returns nil.
func (s *Store) AbortSync(ctx context.Context, resource, token string) error {
	if resource == "" || token == "" {
		return fmt.Errorf("idemredis: abort sync: %w: empty resource or token", idempotency.ErrInvalidArgument)
	}
	return s.syncScript(ctx, "abort sync", scriptAbortSync, resource, token)
}

func (s *Store) syncScript(ctx context.Context, op string, sc *redis.Script, resource string, args ...any) error {
	ok, err := sc.Run(ctx, s.client, []string{syncKey(s.prefix, resource)}, args...).Int()
	if err != nil {
		return fmt.Errorf("idemredis: %s: %w", op, err)
	}
	if ok != 1 {
		return fmt.Errorf("idemredis: %s: %w", op, idempotency.ErrLeaseLost)
	}
	return nil
}

// parseStartSync reads {1, leaseEndMs, version}, {2} or {3, leaseEndMs}.
func parseStartSync(res []any) (idempotency.SyncClaim, error) {
	if len(res) == 0 {
		return idempotency.SyncClaim{}, errors.New("empty reply from start sync script")
	}
	st, err := asInt(res[0])
	if err != nil {
		return idempotency.SyncClaim{}, err
	}
	c := idempotency.SyncClaim{Status: idempotency.ClaimStatus(st)}
	switch {
	case c.Status == idempotency.Done && len(res) == 1:
		return c, nil
	case c.Status == idempotency.InFlight && len(res) == 2, c.Status == idempotency.Claimed && len(res) == 3:
	default:
		return idempotency.SyncClaim{}, fmt.Errorf("unexpected reply %v from start sync script", res)
	}
	exp, err := asInt(res[1])
	if err != nil {
		return idempotency.SyncClaim{}, err
	}
	c.ExpiresAt = time.UnixMilli(exp)
	if c.Status == idempotency.Claimed {
		v, ok := res[2].(string)
		if !ok {
			return idempotency.SyncClaim{}, fmt.Errorf("unexpected version %v from start sync script", res[2])
		}
		c.Version = v
	}
	return c, nil
}

// syncKey names a sync record.
func syncKey(prefix, resource string) string {
	return prefix + ":sync:" + resource
}
