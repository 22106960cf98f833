package main

import (
	"path/filepath"
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

// TestFileCheckpointConformance runs the checkpoint suite that the memory
// and Redis checkpoints pass on the file this program keeps.
func TestFileCheckpointConformance(t *testing.T) {
	t.Parallel()
	idemtest.RunCheckpoint(t, idemtest.Config{}, func(t *testing.T) idempotency.Checkpoint {
		cp, _, err := openCheckpoint(filepath.Join(t.TempDir(), "cp.json"), rangeFrom, rangeTo, false, cpNow)
		if err != nil {
			t.Fatal(err)
		}
		return cp
	})
}
