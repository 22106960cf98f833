package pipeline

import "time"

// SendOnlyFullBatches makes w send a call only when it is full (BatchSize
// orders or 500 nodes) until its Run drains, so that a test can put several
// orders in one call whatever the timing of their fetches. Call it before
// Run.
func SendOnlyFullBatches(w *Worker) { w.onlyFull = true }

// SetNodeRetries sets how many times w writes an order again from memory
// after a transient error on a node of its graph, and the first delay, so
// that a test need not wait for the real ones. Call it before Run.
func SetNodeRetries(w *Worker, n int, base time.Duration) {
	w.nodeRetry.max, w.nodeRetry.base, w.nodeRetry.cap = n, base, 16*base
}
