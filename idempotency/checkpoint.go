package idempotency

import (
	"context"
	"sync"
	"time"
)

// MemoryCheckpoint is a Checkpoint in the memory of one process: a restart
// forgets it, and a reconciler then looks back as far as it does on its
// first run. The zero value is ready to use and holds the zero time.
type MemoryCheckpoint struct {
	mu sync.Mutex
	t  time.Time
}

var _ Checkpoint = (*MemoryCheckpoint)(nil)

// Load returns the saved time, or the zero time when nothing was saved. A
// ctx already done returns its error.
func (c *MemoryCheckpoint) Load(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t, nil
}

// Save stores t, with its location but without its monotonic clock reading,
// so that Load returns a wall-clock time as any other Checkpoint does. A ctx
// already done returns its error and saves nothing.
func (c *MemoryCheckpoint) Save(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.Round(0)
	return nil
}
