package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// checkpointVersion is the format of the file; a file of another version is
// refused rather than misread.
const checkpointVersion = 1

// maxCheckpointBytes bounds what is read from the file: a valid one is about
// 200 bytes.
const maxCheckpointBytes = 64 << 10

// checkpointState is the JSON content of the checkpoint file.
type checkpointState struct {
	Version int `json:"version"`
	// From and To are the range the checkpoint belongs to.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// LastCreated is the creation date of the last order handled; the next
	// run lists from there.
	LastCreated time.Time `json:"last_created"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// decodeCheckpoint reads a checkpoint file's bytes, which may be damaged or
// come from elsewhere: anything but one JSON object of the known version is
// an error.
func decodeCheckpoint(b []byte) (checkpointState, error) {
	var st checkpointState
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&st); err != nil {
		return checkpointState{}, fmt.Errorf("not a checkpoint: %w", err)
	}
	if dec.More() {
		return checkpointState{}, errors.New("not a checkpoint: data after the JSON object")
	}
	if st.Version != checkpointVersion {
		return checkpointState{}, fmt.Errorf("checkpoint version %d, want %d", st.Version, checkpointVersion)
	}
	if st.From.IsZero() || st.To.Before(st.From) {
		return checkpointState{}, errors.New("checkpoint has no valid range")
	}
	return st, nil
}

// fileCheckpoint is a idempotency.Checkpoint kept in a JSON file. Every Save
// writes a temporary file in the same directory and renames it over the old
// one, so a crash leaves either the old checkpoint or the new one, never a
// torn file.
type fileCheckpoint struct {
	path     string
	from, to time.Time
	now      func() time.Time
	logger   *slog.Logger // nil: no logging

	mu   sync.Mutex
	last time.Time
}

var _ idempotency.Checkpoint = (*fileCheckpoint)(nil)

// openCheckpoint reads the checkpoint at path for the range from..to.
// A missing file, a file for a range with another start, or restart set,
// starts at the zero time; note says why when a file was there but is not
// used. A file that cannot be read or decoded is an error: the user decides
// whether to delete it.
func openCheckpoint(path string, from, to time.Time, restart bool, now func() time.Time) (cp *fileCheckpoint, note string, err error) {
	cp = &fileCheckpoint{path: path, from: from, to: to, now: now}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cp, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpointBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(b) > maxCheckpointBytes {
		return nil, "", fmt.Errorf("%s: larger than %d bytes, not a checkpoint", path, maxCheckpointBytes)
	}
	st, err := decodeCheckpoint(b)
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("%s: %w (delete it or pass -restart)", path, err)
	case restart:
		return cp, "ignoring the checkpoint (-restart)", nil
	case !st.From.Equal(from):
		return cp, fmt.Sprintf("ignoring the checkpoint of the range starting %s", st.From.Format(time.RFC3339)), nil
	}
	cp.last = st.LastCreated
	return cp, "", nil
}

// Load returns the creation date of the last order handled, or the zero time.
func (c *fileCheckpoint) Load(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, nil
}

// Save records t in the file, atomically.
func (c *fileCheckpoint) Save(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := checkpointState{Version: checkpointVersion, From: c.from, To: c.to, LastCreated: t.UTC(), UpdatedAt: c.now().UTC()}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(c.path, append(b, '\n')); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	c.last = t
	if c.logger != nil {
		c.logger.Debug("checkpoint saved", "checkpoint", c.path, "last_created", st.LastCreated)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to path, flushes it to
// disk and renames it over path.
func writeFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable; not every platform can sync a
	// directory, and the file is already safe, so failure is ignored.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
