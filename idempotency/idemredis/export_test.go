package idemredis

// SetMaxBatch makes q send up to n calls of a kind per round trip; n <= 1
// turns group commit off, every call then being sent on its own, as before
// it existed. Benchmarks use it for the comparison.
func SetMaxBatch(q *Queue, n int) { q.setBatch(n) }
