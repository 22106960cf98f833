package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/examples/internal/extest"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// The receiver needs the webhook credentials and Redis, nothing else.
func TestRunRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		wants []string // each must appear in the output
	}{
		{"empty", map[string]string{},
			[]string{"missing REDIS_URL, BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET"}},
		{"no redis", map[string]string{"BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret},
			[]string{"missing REDIS_URL"}},
		{"no webhook credential", map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0", "BIGCOMMERCE_CLIENT_TOKEN": "bc-token"},
			[]string{"missing BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET"}},
		{"bad redis URL", map[string]string{"REDIS_URL": "http://user:redis-password@host", "BIGCOMMERCE_CLIENT_SECRET": extest.ClientSecret},
			[]string{"invalid REDIS_URL"}},
		{"bad log format", map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0", "BIGCOMMERCE_CLIENT_SECRET": extest.ClientSecret, "LOG_FORMAT": "xml"},
			[]string{"invalid LOG_FORMAT (want text or json)"}},
		{"empty header name", map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0", "BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret, "BIGCOMMERCE_WEBHOOK_HEADER": "bad header"},
			[]string{"invalid configuration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out extest.LogBuffer
			if code := run(context.Background(), extest.MapEnv(tt.env), &out); code != exitConfig {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, exitConfig, out.String())
			}
			for _, want := range tt.wants {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output does not contain %q:\n%s", want, out.String())
				}
			}
			for _, notWanted := range []string{"BIGCOMMERCE_STORE_HASH", "SALESFORCE", "redis-password"} {
				if strings.Contains(out.String(), notWanted) {
					t.Errorf("output mentions %s:\n%s", notWanted, out.String())
				}
			}
			extest.AssertNoSecrets(t, out.String(), tt.env)
		})
	}
}

// A delivery to the receiver is queued in Redis and synced by a worker;
// with Redis gone the receiver answers 503, so that BigCommerce delivers
// again, and /readyz says the same.
func TestRunQueuesDeliveryForWorker(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := extest.Fakes(t)
	env["REDIS_URL"] = rs.URL()
	p := start(t, receiverOnly(env))
	hookURL := p.URL + webhookPath

	id := extest.AddOrder(t, bc)
	forged, err := bc.Deliver(t.Context(), hookURL, bctest.EventSpec{OrderID: id, Forge: true})
	if err != nil {
		t.Fatal(err)
	}
	if forged.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged delivery: status %d, want 401", forged.StatusCode)
	}
	extest.Deliver(t, bc, hookURL, id)
	startWorker(t, env)
	extest.WaitForOpportunity(t, sf, id, p.Logs)

	for _, path := range []string{"/healthz", "/readyz"} {
		if code := extest.Status(t, "GET", p.URL+path); code != http.StatusOK {
			t.Errorf("GET %s with Redis up: %d, want 200", path, code)
		}
	}
	rs.Kill()
	res, err := bc.Deliver(t.Context(), hookURL, bctest.EventSpec{OrderID: extest.AddOrder(t, bc)})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("delivery with Redis down: status %d, want 503", res.StatusCode)
	}
	if code := extest.Status(t, "GET", p.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with Redis down: %d, want 503", code)
	}
	if code := extest.Status(t, "GET", p.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with Redis down: %d, want 200", code)
	}
	if code := p.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
	extest.AssertNoSecrets(t, p.Logs.String(), env)
}

// receiverOnly keeps the variables the receiver reads, to show it needs no
// API credentials.
func receiverOnly(env map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"BIGCOMMERCE_CLIENT_SECRET", "BIGCOMMERCE_WEBHOOK_SECRET", "REDIS_URL", "LISTEN_ADDR", "LOG_FORMAT"} {
		out[k] = env[k]
	}
	return out
}

// startWorker runs, until the test ends, the other half of the pair as
// examples/worker wires it: a pipeline.Worker on the same Redis queue and
// store, with the real clients pointed at the fakes. (A test cannot import
// another main package.)
func startWorker(t *testing.T, env map[string]string) {
	t.Helper()
	opts, err := redis.ParseURL(env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	queue, err := idemredis.NewQueue(client)
	if err != nil {
		t.Fatal(err)
	}
	store, err := idemredis.NewStore(client)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := bigcommerce.NewClient(env["BIGCOMMERCE_STORE_HASH"], env["BIGCOMMERCE_CLIENT_TOKEN"],
		bigcommerce.WithBaseURL(env["BIGCOMMERCE_API_URL"]))
	if err != nil {
		t.Fatal(err)
	}
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(env["SALESFORCE_CLIENT_ID"], env["SALESFORCE_CLIENT_SECRET"]),
		salesforce.WithInstanceURL(env["SALESFORCE_INSTANCE_URL"]))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue: queue, Store: store, Orders: pipeline.BigCommerceOrders(bc), Graphs: sf, Mapper: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
