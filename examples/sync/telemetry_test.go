package main

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// With ADMIN_ADDR set, /metrics serves the Prometheus text format without a
// token: after one order, the bc2sf metrics are there with its outcome, and
// the Salesforce usage it reports is the one the console shows.
func TestAdminServesMetrics(t *testing.T) {
	t.Parallel()
	bc, sf, env := fakes(t)
	env["ADMIN_ADDR"] = "127.0.0.1:0"
	env["ADMIN_TOKEN"] = adminToken
	p := start(t, env)
	admin := "http://" + p.waitLog(t, "admin listening")
	id := addOrder(t, bc)
	deliver(t, bc, p.url+webhookPath, id)
	waitForOpportunity(t, sf, id, p.logs)

	var text string
	waitFor(t, "the synced order in /metrics", p.logs, func() bool {
		resp, err := http.Get(admin + metricsPath)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		text = string(b)
		return metricValue(text, `bc2sf_orders_synced_total{`, `source="webhook"`) == 1
	})
	for _, name := range []string{
		"bc2sf_sync_latency_seconds_bucket", "bc2sf_sync_latency_seconds_count",
		"bc2sf_queue_depth", "bc2sf_queue_dead_letters", "bc2sf_queue_oldest_age_seconds",
		"bc2sf_salesforce_api_usage", "bc2sf_salesforce_api_limit",
		"bc2sf_bigcommerce_requests_remaining", "bc2sf_bigcommerce_requests_quota",
	} {
		if !regexp.MustCompile(`(?m)^` + name + `[{ ]`).MatchString(text) {
			t.Errorf("/metrics has no %s:\n%s", name, text)
		}
	}
	if v := metricValue(text, "bc2sf_sync_latency_seconds_count{", `source="webhook"`); v != 1 {
		t.Errorf("bc2sf_sync_latency_seconds_count{source=webhook} = %v, want 1", v)
	}

	code, body := adminCall(t, http.MethodGet, admin+deadLettersPath+"api/stats", "", adminToken)
	var stats struct {
		Usage struct{ Used, Limit int64 } `json:"salesforce_api"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &stats) != nil {
		t.Fatalf("api/stats: %d %s", code, body)
	}
	fresh := scrape(t, admin+metricsPath)
	used, limit := sf.DailyUsage()
	if got := metricValue(fresh, "bc2sf_salesforce_api_usage{", ""); got != float64(stats.Usage.Used) || got != float64(used) {
		t.Errorf("usage: metrics %v, console %d, org %d; want one figure", got, stats.Usage.Used, used)
	}
	if got := metricValue(fresh, "bc2sf_salesforce_api_limit{", ""); got != float64(stats.Usage.Limit) || got != float64(limit) {
		t.Errorf("limit: metrics %v, console %d, org %d; want one figure", got, stats.Usage.Limit, limit)
	}
	// The listener for webhooks does not serve the metrics.
	if code, _ := adminCall(t, http.MethodGet, p.url+metricsPath, "", ""); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the webhook listener: %d, want 404", code)
	}
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d, want %d", code, exitOK)
	}
	assertNoSecrets(t, text, env)
	assertNoSecrets(t, p.logs.String(), env)
}

// syncThroughCollector runs the program with OTEL_EXPORTER_OTLP_ENDPOINT
// on a collector that counts the protobuf bytes it receives by path, syncs
// one order, stops the program (which flushes what is left) and returns
// the counts and the program's logs.
func syncThroughCollector(t *testing.T) (map[string]int, string) {
	t.Helper()
	var mu sync.Mutex
	got := map[string]int{} // path -> bytes received
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") == "application/x-protobuf" {
			mu.Lock()
			got[r.URL.Path] += len(b)
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	// The exporters read the standard variables from the process's
	// environment, the program from its getenv: both must see it.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	bc, sf, env := fakes(t)
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.URL
	p := start(t, env)
	id := addOrder(t, bc)
	deliver(t, bc, p.url+webhookPath, id)
	waitForOpportunity(t, sf, id, p.logs)
	if code := p.stop(t); code != exitOK {
		t.Fatalf("exit code %d, want %d; logs:\n%s", code, exitOK, p.logs)
	}
	mu.Lock()
	defer mu.Unlock()
	return maps.Clone(got), p.logs.String()
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, the program exports its traces and
// metrics over OTLP/HTTP; what is left is flushed at shutdown.
func TestExportsOTLP(t *testing.T) {
	got, logs := syncThroughCollector(t)
	if got["/v1/traces"] == 0 || got["/v1/metrics"] == 0 {
		t.Errorf("the collector received %v; want traces and metrics", got)
	}
	if !strings.Contains(logs, `"otlp":true`) {
		t.Errorf("the start-up line does not say OTLP is on:\n%s", logs)
	}
}

// The SDK's sampler variables reach the program's tracer provider: with
// OTEL_TRACES_SAMPLER=always_off, an order synced exports metrics but no
// span, as a ratio sampler drops the orders it does not keep.
func TestHonoursTracesSampler(t *testing.T) {
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	got, _ := syncThroughCollector(t)
	if got["/v1/traces"] != 0 || got["/v1/metrics"] == 0 {
		t.Errorf("the collector received %v; want metrics and no traces", got)
	}
}

// scrape returns the text of a GET.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// metricValue returns the value of the first sample line that starts with
// prefix and contains label, or -1.
func metricValue(text, prefix, label string) float64 {
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(line, prefix) || !strings.Contains(line, label) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return -1
		}
		return v
	}
	return -1
}
