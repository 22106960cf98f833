package fakehttp_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
)

func TestScheduleScriptsQueueByRoute(t *testing.T) {
	t.Parallel()
	s := fakehttp.NewSchedule[string](1)
	s.Script("a", 2, "a-fault")
	s.Script("", 1, "any-fault")
	s.Script("b", 0, "ignored")
	var got []string
	for _, route := range []string{"b", "a", "a", "a", "b"} {
		f, ok := s.Pick(route)
		got = append(got, fmt.Sprintf("%s:%s %v", route, f, ok))
	}
	want := []string{"b:any-fault true", "a:a-fault true", "a:a-fault true", "a: false", "b: false"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestScheduleRandomIsSeeded(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []bool {
		s := fakehttp.NewSchedule[int](seed)
		s.Script("x", 1, 1)
		s.Randomly("x", 0.5, 2)
		var out []bool
		for range 64 {
			f, ok := s.Pick("x")
			out = append(out, ok && f == 2)
			if _, ok := s.Pick("y"); ok {
				t.Fatal("the random rule fired on another route")
			}
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Fatalf("seeded runs: same seed equal %v, other seed equal %v", slices.Equal(a, b), slices.Equal(a, c))
	}
	if a[0] {
		t.Error("the script must take the first call before the random rule")
	}
	n := 0
	for _, hit := range a {
		if hit {
			n++
		}
	}
	if n == 0 || n == len(a)-1 {
		t.Errorf("fraction 0.5 fired %d of %d times", n, len(a))
	}

	s := fakehttp.NewSchedule[int](1)
	s.Randomly("", 1, 3)
	s.Randomly("", 0, 3)
	s.Script("", 5, 4)
	s.Clear()
	if _, ok := s.Pick("z"); ok {
		t.Error("a fault after fraction 0 and Clear")
	}
}
