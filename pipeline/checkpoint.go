package pipeline

import (
	"context"
	"sync"
	"time"
)

// MemoryCheckpoint is a Checkpoint in the memory of one process; a restart
// forgets it, and the Reconciler then looks back InitialLookback. The zero
// value is ready to use and holds the zero time.
type MemoryCheckpoint struct {
	mu sync.Mutex
	t  time.Time
}

var _ Checkpoint = (*MemoryCheckpoint)(nil)

// Load returns the saved time, or the zero time.
func (c *MemoryCheckpoint) Load(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t, nil
}

// Save stores t.
func (c *MemoryCheckpoint) Save(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
	return nil
}
