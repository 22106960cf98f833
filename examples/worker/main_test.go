package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/examples/internal/extest"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

// The worker needs the API credentials and Redis, and no webhook
// credential.
func TestRunRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"BIGCOMMERCE_STORE_HASH":   "abc123",
		"BIGCOMMERCE_CLIENT_TOKEN": "bc-token-value",
		"SALESFORCE_CLIENT_ID":     "id",
		"SALESFORCE_CLIENT_SECRET": extest.SFSecret,
		"SALESFORCE_INSTANCE_URL":  "https://example.my.salesforce.com",
		"REDIS_URL":                "redis://127.0.0.1:1/0",
	}
	// change copies full, sets the pairs of kv and deletes the keys whose
	// value is "-".
	change := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range full {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "-" {
				delete(env, kv[i])
			} else {
				env[kv[i]] = kv[i+1]
			}
		}
		return env
	}
	tests := []struct {
		name  string
		env   map[string]string
		wants []string // each must appear in the output
	}{
		{"empty", map[string]string{}, []string{
			"missing BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_CLIENT_TOKEN, SALESFORCE_CLIENT_ID, " +
				"SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL, REDIS_URL",
		}},
		{"no redis", change("REDIS_URL", "-"), []string{"missing REDIS_URL"}},
		{"missing and invalid", change("SALESFORCE_CLIENT_ID", "-", "WORKERS", "many", "RECONCILE_INTERVAL", "1ms"),
			[]string{"missing SALESFORCE_CLIENT_ID; invalid WORKERS", "RECONCILE_INTERVAL (want a duration"}},
		{"bad redis URL", change("REDIS_URL", "http://user:redis-password@host"), []string{"invalid REDIS_URL"}},
		{"bad store hash", change("BIGCOMMERCE_STORE_HASH", "not a hash"), []string{"invalid configuration"}},
		{"bad API URL", change("BIGCOMMERCE_API_URL", "ftp://api"), []string{"invalid configuration"}},
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
			for _, notWanted := range []string{"WEBHOOK", "redis-password"} {
				if strings.Contains(out.String(), notWanted) {
					t.Errorf("output mentions %s:\n%s", notWanted, out.String())
				}
			}
			extest.AssertNoSecrets(t, out.String(), tt.env)
		})
	}
}

// A delivery to a receiver on the same Redis is synced by the worker; an
// order whose webhook never came is synced by the reconciler, whose
// checkpoint then lives in Redis; the health endpoint follows Redis.
func TestRunSyncsFromRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := extest.Fakes(t)
	env["REDIS_URL"] = rs.URL()
	env["HEALTH_ADDR"] = "127.0.0.1:0"
	env["RECONCILE_INTERVAL"] = "1h"
	missed := extest.AddOrder(t, bc)
	p := start(t, workerOnly(env))
	extest.WaitForOpportunity(t, sf, missed, p.Logs)
	extest.CheckpointSaved(t, rs.URL(), p.Logs)

	receiverURL := startReceiver(t, env) + "/webhooks/bigcommerce"
	id := extest.AddOrder(t, bc)
	extest.Deliver(t, bc, receiverURL, id)
	extest.WaitForOpportunity(t, sf, id, p.Logs)

	for _, path := range []string{"/healthz", "/readyz"} {
		if code := extest.Status(t, "GET", p.URL+path); code != http.StatusOK {
			t.Errorf("GET %s with Redis up: %d, want 200", path, code)
		}
	}
	rs.Kill()
	if code := extest.Status(t, "GET", p.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with Redis down: %d, want 503", code)
	}
	if code := p.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
	extest.AssertNoSecrets(t, p.Logs.String(), env)
}

// Without HEALTH_ADDR the worker listens nowhere and still stops cleanly.
func TestRunWithoutHealthEndpoint(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	_, _, env := extest.Fakes(t)
	env["REDIS_URL"] = rs.URL()
	p := startQuiet(t, workerOnly(env))
	if code := p.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
	if strings.Contains(p.Logs.String(), `"msg":"listening"`) {
		t.Errorf("worker listens without HEALTH_ADDR:\n%s", p.Logs)
	}
}

// A worker stopped while it holds an order exits 0 without losing it:
// the order is written during the drain or given back to the queue, and a
// restarted worker finds nothing left undone.
func TestRunStopsWithoutLosingWork(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := extest.Fakes(t)
	env["REDIS_URL"] = rs.URL()
	sf.SetLatency(300 * time.Millisecond) // keeps the order in flight a while
	receiverURL := startReceiver(t, env) + "/webhooks/bigcommerce"
	id := extest.AddOrder(t, bc)

	first := startQuiet(t, workerOnly(env))
	extest.Deliver(t, bc, receiverURL, id)
	extest.WaitFor(t, "the worker to fetch the order", first.Logs, func() bool {
		return bc.Calls(bctest.RouteGetOrder) > 0
	})
	if code := first.Stop(t); code != exitOK {
		t.Fatalf("exit code %d, want 0; logs:\n%s", code, first.Logs)
	}

	second := startQuiet(t, workerOnly(env))
	extest.WaitForOpportunity(t, sf, id, second.Logs)
	if code := second.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, second.Logs)
	}
}

// workerOnly drops the webhook credentials, to show the worker needs none.
func workerOnly(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if !strings.HasPrefix(k, "BIGCOMMERCE_WEBHOOK_") && k != "BIGCOMMERCE_CLIENT_SECRET" && k != "LISTEN_ADDR" {
			out[k] = v
		}
	}
	return out
}

// startReceiver serves, until the test ends, the other half of the pair as
// examples/receiver wires it: verified deliveries enqueued on the same Redis.
// (A test cannot import another main package.) It returns the server's URL.
func startReceiver(t *testing.T, env map[string]string) string {
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
	verifier, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(webhook.DefaultSecretHeader, env["BIGCOMMERCE_WEBHOOK_SECRET"]),
		webhook.StandardWebhooks([]byte(env["BIGCOMMERCE_CLIENT_SECRET"])),
	})
	if err != nil {
		t.Fatal(err)
	}
	handler, err := webhook.NewHandler(pipeline.NewSink(queue))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(verifier.Middleware(handler))
	t.Cleanup(srv.Close)
	return srv.URL
}
