// Package bench is the bc2sf benchmark suite: the scenario benchmarks in
// its test files, and the small tools they and the report share. It is
// internal: its tools serve the suite, not the module's users.
//
// Every figure of the suite is a ratio against a baseline measured in the
// same run on the same machine, never a fixed time: a shared or slow machine
// moves both sides together. The script internal/bench/run runs the
// benchmarks of every package and of this one with a fixed -benchtime and
// -count, then renders the markdown table of BENCHMARKS.md with the
// benchtable command (internal/bench/cmd/benchtable), which uses Parse and
// Render.
//
// # Scenarios
//
// The benchmarks in this package run once each (internal/bench/run passes
// -benchtime=1x) and bound themselves in count and time; they talk to
// loopback servers only:
//
//   - BenchmarkReceiverAck: requests per second and p99 ack latency of the
//     webhook middleware, handler and pipeline.NewSink on a memory or Redis
//     queue, against a bare handler that answers 200;
//   - BenchmarkEndToEnd: webhook-to-Salesforce latency, p50 and p99, at 100
//     and 1,000 orders per second on the fakes, and at 1,000 with 150 ms
//     added to every Salesforce call, against the floor of one delivery, one
//     order read and one graph call made back to back;
//   - BenchmarkAPICalls: Salesforce and BigCommerce calls per order for
//     orders one at a time, for bursts of 2,000 and 20,000 and for a
//     backfill of 20,000, against the ideal (1 per order alone, one per 75
//     otherwise);
//   - BenchmarkFaultyBurst: the time a burst of 1,000 takes to drain under
//     the heavy fault mix, against the same burst without faults, and the
//     orders lost, duplicated or dead-lettered;
//   - BenchmarkBacklogMemory: the worker's heap while a 100,000-task Redis
//     backlog drains, against the heap of an idle worker.
//
// # Tools
//
// Latencies records durations and reports nearest-rank percentiles.
// HeapSampler samples the heap through runtime/metrics, and SummarizeHeap
// reduces the samples to start, peak, end and a least-squares slope.
// Parse reads `go test -bench` output, and Render writes the figures of
// DefaultFigures as a markdown table, each with its baseline and ratio.
package bench
