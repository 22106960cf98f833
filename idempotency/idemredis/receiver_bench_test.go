package idemredis_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

// latencies collects request times for percentiles.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, ds...)
	l.mu.Unlock()
}

func (l *latencies) percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

// post sends n requests with bodies from body to url from clients
// goroutines over one keep-alive client, records each one's latency (send
// to status read) into lat, and returns the elapsed time.
func post(b *testing.B, client *http.Client, url string, from, n, clients int, lat *latencies) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			defer func() { lat.add(mine) }()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				body := fmt.Sprintf(`{"scope":"store/order/created","data":{"type":"order","id":%d}}`, from+i)
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(body)))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Errorf("POST: status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// enqueueHandler is the queue's part of a receiver: it reads the body,
// enqueues it under a key taken from it, and answers 200 only once Enqueue
// returned nil (503 otherwise).
func enqueueHandler(q idempotency.Queue) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if _, err := q.Enqueue(r.Context(), idempotency.Message{Key: string(body), Body: body}); err != nil {
			http.Error(w, "queue unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// bareHandler reads the body and answers 200: the floor of any receiver.
func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
}

// BenchmarkReceiver measures what the Redis queue costs a webhook receiver:
// a loopback HTTP server whose handler reads the body and answers 200 once
// Enqueue returned, against a bare handler that reads the body and answers
// 200, in alternating rounds of the same requests from the same number of
// keep-alive clients. It reports both request rates and p99 latencies (send
// to response) and their ratios, with group commit on (the default) and off
// (every Enqueue its own round trip, as before group commit). Rates on a
// busy machine vary with its load, so it also reports the CPU time per
// request, of this process and of redis-server together, and its ratio. It
// runs once whatever b.N is; run it with -benchtime=1x.
func BenchmarkReceiver(b *testing.B) {
	client := newClient(b, redistest.Start(b))
	const rounds, perRound = 6, 2000
	for _, clients := range []int{8, 32} {
		for _, grouped := range []bool{true, false} {
			name := "clients=" + strconv.Itoa(clients) + "/group-commit=" + strconv.FormatBool(grouped)
			b.Run(name, func(b *testing.B) {
				q := newQueue(b, client, idemredis.WithOptions(idempotency.WithCapacity(1<<30)))
				if !grouped {
					idemredis.SetMaxBatch(q, 1)
				}
				full := httptest.NewServer(enqueueHandler(q))
				defer full.Close()
				bare := httptest.NewServer(bareHandler())
				defer bare.Close()
				hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
				defer hc.CloseIdleConnections()

				var discard, fullLat, bareLat latencies
				post(b, hc, bare.URL, 0, 200, clients, &discard) // open the connections
				post(b, hc, full.URL, 0, 200, clients, &discard)
				var fullTime, bareTime, fullCPU, bareCPU time.Duration
				run := func(url string, from int, lat *latencies, elapsed, cpu *time.Duration) {
					self0, srv0 := idemredis.CPUUsed(b, client)
					*elapsed += post(b, hc, url, from, perRound, clients, lat)
					self1, srv1 := idemredis.CPUUsed(b, client)
					*cpu += self1 - self0 + srv1 - srv0
				}
				trips0, calls0 := idemredis.EnqueueTrips(q)
				b.ResetTimer()
				for r := range rounds {
					from := 1000 + r*perRound
					if r%2 == 0 {
						run(bare.URL, from, &bareLat, &bareTime, &bareCPU)
						run(full.URL, from, &fullLat, &fullTime, &fullCPU)
					} else {
						run(full.URL, from, &fullLat, &fullTime, &fullCPU)
						run(bare.URL, from, &bareLat, &bareTime, &bareCPU)
					}
				}
				b.StopTimer()
				trips1, calls1 := idemredis.EnqueueTrips(q)
				b.ReportMetric(float64(calls1-calls0)/float64(max(trips1-trips0, 1)), "enqueues/round-trip")
				st, err := q.Stats(context.Background())
				if err != nil || st.Depth() != 200+rounds*perRound {
					b.Fatalf("queue holds %+v, %v; want every accepted delivery", st, err)
				}
				n := float64(rounds * perRound)
				fullRPS, bareRPS := n/fullTime.Seconds(), n/bareTime.Seconds()
				b.ReportMetric(fullRPS, "req/s")
				b.ReportMetric(bareRPS, "bare-req/s")
				b.ReportMetric(fullRPS/bareRPS, "x-bare-rps")
				p99, bareP99 := fullLat.percentile(99), bareLat.percentile(99)
				b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(bareP99.Microseconds())/1000, "bare-p99-ms")
				b.ReportMetric(float64(p99)/float64(max(bareP99, 1)), "x-bare-p99")
				b.ReportMetric(float64(fullCPU.Microseconds())/n, "cpu-us/req")
				b.ReportMetric(float64(bareCPU.Microseconds())/n, "bare-cpu-us/req")
				b.ReportMetric(float64(bareCPU)/float64(fullCPU), "x-bare-cpu")
			})
		}
	}
}
