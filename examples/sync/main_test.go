package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/examples/internal/extest"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

func TestRunRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"BIGCOMMERCE_STORE_HASH":     "abc123",
		"BIGCOMMERCE_CLIENT_TOKEN":   "bc-token-value",
		"BIGCOMMERCE_WEBHOOK_SECRET": extest.WebhookSecret,
		"BIGCOMMERCE_CLIENT_SECRET":  extest.ClientSecret,
		"SALESFORCE_CLIENT_ID":       "id",
		"SALESFORCE_CLIENT_SECRET":   extest.SFSecret,
		"SALESFORCE_INSTANCE_URL":    "https://example.my.salesforce.com",
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
				"SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL, " +
				"BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET",
		}},
		{"salesforce missing", change("SALESFORCE_CLIENT_ID", "-", "SALESFORCE_INSTANCE_URL", "-"),
			[]string{"missing SALESFORCE_CLIENT_ID, SALESFORCE_INSTANCE_URL"}},
		{"no webhook credential", change("BIGCOMMERCE_WEBHOOK_SECRET", "-", "BIGCOMMERCE_CLIENT_SECRET", "-"),
			[]string{"missing BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET"}},
		{"blank counts as unset", change("BIGCOMMERCE_STORE_HASH", "  "), []string{"missing BIGCOMMERCE_STORE_HASH"}},
		{"missing and invalid", change("SALESFORCE_CLIENT_ID", "-", "WORKERS", "many", "LOG_FORMAT", "xml"),
			[]string{"missing SALESFORCE_CLIENT_ID; invalid WORKERS", "LOG_FORMAT (want text or json)"}},
		{"bad workers", change("WORKERS", "0"), []string{"invalid WORKERS"}},
		{"bad interval", change("RECONCILE_INTERVAL", "often"), []string{"invalid RECONCILE_INTERVAL"}},
		{"bad redis URL", change("REDIS_URL", "http://user:redis-password@host"), []string{"invalid REDIS_URL"}},
		{"bad store hash", change("BIGCOMMERCE_STORE_HASH", "not a hash"), []string{"invalid configuration"}},
		{"bad API version", change("SALESFORCE_API_VERSION", "64"), []string{"invalid configuration"}},
		{"bad token URL", change("SALESFORCE_TOKEN_URL", "not a url"), []string{"invalid configuration"}},
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
			extest.AssertNoSecrets(t, out.String(), tt.env)
			if strings.Contains(out.String(), "redis-password") {
				t.Errorf("output contains the Redis password:\n%s", out.String())
			}
		})
	}
}

// A signed delivery ends as an Opportunity, a forged one is refused, and
// cancelling the context stops the program with exit code 0.
func TestRunSyncsDeliveredOrder(t *testing.T) {
	t.Parallel()
	bc, sf, env := extest.Fakes(t)
	p := start(t, env)
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
	extest.WaitForOpportunity(t, sf, id, p.Logs)

	if code := p.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
	logs := p.Logs.String()
	for _, want := range []string{`"msg":"order synced"`, `"order_id":` + extest.Itoa(id), `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs do not contain %s:\n%s", want, logs)
		}
	}
	extest.AssertNoSecrets(t, logs, env)
}

// An order whose webhook never came is synced by the reconciler, which
// runs once at start.
func TestRunReconcilesMissedOrder(t *testing.T) {
	t.Parallel()
	bc, sf, env := extest.Fakes(t)
	env["RECONCILE_INTERVAL"] = "1h"
	id := extest.AddOrder(t, bc)
	p := start(t, env)
	extest.WaitForOpportunity(t, sf, id, p.Logs)
	if code := p.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
}

func TestRunProbes(t *testing.T) {
	t.Parallel()
	_, _, env := extest.Fakes(t)
	p := start(t, env)
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/healthz", http.StatusOK},
		{"GET", "/readyz", http.StatusOK},
		{"GET", webhookPath, http.StatusMethodNotAllowed},
		{"POST", webhookPath, http.StatusUnauthorized},
		{"GET", "/other", http.StatusNotFound},
	}
	for _, tt := range tests {
		if got := extest.Status(t, tt.method, p.URL+tt.path); got != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, got, tt.want)
		}
	}
	if code := p.Stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
}

// With REDIS_URL the queue, the store and the reconciler's checkpoint live
// in Redis: a missed order is reconciled, a delivery is synced, and /readyz
// turns 503 when Redis goes away while /healthz stays 200.
func TestRunOnRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := extest.Fakes(t)
	env["REDIS_URL"] = rs.URL()
	env["RECONCILE_INTERVAL"] = "1h"
	missed := extest.AddOrder(t, bc)
	p := start(t, env)
	extest.WaitForOpportunity(t, sf, missed, p.Logs)
	extest.CheckpointSaved(t, rs.URL(), p.Logs)

	id := extest.AddOrder(t, bc)
	extest.Deliver(t, bc, p.URL+webhookPath, id)
	extest.WaitForOpportunity(t, sf, id, p.Logs)
	if code := extest.Status(t, "GET", p.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz with Redis up: %d, want 200", code)
	}

	rs.Kill()
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

// With the queue in memory, a graceful stop lets the workers empty it: events
// already answered 200 must not vanish with the process.
func TestRunDrainsTheMemoryQueueOnStop(t *testing.T) {
	t.Parallel()
	bc, sf, env := extest.Fakes(t)
	env["WORKERS"] = "1"
	sf.SetLatency(200 * time.Millisecond) // keep events waiting in the queue
	p := start(t, env)
	hookURL := p.URL + webhookPath
	var ids []int64
	for range 6 {
		id := extest.AddOrder(t, bc)
		extest.Deliver(t, bc, hookURL, id)
		ids = append(ids, id)
	}
	if code := p.Stop(t); code != exitOK {
		t.Fatalf("exit code %d, want 0; logs:\n%s", code, p.Logs)
	}
	for _, id := range ids {
		if _, ok := sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", extest.Itoa(id)); !ok {
			t.Errorf("order %d was accepted but not synced before exit; logs:\n%s", id, p.Logs)
		}
	}
}
