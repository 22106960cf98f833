package bench_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/internal/bench"
	"github.com/bc2sf/bc2sf/webhook"
)

// delivery is one signed webhook request, ready to send.
type delivery struct {
	body   []byte
	header http.Header
}

// signedDeliveries builds n distinct store/order/created deliveries signed
// as the fake store signs them, each with its own hash and webhook-id, so the
// queue deduplicates none of them.
func signedDeliveries(n int) []delivery {
	now := time.Now()
	out := make([]delivery, n)
	for i := range out {
		id := int64(100 + i)
		rest := fmt.Sprintf(`"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":%d},"created_at":%d,"producer":"stores/abc123"`, id, now.Unix())
		sum := sha1.Sum([]byte(rest))
		body := []byte(`{` + rest + `,"hash":"` + hex.EncodeToString(sum[:]) + `"}`)
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set(webhook.DefaultSecretHeader, hookSecret)
		webhook.SetStandardHeaders(h, []byte(clientSecret), fmt.Sprintf("msg_%d", id), now, body)
		out[i] = delivery{body: body, header: h}
	}
	return out
}

// postAll sends ds to url from clients goroutines over one keep-alive
// client, records each request's latency (send to status read) into lat,
// and returns the elapsed time. A transport error or a status other than
// 200 fails the benchmark.
func postAll(b *testing.B, client *http.Client, url string, ds []delivery, clients int, lat *bench.Latencies) time.Duration {
	b.Helper()
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine bench.Latencies
			defer func() { mu.Lock(); lat.Merge(&mine); mu.Unlock() }()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ds) {
					return
				}
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(ds[i].body))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header = ds[i].header.Clone()
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine.Add(time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Errorf("POST %s: status %d", url, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkReceiverAck measures a bc2sf receiver behind a real loopback
// server: the verifying middleware (hook header and Standard Webhooks
// signature), the webhook handler and pipeline.NewSink enqueuing on a memory
// or a Redis queue, answering 200 only after the enqueue. 8 keep-alive
// clients send 10 rounds of 2,000 distinct signed deliveries; the baseline, a
// bare handler that reads the body and answers 200, gets the same requests
// in alternating rounds on the same machine. It reports both request rates
// and p99 ack latencies (send to response, over every request) and their
// ratios. It runs once whatever b.N is; run it with -benchtime=1x.
func BenchmarkReceiverAck(b *testing.B) {
	const clients, rounds, perRound, warm = 8, 10, 2000, 200
	for _, onRedis := range []bool{false, true} {
		name := "queue=memory"
		if onRedis {
			name = "queue=redis"
		}
		b.Run(name, func(b *testing.B) {
			q, s := newBackend(b, onRedis, 2*(rounds*perRound+warm))
			full := serve(b, receiverHandler(b, q, s))
			bare := serve(b, bareHandler())
			ds := signedDeliveries(warm + rounds*perRound)
			client := keepAlive()
			defer client.CloseIdleConnections()

			var discard, fullLat, bareLat bench.Latencies
			postAll(b, client, bare.URL, ds[:warm], clients, &discard) // open the connections
			postAll(b, client, full.URL, ds[:warm], clients, &discard)
			var fullTime, bareTime time.Duration
			b.ResetTimer()
			for r := range rounds {
				round := ds[warm+r*perRound : warm+(r+1)*perRound]
				bareTime += postAll(b, client, bare.URL, round, clients, &bareLat)
				fullTime += postAll(b, client, full.URL, round, clients, &fullLat)
			}
			b.StopTimer()

			st, err := q.Stats(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if want := warm + rounds*perRound; st.Depth() != want {
				b.Fatalf("queue holds %d messages after %d accepted deliveries", st.Depth(), want)
			}
			reportReceiver(b, rounds*perRound, fullTime, bareTime, &fullLat, &bareLat)
		})
	}
}

func reportReceiver(b *testing.B, n int, fullTime, bareTime time.Duration, fullLat, bareLat *bench.Latencies) {
	fullRPS, bareRPS := float64(n)/fullTime.Seconds(), float64(n)/bareTime.Seconds()
	b.ReportMetric(fullRPS, "req/s")
	b.ReportMetric(bareRPS, "bare-req/s")
	b.ReportMetric(fullRPS/bareRPS, "x-bare-rps")
	p99, bareP99 := fullLat.Percentile(99), bareLat.Percentile(99)
	b.ReportMetric(bench.Millis(fullLat.Percentile(50)), "p50-ms")
	b.ReportMetric(bench.Millis(p99), "p99-ms")
	b.ReportMetric(bench.Millis(bareP99), "bare-p99-ms")
	b.ReportMetric(float64(p99)/float64(max(bareP99, 1)), "x-bare-p99")
}
