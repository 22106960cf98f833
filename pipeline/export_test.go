package pipeline

// SendOnlyFullBatches makes w send a call only when it is full (BatchSize
// orders or 500 nodes) until its Run drains, so that a test can put several
// orders in one call whatever the timing of their fetches. Call it before
// Run.
func SendOnlyFullBatches(w *Worker) { w.onlyFull = true }
