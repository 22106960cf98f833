package extest

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/idempotency/idemredis"
)

// CheckpointSaved waits until the reconciler's checkpoint in the Redis at
// url (under idemredis.DefaultCheckpointKey) holds a time, and fails unless
// it lies within the last day.
func CheckpointSaved(tb testing.TB, url string, logs *LogBuffer) {
	tb.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	cp := idemredis.NewCheckpoint(c, idemredis.DefaultCheckpointKey)
	var got time.Time
	WaitFor(tb, "the checkpoint", logs, func() bool {
		got, err = cp.Load(tb.Context())
		if err != nil {
			tb.Fatal(err)
		}
		return !got.IsZero()
	})
	if age := time.Since(got); age < 0 || age > 24*time.Hour {
		tb.Errorf("checkpoint %v, want a time within the last day", got)
	}
}
