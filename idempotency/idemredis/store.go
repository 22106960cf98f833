package idemredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/redis/go-redis/v9"
)

var _ idempotency.Store = (*Store)(nil)

// Store is an idempotency.Store on Redis. A key's state is one string,
// "<prefix>:store:<key>": "c:<token>" while claimed (expiring with the
// lease), "d:<token>" when done (expiring with the retention). A
// resource's sync record is one hash, "<prefix>:sync:<resource>" (see
// StartSync). Every change is one Lua script, so concurrent Begin or
// StartSync calls on any number of processes give exactly one claim.
//
// A Store is safe for concurrent use. It does not close the client.
type Store struct {
	client redis.UniversalClient
	prefix string
	cfg    idempotency.Config
}

// NewStore returns a Store that keeps its keys in client, which the caller
// owns and closes. It applies WithPrefix and WithOptions (the default lease,
// 30 s, and retention, 7 days) and ignores the Queue-only options. It makes
// no network call; a nil client or an invalid option returns an error
// wrapping idempotency.ErrInvalidArgument.
func NewStore(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("idemredis: %w: nil client", idempotency.ErrInvalidArgument)
	}
	o, cfg, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Store{client: client, prefix: o.prefix, cfg: cfg}, nil
}

// Begin claims key for lease (<= 0: the store's default) with SET NX PX, or
// reports it done or in flight. ExpiresAt is the server's time plus the
// key's remaining time to live. Redis errors are returned wrapped.
func (s *Store) Begin(ctx context.Context, key string, lease time.Duration) (idempotency.Claim, error) {
	if key == "" {
		return idempotency.Claim{}, fmt.Errorf("idemredis: begin: %w: empty key", idempotency.ErrInvalidArgument)
	}
	if lease <= 0 {
		lease = s.cfg.Lease
	}
	token := randomHex(16)
	res, err := scriptBegin.Run(ctx, s.client, []string{storeKey(s.prefix, key)}, token, millis(lease)).Slice()
	if err != nil {
		return idempotency.Claim{}, fmt.Errorf("idemredis: begin: %w", err)
	}
	status, exp, err := parseBegin(res)
	if err != nil {
		return idempotency.Claim{}, fmt.Errorf("idemredis: begin: %w", err)
	}
	c := idempotency.Claim{Status: status, ExpiresAt: exp}
	if status == idempotency.Claimed {
		c.Token = token
	}
	return c, nil
}

// Complete marks key done for retention (<= 0: the store's default) if token
// holds it, or held it and its lease ended with no other claim since.
// Completing again with the same token returns nil. Another claim's token
// returns idempotency.ErrLeaseLost.
func (s *Store) Complete(ctx context.Context, key, token string, retention time.Duration) error {
	if key == "" || token == "" {
		return fmt.Errorf("idemredis: complete: %w: empty key or token", idempotency.ErrInvalidArgument)
	}
	if retention <= 0 {
		retention = s.cfg.Retention
	}
	return s.tokenScript(ctx, "complete", scriptComplete, key, token, millis(retention))
}

// Release frees key if token holds it, so that a retry can claim it at once.
// On an absent key it returns nil; on a key done or claimed by another token
// it returns idempotency.ErrLeaseLost and changes nothing.
func (s *Store) Release(ctx context.Context, key, token string) error {
	if key == "" || token == "" {
		return fmt.Errorf("idemredis: release: %w: empty key or token", idempotency.ErrInvalidArgument)
	}
	return s.tokenScript(ctx, "release", scriptRelease, key, token)
}

func (s *Store) tokenScript(ctx context.Context, op string, sc *redis.Script, key, token string, args ...any) error {
	ok, err := sc.Run(ctx, s.client, []string{storeKey(s.prefix, key)}, append([]any{token}, args...)...).Int()
	if err != nil {
		return fmt.Errorf("idemredis: %s: %w", op, err)
	}
	if ok != 1 {
		return fmt.Errorf("idemredis: %s: %w", op, idempotency.ErrLeaseLost)
	}
	return nil
}

// parseBegin reads {status, expiresAtMs} from scriptBegin.
func parseBegin(res []any) (idempotency.ClaimStatus, time.Time, error) {
	if len(res) != 2 {
		return 0, time.Time{}, errors.New("unexpected reply from begin script")
	}
	st, err1 := asInt(res[0])
	exp, err2 := asInt(res[1])
	if err := errors.Join(err1, err2); err != nil {
		return 0, time.Time{}, err
	}
	status := idempotency.ClaimStatus(st)
	if status != idempotency.Claimed && status != idempotency.Done && status != idempotency.InFlight {
		return 0, time.Time{}, fmt.Errorf("unexpected claim status %d", st)
	}
	var at time.Time
	if exp >= 0 {
		at = time.UnixMilli(exp)
	}
	return status, at, nil
}
