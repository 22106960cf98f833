package bench

import "strings"

const modulePath = "github.com/bc2sf/bc2sf/"

// ref names a metric of a benchmark in a package of the module.
func ref(pkg, bench, unit string) Ref {
	return Ref{Pkg: modulePath + pkg, Bench: bench, Unit: unit}
}

// DefaultFigures returns the rows of the results table in BENCHMARKS.md, in
// order: each names the benchmark and metric it shows, its baseline in the
// same run, and its goal where there is one. Benchmarks not listed still
// appear in RenderAll's appendix.
func DefaultFigures() []Figure {
	var figs []Figure
	for _, size := range []string{"1KiB", "64KiB"} {
		name := "BenchmarkVerifyStandard/" + size
		figs = append(figs, Figure{
			Name:  "Webhook verification, " + size + " body (vs bare HMAC-SHA256)",
			Value: ref("webhook", name, "best-ns/op"), Baseline: ref("webhook", name, "bare-ns/op"),
			Ratio: ref("webhook", name, "x-bare"), Goal: "≤ 1.25", Met: atMost(1.25, true),
		})
	}
	figs = append(figs, Figure{
		Name:  "Receiver req/s, memory sink (webhook package; vs bare 200 handler)",
		Value: ref("webhook", "BenchmarkReceiver", "req/s"), Baseline: ref("webhook", "BenchmarkReceiver", "bare-req/s"),
		Ratio: ref("webhook", "BenchmarkReceiver", "x-bare-rps"), Goal: "≥ 0.8", Met: atLeast(0.8, true),
	})
	for _, q := range []string{"memory", "redis"} {
		name := "BenchmarkReceiverAck/queue=" + q
		figs = append(figs,
			Figure{
				Name:  "Receiver req/s, " + q + " queue (vs bare 200 handler)",
				Value: ref("internal/bench", name, "req/s"), Baseline: ref("internal/bench", name, "bare-req/s"),
				Ratio: ref("internal/bench", name, "x-bare-rps"),
			},
			Figure{
				Name:  "Receiver p99 ack latency, " + q + " queue (vs bare 200 handler)",
				Value: ref("internal/bench", name, "p99-ms"), Baseline: ref("internal/bench", name, "bare-p99-ms"),
				Ratio: ref("internal/bench", name, "x-bare-p99"),
			})
		if q == "redis" { // the goals of group commit on the Redis queue
			n := len(figs)
			figs[n-2].Goal, figs[n-2].Met = "≥ 0.8", atLeast(0.8, true)
			figs[n-1].Goal, figs[n-1].Met = "≤ 2", atMost(2, true)
		}
	}
	for _, q := range []string{"memory", "redis"} {
		for _, rate := range []string{"100", "1000"} {
			name := "BenchmarkEndToEnd/queue=" + q + "/rate=" + rate
			figs = append(figs, Figure{
				Name:  "Orders synced per second at " + rate + " delivered per second, " + q + " queue (vs delivery rate)",
				Value: ref("internal/bench", name, "synced-orders/s"), Baseline: ref("internal/bench", name, "sent-orders/s"),
				Goal: "≥ 0.95", Met: atLeast(0.95, true),
			})
			for _, p := range []string{"p50", "p99"} {
				fig := Figure{
					Name:  "Webhook to Salesforce " + p + ", " + rate + " orders/s, " + q + " queue (vs one-order floor)",
					Value: ref("internal/bench", name, p+"-ms"), Baseline: ref("internal/bench", name, "floor-"+p+"-ms"),
					Ratio: ref("internal/bench", name, "x-floor-"+p),
				}
				if p == "p99" && rate == "100" {
					fig.Goal, fig.Met = "≤ 5", atMost(5, true)
				}
				figs = append(figs, fig)
			}
		}
	}
	const tel = "BenchmarkEndToEndTelemetry/"
	for _, v := range []struct{ what, prefix, ratio string }{
		{"every order traced", "on-", "x-off-"},
		{"one trace in ten (ParentBased(TraceIDRatioBased(0.1)), all metrics)", "sampled-", "x-off-sampled-"},
	} {
		for _, p := range []string{"p50", "p99"} {
			figs = append(figs, Figure{
				Name:  "Webhook to Salesforce " + p + ", 200 orders/s, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", tel+"rate=200", v.prefix+p+"-ms"), Baseline: ref("internal/bench", tel+"rate=200", "off-"+p+"-ms"),
				Ratio: ref("internal/bench", tel+"rate=200", v.ratio+p), Goal: "≤ 1.05", Met: atMost(1.05, true),
			})
		}
		const slowTel = tel + "rate=1000/sflatency=150ms"
		for _, p := range []string{"p50", "p99"} {
			figs = append(figs, Figure{
				Name:  "Webhook to Salesforce " + p + ", 1000 orders/s, 150 ms added to every Salesforce call, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", slowTel, v.prefix+p+"-ms"), Baseline: ref("internal/bench", slowTel, "off-"+p+"-ms"),
				Ratio: ref("internal/bench", slowTel, v.ratio+p), Goal: "≤ 1.05", Met: atMost(1.05, true),
			})
		}
		figs = append(figs,
			Figure{
				Name:  "Orders synced per second, 1000 orders/s, 150 ms added to every Salesforce call, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", slowTel, v.prefix+"orders/s"), Baseline: ref("internal/bench", slowTel, "off-orders/s"),
				Ratio: ref("internal/bench", slowTel, v.ratio+"orders/s"), Goal: "≥ 0.95", Met: atLeast(0.95, true),
			},
			Figure{
				Name:  "Orders synced per second, burst of 2,000, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", tel+"burst=2000", v.prefix+"orders/s"), Baseline: ref("internal/bench", tel+"burst=2000", "off-orders/s"),
				Ratio: ref("internal/bench", tel+"burst=2000", v.ratio+"orders/s"), Goal: "≥ 0.95", Met: atLeast(0.95, true),
			},
			Figure{
				Name:  "CPU per order, burst of 2,000, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", tel+"burst=2000", v.prefix+"cpu-µs/order"), Baseline: ref("internal/bench", tel+"burst=2000", "off-cpu-µs/order"),
				Ratio: ref("internal/bench", tel+"burst=2000", v.ratio+"cpu"),
			},
			Figure{
				Name:  "Garbage collector's CPU per order, burst of 2,000, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", tel+"burst=2000", v.prefix+"gc-cpu-µs/order"), Baseline: ref("internal/bench", tel+"burst=2000", "off-gc-cpu-µs/order"),
			},
			Figure{
				Name:  "Heap allocated per order, burst of 2,000, " + v.what + " (vs telemetry off, same run)",
				Value: ref("internal/bench", tel+"burst=2000", v.prefix+"alloc-KiB/order"), Baseline: ref("internal/bench", tel+"burst=2000", "off-alloc-KiB/order"),
			})
	}
	figs = append(figs,
		Figure{
			Name:  "One order's instrumentation alone, CPU (telemetry package; vs the same work untraced)",
			Value: ref("telemetry", "BenchmarkInstrumentation/on", "cpu-ns/op"), Baseline: ref("telemetry", "BenchmarkInstrumentation/off", "cpu-ns/op"),
		},
		Figure{
			Name:  "One order's instrumentation alone, sampled out, CPU (telemetry package; vs the same work untraced)",
			Value: ref("telemetry", "BenchmarkInstrumentation/unsampled", "cpu-ns/op"), Baseline: ref("telemetry", "BenchmarkInstrumentation/off", "cpu-ns/op"),
		},
		Figure{
			Name:  "A request on loopback through HTTPClient, outside a trace, CPU (telemetry package; vs the plain client with the same Timeout)",
			Value: ref("telemetry", "BenchmarkHTTPClient/untraced", "cpu-ns/op"), Baseline: ref("telemetry", "BenchmarkHTTPClient/plain", "cpu-ns/op"),
		},
		Figure{
			Name:  "A request on loopback through HTTPClient, outside a trace, allocations (telemetry package; vs the plain client with the same Timeout)",
			Value: ref("telemetry", "BenchmarkHTTPClient/untraced", "allocs/op"), Baseline: ref("telemetry", "BenchmarkHTTPClient/plain", "allocs/op"),
		},
	)
	const slow = "BenchmarkEndToEnd/queue=memory/rate=1000/sflatency=150ms"
	figs = append(figs,
		Figure{
			Name:  "Orders synced per second at 1000 delivered per second, 150 ms added to every Salesforce call, memory queue (vs delivery rate)",
			Value: ref("internal/bench", slow, "synced-orders/s"), Baseline: ref("internal/bench", slow, "sent-orders/s"),
			Goal: "≥ 0.95", Met: atLeast(0.95, true),
		},
		Figure{
			Name:  "Orders per Salesforce call at 1000 orders/s, 150 ms added to every Salesforce call",
			Value: ref("internal/bench", slow, "orders/sf-call"), Goal: "≥ 20", Met: atLeast(20, false),
		},
		Figure{
			Name:  "Webhook to Salesforce p99, 1000 orders/s, 150 ms added to every Salesforce call (vs one-order floor + 150 ms)",
			Value: ref("internal/bench", slow, "p99-ms"), Baseline: ref("internal/bench", slow, "floor-p99-ms"),
			Ratio: ref("internal/bench", slow, "x-floor-p99"), Goal: "≤ 4", Met: atMost(4, true),
		},
	)
	calls := []struct {
		sub, what, goal, bcGoal string
		bcLimit                 float64
	}{
		{"spaced=20", "one order at a time (20 orders)", "about 1", "1", 1},
		{"burst=2000", "burst of 2,000", "≤ 0.0135", "≤ 0.05", 0.05},
		{"burst=20000", "burst of 20,000", "≤ 0.0135", "≤ 0.05", 0.05},
		{"backfill=20000", "backfill of 20,000 (listing included)", "≤ 0.0135", "≤ 0.01", 0.01},
	}
	for _, c := range calls {
		name := "BenchmarkAPICalls/" + c.sub
		met := atMost(0.0135, false)
		if c.goal == "about 1" {
			met = func(v, _ float64) bool { return v >= 0.95 && v <= 1.05 }
		}
		bcMet := atMost(c.bcLimit, false)
		if c.bcGoal == "1" {
			bcMet = func(v, _ float64) bool { return v == 1 }
		}
		figs = append(figs,
			Figure{
				Name:  "Salesforce calls per order, " + c.what + " (vs ideal)",
				Value: ref("internal/bench", name, "sf-calls/order"), Baseline: ref("internal/bench", name, "ideal-sf-calls/order"),
				Ratio: ref("internal/bench", name, "x-ideal"), Goal: c.goal, Met: met,
			},
			Figure{
				Name:  "BigCommerce calls per order, " + c.what,
				Value: ref("internal/bench", name, "bc-all-calls/order"), Goal: c.bcGoal, Met: bcMet,
			})
	}
	entities := []struct{ sub, what, goal string }{
		{"customers/spaced=20", "Salesforce calls per customer event, one at a time (20)", "about 1"},
		{"customers/burst=2000", "Salesforce calls per customer, burst of 2,000", "≤ 0.015"},
		{"products/spaced=20", "Salesforce calls per product event, one at a time, products synced before (20; a graph call)", "about 1"},
		{"products/first=20", "Salesforce calls per product event, one at a time, first sync (20; a query and a graph call)", "about 2"},
		{"products/burst=750", "Salesforce calls per product, burst of 750", "≤ 0.03"},
	}
	for _, e := range entities {
		name := "BenchmarkEntityCalls/" + e.sub
		var met func(v, _ float64) bool
		switch e.goal {
		case "about 1":
			met = func(v, _ float64) bool { return v >= 0.95 && v <= 1.05 }
		case "about 2":
			met = func(v, _ float64) bool { return v >= 1.9 && v <= 2.1 }
		case "≤ 0.015":
			met = atMost(0.015, false)
		default:
			met = atMost(0.03, false)
		}
		figs = append(figs,
			Figure{
				Name:  e.what + " (vs ideal)",
				Value: ref("internal/bench", name, "sf-calls/entity"), Baseline: ref("internal/bench", name, "ideal-sf-calls/entity"),
				Ratio: ref("internal/bench", name, "x-ideal"), Goal: e.goal, Met: met,
			},
			Figure{
				Name:  "BigCommerce calls per " + strings.TrimSuffix(strings.Split(e.sub, "/")[0], "s") + ", " + strings.Split(e.sub, "/")[1] + " (vs ideal)",
				Value: ref("internal/bench", name, "bc-calls/entity"), Baseline: ref("internal/bench", name, "ideal-bc-calls/entity"),
			})
	}
	const faulty = "BenchmarkFaultyBurst"
	zero := func(v, _ float64) bool { return v == 0 }
	figs = append(figs,
		Figure{
			Name:  "Burst of 1,000 under the heavy fault mix: time to drain (vs the same burst without faults)",
			Value: ref("internal/bench", faulty, "faulty-s"), Baseline: ref("internal/bench", faulty, "clean-s"),
			Ratio: ref("internal/bench", faulty, "x-clean"), Goal: "≤ 3", Met: atMost(3, true),
		},
		Figure{
			Name:  "Orders lost in the faulty burst",
			Value: ref("internal/bench", faulty, "lost"), Goal: "0", Met: zero,
		},
		Figure{
			Name:  "Orders duplicated in the faulty burst",
			Value: ref("internal/bench", faulty, "duplicated"), Goal: "0", Met: zero,
		},
		Figure{
			Name:  "Dead letters of the faulty burst",
			Value: ref("internal/bench", faulty, "dead"), Goal: "0", Met: zero,
		},
	)
	const backlog = "BenchmarkBacklogMemory"
	figs = append(figs,
		Figure{
			Name:  "Worker peak heap, 100,000-task Redis backlog draining (vs idle worker)",
			Value: ref("internal/bench", backlog, "peak-heap-MiB"), Baseline: ref("internal/bench", backlog, "idle-heap-MiB"),
			Ratio: ref("internal/bench", backlog, "x-idle-peak"),
		},
		Figure{
			Name:  "Worker heap at the end of the drain (vs idle worker)",
			Value: ref("internal/bench", backlog, "end-heap-MiB"), Baseline: ref("internal/bench", backlog, "idle-heap-MiB"),
			Ratio: ref("internal/bench", backlog, "x-idle-end"),
		},
		Figure{
			Name:  "Worker heap-in-use slope while the backlog drains",
			Value: ref("internal/bench", backlog, "slope-KiB/10k-orders"), Goal: "flat (≈ 0)",
		},
		Figure{
			Name:  "Worker live-heap slope while the backlog drains",
			Value: ref("internal/bench", backlog, "live-slope-KiB/10k-orders"), Goal: "flat (≈ 0)",
		},
		Figure{
			Name:  "Worker live heap at the end vs at the start of the drain",
			Value: ref("internal/bench", backlog, "end-live-MiB"), Baseline: ref("internal/bench", backlog, "start-live-MiB"),
		},
	)
	figs = append(figs, bulkFigures()...)
	for _, sub := range []string{"dedup", "nodedup"} {
		name := "BenchmarkRoundTripRatio/" + sub
		figs = append(figs, Figure{
			Name:  "Redis queue round trip, " + sub + " (throughput vs raw XADD/XREADGROUP/XACK)",
			Value: ref("idempotency/idemredis", name, "queue-ns/msg"), Baseline: ref("idempotency/idemredis", name, "raw-ns/msg"),
			Ratio: ref("idempotency/idemredis", name, "throughput-ratio"),
		})
	}
	for _, dedup := range []string{"true", "false"} {
		name := "BenchmarkThroughput/dedup=" + dedup
		figs = append(figs,
			Figure{
				Name:  "Redis queue throughput, group commit, dedup=" + dedup + " (vs the raw stream commands batched the same way)",
				Value: ref("idempotency/idemredis", name, "msg/s"), Baseline: ref("idempotency/idemredis", name, "raw-msg/s"),
				Ratio: ref("idempotency/idemredis", name, "x-raw"), Goal: "≥ 0.9", Met: atLeast(0.9, true),
			})
	}
	figs = append(figs,
		Figure{
			// Its graph calls answer at once, so the Worker, which sends
			// whatever waits whenever no call is in flight, sends many
			// partial calls: the calls-per-order goal is judged on
			// BenchmarkAPICalls, whose fakes answer over HTTP.
			Name:  "Worker burst of 1,000, in-memory fakes answering at once (pipeline package): Salesforce calls per order (vs ideal)",
			Value: ref("pipeline", "BenchmarkWorkerBurst", "sf-calls/order"), Baseline: ref("pipeline", "BenchmarkWorkerBurst", "ideal-sf-calls/order"),
		},
		Figure{
			Name:  "Worker burst of 1,000 vs mapping alone (pipeline package)",
			Value: ref("pipeline", "BenchmarkWorkerBurst", "ns/op"), Baseline: ref("pipeline", "BenchmarkMapOnlyBurst", "ns/op"),
		},
		Figure{
			Name:  "Map a 10-line order vs decoding its JSON (mapper package)",
			Value: ref("mapper", "BenchmarkMapVsDecode/map-order-target", "ns/op"), Baseline: ref("mapper", "BenchmarkMapVsDecode/decode", "ns/op"),
			Goal: "< 1", Met: func(_, r float64) bool { return r < 1 },
		},
		Figure{
			Name:  "Decode a 10-line order into Order vs into map[string]any (bigcommerce package)",
			Value: ref("bigcommerce", "BenchmarkDecodeOrder/Order", "ns/op"), Baseline: ref("bigcommerce", "BenchmarkDecodeOrder/map", "ns/op"),
		},
		Figure{
			Name:  "Build and encode a 75-order graph call vs plain maps (salesforce package)",
			Value: ref("salesforce", "BenchmarkGraphRequest75", "ns/order"), Baseline: ref("salesforce", "BenchmarkGraphRequest75Baseline", "ns/order"),
		},
		Figure{
			Name:  "Memory queue round trip vs channel and map (idempotency package)",
			Value: ref("idempotency", "BenchmarkQueueRoundTrip/memory/dedup=24h", "ns/op"), Baseline: ref("idempotency", "BenchmarkQueueRoundTrip/baseline=chan+map", "ns/op"),
		},
		Figure{
			Name:  "Memory store Begin+Complete vs a map (idempotency package)",
			Value: ref("idempotency", "BenchmarkStoreBeginComplete/memory", "ns/op"), Baseline: ref("idempotency", "BenchmarkStoreBeginComplete/baseline=map", "ns/op"),
		},
		Figure{
			Name:  "Fake store GET order vs bare handler (bctest)",
			Value: ref("bigcommerce/bctest", "BenchmarkGetOrder", "ns/op"), Baseline: ref("bigcommerce/bctest", "BenchmarkBaselineHandler", "ns/op"),
		},
		Figure{
			Name:  "Fake org upsert vs bare handler (sftest)",
			Value: ref("salesforce/sftest", "BenchmarkUpsert", "ns/op"), Baseline: ref("salesforce/sftest", "BenchmarkBaselineHandler", "ns/op"),
		},
	)
	return figs
}
