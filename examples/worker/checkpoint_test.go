package main

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/internal/redistest"
)

func TestRedisCheckpoint(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	t.Cleanup(func() { c.Close() })
	cp := redisCheckpoint{client: c, key: "test:checkpoint"}

	got, err := cp.Load(t.Context())
	if err != nil || !got.IsZero() {
		t.Fatalf("Load before Save = %v, %v; want the zero time", got, err)
	}
	want := time.Date(2026, 3, 5, 21, 40, 11, 123456789, time.FixedZone("EST", -5*3600))
	if err := cp.Save(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if got, err = cp.Load(t.Context()); err != nil || !got.Equal(want) {
		t.Fatalf("Load after Save = %v, %v; want %v", got, err, want)
	}

	if err := c.Set(t.Context(), cp.key, "yesterday", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.Load(t.Context()); err == nil {
		t.Error("Load of a value that is no time: no error")
	}
	rs.Kill()
	if err := cp.Save(t.Context(), want); err == nil {
		t.Error("Save with Redis down: no error")
	}
}
