package bench

// bulkFigures are the rows of the Bulk API backfill scenario
// (BenchmarkBulkBackfill): 100,000 historical orders through
// pipeline.BulkBackfill, against Composite Graph and a 10,000-order run in
// the same run.
func bulkFigures() []Figure {
	const name = "BenchmarkBulkBackfill"
	return []Figure{
		{
			Name:  "Bulk API backfill of 100,000 orders: Salesforce API calls (vs Composite Graph for the same orders)",
			Value: ref("internal/bench", name, "sf-calls"), Baseline: ref("internal/bench", name, "graph-sf-calls"),
			Goal: "≤ 40", Met: atMost(40, false),
		},
		{
			Name:  "Bulk API backfill: BigCommerce calls per order (vs the Worker's)",
			Value: ref("internal/bench", name, "bc-calls/order"), Baseline: ref("internal/bench", name, "graph-bc-calls/order"),
			Goal: "≤ 0.01", Met: atMost(0.01, false),
		},
		{
			Name:  "Bulk API backfill heap retained, 100,000 orders in two chunks (vs 50,000 in one)",
			Value: ref("internal/bench", name, "retained-MiB"), Baseline: ref("internal/bench", name, "small-retained-MiB"),
			Ratio: ref("internal/bench", name, "x-small-retained"), Goal: "flat (≈ 1)",
		},
		{
			Name:  "Bulk API backfill peak heap in use, 100,000 orders (vs 50,000)",
			Value: ref("internal/bench", name, "peak-heap-MiB"), Baseline: ref("internal/bench", name, "small-peak-heap-MiB"),
			Ratio: ref("internal/bench", name, "x-small-peak"),
		},
		{
			Name:  "Bulk API backfill orders per second (vs the Worker through Composite Graph)",
			Value: ref("internal/bench", name, "orders/s"), Baseline: ref("internal/bench", name, "graph-orders/s"),
		},
	}
}
