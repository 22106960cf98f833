package fakehttp

import "math/rand/v2"

// Schedule decides which calls a fake answers with a fault: scripts that
// fail the next n calls of a route (or of every route), and one random rule
// that fails a fraction of them, drawn from a seeded source so that the
// same calls fail on every run. It is not safe for concurrent use; the fake
// holds its lock around it.
type Schedule[F any] struct {
	scripts []*script[F]
	random  *random[F]
	rng     *rand.Rand
}

type script[F any] struct {
	route string
	fault F
	left  int
}

type random[F any] struct {
	route    string
	fault    F
	fraction float64
}

// NewSchedule returns an empty schedule whose random rule draws from a
// source seeded with seed.
func NewSchedule[F any](seed uint64) *Schedule[F] {
	return &Schedule[F]{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Script answers the next n calls of route ("" for any) with f, after the
// scripts already queued. n below 1 adds nothing.
func (s *Schedule[F]) Script(route string, n int, f F) {
	if n >= 1 {
		s.scripts = append(s.scripts, &script[F]{route: route, fault: f, left: n})
	}
}

// Randomly answers a fraction (0 to 1) of the calls of route ("" for any)
// with f, replacing the previous random rule; a fraction of 0 or less
// removes it.
func (s *Schedule[F]) Randomly(route string, fraction float64, f F) {
	s.random = nil
	if fraction > 0 {
		s.random = &random[F]{route: route, fault: f, fraction: fraction}
	}
}

// Clear drops every script and the random rule.
func (s *Schedule[F]) Clear() { s.scripts, s.random = nil, nil }

// Pick returns the fault for a call of route, if any: the oldest script
// that matches it and still has calls left (using one up), else the random
// rule when it matches and fires.
func (s *Schedule[F]) Pick(route string) (F, bool) {
	for i, sc := range s.scripts {
		if sc.route != "" && sc.route != route {
			continue
		}
		sc.left--
		if sc.left == 0 {
			s.scripts = append(s.scripts[:i:i], s.scripts[i+1:]...)
		}
		return sc.fault, true
	}
	if r := s.random; r != nil && (r.route == "" || r.route == route) && s.rng.Float64() < r.fraction {
		return r.fault, true
	}
	var zero F
	return zero, false
}
