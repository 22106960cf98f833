package idemredis

// SetMaxBatch makes q send up to n calls of a kind per round trip; n <= 1
// turns group commit off, every call then being sent on its own, as before
// it existed. Benchmarks use it for the comparison.
func SetMaxBatch(q *Queue, n int) { q.setBatch(n) }

// EnqueueTrips returns how many round trips q's Enqueues made so far and
// how many calls they carried.
func EnqueueTrips(q *Queue) (trips, calls int64) {
	return q.enqueues.trips.Load(), q.enqueues.calls.Load()
}

// CPUUsed returns the CPU time this process and the Redis server of rdb
// used so far.
var CPUUsed = cpuUsed
